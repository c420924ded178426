import Foundation
import SwiftASN1
import VICCore
import X509

/// A `--tls-ca` file: PEM certificates of the CAs whose client certificates the VCH accepts
/// (Docker's `--tlsverify`). Loading it validates it, so `vic-machine create` can reject a bad
/// file before it changes anything on the host.
public struct ClientCAFile: Sendable {
    /// The file, as given.
    public let path: String
    /// Every certificate in the file, in order; never empty.
    public let certificates: [Certificate]

    /// Reads and parses `path`. Reads only.
    ///
    /// - Throws: `VICError` `.invalidArgument`, naming the file: `--tls-ca FILE: cannot read …`,
    ///   `--tls-ca FILE: no certificate found` when it holds no PEM certificate (empty or
    ///   garbage), or `--tls-ca FILE: certificate N cannot be parsed` when a
    ///   `CERTIFICATE` block is malformed.
    public init(path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw VICError(.invalidArgument, "--tls-ca \(path): cannot read the file", underlying: error)
        }
        try self.init(path: path, contents: String(decoding: data, as: UTF8.self))
    }

    /// Parses `contents` as the text of the file `path` (which is used only in messages). Pure.
    ///
    /// Blocks other than `CERTIFICATE` (keys, CRLs) and text around the blocks are ignored.
    public init(path: String, contents: String) throws {
        let documents: [PEMDocument]
        do {
            documents = try PEMDocument.parseMultiple(pemString: contents)
        } catch {
            throw VICError(.invalidArgument, "--tls-ca \(path): no certificate found", underlying: error)
        }
        var certificates: [Certificate] = []
        for document in documents where document.discriminator == "CERTIFICATE" {
            do {
                certificates.append(try Certificate(pemDocument: document))
            } catch {
                throw VICError(
                    .invalidArgument, "--tls-ca \(path): certificate \(certificates.count + 1) cannot be parsed",
                    underlying: error)
            }
        }
        guard !certificates.isEmpty else {
            throw VICError(.invalidArgument, "--tls-ca \(path): no certificate found")
        }
        self.path = path
        self.certificates = certificates
    }
}
