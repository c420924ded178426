import Foundation
import VICCore

/// A volume: a directory in one of the VCH's volume stores, mounted into containers. Persisted
/// as `volume.json` beside its data (`VolumeStores`).
public struct Volume: Codable, Sendable, Equatable {
    /// Unique across the VCH's stores: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`, or 64 hex for an anonymous one.
    public var name: String
    /// The label of the store it lives in.
    public var store: String
    /// `docker volume create --label`.
    public var labels: [String: String]
    /// `docker volume create --opt`, as accepted (only `VolumeStore` today).
    public var options: [String: String]
    public var created: Date
    /// Made for a container (`-v /path`, an image's `VOLUME`) rather than by name: `docker rm -v`
    /// removes it with its container, and `docker volume prune` takes only these unless `--all`.
    public var anonymous: Bool

    /// A new volume.
    public init(name: String, store: String, labels: [String: String] = [:], options: [String: String] = [:],
                created: Date, anonymous: Bool) {
        self.name = name
        self.store = store
        self.labels = labels
        self.options = options
        self.created = created
        self.anonymous = anonymous
    }

    /// Throws Docker's 400 unless `name` is a valid volume name.
    public static func validate(name: String) throws {
        guard name.count >= 2, let first = name.first, first.isASCII, first.isLetter || first.isNumber,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) })
        else {
            throw VICError(.invalidArgument, "create \(name): \"\(name)\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed")
        }
    }
}

/// A mount of a container, persisted in its record: a volume or a tmpfs at `destination`.
public struct ContainerMount: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case volume, tmpfs }

    public var kind: Kind
    /// An absolute, clean path inside the container, never "/".
    public var destination: String
    /// The volume's name; empty for a tmpfs.
    public var volume: String
    /// The volume's data directory on the host, as inspect shows it; empty for a tmpfs.
    public var source: String
    public var readOnly: Bool
    /// `--mount ...,volume-nocopy`: the first mount does not copy the image's files in.
    public var noCopy: Bool
    /// A tmpfs's mount options (`size=…`, `mode=…`), as the kernel takes them.
    public var tmpfsOptions: [String]

    /// A mount; the optional parts default to a writable volume mount with copy-up.
    public init(kind: Kind, destination: String, volume: String = "", source: String = "", readOnly: Bool = false,
                noCopy: Bool = false, tmpfsOptions: [String] = []) {
        self.kind = kind
        self.destination = destination
        self.volume = volume
        self.source = source
        self.readOnly = readOnly
        self.noCopy = noCopy
        self.tmpfsOptions = tmpfsOptions
    }

    /// Cleans a container path ("/data/", "/data/./x" → "/data", "/data/x"); throws Docker's
    /// 400 for a relative path or "/", and for ".." (which could not name what the user meant).
    public static func cleanDestination(_ path: String) throws -> String {
        guard path.hasPrefix("/") else {
            throw VICError(.invalidArgument, "invalid mount config: mount path must be absolute: \(path)")
        }
        let parts = path.split(separator: "/").filter { $0 != "." }
        guard !parts.contains("..") else {
            throw VICError(.invalidArgument, "invalid mount config: mount path must not contain \"..\": \(path)")
        }
        guard !parts.isEmpty else { throw VICError(.invalidArgument, "invalid specification: destination can't be '/'") }
        return "/" + parts.joined(separator: "/")
    }
}

/// A mount as `docker create` asks for it, before volumes are looked up or made.
public struct MountRequest: Sendable, Equatable {
    public var kind: ContainerMount.Kind
    /// The volume's name; nil for a new anonymous volume (and for a tmpfs).
    public var source: String?
    public var destination: String
    public var readOnly: Bool
    public var noCopy: Bool
    /// `--mount ...,volume-label=K=V`: labels for a volume this create makes.
    public var labels: [String: String]
    public var tmpfsOptions: [String]

    /// A request; the optional parts default to a writable volume mount with copy-up.
    public init(kind: ContainerMount.Kind, source: String?, destination: String, readOnly: Bool = false,
                noCopy: Bool = false, labels: [String: String] = [:], tmpfsOptions: [String] = []) {
        self.kind = kind
        self.source = source
        self.destination = destination
        self.readOnly = readOnly
        self.noCopy = noCopy
        self.labels = labels
        self.tmpfsOptions = tmpfsOptions
    }
}
