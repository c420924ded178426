import Foundation
import VICCore
import VICSystem

/// One change vic made to the host, recorded before it is made so that it can be undone.
public enum HostChange: Codable, Sendable, Equatable {
    case directory(path: String)
    case namespace(name: String)
    /// A name given to an existing namespace (the host's); undoing it removes only the name.
    case namespaceName(name: String)
    /// A link in the host namespace (a bridge or a veth end); deleting it deletes its peer.
    case link(name: String)
    case address(IPv4Interface, link: String)
    case process(pid: Int32, executable: String)
    case certificates(directory: String)
}

/// The ordered record of a VCH's host changes, persisted crash-safe after every append.
/// Teardown replays it backwards. Invariant: an entry is on disk before its change is made.
public struct HostChangeJournal: Sendable {
    /// The JSON file the journal is persisted to, rewritten atomically on every change.
    public let path: String
    public private(set) var changes: [HostChange]

    /// Opens the journal at `path`, empty if the file does not exist.
    public init(path: String) throws {
        self.path = path
        if let data = FileManager.default.contents(atPath: path) {
            do { changes = try JSONDecoder().decode([HostChange].self, from: data) } catch {
                throw VICError.wrapping(error, "read journal \(path)", code: .invalidState)
            }
        } else {
            changes = []
        }
    }

    /// Records `change` durably. Call it before making the change.
    public mutating func record(_ change: HostChange) throws {
        changes.append(change)
        try persist()
    }

    /// Forgets `change` once it has been undone.
    public mutating func forget(_ change: HostChange) throws {
        if let index = changes.lastIndex(of: change) { changes.remove(at: index) }
        try persist()
    }

    func persist() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted]
        let data: Data
        do { data = try encoder.encode(changes) } catch {
            throw VICError.wrapping(error, "encode journal \(path)")
        }
        try AtomicFile.write(data, to: path, mode: 0o600)
    }
}
