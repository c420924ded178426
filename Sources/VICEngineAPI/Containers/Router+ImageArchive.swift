import Foundation
import VICCore
import VICImage
import VICPortLayer
import VICSystem

extension Router {
    /// `docker save NAME…` (`GET /images/get?names=…`): the archive is planned first (an unknown
    /// name or a missing layer is an error response), then streamed chunk by chunk as the client
    /// reads it.
    func saveImages(_ context: RouteContext) async throws -> EngineResponse {
        try await save(context.request.query["names"] ?? [])
    }

    /// `GET /images/{name}/get`: one image's archive.
    func saveImage(_ context: RouteContext) async throws -> EngineResponse {
        try await save([try imageName(context)])
    }

    func save(_ names: [String]) async throws -> EngineResponse {
        let plan = try await portLayer().images.archivePlan(for: names)
        let archive = plan.stream()
        // Pulled one chunk at a time: a slow reader holds the producer back.
        let body = AsyncThrowingStream<[UInt8], any Error>(unfolding: {
            while let chunk = try archive.next() {
                if !chunk.isEmpty { return chunk }
            }
            return nil
        })
        return .streaming(headers: ["Content-Type": "application/x-tar"], body)
    }

    /// `docker load`: the archive in the body is staged into the image store as it arrives,
    /// then verified and stored (all or nothing), then the CLI gets Docker's `Loaded image:
    /// NAME` lines. Errors
    /// come before any output, as a status.
    func loadImages(_ context: RouteContext) async throws -> EngineResponse {
        let backend = try portLayer()
        let images = backend.images
        let staged = try await stagingBody(context.request) { source in try images.stageArchive(source) }
        defer { staged.discard() }
        let loaded = try await images.load(staged: staged)
        var lines: [String] = []
        for image in loaded {
            if let record = try? await backend.images.resolve(image.id) {
                backend.containers.events.emit(ImageEvents.record("load", actor: image.id, name: image.id, record))
            }
            lines += image.tags.isEmpty ? ["Loaded image ID: \(image.id)"] : image.tags.map { "Loaded image: \($0)" }
        }
        return ImageArchiveMessages.response(lines.map { ImageArchiveMessages.Message(stream: $0 + "\n") })
    }

    /// `docker import` (`POST /images/create?fromSrc=-`): a one-layer image from the root file
    /// system tarball in the body; the answer is its ID, as Docker's progress message.
    func importImage(_ context: RouteContext, source: String) async throws -> EngineResponse {
        guard source == "-" else {
            throw VICError(.notImplemented, "vic imports from the request body only (fromSrc=-), not from \(source)")
        }
        let request = context.request
        let repo = request.queryValue("repo") ?? ""
        let tag = request.queryValue("tag") ?? ""
        let name: String? = repo.isEmpty ? nil : (tag.isEmpty ? repo : "\(repo):\(tag)")
        if let platform = request.queryValue("platform"), !platform.isEmpty, !platform.hasPrefix("linux") {
            throw VICError(.invalidArgument, "vic imports linux images only, not \(platform)")
        }
        let backend = try portLayer()
        let images = backend.images
        let changes = request.query["changes"] ?? []
        try ImageService.validateImport(tag: name, changes: changes)
        let staged = try await stagingBody(request) { source in try images.stageLayer(source) }
        defer { staged.discard() }
        let record = try await images.importImage(staged: staged, tag: name, changes: changes, message: request.queryValue("message"))
        backend.containers.events.emit(ImageEvents.record("import", actor: record.id, name: record.id, record))
        return ImageArchiveMessages.response([ImageArchiveMessages.Message(status: record.id)])
    }

    /// Runs `stage` on a thread of its own over the request body as it arrives, through a
    /// pipe: an upload (`docker load`, `import`, `cp` into a container) is written to disk once,
    /// by `stage`, not spooled first and read again.
    ///
    /// Why a thread and not the image service: the stagers read a synchronous `ByteSource`.
    /// Fed from the network inside an actor, they would block a cooperative thread and hold the
    /// actor for as long as the client takes to upload. Here the upload keeps its backpressure
    /// (a full pipe holds the next read), and the service only sees the staged result. When
    /// `stage` fails early, the rest of the body is read and dropped so the upload ends; its
    /// error wins over the upload's, being the more telling. A client that goes away mid-upload
    /// ends the pipe early, so `stage` sees a cut archive and fails; stagers leave nothing then.
    func stagingBody<Value: Sendable>(
        _ request: EngineRequest, _ stage: @escaping @Sendable (FileByteSource) throws -> Value
    ) async throws -> Value {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            throw VICError(.internal, "pipe for the request body: \(String(cString: strerror(errno)))")
        }
        let (readEnd, writeEnd) = (ends[0], ends[1])
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        async let staged: Value = withCheckedThrowingContinuation { continuation in
            Thread {
                let result = Result { try stage(FileByteSource(descriptor: readEnd)) }
                _ = FileSystem.drain(readEnd)
                close(readEnd)
                continuation.resume(with: result)
            }.start()
        }
        var uploadError: (any Error)?
        do { try await request.bodyParts.write(to: writeEnd, naming: "the image archive pipe") } catch { uploadError = error }
        close(writeEnd)
        let value = try await staged
        if let uploadError { throw uploadError }
        return value
    }
}

/// The JSON messages `docker load` and `docker import` print.
enum ImageArchiveMessages {
    struct Message: Encodable {
        var stream: String?
        var status: String?

        init(stream: String? = nil, status: String? = nil) {
            self.stream = stream
            self.status = status
        }
    }

    /// One message per line, as Docker's stream formatter writes them.
    static func response(_ messages: [Message]) -> EngineResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var body: [UInt8] = []
        for message in messages {
            if let data = try? encoder.encode(message) { body += Array(data) + [0x0d, 0x0a] }
        }
        return EngineResponse(status: .ok, headers: ["Content-Type": "application/json"], body: body)
    }
}
