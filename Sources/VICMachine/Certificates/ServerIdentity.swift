import Foundation
import SwiftASN1
import VICCore
import X509

/// The names a VCH's server certificate must carry: every IP address as an IP SAN, every DNS
/// name as a DNS SAN, and a common name (the first DNS name, else the first IP address).
///
/// Invariants: at least one name; IP addresses are canonical text (IPv4 or IPv6) in the order
/// given, without duplicates; a "DNS name" that parses as an IP address is treated as one (VIC's
/// `--tls-cname` may be an address); DNS names are ASCII without whitespace, compared
/// case-insensitively.
public struct ServerIdentity: Sendable, Hashable {
    /// The IP addresses, canonical text, in the order given.
    public let ipAddresses: [String]
    /// The DNS names, in the order given.
    public let dnsNames: [String]
    /// The raw bytes of each of `ipAddresses` (4 for IPv4, 16 for IPv6), for IP SANs.
    let addressBytes: [[UInt8]]

    /// Validates and normalises the names. Throws `.invalidArgument` naming a malformed address
    /// or name, or when there are no names at all.
    public init(ipAddresses: [String], dnsNames: [String]) throws {
        var addresses: [String] = []
        var bytes: [[UInt8]] = []
        var names: [String] = []

        func addAddress(_ text: String, _ raw: [UInt8]) {
            guard !bytes.contains(raw) else { return }
            bytes.append(raw)
            addresses.append(Self.canonicalText(raw) ?? text)
        }

        for text in ipAddresses {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard let raw = Self.addressBytes(of: trimmed) else {
                throw VICError(.invalidArgument, #"certificate IP address "\#(text)" is not an IPv4 or IPv6 address"#)
            }
            addAddress(trimmed, raw)
        }
        for text in dnsNames {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if let raw = Self.addressBytes(of: trimmed) {
                addAddress(trimmed, raw)
                continue
            }
            guard Self.isValidDNSName(trimmed) else {
                throw VICError(.invalidArgument, #"certificate DNS name "\#(text)" is not a valid host name"#)
            }
            if !names.contains(where: { $0.caseInsensitiveCompare(trimmed) == .orderedSame }) {
                names.append(trimmed)
            }
        }
        guard !addresses.isEmpty || !names.isEmpty else {
            throw VICError(.invalidArgument, "a server certificate needs at least one IP address or DNS name")
        }
        self.ipAddresses = addresses
        self.addressBytes = bytes
        self.dnsNames = names
    }

    /// The server certificate's common name: the first DNS name, else the first IP address.
    public var commonName: String { dnsNames.first ?? ipAddresses.first ?? "" }

    /// The subject alternative names to put in the server certificate: IPs first, then DNS names.
    var subjectAlternativeNames: SubjectAlternativeNames {
        SubjectAlternativeNames(
            addressBytes.map { GeneralName.ipAddress(ASN1OctetString(contentBytes: $0[...])) }
                + dnsNames.map { GeneralName.dnsName($0) })
    }

    /// The names of this identity that `names` does not cover, as text; empty when it covers all.
    func missingNames(in names: SubjectAlternativeNames?) -> [String] {
        var presentAddresses: [[UInt8]] = []
        var presentNames: [String] = []
        for name in names ?? SubjectAlternativeNames() {
            switch name {
            case .ipAddress(let octets): presentAddresses.append(Array(octets.bytes))
            case .dnsName(let dns): presentNames.append(dns)
            default: continue
            }
        }
        var missing: [String] = []
        for (text, raw) in zip(ipAddresses, addressBytes) where !presentAddresses.contains(raw) {
            missing.append(text)
        }
        for name in dnsNames
        where !presentNames.contains(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) {
            missing.append(name)
        }
        return missing
    }

    /// The network-order bytes of an IPv4 or IPv6 address in text form, or nil.
    static func addressBytes(of text: String) -> [UInt8]? {
        guard !text.isEmpty else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    /// The canonical text of 4 or 16 address bytes (`inet_ntop`), or nil.
    static func canonicalText(_ bytes: [UInt8]) -> String? {
        let family: Int32
        switch bytes.count {
        case 4: family = AF_INET
        case 16: family = AF_INET6
        default: return nil
        }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let ok = bytes.withUnsafeBytes { raw in
            inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil
        }
        guard ok else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A host name for a DNS SAN: 1–253 printable ASCII characters without whitespace, labels
    /// of letters, digits, `-`, `_`, and a leading `*` label for wildcards.
    static func isValidDNSName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        for (index, label) in labels.enumerated() {
            guard !label.isEmpty, label.utf8.count <= 63 else { return false }
            if label == "*" && index == 0 && labels.count > 1 { continue }
            let allowed = label.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D || byte == 0x5F
            }
            guard allowed else { return false }
        }
        return true
    }
}
