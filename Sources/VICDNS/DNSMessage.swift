import VICCore

/// One DNS message (RFC 1035 §4): a header and four sections.
///
/// Decoding follows compression pointers and expands the names inside the record data of the
/// types that may be compressed (CNAME, NS, PTR, MX, SOA), so a decoded message can be encoded
/// again on its own. Other record data passes through as opaque bytes. An EDNS OPT record
/// (RFC 6891) is an ordinary record of type OPT in `additionals`.
public struct DNSMessage: Sendable, Equatable {
    /// The ID, flags and response code.
    public var header: DNSHeader
    /// What is asked; a query has exactly one.
    public var questions: [DNSQuestion]
    /// Records that answer the question.
    public var answers: [DNSResourceRecord]
    /// Records naming the authority, such as the SOA of a negative answer.
    public var authorities: [DNSResourceRecord]
    /// Extra records; the EDNS OPT record lives here.
    public var additionals: [DNSResourceRecord]

    /// A message from its sections.
    public init(header: DNSHeader, questions: [DNSQuestion] = [], answers: [DNSResourceRecord] = [],
                authorities: [DNSResourceRecord] = [], additionals: [DNSResourceRecord] = []) {
        self.header = header
        self.questions = questions
        self.answers = answers
        self.authorities = authorities
        self.additionals = additionals
    }

    /// The EDNS OPT record, if the message has one.
    public var ednsRecord: DNSResourceRecord? { additionals.first { $0.type == .opt } }

    /// The largest UDP reply the sender accepts: its EDNS payload size (at least 512, at most
    /// 4096), or 512 without EDNS.
    public var acceptedUDPPayloadSize: Int {
        guard let edns = ednsRecord else { return 512 }
        return min(max(Int(edns.rawClass), 512), 4096)
    }
}

/// The fixed 12-byte header. Counts are not stored: they are the sizes of the sections.
public struct DNSHeader: Sendable, Equatable {
    /// Matches a reply to its query.
    public var id: UInt16
    /// QR: set in responses.
    public var isResponse: Bool
    /// The kind of query; 0 (QUERY) is the only one answered.
    public var opcode: UInt8
    /// AA.
    public var isAuthoritative: Bool
    /// TC.
    public var isTruncated: Bool
    /// RD.
    public var recursionDesired: Bool
    /// RA.
    public var recursionAvailable: Bool
    /// AD (RFC 4035).
    public var authenticData: Bool
    /// CD (RFC 4035).
    public var checkingDisabled: Bool
    /// RCODE.
    public var responseCode: DNSResponseCode

    /// A header from its fields; the defaults describe a recursive query.
    public init(id: UInt16, isResponse: Bool = false, opcode: UInt8 = 0, isAuthoritative: Bool = false,
                isTruncated: Bool = false, recursionDesired: Bool = true, recursionAvailable: Bool = false,
                authenticData: Bool = false, checkingDisabled: Bool = false, responseCode: DNSResponseCode = .noError) {
        self.id = id
        self.isResponse = isResponse
        self.opcode = opcode
        self.isAuthoritative = isAuthoritative
        self.isTruncated = isTruncated
        self.recursionDesired = recursionDesired
        self.recursionAvailable = recursionAvailable
        self.authenticData = authenticData
        self.checkingDisabled = checkingDisabled
        self.responseCode = responseCode
    }

    /// The 16 flag bits of the wire header.
    public var flags: UInt16 {
        var flags = UInt16(opcode & 0x0f) << 11 | UInt16(responseCode.rawValue & 0x0f)
        if isResponse { flags |= 0x8000 }
        if isAuthoritative { flags |= 0x0400 }
        if isTruncated { flags |= 0x0200 }
        if recursionDesired { flags |= 0x0100 }
        if recursionAvailable { flags |= 0x0080 }
        if authenticData { flags |= 0x0020 }
        if checkingDisabled { flags |= 0x0010 }
        return flags
    }

    /// A header from its ID and wire flags.
    public init(id: UInt16, flags: UInt16) {
        self.init(
            id: id, isResponse: flags & 0x8000 != 0, opcode: UInt8(flags >> 11 & 0x0f),
            isAuthoritative: flags & 0x0400 != 0, isTruncated: flags & 0x0200 != 0,
            recursionDesired: flags & 0x0100 != 0, recursionAvailable: flags & 0x0080 != 0,
            authenticData: flags & 0x0020 != 0, checkingDisabled: flags & 0x0010 != 0,
            responseCode: DNSResponseCode(rawValue: UInt8(flags & 0x0f)))
    }
}

/// The 4-bit RCODE of the header (extended codes from EDNS are not merged in).
public struct DNSResponseCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The RCODE, 0...15.
    public let rawValue: UInt8
    /// Wraps any RCODE, known or not; only the low four bits are meaningful on the wire.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// NOERROR.
    public static let noError = DNSResponseCode(rawValue: 0)
    /// FORMERR: the query was malformed.
    public static let formatError = DNSResponseCode(rawValue: 1)
    /// SERVFAIL: no upstream answered.
    public static let serverFailure = DNSResponseCode(rawValue: 2)
    /// NXDOMAIN.
    public static let nameError = DNSResponseCode(rawValue: 3)
    /// NOTIMP.
    public static let notImplemented = DNSResponseCode(rawValue: 4)
    /// REFUSED.
    public static let refused = DNSResponseCode(rawValue: 5)

    /// The RFC 1035 mnemonic ("NXDOMAIN"), or "RCODE<n>" for other values.
    public var description: String {
        let names = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"]
        return Int(rawValue) < names.count ? names[Int(rawValue)] : "RCODE\(rawValue)"
    }
}

/// A record type (TYPE/QTYPE). Extensible: any 16-bit value is kept.
public struct DNSRecordType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The TYPE as it appears on the wire.
    public let rawValue: UInt16
    /// Wraps any 16-bit TYPE, known or not.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// An IPv4 address.
    public static let a = DNSRecordType(rawValue: 1)
    /// A name server.
    public static let ns = DNSRecordType(rawValue: 2)
    /// An alias.
    public static let cname = DNSRecordType(rawValue: 5)
    /// The start of a zone of authority.
    public static let soa = DNSRecordType(rawValue: 6)
    /// A pointer (reverse lookups).
    public static let ptr = DNSRecordType(rawValue: 12)
    /// A mail exchange.
    public static let mx = DNSRecordType(rawValue: 15)
    /// Text.
    public static let txt = DNSRecordType(rawValue: 16)
    /// An IPv6 address.
    public static let aaaa = DNSRecordType(rawValue: 28)
    /// A service location.
    public static let srv = DNSRecordType(rawValue: 33)
    /// The EDNS pseudo-record.
    public static let opt = DNSRecordType(rawValue: 41)
    /// Every type (QTYPE only).
    public static let any = DNSRecordType(rawValue: 255)

    /// The mnemonic ("AAAA"), or "TYPE<n>" (RFC 3597) for types without one.
    public var description: String {
        let names: [UInt16: String] = [1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT",
                                       28: "AAAA", 33: "SRV", 41: "OPT", 255: "ANY"]
        return names[rawValue] ?? "TYPE\(rawValue)"
    }
}

/// The Internet class, the only one VIC answers for.
public enum DNSClass {
    /// IN.
    public static let internet: UInt16 = 1
}

/// One entry of the question section.
public struct DNSQuestion: Sendable, Hashable {
    /// The owner name.
    public var name: DNSName
    /// The record type.
    public var type: DNSRecordType
    /// The class; IN (1) but for OPT.
    public var rawClass: UInt16

    /// A question; the class defaults to IN.
    public init(name: DNSName, type: DNSRecordType, rawClass: UInt16 = DNSClass.internet) {
        self.name = name
        self.type = type
        self.rawClass = rawClass
    }
}

/// One resource record. For OPT, `rawClass` is the UDP payload size and `ttl` holds the
/// extended RCODE, version and flags (RFC 6891 §6.1.3).
public struct DNSResourceRecord: Sendable, Equatable {
    /// The owner name.
    public var name: DNSName
    /// The record type.
    public var type: DNSRecordType
    /// The class; IN (1) but for OPT.
    public var rawClass: UInt16
    /// Seconds it may be cached.
    public var ttl: UInt32
    /// The record data.
    public var data: DNSRecordData

    /// A record from its fields.
    public init(name: DNSName, type: DNSRecordType, rawClass: UInt16 = DNSClass.internet, ttl: UInt32,
                data: DNSRecordData) {
        self.name = name
        self.type = type
        self.rawClass = rawClass
        self.ttl = ttl
        self.data = data
    }

    /// An A record.
    public static func address(_ name: DNSName, _ address: IPv4Address, ttl: UInt32) -> DNSResourceRecord {
        DNSResourceRecord(name: name, type: .a, ttl: ttl, data: .ipv4(address))
    }

    /// An AAAA record: the address's 16 bytes, most significant first.
    public static func address6(_ name: DNSName, _ address: IPv6Address, ttl: UInt32) -> DNSResourceRecord {
        let bytes = (0..<16).map { UInt8(truncatingIfNeeded: address.value >> UInt128(8 * (15 - $0))) }
        return DNSResourceRecord(name: name, type: .aaaa, ttl: ttl, data: .opaque(bytes))
    }

    /// An EDNS OPT pseudo-record advertising `payloadSize`, with no options.
    public static func edns(payloadSize: UInt16) -> DNSResourceRecord {
        DNSResourceRecord(name: .root, type: .opt, rawClass: payloadSize, ttl: 0, data: .opaque([]))
    }
}

/// Record data: decoded for the types whose data holds names or addresses, opaque otherwise.
public enum DNSRecordData: Sendable, Equatable {
    /// A: four bytes.
    case ipv4(IPv4Address)
    /// CNAME, NS, PTR: one name.
    case name(DNSName)
    /// MX: a preference and an exchange.
    case mailExchange(preference: UInt16, exchange: DNSName)
    /// SOA: two names and five 32-bit numbers.
    case startOfAuthority(DNSStartOfAuthority)
    /// Anything else, as sent (AAAA, TXT, OPT options, …).
    case opaque([UInt8])
}

/// The data of an SOA record; `minimum` bounds negative caching (RFC 2308).
public struct DNSStartOfAuthority: Sendable, Equatable {
    /// The primary name server.
    public var primary: DNSName
    /// The zone administrator's mailbox.
    public var mailbox: DNSName
    /// The zone version.
    public var serial: UInt32
    /// Seconds between secondary refreshes.
    public var refresh: UInt32
    /// Seconds before a failed refresh is retried.
    public var retry: UInt32
    /// Seconds a secondary keeps serving without a refresh.
    public var expire: UInt32
    /// The TTL of negative answers (RFC 2308).
    public var minimum: UInt32

    /// SOA data from its fields.
    public init(primary: DNSName, mailbox: DNSName, serial: UInt32, refresh: UInt32, retry: UInt32,
                expire: UInt32, minimum: UInt32) {
        self.primary = primary
        self.mailbox = mailbox
        self.serial = serial
        self.refresh = refresh
        self.retry = retry
        self.expire = expire
        self.minimum = minimum
    }
}
