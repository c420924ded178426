/// Build facts of the vchd binary, for `docker version` and the `Server` header.
public struct EngineBuild: Sendable, Hashable {
    /// The Docker Engine API version served: the maximum a client may ask for.
    public static let apiVersion = "1.45"
    /// The oldest API version a client may ask for.
    public static let minimumAPIVersion = "1.24"

    /// The vchd version, e.g. `0.1.0`.
    public var version: String
    /// The source revision it was built from.
    public var gitCommit: String
    /// When it was built, RFC 3339, or empty.
    public var buildTime: String
    /// The compiler, shown where Docker shows its Go version.
    public var toolchain: String

    /// Build facts; pass what the build system stamped in.
    public init(version: String, gitCommit: String, buildTime: String = "", toolchain: String = "swift6") {
        self.version = version
        self.gitCommit = gitCommit
        self.buildTime = buildTime
        self.toolchain = toolchain
    }

    /// A development build with no stamped facts.
    public static let development = EngineBuild(version: "0.1.0-dev", gitCommit: "unknown")
}
