import Foundation
import VICConfig
import VICCore
import VICSystem

/// The VCH's volume stores on disk. A volume is `<store>/volumes/<name>/` (mode 0700) holding
/// `volume.json` (its `Volume`, written atomically) and `_data/` (mode 0755), which is what
/// containers mount. Plain file-system work with no state of its own: the container manager
/// serialises every change. Privilege: root (the stores are root's).
public struct VolumeStores: Sendable {
    /// The stores by label, as `vic-machine create --volume-store` made them.
    public let locations: [VolumeStoreLocation]

    public init(locations: [VolumeStoreLocation]) { self.locations = locations }

    /// The store labelled `label`; throws VIC's 404 naming the flag that makes one.
    public func location(_ label: String) throws -> VolumeStoreLocation {
        guard let location = locations.first(where: { $0.label == label }) else {
            throw VICError(.invalidArgument, "No volume store named (\(label)) exists: create the VCH with --volume-store DIR:\(label)")
        }
        return location
    }

    func volumesDirectory(_ location: VolumeStoreLocation) -> String { "\(location.path)/volumes" }

    /// `<store>/volumes/<name>`; nil when the volume's store is gone from the configuration.
    public func directory(of volume: Volume) -> String? {
        locations.first { $0.label == volume.store }.map { "\(volumesDirectory($0))/\(volume.name)" }
    }

    /// What containers mount: `<store>/volumes/<name>/_data`.
    public func dataPath(of volume: Volume) throws -> String {
        guard let directory = directory(of: volume) else { throw missingStore(volume) }
        return "\(directory)/_data"
    }

    func missingStore(_ volume: Volume) -> VICError {
        VICError(.notFound, "volume \(volume.name): its store \(volume.store) is not configured on this VCH")
    }

    /// Every volume of every store; a directory without a readable `volume.json` is skipped.
    public func load() -> [Volume] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return locations.flatMap { location -> [Volume] in
            let root = volumesDirectory(location)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
            for name in names where name.hasPrefix(Self.removedPrefix) { try? FileManager.default.removeItem(atPath: "\(root)/\(name)") }
            return names.sorted().compactMap { name in
                guard let data = FileManager.default.contents(atPath: "\(root)/\(name)/volume.json"),
                      var volume = try? decoder.decode(Volume.self, from: data), volume.name == name else { return nil }
                volume.store = location.label
                return volume
            }
        }
    }

    /// Makes the volume's directories and writes its `volume.json`. Throws `.conflict` if its
    /// directory exists; removes what it made when a later step fails.
    public func create(_ volume: Volume) throws {
        let location = try location(volume.store)
        try AtomicFile.makeDirectory(location.path, mode: 0o755)
        try AtomicFile.makeDirectory(volumesDirectory(location), mode: 0o700)
        let directory = "\(volumesDirectory(location))/\(volume.name)"
        guard mkdir(directory, 0o700) == 0 else {
            let code = errno
            if code == EEXIST { throw VICError(.conflict, "volume \(volume.name) already exists in store \(volume.store)") }
            throw VICError(.internal, "create volume \(volume.name): mkdir \(directory): \(String(cString: strerror(code)))")
        }
        do {
            guard mkdir("\(directory)/_data", 0o755) == 0 else {
                throw VICError(.internal, "create volume \(volume.name): mkdir _data: \(String(cString: strerror(errno)))")
            }
            try save(volume)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// Rewrites the volume's `volume.json` atomically.
    public func save(_ volume: Volume) throws {
        guard let directory = directory(of: volume) else { throw missingStore(volume) }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(volume), to: "\(directory)/volume.json", mode: 0o600)
    }

    /// Deletes the volume and its data: the directory is renamed aside at once (the name is
    /// free again, and no caller waits for a large volume) and deleted in the background;
    /// `load` sweeps what a crash leaves. Falls back to deleting in place.
    public func remove(_ volume: Volume) throws {
        guard let directory = directory(of: volume) else { throw missingStore(volume) }
        let aside = (directory as NSString).deletingLastPathComponent
            + "/\(Self.removedPrefix)\(volume.name)-\(UInt32.random(in: 0...UInt32.max))"
        guard rename(directory, aside) == 0 else {
            do { try FileManager.default.removeItem(atPath: directory) } catch {
                throw VICError.wrapping(error, "remove volume \(volume.name)")
            }
            return
        }
        Task.detached(priority: .background) { try? FileManager.default.removeItem(atPath: aside) }
    }

    /// Volume directories being deleted start with this (no volume name can).
    static let removedPrefix = ".removed-"

    /// The bytes of the volume's regular files, hard links counted once (`docker system df -v`).
    public func size(of volume: Volume) -> Int64 {
        guard let path = try? dataPath(of: volume) else { return 0 }
        return FileSystem.regularFileBytes(under: path)
    }
}
