/// HTTP/1.1 chunked transfer coding as a raw client reads it, one chunk at a time.
enum ChunkedBody {
    /// The length of the whole chunk (size line, data, CRLF) at the front of `bytes`, or `nil`
    /// while it is incomplete. The last chunk is `0\r\n\r\n` (no trailers).
    static func chunkLength(_ bytes: [UInt8]) -> Int? {
        guard let lineEnd = firstCRLF(in: bytes, from: 0),
            let size = Int(String(decoding: bytes[..<lineEnd], as: UTF8.self), radix: 16)
        else { return nil }
        let total = lineEnd + 2 + size + 2
        return bytes.count >= total ? total : nil
    }

    /// The data of a whole chunk as `chunkLength` delimited it.
    static func data(ofChunk chunk: [UInt8]) -> [UInt8] {
        guard let lineEnd = firstCRLF(in: chunk, from: 0) else { return [] }
        return Array(chunk[(lineEnd + 2)..<(chunk.count - 2)])
    }

    private static func firstCRLF(in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= start + 2 else { return nil }
        return (start..<(bytes.count - 1)).first { bytes[$0] == 13 && bytes[$0 + 1] == 10 }
    }
}

extension RawConnection {
    /// Receives one chunk of a chunked body and returns its data (empty for the last chunk).
    func receiveChunk() async throws -> String {
        String(decoding: ChunkedBody.data(ofChunk: try await receive(until: ChunkedBody.chunkLength)), as: UTF8.self)
    }
}
