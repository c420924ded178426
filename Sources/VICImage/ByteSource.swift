import CZlib
import Foundation
import VICCore

/// A forward-only stream of bytes: a file, or a decompressor over one.
public protocol ByteSource {
    /// Up to `count` bytes; an empty array at the end of the stream.
    mutating func read(upTo count: Int) throws -> [UInt8]
}

/// Reads a file descriptor in chunks.
public struct FileByteSource: ByteSource {
    let handle: FileHandle

    /// Reads an open descriptor (a pipe, say), which stays the caller's to close.
    public init(descriptor: Int32) {
        handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: false)
    }

    /// Opens `path` for reading; `.notFound` when it cannot be opened.
    public init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw VICError(.notFound, "cannot open \(path)")
        }
        self.handle = handle
    }

    public mutating func read(upTo count: Int) throws -> [UInt8] {
        do { return [UInt8](try handle.read(upToCount: count) ?? Data()) } catch {
            throw VICError.wrapping(error, "read layer")
        }
    }
}

/// An in-memory source, for tests and small blobs.
public struct BufferByteSource: ByteSource {
    var bytes: [UInt8]
    var offset = 0

    /// A source that yields `bytes` and then ends.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public mutating func read(upTo count: Int) throws -> [UInt8] {
        let end = min(bytes.count, offset + count)
        defer { offset = end }
        return Array(bytes[offset..<end])
    }
}

/// Inflates gzip (or zlib) data from another source, streaming. Concatenated gzip members
/// are read one after another, as gzip(1) does.
public final class GzipByteSource<Upstream: ByteSource>: ByteSource {
    var upstream: Upstream
    var stream = z_stream()
    var input: [UInt8] = []
    var inputOffset = 0
    var finished = false

    /// An inflater over `upstream`, accepting gzip or zlib headers; `.internal` if zlib cannot initialise.
    public init(_ upstream: Upstream) throws {
        self.upstream = upstream
        guard cvic_inflate_init(&stream) == Z_OK else { throw VICError(.internal, "zlib: cannot initialise") }
    }

    deinit { inflateEnd(&stream) }

    /// Up to `count` inflated bytes, empty at the end; throws `.invalidArgument` for corrupt or truncated data.
    public func read(upTo count: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: max(count, 1))
        var produced = 0
        while produced == 0 && !finished {
            if inputOffset == input.count {
                input = try upstream.read(upTo: 64 * 1024)
                inputOffset = 0
                if input.isEmpty {
                    finished = true
                    throw VICError(.invalidArgument, "gzip stream ends early")
                }
            }
            let available = input.count - inputOffset
            let result: Int32 = input.withUnsafeMutableBufferPointer { inBuffer in
                output.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_in = inBuffer.baseAddress.map { $0 + inputOffset }
                    stream.avail_in = UInt32(available)
                    stream.next_out = outBuffer.baseAddress.map { $0 + produced }
                    stream.avail_out = UInt32(outBuffer.count - produced)
                    return inflate(&stream, Z_NO_FLUSH)
                }
            }
            inputOffset = input.count - Int(stream.avail_in)
            produced = output.count - Int(stream.avail_out)
            switch result {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                // Another member may follow; otherwise we are done.
                if inputOffset == input.count {
                    input = try upstream.read(upTo: 64 * 1024)
                    inputOffset = 0
                }
                if input.isEmpty { finished = true } else { inflateReset(&stream) }
            default:
                throw VICError(.invalidArgument, "gzip data is corrupt (zlib \(result))")
            }
        }
        return Array(output[0..<produced])
    }
}
