import VICImage
import VICPortLayer

/// A backend that also runs containers: the routes for containers and images talk to its
/// port-layer services directly (they decode and encode; the services decide). The test fakes
/// of `EngineBackend` need not conform: those routes then answer 501.
public protocol PortLayerBackend: EngineBackend {
    var containers: ContainerManager { get }
    var images: ImageService { get }
}
