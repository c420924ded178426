import Foundation
import NIOHTTP1
import VICCore
import VICImage
import VICPortLayer

extension Router {
    /// `docker pull`: Docker's JSON progress messages, streamed as the pull goes.
    func createImage(_ context: RouteContext) async throws -> EngineResponse {
        if let source = context.request.queryValue("fromSrc"), !source.isEmpty {
            return try await importImage(context, source: source)
        }
        let images = try portLayer().images
        let events = try portLayer().containers.events
        guard let from = context.request.queryValue("fromImage"), !from.isEmpty else {
            throw VICError(.invalidArgument, "fromImage or fromSrc is required")
        }
        let tag = context.request.queryValue("tag") ?? ""
        let text = tag.isEmpty || from.contains("@") ? from : (tag.hasPrefix("sha256:") ? "\(from)@\(tag)" : "\(from):\(tag)")
        let reference = try ImageReference(parsing: text)
        let credentials = try RegistryCredentials.header(context.request.headers.first(name: "X-Registry-Auth"))
        let stream = AsyncThrowingStream<[UInt8], any Error> { continuation in
            let task = Task {
                @Sendable func send(_ message: DockerProgressMessage) {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.withoutEscapingSlashes]
                    if let data = try? encoder.encode(message) { continuation.yield(Array(data) + [0x0d, 0x0a]) }
                }
                do {
                    let (record, isNew) = try await images.pull(reference, credentials: credentials) { event in
                        send(PullProgress.message(for: event))
                    }
                    let name = "\(reference.familiarRepository):\(reference.tag ?? reference.digest ?? "latest")"
                    events.emit(ImageEvents.record("pull", actor: reference.description, name: reference.familiarRepository, record))
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

    /// `docker images`: filtered as Docker's daemon does (`ImageListFilter`); an image with
    /// neither tags nor digests shows as `<none>:<none>`.
    func listImages(_ context: RouteContext) async throws -> EngineResponse {
        let backend = try portLayer()
        let arguments = try FilterArguments(json: context.request.queryValue("filters"))
        let fields = arguments.fields.mapValues { $0.sorted() }
        let now = now()
        let until = try fields["until"]?.first.map { text in
            guard let date = Timestamps.date(text, now: now) else { throw VICError(.invalidArgument, "invalid filter 'until=\(text)'") }
            return date
        }
        let images = backend.images
        let filter = try await images.listFilter(fields, until: until)
        let records = filter.apply(await images.list())
        let containers = await backend.containers.list()
        return .json(records.map { record in
            var image = record
            if image.repoTags.isEmpty && image.repoDigests.isEmpty {
                image.repoTags = ["<none>:<none>"]
                image.repoDigests = ["<none>@<none>"]
            }
            return ContainerWireMapping.imageSummary(image, containers: containers.filter { $0.imageID == image.id }.count)
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
        let images = try portLayer().images
        let name = try imageName(context)
        try await images.tag(name, as: "\(repo):\(tag)")
        if let image = try? await images.resolve(name) {
            let target = try ImageReference(parsing: "\(repo):\(tag)")
            try portLayer().containers.events.emit(ImageEvents.record("tag", actor: image.id, name: target.description, image))
        }
        return EngineResponse(status: .created)
    }

    /// `docker rmi`: Docker's conflict rules (`ImageService.remove`), then `untag` and `delete`
    /// events.
    func removeImage(_ context: RouteContext) async throws -> EngineResponse {
        let backend = try portLayer()
        let force = context.request.queryFlag("force")
        let name = try imageName(context)
        // A running user first: it decides whether force can help.
        let users = await backend.containers.list().sorted { $0.state.isRunning && !$1.state.isRunning }
        let image = try await backend.images.resolve(name)
        let lines = try await backend.images.remove(name, force: force) { id in
            users.first { $0.imageID == id }.map { ImageUser(containerID: $0.id, isRunning: $0.state.isRunning) }
        }
        for line in lines {
            if line.untagged != nil { backend.containers.events.emit(ImageEvents.record("untag", actor: image.id, name: image.id, image)) }
            if line.deleted != nil { backend.containers.events.emit(ImageEvents.record("delete", actor: image.id, name: image.id, image)) }
        }
        struct Line: Encodable { var Untagged: String?; var Deleted: String? }
        return .json(lines.map { Line(Untagged: $0.untagged, Deleted: $0.deleted) })
    }

    /// `docker image prune [-a] [--filter until=…|label=…]`: images no container uses, only
    /// the dangling ones unless `dangling=false`, as dockerd answers it.
    func pruneImages(_ context: RouteContext) async throws -> EngineResponse {
        let filters = try FilterArguments(json: context.request.queryValue("filters"))
        let filter = try PruneFilter(filters, now: now(), accepting: ["dangling"])
        let danglingOnly = try filters.bool("dangling") ?? true
        let backend = try portLayer()
        let used = Set(await backend.containers.list().map(\.imageID))
        let records = Dictionary(await backend.images.list().map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let (lines, reclaimed) = await backend.images.prune(all: !danglingOnly, used: used) {
            filter.matches(created: $0.created, labels: $0.configuration.config?.Labels ?? [:])
        }
        for line in lines {
            guard let id = line.deleted, let image = records[id] else { continue }
            backend.containers.events.emit(ImageEvents.record("delete", actor: id, name: id, image))
        }
        struct Line: Encodable { var Untagged: String?; var Deleted: String? }
        struct Report: Encodable { var ImagesDeleted: ExplicitNull<[Line]>; var SpaceReclaimed: Int64 }
        let deleted = lines.map { Line(Untagged: $0.untagged, Deleted: $0.deleted) }
        return .json(Report(ImagesDeleted: ExplicitNull(deleted.isEmpty ? nil : deleted), SpaceReclaimed: reclaimed))
    }

    /// `docker login`: `POST /auth`, the credentials checked against the registry and kept
    /// nowhere (the CLI keeps them and sends them with each pull). 401 when they are refused.
    func login(_ context: RouteContext) async throws -> EngineResponse {
        struct Body: Decodable { var serveraddress: String? }
        let body = Data(context.request.body)
        guard let credentials = try RegistryCredentials.decode(json: body) else {
            throw VICError(.invalidArgument, "a user name is required to log in")
        }
        let server = (try? JSONDecoder().decode(Body.self, from: body))?.serveraddress ?? ""
        try await portLayer().images.login(server: server, credentials: credentials)
        struct Answer: Encodable { var Status: String; var IdentityToken: String }
        return .json(Answer(Status: "Login Succeeded", IdentityToken: ""))
    }

    func imageName(_ context: RouteContext) throws -> String {
        guard let name = context.parameters["name"], !name.isEmpty else {
            throw VICError(.invalidArgument, "image name is required")
        }
        return name
    }
}

/// Image events as Docker logs them: the image's labels plus `name`.
enum ImageEvents {
    static func record(_ action: String, actor: String, name: String, _ image: ImageRecord) -> EventRecord {
        var attributes = image.configuration.config?.Labels ?? [:]
        attributes["name"] = name
        return EventRecord(type: "image", action: action, actorID: actor, attributes: attributes)
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
