import VICCore

/// Writes ustar headers and padding, the parts of a tar archive around the contents, so an
/// archive can be produced as a stream of chunks without holding any file in memory.
///
/// Only what image archives need: regular files and directories with names of at most 100
/// bytes, owned by root, mode 0644/0755, fixed modification time.
public enum TarWriter {
    /// The 512-byte header of a regular file (`isDirectory` false) or directory.
    public static func header(path: String, size: Int64, isDirectory: Bool = false, modificationTime: Int = 0) throws -> [UInt8] {
        let name = Array(path.utf8)
        guard !name.isEmpty, name.count <= 100 else {
            throw VICError(.invalidArgument, "tar: name \(path) does not fit a ustar header")
        }
        guard size >= 0, size < 0o77777777777 else { throw VICError(.invalidArgument, "tar: \(path) is too large") }
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ bytes: [UInt8], at offset: Int) {
            for (index, byte) in bytes.enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int64, width: Int) -> [UInt8] {
            let digits = String(value, radix: 8)
            return Array((String(repeating: "0", count: max(width - 1 - digits.count, 0)) + digits).utf8)
        }
        put(name, at: 0)
        put(octal(isDirectory ? 0o755 : 0o644, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(isDirectory ? 0 : size, width: 12), at: 124)
        put(octal(Int64(modificationTime), width: 12), at: 136)
        block[156] = isDirectory ? UInt8(ascii: "5") : UInt8(ascii: "0")
        put(Array("ustar\u{0}00".utf8), at: 257)
        // The checksum counts its own field as spaces.
        put([UInt8](repeating: 0x20, count: 8), at: 148)
        let sum = block.reduce(0) { $0 + Int($1) }
        put(octal(Int64(sum), width: 7) + [0], at: 148)
        return block
    }

    /// Zero bytes that round `size` up to a whole 512-byte block.
    public static func padding(after size: Int64) -> [UInt8] {
        [UInt8](repeating: 0, count: Int((512 - size % 512) % 512))
    }

    /// The two zero blocks that end an archive.
    public static let trailer = [UInt8](repeating: 0, count: 1024)
}
