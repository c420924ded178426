import Foundation
import Testing
import VICCore
@testable import VICImage

/// An image service over a temporary store; its registry client is never used.
func withImageService<T: Sendable>(_ body: (ImageService) async throws -> T) async throws -> T {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("vic-test-\(UUID())").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    let client = RegistryClient(insecureRegistries: [])
    let service = ImageService(store: try ContentStore(root: root), client: client, mirrors: [], architecture: "amd64")
    do {
        let result = try await body(service)
        await client.shutdown()
        return result
    } catch {
        await client.shutdown()
        throw error
    }
}

@Suite struct ImageServiceArchiveTests {
    @Test func importsGzipRootFileSystemWithChanges() async throws {
        try await withImageService { images in
            let record = try await images.importImage(
                FileByteSource(path: fixture("rootfs.tar.gz")), tag: "imported:v1",
                changes: [#"CMD ["/bin/hello"]"#, "ENV A=1", "WORKDIR /bin"], message: nil)
            #expect(record.repoTags == ["imported:v1"])
            #expect(record.configuration.config?.Cmd == ["/bin/hello"])
            #expect(record.configuration.config?.Env == ["A=1"])
            #expect(record.configuration.config?.WorkingDir == "/bin")
            #expect(record.configuration.history?.first?.comment == "Imported from -")
            #expect(record.configuration.architecture == "amd64")
            let store = await images.store
            let layer = try #require(record.diffIDs.first)
            #expect(FileManager.default.isExecutableFile(atPath: store.layerPath(layer) + "/bin/hello"))
            // The configuration blob is the ID; the layer's tar is kept for save.
            #expect(ContentStore.digest(of: try store.readBlob(record.id)) == record.id)
            #expect(try store.layerSource(layer, of: record).size == Int64(try gunzipped("rootfs.tar.gz").count))
            #expect(try await images.resolve("imported:v1").id == record.id)
        }
    }

    func gunzipped(_ name: String) throws -> [UInt8] {
        let source = try GzipByteSource(FileByteSource(path: fixture(name)))
        var bytes: [UInt8] = []
        while true {
            let chunk = try source.read(upTo: 1 << 16)
            if chunk.isEmpty { return bytes }
            bytes += chunk
        }
    }

    @Test(arguments: [
        ([UInt8]([0x42, 0x5a, 0x68, 0x39, 0, 0]), "bzip2, xz or zstd"),
        (Array(repeating: 0x41, count: 1024), "not a usable root file system"),
    ])
    func importRefusesWhatIsNotATarball(_ bytes: [UInt8], _ message: String) async throws {
        try await withImageService { images in
            let store = await images.store
            let empty = contents(store)
            let error = await #expect(throws: VICError.self) {
                try await images.importImage(BufferByteSource(bytes), tag: nil, changes: [], message: nil)
            }
            #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
            #expect(contents(store) == empty)
        }
    }

    @Test func saveByNameTagAndID() async throws {
        try await withImageService { images in
            _ = try await images.load(FileByteSource(path: fixture("archive-docker.tar")))
            let b = try await images.resolve("fixture:b")
            // A bare repository name saves all of its tags.
            let byName = try await images.archivePlan(for: ["fixture"])
            // Newest first, as `docker images` lists them.
            #expect(manifestTags(byName) == [["fixture:b"], ["fixture:a"]])
            let byTag = try await images.archivePlan(for: ["fixture:b", "example.com/fixture:b"])
            #expect(manifestTags(byTag) == [["fixture:b", "example.com/fixture:b"]])
            let byID = try await images.archivePlan(for: [String(ContentStore.hex(b.id).prefix(12))])
            #expect(manifestTags(byID) == [nil])
            await #expect(throws: VICError.self) { try await images.archivePlan(for: ["nothing"]) }
        }
    }

    func manifestTags(_ plan: ImageArchivePlan) -> [[String]?] {
        guard let member = plan.members.first(where: { $0.path == "manifest.json" }), case .bytes(let bytes) = member.contents,
              let entries = try? JSONDecoder().decode([ImageArchiveFormat.ManifestEntry].self, from: Data(bytes))
        else { return [] }
        return entries.map(\.RepoTags)
    }
}

@Suite struct ImageRemoveTests {
    static let container = String(repeating: "c", count: 64)

    /// (name, force, user, expected lines or error message) after loading archive-docker.tar,
    /// where fixture:b is also example.com/fixture:b.
    static let table: [(String, Bool, ImageUser?, String)] = [
        ("fixture:a", false, nil, "untagged fixture:a; deleted"),
        ("fixture:b", false, nil, "untagged fixture:b"),
        ("fixture:a", false, ImageUser(containerID: container, isRunning: false),
         "conflict: unable to remove repository reference \"fixture:a\" (must force) - container cccccccccccc is using its referenced image ID"),
        ("fixture:a", true, ImageUser(containerID: container, isRunning: true), "untagged fixture:a"),
        ("ID", false, ImageUser(containerID: container, isRunning: true),
         "conflict: unable to delete ID (cannot be forced) - image is being used by running container cccccccccccc"),
        ("ID", true, ImageUser(containerID: container, isRunning: true),
         "conflict: unable to delete ID (cannot be forced) - image is being used by running container cccccccccccc"),
        ("ID", false, ImageUser(containerID: container, isRunning: false),
         "conflict: unable to delete ID (must be forced) - image is being used by stopped container cccccccccccc"),
        ("ID", true, ImageUser(containerID: container, isRunning: false), "untagged fixture:a; deleted"),
        ("ID", false, nil, "untagged fixture:a; deleted"),
    ]

    @Test(arguments: table)
    func rmi(_ name: String, _ force: Bool, _ user: ImageUser?, _ expected: String) async throws {
        try await withImageService { images in
            _ = try await images.load(FileByteSource(path: fixture("archive-docker.tar")))
            let a = try await images.resolve("fixture:a")
            let short = String(ContentStore.hex(a.id).prefix(12))
            let target = name == "ID" ? short : name
            let wanted = expected.replacingOccurrences(of: "ID", with: short)
            do {
                let lines = try await images.remove(target, force: force) { _ in user }
                let text = lines.map { $0.untagged.map { "untagged \($0)" } ?? "deleted" }.joined(separator: "; ")
                #expect(text == wanted)
                let store = await images.store
                if text.hasSuffix("deleted") {
                    // The shared layer stays with fixture:b; the other goes unless a container holds it.
                    #expect(store.hasLayer(a.diffIDs[0]))
                    #expect(store.hasLayer(a.diffIDs[1]) == (user != nil))
                }
            } catch let error as VICError {
                #expect(error.message == wanted)
                #expect(error.code == .conflict)
                #expect(try await images.resolve(a.id).repoTags == ["fixture:a"])
            }
        }
    }

    @Test func idWithTagsInSeveralRepositoriesNeedsForce() async throws {
        try await withImageService { images in
            _ = try await images.load(FileByteSource(path: fixture("archive-docker.tar")))
            let b = try await images.resolve("fixture:b")
            let error = await #expect(throws: VICError.self) { try await images.remove(b.id, force: false) { _ in nil } }
            #expect(error?.message.hasSuffix("image is referenced in multiple repositories") == true)
            let lines = try await images.remove(b.id, force: true) { _ in nil }
            #expect(lines.count == 3 && lines.last?.deleted == b.id)
        }
    }
}
