extension DNSMessage {
    /// The wire form, with names compressed against earlier names (owner names and the names
    /// inside CNAME, NS, PTR, MX and SOA data, RFC 1035 §4.1.4 and RFC 3597 §4).
    public var encoded: [UInt8] {
        var writer = DNSWriter()
        writer.writeUInt16(header.id)
        writer.writeUInt16(header.flags)
        writer.writeUInt16(UInt16(clamping: questions.count))
        writer.writeUInt16(UInt16(clamping: answers.count))
        writer.writeUInt16(UInt16(clamping: authorities.count))
        writer.writeUInt16(UInt16(clamping: additionals.count))
        for question in questions.prefix(Int(UInt16.max)) {
            writer.writeName(question.name)
            writer.writeUInt16(question.type.rawValue)
            writer.writeUInt16(question.rawClass)
        }
        for record in answers.prefix(Int(UInt16.max)) { writer.writeRecord(record) }
        for record in authorities.prefix(Int(UInt16.max)) { writer.writeRecord(record) }
        for record in additionals.prefix(Int(UInt16.max)) { writer.writeRecord(record) }
        return writer.bytes
    }

    /// The wire form cut to fit `limit` bytes: if the whole message does not fit, the answer,
    /// authority and additional sections are dropped (an EDNS record is kept) and TC is set,
    /// so the client retries over TCP (RFC 2181 §9).
    public func encoded(fittingIn limit: Int) -> [UInt8] {
        let whole = encoded
        guard whole.count > limit else { return whole }
        var cut = self
        cut.header.isTruncated = true
        cut.answers = []
        cut.authorities = []
        cut.additionals = additionals.filter { $0.type == .opt }
        return cut.encoded
    }
}

/// Appends wire fields and remembers where each name suffix was written, for compression.
struct DNSWriter {
    private(set) var bytes: [UInt8]
    private var suffixOffsets: [Suffix: Int] = [:]

    /// Room for a classic 512-byte message up front.
    init() {
        bytes = []
        bytes.reserveCapacity(512)
    }

    /// The labels of a name from one of them on, compared and hashed as `DNSName` does
    /// (case-insensitively), without copying them out of the name.
    struct Suffix: Hashable {
        let labels: ArraySlice<[UInt8]>

        static func == (lhs: Suffix, rhs: Suffix) -> Bool {
            lhs.labels.count == rhs.labels.count
                && zip(lhs.labels, rhs.labels).allSatisfy { left, right in
                    left.count == right.count
                        && zip(left, right).allSatisfy { DNSName.lowercase($0) == DNSName.lowercase($1) }
                }
        }

        func hash(into hasher: inout Hasher) {
            for label in labels {
                hasher.combine(label.count)
                for byte in label { hasher.combine(DNSName.lowercase(byte)) }
            }
        }
    }

    mutating func writeUInt16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xff))
    }

    mutating func writeUInt32(_ value: UInt32) {
        writeUInt16(UInt16(value >> 16))
        writeUInt16(UInt16(value & 0xffff))
    }

    /// Writes `name`, ending in a pointer to the longest suffix already written. Only offsets
    /// that fit the 14-bit pointer are remembered.
    mutating func writeName(_ name: DNSName) {
        for index in name.labels.indices {
            let suffix = Suffix(labels: name.labels[index...])
            if let target = suffixOffsets[suffix] {
                writeUInt16(0xc000 | UInt16(target))
                return
            }
            if bytes.count < 0x4000 { suffixOffsets[suffix] = bytes.count }
            bytes.append(UInt8(name.labels[index].count))
            bytes.append(contentsOf: name.labels[index])
        }
        bytes.append(0)
    }

    mutating func writeRecord(_ record: DNSResourceRecord) {
        writeName(record.name)
        writeUInt16(record.type.rawValue)
        writeUInt16(record.rawClass)
        writeUInt32(record.ttl)
        let lengthAt = bytes.count
        writeUInt16(0)
        switch record.data {
        case .ipv4(let address):
            writeUInt32(address.value)
        case .name(let name):
            writeName(name)
        case .mailExchange(let preference, let exchange):
            writeUInt16(preference)
            writeName(exchange)
        case .startOfAuthority(let soa):
            writeName(soa.primary)
            writeName(soa.mailbox)
            for number in [soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum] { writeUInt32(number) }
        case .opaque(let data):
            bytes.append(contentsOf: data.prefix(Int(UInt16.max)))
        }
        let length = UInt16(clamping: bytes.count - lengthAt - 2)
        bytes[lengthAt] = UInt8(length >> 8)
        bytes[lengthAt + 1] = UInt8(length & 0xff)
    }
}
