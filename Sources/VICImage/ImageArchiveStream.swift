import Synchronization
import VICCore

/// Produces the bytes of a planned image archive one chunk at a time, on demand: headers,
/// documents, and each layer's tar read from the store (inflated when it is kept compressed)
/// and checked against its diff ID as it goes. At most one chunk is in memory.
///
/// A layer whose bytes do not match its diff ID or size ends the stream with an error; the
/// archive is then incomplete, and the reader sees it cut off.
public final class ImageArchiveStream: Sendable {
    /// A layer being read: plain or inflated, hashed either way.
    enum LayerReader {
        case plain(HashingByteSource<FileByteSource>)
        case inflated(HashingByteSource<GzipByteSource<FileByteSource>>)

        func read(upTo count: Int) throws -> [UInt8] {
            switch self {
            case .plain(let source): try source.read(upTo: count)
            case .inflated(let source): try source.read(upTo: count)
            }
        }

        var digest: String {
            switch self {
            case .plain(let source): source.digest
            case .inflated(let source): source.digest
            }
        }
    }

    enum Phase {
        case header(Int)
        case contents(Int, LayerReader?, sent: Int64)
        case trailer
        case done
    }

    struct State {
        var phase = Phase.header(0)
    }

    /// Bytes per chunk read from a layer.
    static let chunkSize = 256 * 1024

    let plan: ImageArchivePlan
    private let state = Mutex(State())

    init(_ plan: ImageArchivePlan) { self.plan = plan }

    /// The next chunk, or nil after the archive's trailer.
    public func next() throws -> [UInt8]? {
        try state.withLock { state in try produce(&state) }
    }

    func produce(_ state: inout State) throws -> [UInt8]? {
        switch state.phase {
        case .header(let index):
            guard index < plan.members.count else {
                state.phase = .trailer
                return try produce(&state)
            }
            let member = plan.members[index]
            let isDirectory = member.contents == .directory
            let header = try TarWriter.header(path: member.path, size: member.size, isDirectory: isDirectory)
            state.phase = isDirectory ? .header(index + 1) : .contents(index, nil, sent: 0)
            return header
        case .contents(let index, let open, let sent):
            let member = plan.members[index]
            switch member.contents {
            case .directory:
                state.phase = .header(index + 1)
                return []
            case .bytes(let bytes):
                state.phase = .header(index + 1)
                return bytes + TarWriter.padding(after: member.size)
            case .layer(let source):
                let reader = try open ?? openLayer(source)
                if sent == member.size {
                    // The tar must end exactly here and hash to its diff ID.
                    guard try reader.read(upTo: 1).isEmpty else {
                        throw VICError(.invalidState, "layer \(source.diffID) is longer than the \(member.size) bytes recorded")
                    }
                    guard reader.digest == source.diffID else {
                        throw VICError(.invalidState, "layer \(source.diffID) of the store reads as \(reader.digest)")
                    }
                    state.phase = .header(index + 1)
                    return TarWriter.padding(after: member.size)
                }
                let chunk = try reader.read(upTo: Int(min(Int64(ImageArchiveStream.chunkSize), member.size - sent)))
                guard !chunk.isEmpty else {
                    throw VICError(.invalidState, "layer \(source.diffID) ends after \(sent) of \(member.size) bytes")
                }
                state.phase = .contents(index, reader, sent: sent + Int64(chunk.count))
                return chunk
            }
        case .trailer:
            state.phase = .done
            return TarWriter.trailer
        case .done:
            return nil
        }
    }

    func openLayer(_ source: LayerSource) throws -> LayerReader {
        let file = try FileByteSource(path: plan.store.blobPath(source.blob))
        return source.isCompressed ? .inflated(HashingByteSource(try GzipByteSource(file))) : .plain(HashingByteSource(file))
    }
}
