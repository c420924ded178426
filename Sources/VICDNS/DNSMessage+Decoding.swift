import VICCore

/// Why bytes are not a DNS message. Kept small and precise: the server answers FORMERR.
public enum DNSDecodingError: Error, Sendable, Equatable {
    /// The message ends before the field at this offset.
    case truncated(offset: Int)
    /// A compression pointer at `offset` points forward or loops.
    case badPointer(offset: Int)
    /// A label type other than 0b00 (a length) or 0b11 (a pointer) at `offset`.
    case badLabel(offset: Int)
    /// The expanded name is longer than 255 bytes.
    case nameTooLong(offset: Int)
    /// Record data at `offset` does not fit its type (an A record of 3 bytes, say).
    case badRecordData(offset: Int)
}

extension DNSMessage {
    /// Decodes a whole message. Bytes after the last record are ignored, as resolvers do.
    public init(decoding bytes: [UInt8]) throws(DNSDecodingError) {
        var reader = DNSReader(bytes: bytes)
        let id = try reader.readUInt16()
        let flags = try reader.readUInt16()
        let questionCount = try reader.readUInt16()
        let answerCount = try reader.readUInt16()
        let authorityCount = try reader.readUInt16()
        let additionalCount = try reader.readUInt16()
        var questions: [DNSQuestion] = []
        for _ in 0..<questionCount {
            let name = try reader.readName()
            questions.append(DNSQuestion(name: name, type: DNSRecordType(rawValue: try reader.readUInt16()),
                                         rawClass: try reader.readUInt16()))
        }
        self.init(header: DNSHeader(id: id, flags: flags), questions: questions,
                  answers: try reader.readRecords(answerCount), authorities: try reader.readRecords(authorityCount),
                  additionals: try reader.readRecords(additionalCount))
    }

    /// The ID of a would-be message: the first two bytes, if there are 12 (a whole header).
    /// A server answers FORMERR to a header it can read and drops anything shorter.
    public static func headerID(of bytes: [UInt8]) -> UInt16? {
        guard bytes.count >= 12 else { return nil }
        return UInt16(bytes[0]) << 8 | UInt16(bytes[1])
    }

    /// Whether the TC flag of the message in `bytes` is set, without decoding the rest.
    public static func isTruncated(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 12 && bytes[2] & 0x02 != 0
    }
}

/// A cursor over a message, following compression pointers only backwards (RFC 1035 §4.1.4).
struct DNSReader {
    let bytes: [UInt8]
    var offset = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func readUInt8() throws(DNSDecodingError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated(offset: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt16() throws(DNSDecodingError) -> UInt16 {
        UInt16(try readUInt8()) << 8 | UInt16(try readUInt8())
    }

    mutating func readUInt32() throws(DNSDecodingError) -> UInt32 {
        UInt32(try readUInt16()) << 16 | UInt32(try readUInt16())
    }

    mutating func readBytes(_ count: Int) throws(DNSDecodingError) -> [UInt8] {
        guard count >= 0, bytes.count - offset >= count else { throw .truncated(offset: offset) }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Reads a possibly compressed name. Each pointer must point before the label that holds
    /// it, so expansion always ends; the expanded name must fit in 255 bytes.
    mutating func readName() throws(DNSDecodingError) -> DNSName {
        var labels: [[UInt8]] = []
        var length = 1
        var position = offset
        var resumeAt: Int?
        let start = offset
        while true {
            guard position < bytes.count else { throw .truncated(offset: position) }
            let byte = bytes[position]
            switch byte & 0xc0 {
            case 0x00:
                if byte == 0 {
                    offset = resumeAt ?? position + 1
                    return DNSName(uncheckedLabels: labels)
                }
                let count = Int(byte)
                guard bytes.count - position - 1 >= count else { throw .truncated(offset: position) }
                length += count + 1
                guard length <= DNSName.maximumWireLength else { throw .nameTooLong(offset: start) }
                labels.append(Array(bytes[position + 1...position + count]))
                position += count + 1
            case 0xc0:
                guard position + 1 < bytes.count else { throw .truncated(offset: position) }
                let target = Int(byte & 0x3f) << 8 | Int(bytes[position + 1])
                guard target < position else { throw .badPointer(offset: position) }
                if resumeAt == nil { resumeAt = position + 2 }
                position = target
            default:
                throw .badLabel(offset: position)
            }
        }
    }

    mutating func readRecords(_ count: UInt16) throws(DNSDecodingError) -> [DNSResourceRecord] {
        var records: [DNSResourceRecord] = []
        for _ in 0..<count { records.append(try readRecord()) }
        return records
    }

    mutating func readRecord() throws(DNSDecodingError) -> DNSResourceRecord {
        let name = try readName()
        let type = DNSRecordType(rawValue: try readUInt16())
        let rawClass = try readUInt16()
        let ttl = try readUInt32()
        let length = Int(try readUInt16())
        let start = offset
        guard bytes.count - start >= length else { throw .truncated(offset: start) }
        let data = try readData(type: type, length: length)
        guard offset == start + length else { throw .badRecordData(offset: start) }
        return DNSResourceRecord(name: name, type: type, rawClass: rawClass, ttl: ttl, data: data)
    }

    /// Record data of `length` bytes at the cursor. Names inside are expanded here, because a
    /// pointer in copied data would point into the wrong message.
    mutating func readData(type: DNSRecordType, length: Int) throws(DNSDecodingError) -> DNSRecordData {
        switch type {
        case .a:
            guard length == 4 else { throw .badRecordData(offset: offset) }
            return .ipv4(IPv4Address(try readUInt32()))
        case .cname, .ns, .ptr:
            return .name(try readName())
        case .mx:
            return .mailExchange(preference: try readUInt16(), exchange: try readName())
        case .soa:
            return .startOfAuthority(DNSStartOfAuthority(
                primary: try readName(), mailbox: try readName(), serial: try readUInt32(),
                refresh: try readUInt32(), retry: try readUInt32(), expire: try readUInt32(),
                minimum: try readUInt32()))
        default:
            return .opaque(try readBytes(length))
        }
    }
}
