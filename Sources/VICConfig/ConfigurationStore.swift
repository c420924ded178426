import Foundation
import VICCore
import VICSystem

/// Reads and writes VCH configurations as JSON, crash-safe (temp file, fsync, rename).
public struct ConfigurationStore: Sendable {
    /// Where configurations are read from and written to.
    public let paths: VCHPaths

    /// A store rooted at `paths`; nothing is touched on disk until `save(_:)`.
    public init(paths: VCHPaths) { self.paths = paths }

    /// Pretty-printed JSON with sorted keys and ISO 8601 dates, as saved and as `inspect --json` prints.
    public static func encode(_ configuration: VCHConfiguration) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        do { return try encoder.encode(configuration) } catch {
            throw VICError.wrapping(error, "encode configuration of \(configuration.name)")
        }
    }

    /// Decodes a configuration, refusing a schema newer than this build understands.
    public static func decode(_ data: Data) throws -> VCHConfiguration {
        struct Header: Decodable { var version: Int }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            let header = try decoder.decode(Header.self, from: data)
            guard header.version <= VCHConfiguration.currentVersion else {
                throw VICError(.invalidState,
                    "configuration version \(header.version) is newer than this vic (\(VCHConfiguration.currentVersion))")
            }
            return try decoder.decode(VCHConfiguration.self, from: data)
        } catch let error as VICError {
            throw error
        } catch {
            throw VICError.wrapping(error, "decode configuration", code: .invalidState)
        }
    }

    /// Writes `config.json` atomically (temp file, fsync, rename) with mode 0600, creating the
    /// state directory with mode 0700 if needed. Needs write access to `stateRoot`.
    public func save(_ configuration: VCHConfiguration) throws {
        try AtomicFile.makeDirectory(paths.stateDirectory(configuration.name), mode: 0o700)
        try AtomicFile.write(
            ConfigurationStore.encode(configuration), to: paths.configurationFile(configuration.name),
            mode: 0o600)
    }

    /// The configuration of VCH `name`; `.notFound` when there is none.
    public func load(_ name: String) throws -> VCHConfiguration {
        guard let data = FileManager.default.contents(atPath: paths.configurationFile(name)) else {
            throw VICError(.notFound, "VCH \(name) not found")
        }
        return try ConfigurationStore.decode(data)
    }

    /// The names of every VCH with a state directory, sorted.
    public func names() -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: paths.stateRoot)) ?? []
        return entries.filter {
            FileManager.default.fileExists(atPath: paths.journalFile($0))
                || FileManager.default.fileExists(atPath: paths.configurationFile($0))
        }.sorted()
    }
}
