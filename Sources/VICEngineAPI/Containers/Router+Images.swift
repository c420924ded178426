import Foundation
import NIOHTTP1
import VICCore
import VICImage

extension Router {
    /// `docker pull`: Docker's JSON progress messages, streamed as the pull goes.
    func createImage(_ context: RouteContext) async throws -> EngineResponse {
        let images = try portLayer().images
        guard let from = context.request.queryValue("fromImage"), !from.isEmpty else {
            throw VICError(.notImplemented, "vic does not implement docker import (fromSrc) yet")
        }
        let tag = context.request.queryValue("tag") ?? ""
        let text = tag.isEmpty || from.contains("@") ? from : (tag.hasPrefix("sha256:") ? "\(from)@\(tag)" : "\(from):\(tag)")
        let reference = try ImageReference(parsing: text)
        let stream = AsyncThrowingStream<[UInt8], any Error> { continuation in
            let task = Task {
                @Sendable func send(_ message: DockerProgressMessage) {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.withoutEscapingSlashes]
                    if let data = try? encoder.encode(message) { continuation.yield(Array(data) + [0x0d, 0x0a]) }
                }
                do {
                    let (record, isNew) = try await images.pull(reference) { event in send(PullProgress.message(for: event)) }
                    _ = record
                    let name = "\(reference.familiarRepository):\(reference.tag ?? reference.digest ?? "latest")"
                    send(DockerProgressMessage(status: isNew ? "Status: Downloaded newer image for \(name)"
                                                            : "Status: Image is up to date for \(name)"))
                } catch {
                    let message = (error as? VICError)?.message ?? "\(error)"
                    send(DockerProgressMessage(error: message, errorDetail: .init(message: message)))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        return .streaming(headers: ["Content-Type": "application/json"], stream)
    }

    func listImages(_ context: RouteContext) async throws -> EngineResponse {
        let backend = try portLayer()
        let records = await backend.images.list()
        let containers = await backend.containers.list()
        return .json(records.map { image in
            ContainerWireMapping.imageSummary(image, containers: containers.filter { $0.imageID == image.id }.count)
        })
    }

    func inspectImage(_ context: RouteContext) async throws -> EngineResponse {
        let image = try await portLayer().images.resolve(try imageName(context))
        return .json(ContainerWireMapping.imageInspect(image))
    }

    func tagImage(_ context: RouteContext) async throws -> EngineResponse {
        guard let repo = context.request.queryValue("repo"), !repo.isEmpty else {
            throw VICError(.invalidArgument, "repository name is required")
        }
        let tag = context.request.queryValue("tag").flatMap { $0.isEmpty ? nil : $0 } ?? "latest"
        try await portLayer().images.tag(try imageName(context), as: "\(repo):\(tag)")
        return EngineResponse(status: .created)
    }

    func removeImage(_ context: RouteContext) async throws -> EngineResponse {
        let backend = try portLayer()
        let force = context.request.queryFlag("force")
        let used = Set(await backend.containers.list().map(\.imageID))
        let lines = try await backend.images.remove(try imageName(context), force: force) { used.contains($0) }
        struct Line: Encodable { var Untagged: String?; var Deleted: String? }
        return .json(lines.map { Line(Untagged: $0.untagged, Deleted: $0.deleted) })
    }

    func imageName(_ context: RouteContext) throws -> String {
        guard let name = context.parameters["name"], !name.isEmpty else {
            throw VICError(.invalidArgument, "image name is required")
        }
        return name
    }
}

/// Port-layer pull events as Docker's progress messages.
enum PullProgress {
    static func message(for event: PullEvent) -> DockerProgressMessage {
        switch event {
        case .status(let text, let id):
            return DockerProgressMessage(status: text, id: id)
        case .layer(let id, let status, let current, let total):
            var message = DockerProgressMessage(status: status, id: id, progressDetail: .init())
            if let current {
                message.progressDetail = .init(current: current, total: total)
                message.progress = bar(current: current, total: total)
            }
            return message
        }
    }

    /// "[=====>      ]  1.05MB/2.1MB", as Docker draws it.
    static func bar(current: Int64, total: Int64?) -> String {
        guard let total, total > 0 else { return size(current) }
        let width = 50
        let filled = Int(Double(width) * min(Double(current) / Double(total), 1))
        let arrow = filled < width ? ">" : ""
        let line = String(repeating: "=", count: max(filled - (arrow.isEmpty ? 0 : 1), 0)) + arrow
        return "[" + line.padding(toLength: width, withPad: " ", startingAt: 0) + "] " + size(current) + "/" + size(total)
    }

    static func size(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes)B" : String(format: "%.3g%@", value, units[unit])
    }
}
