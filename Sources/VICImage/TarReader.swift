import VICCore

/// One entry of a tar archive, with PAX and GNU long names already applied.
public struct TarEntry: Sendable, Equatable {
    /// The entry types vic unpacks (ustar types 0-7; 7 is read as a regular file).
    public enum Kind: Sendable, Equatable {
        case file, hardLink, symbolicLink, characterDevice, blockDevice, directory, fifo
    }

    /// The path as stored, from PAX `path` or a GNU long name when present; no trailing "/".
    public var path: String
    /// What the entry is.
    public var kind: Kind
    /// Permission bits, including setuid, setgid and sticky.
    public var mode: UInt32
    /// The owner's numeric ID (PAX `uid` wins over the header).
    public var uid: Int
    /// The group's numeric ID (PAX `gid` wins over the header).
    public var gid: Int
    /// Bytes of contents; 0 for anything but a regular file.
    public var size: Int
    /// Seconds since the Unix epoch, whole.
    public var modificationTime: Int
    /// The target of a symbolic or hard link; empty otherwise.
    public var linkTarget: String
    /// A device node's major number.
    public var deviceMajor: UInt32
    /// A device node's minor number.
    public var deviceMinor: UInt32
    /// PAX extended attributes (`SCHILY.xattr.*`), name → value.
    public var xattrs: [String: [UInt8]]
}

/// Reads ustar, PAX and GNU tar archives from a `ByteSource`, streaming: `next()` returns the
/// entry header, and the caller reads its contents with `readContents` before the next call.
public struct TarReader<Source: ByteSource> {
    var source: Source
    var buffer: [UInt8] = []
    var bufferOffset = 0
    var remaining = 0
    var padding = 0

    /// A reader at the start of `source`; nothing is read until `next()`.
    public init(_ source: Source) { self.source = source }

    /// The next entry, or nil at the end of the archive.
    public mutating func next() throws -> TarEntry? {
        try skip(remaining + padding)
        remaining = 0
        padding = 0
        var pax: [String: String] = [:]
        var paxXattrs: [String: [UInt8]] = [:]
        var longName: String?
        var longLink: String?
        while true {
            let header = try readExactly(512)
            if header.isEmpty || header.allSatisfy({ $0 == 0 }) { return nil }
            guard header.count == 512 else { throw VICError(.invalidArgument, "tar: archive ends inside a header") }
            guard TarReader.checksumMatches(header) else {
                throw VICError(.invalidArgument, "tar: bad header checksum")
            }
            let type = header[156]
            let size = try TarReader.number(header[124..<136])
            switch type {
            case UInt8(ascii: "x"):
                let records = try TarReader.paxRecords(readContentsWhole(size))
                for (key, value) in records {
                    if key.hasPrefix("SCHILY.xattr.") {
                        paxXattrs[String(key.dropFirst("SCHILY.xattr.".count))] = Array(value.utf8)
                    } else {
                        pax[key] = value
                    }
                }
                continue
            case UInt8(ascii: "g"):
                _ = try readContentsWhole(size)
                continue
            case UInt8(ascii: "L"):
                longName = TarReader.string(try readContentsWhole(size)[...])
                continue
            case UInt8(ascii: "K"):
                longLink = TarReader.string(try readContentsWhole(size)[...])
                continue
            default:
                break
            }
            let kind: TarEntry.Kind
            switch type {
            case UInt8(ascii: "0"), 0, UInt8(ascii: "7"): kind = .file
            case UInt8(ascii: "1"): kind = .hardLink
            case UInt8(ascii: "2"): kind = .symbolicLink
            case UInt8(ascii: "3"): kind = .characterDevice
            case UInt8(ascii: "4"): kind = .blockDevice
            case UInt8(ascii: "5"): kind = .directory
            case UInt8(ascii: "6"): kind = .fifo
            default: throw VICError(.invalidArgument, "tar: unsupported entry type \(type)")
            }
            var name = TarReader.string(header[0..<100])
            let magic = header[257..<263]
            if magic.starts(with: Array("ustar".utf8)) {
                let prefix = TarReader.string(header[345..<500])
                if !prefix.isEmpty { name = prefix + "/" + name }
            }
            let entrySize = pax["size"].flatMap(Int.init) ?? size
            let headerUID = try TarReader.number(header[108..<116])
            let headerGID = try TarReader.number(header[116..<124])
            let headerTime = try TarReader.number(header[136..<148])
            var entry = TarEntry(
                path: pax["path"] ?? longName ?? name, kind: kind,
                mode: UInt32(truncatingIfNeeded: try TarReader.number(header[100..<108])),
                uid: pax["uid"].flatMap(Int.init) ?? headerUID,
                gid: pax["gid"].flatMap(Int.init) ?? headerGID,
                size: kind == .file ? entrySize : 0,
                modificationTime: pax["mtime"].flatMap { Double($0) }.map { Int($0) } ?? headerTime,
                linkTarget: pax["linkpath"] ?? longLink ?? TarReader.string(header[157..<257]),
                deviceMajor: UInt32(truncatingIfNeeded: try TarReader.number(header[329..<337])),
                deviceMinor: UInt32(truncatingIfNeeded: try TarReader.number(header[337..<345])),
                xattrs: paxXattrs)
            if entry.path.hasSuffix("/") && entry.kind == .directory { entry.path.removeLast() }
            remaining = kind == .file ? entrySize : 0
            padding = kind == .file ? (512 - entrySize % 512) % 512 : 0
            return entry
        }
    }

    /// Up to `count` bytes of the current entry's contents; empty when it is all read.
    public mutating func readContents(upTo count: Int) throws -> [UInt8] {
        guard remaining > 0 else { return [] }
        let chunk = try readSome(min(count, remaining))
        guard !chunk.isEmpty else { throw VICError(.invalidArgument, "tar: archive ends inside an entry") }
        remaining -= chunk.count
        return chunk
    }

    mutating func readContentsWhole(_ size: Int) throws -> [UInt8] {
        guard size <= 1 << 20 else { throw VICError(.invalidArgument, "tar: extended header too large") }
        let bytes = try readExactly(size)
        guard bytes.count == size else { throw VICError(.invalidArgument, "tar: archive ends inside a header") }
        try skip((512 - size % 512) % 512)
        return bytes
    }

    mutating func readSome(_ count: Int) throws -> [UInt8] {
        if bufferOffset == buffer.count {
            buffer = try source.read(upTo: max(count, 64 * 1024))
            bufferOffset = 0
        }
        let n = min(count, buffer.count - bufferOffset)
        defer { bufferOffset += n }
        return Array(buffer[bufferOffset..<(bufferOffset + n)])
    }

    mutating func readExactly(_ count: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            let chunk = try readSome(count - out.count)
            if chunk.isEmpty { break }
            out += chunk
        }
        return out
    }

    mutating func skip(_ count: Int) throws {
        var left = count
        while left > 0 {
            let chunk = try readSome(min(left, 1 << 20))
            if chunk.isEmpty { throw VICError(.invalidArgument, "tar: archive ends early") }
            left -= chunk.count
        }
    }

    static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// Octal text, or GNU base-256 when the high bit of the first byte is set.
    static func number(_ bytes: ArraySlice<UInt8>) throws -> Int {
        guard let first = bytes.first else { return 0 }
        if first & 0x80 != 0 {
            var value = Int(first & 0x7f)
            for byte in bytes.dropFirst() {
                guard value < Int.max >> 8 else { throw VICError(.invalidArgument, "tar: number too large") }
                value = value << 8 | Int(byte)
            }
            return value
        }
        let text = string(bytes).trimmingCharacters(in: " ")
        if text.isEmpty { return 0 }
        guard let value = Int(text, radix: 8) else { throw VICError(.invalidArgument, "tar: bad number \(text)") }
        return value
    }

    static func checksumMatches(_ header: [UInt8]) -> Bool {
        var sum = 0
        for (index, byte) in header.enumerated() {
            sum += (148..<156).contains(index) ? 32 : Int(byte)
        }
        return (try? number(header[148..<156])) == sum
    }

    /// PAX records: "<length> <key>=<value>\n".
    static func paxRecords(_ bytes: [UInt8]) throws -> [(String, String)] {
        var records: [(String, String)] = []
        var index = 0
        while index < bytes.count {
            guard let space = bytes[index...].firstIndex(of: 0x20),
                  let length = Int(String(decoding: bytes[index..<space], as: UTF8.self)),
                  length > 0, index + length <= bytes.count
            else { throw VICError(.invalidArgument, "tar: bad PAX record") }
            let record = bytes[(space + 1)..<(index + length - 1)]
            if let eq = record.firstIndex(of: UInt8(ascii: "=")) {
                records.append((String(decoding: record[..<eq], as: UTF8.self),
                                String(decoding: record[(eq + 1)...], as: UTF8.self)))
            }
            index += length
        }
        return records
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var text = Substring(self)
        while text.first == set { text.removeFirst() }
        while text.last == set { text.removeLast() }
        return String(text)
    }
}
