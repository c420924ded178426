import Foundation

extension ContainerManager {
    /// Records a container event with Docker's attributes: the container's labels, `image` and
    /// `name`, plus `extra` (`exitCode`, `signal`, `execID`).
    func emit(_ action: String, _ record: ContainerRecord, _ extra: [String: String] = [:]) {
        var attributes = record.config.labels
        attributes["image"] = record.imageName
        attributes["name"] = record.name
        attributes.merge(extra) { $1 }
        events.emit(EventRecord(type: "container", action: action, actorID: record.id, attributes: attributes))
    }
}
