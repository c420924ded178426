import Foundation
import Testing
import VICCore
import VICSystem
@testable import VICImage

/// A content store in a temporary directory, removed afterwards.
func withStore<T>(_ body: (ContentStore) throws -> T) throws -> T {
    try withTemporaryDirectory { root in try body(try ContentStore(root: root + "/store")) }
}

/// What a store holds, to check that a failed load left nothing behind.
func contents(_ store: ContentStore) -> [String: [String]] {
    var result: [String: [String]] = [:]
    for directory in ["blobs/sha256", "layers", "layerinfo", "images", "tmp"] {
        result[directory] = ((try? FileManager.default.contentsOfDirectory(atPath: "\(store.root)/\(directory)")) ?? []).sorted()
    }
    return result
}

func fixtureBytes(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixture(name))))
}

/// The members of a tar archive: path → contents (files only).
func members(_ bytes: [UInt8]) throws -> [String: [UInt8]] {
    var reader = TarReader(BufferByteSource(bytes))
    var result: [String: [UInt8]] = [:]
    while let entry = try reader.next() {
        guard entry.kind == .file else { continue }
        var data: [UInt8] = []
        while true {
            let chunk = try reader.readContents(upTo: 1 << 16)
            if chunk.isEmpty { break }
            data += chunk
        }
        result[entry.path] = data
    }
    return result
}

func saved(_ selections: [ImageArchivePlan.Selection], _ store: ContentStore) throws -> [UInt8] {
    let stream = try ImageArchivePlan(selections, store: store).stream()
    var bytes: [UInt8] = []
    while let chunk = try stream.next() { bytes += chunk }
    return bytes
}

@Suite struct ImageArchiveLoaderTests {
    @Test func loadsDockerArchiveWithSharedAndLinkedLayers() throws {
        try withStore { store in
            let loaded = try ImageArchiveLoader(store: store, architecture: "amd64").load(try FileByteSource(path: fixture("archive-docker.tar")))
            #expect(loaded.map(\.tags) == [["fixture:a"], ["example.com/fixture:b", "fixture:b"]])
            let records = store.records()
            #expect(records.count == 2)
            let a = try #require(records.first { $0.repoTags == ["fixture:a"] })
            #expect(a.diffIDs.count == 2)
            #expect(a.configuration.config?.Labels == ["fixture": "a"])
            #expect(a.created == ImagePuller.date("2024-01-02T03:04:05Z"))
            for diffID in a.diffIDs { #expect(store.hasLayer(diffID)) }
            #expect(try String(contentsOfFile: store.layerPath(a.diffIDs[0]) + "/etc/motd", encoding: .utf8) == "one\n")
            #expect(fileMode(store.layerPath(a.diffIDs[1]) + "/etc/motd") & S_IFMT == S_IFCHR, "whiteout")
            // Each layer is kept once, uncompressed, as the blob named by its diff ID.
            for diffID in a.diffIDs { #expect(store.hasBlob(diffID)) }
            #expect(contents(store)["tmp"] == [])
        }
    }

    @Test func loadsOCILayoutWithGzipLayers() throws {
        try withStore { store in
            let loaded = try ImageArchiveLoader(store: store, architecture: "amd64").load(try FileByteSource(path: fixture("archive-oci.tar")))
            #expect(loaded.map(\.tags) == [["ocifixture:2"]])
            let image = try #require(store.records().first)
            #expect(image.repoTags == ["ocifixture:2"])
            for diffID in image.diffIDs {
                #expect(store.hasLayer(diffID))
                #expect(try store.layerSource(diffID, of: image).isCompressed)
            }
        }
    }

    @Test func loadingTwiceMovesNothingAndKeepsOneRecord() throws {
        try withStore { store in
            let loader = ImageArchiveLoader(store: store, architecture: "amd64")
            _ = try loader.load(try FileByteSource(path: fixture("archive-docker.tar")))
            let before = contents(store)
            _ = try loader.load(try FileByteSource(path: fixture("archive-docker.tar")))
            #expect(contents(store) == before)
        }
    }

    /// Damage applied to a good archive, and what the error must say.
    enum Damage: String, CaseIterable, Sendable {
        case truncatedInsideLayer, flippedLayerByte, flippedBlobByte, plainRootFileSystem, emptyBody, garbage, shortText
    }

    static func damaged(_ damage: Damage) throws -> [UInt8] {
        switch damage {
        case .truncatedInsideLayer: return Array(try fixtureBytes("archive-docker.tar").prefix(2048 + 100))
        case .flippedLayerByte:
            var bytes = try fixtureBytes("archive-docker.tar")
            let marker = Array("echo hello".utf8)
            let at = try #require((0..<(bytes.count - marker.count)).first { Array(bytes[$0..<($0 + marker.count)]) == marker })
            bytes[at] ^= 0x20
            return bytes
        case .flippedBlobByte:
            var bytes = try fixtureBytes("archive-oci.tar")
            let marker = Array("\"architecture\"".utf8)
            let at = try #require((0..<(bytes.count - marker.count)).first { Array(bytes[$0..<($0 + marker.count)]) == marker })
            bytes[at + 1] ^= 0x20
            return bytes
        case .plainRootFileSystem: return try fixtureBytes("upper.tar")
        case .emptyBody: return []
        case .garbage: return Array(repeating: 0x41, count: 4096)
        case .shortText: return Array("not a tarball\n".utf8)
        }
    }

    @Test(arguments: Damage.allCases)
    func badArchivesLeaveNothingBehind(_ damage: Damage) throws {
        let bytes = try ImageArchiveLoaderTests.damaged(damage)
        try withStore { store in
            let empty = contents(store)
            let error = #expect(throws: VICError.self) {
                try ImageArchiveLoader(store: store, architecture: "amd64").load(BufferByteSource(bytes))
            }
            #expect(error?.code == .invalidArgument, "\(damage): \(String(describing: error))")
            let expected: [Damage: String] = [
                .truncatedInsideLayer: "tar:", .flippedLayerByte: "invalid diffID for layer 0",
                .flippedBlobByte: "invalid archive: blobs/sha256/", .plainRootFileSystem: "neither manifest.json nor index.json",
                .emptyBody: "neither manifest.json nor index.json", .garbage: "tar: bad header checksum",
                .shortText: "tar: archive ends inside a header",
            ]
            #expect(error?.message.contains(expected[damage] ?? "?") == true, "\(damage): \(error?.message ?? "")")
            #expect(contents(store) == empty)
        }
    }

    @Test func failureWhileUnpackingRemovesTheLayersAlreadyAdded() throws {
        // Layer one is fine; the second layer escapes the root, found only when unpacking.
        let escape = try fixtureBytes("escape.tar")
        let good = try members(try fixtureBytes("archive-docker.tar"))
        let one = try #require(good.first { $0.key.hasSuffix("layer.tar") && String(decoding: $0.value, as: UTF8.self).contains("echo hello") }?.value)
        let config: [String: Any] = ["rootfs": ["type": "layers", "diff_ids": [ContentStore.digest(of: Data(one)), ContentStore.digest(of: Data(escape))]]]
        let configData = try JSONSerialization.data(withJSONObject: config)
        let manifest = try JSONSerialization.data(withJSONObject: [["Config": "c.json", "RepoTags": ["bad:1"], "Layers": ["1.tar", "2.tar"]]])
        let archive = try TarWriterTests.archive([("1.tar", one), ("2.tar", escape), ("c.json", Array(configData)), ("manifest.json", Array(manifest))])
        try withStore { store in
            let empty = contents(store)
            #expect(throws: VICError.self) { try ImageArchiveLoader(store: store, architecture: "amd64").load(BufferByteSource(archive)) }
            #expect(contents(store) == empty)
        }
    }
}

@Suite struct ImageArchivePlanTests {
    @Test func savedArchiveHasDockerAndOCIDocumentsAndLoadsBack() throws {
        try withStore { store in
            _ = try ImageArchiveLoader(store: store, architecture: "amd64").load(try FileByteSource(path: fixture("archive-docker.tar")))
            let records = store.records().sorted { $0.created < $1.created }
            let bytes = try saved(records.map { .init(image: $0, tags: $0.repoTags) }, store)
            let files = try members(bytes)
            #expect(files["oci-layout"] == Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))
            let manifest = try JSONDecoder().decode([ImageArchiveFormat.ManifestEntry].self, from: Data(try #require(files["manifest.json"])))
            #expect(manifest.map(\.RepoTags) == [["fixture:a"], ["example.com/fixture:b", "fixture:b"]])
            #expect(manifest[0].Layers == records[0].diffIDs.map(ImageArchiveFormat.blobPath))
            let index = try JSONDecoder().decode(ImageArchiveFormat.Index.self, from: Data(try #require(files["index.json"])))
            #expect(index.manifests.compactMap { $0.annotations?[ImageArchiveFormat.imageNameAnnotation] }
                    == ["docker.io/library/fixture:a", "example.com/fixture:b", "docker.io/library/fixture:b"])
            // Every blob is named by its digest; the shared layer is written once.
            for (path, data) in files where path.hasPrefix("blobs/sha256/") {
                #expect(ContentStore.digest(of: Data(data)) == "sha256:" + path.dropFirst(13))
            }
            #expect(files.keys.filter { $0.hasPrefix("blobs/") }.count == 2 + 2 + 2)
            #expect(bytes.count % 512 == 0)

            try withStore { other in
                let loaded = try ImageArchiveLoader(store: other, architecture: "amd64").load(BufferByteSource(bytes))
                #expect(Set(loaded.map(\.id)) == Set(records.map(\.id)))
                #expect(Set(other.records().flatMap(\.repoTags)) == Set(records.flatMap(\.repoTags)))
            }
        }
    }

    @Test func savesLayersKeptCompressedAndLayersWithoutSourceRecords() throws {
        try withStore { store in
            _ = try ImageArchiveLoader(store: store, architecture: "amd64").load(try FileByteSource(path: fixture("archive-oci.tar")))
            var image = try #require(store.records().first)
            let first = try saved([.init(image: image, tags: [])], store)
            // A store from before layer sources were recorded: the manifest names the blobs.
            let manifest = try members(try fixtureBytes("archive-oci.tar")).first { $0.value.starts(with: Array(#"{"config""#.utf8)) }
            let manifestDigest = try store.writeBlob(Data(try #require(manifest?.value)))
            image.repoDigests = ["ocifixture@\(manifestDigest)"]
            try store.saveRecord(image)
            for diffID in image.diffIDs { unlink("\(store.root)/layerinfo/\(ContentStore.hex(diffID)).json") }
            let second = try saved([.init(image: image, tags: [])], store)
            #expect(first == second)
            let files = try members(first)
            for diffID in image.diffIDs { #expect(files[ImageArchiveFormat.blobPath(diffID)].map { ContentStore.digest(of: Data($0)) } == diffID) }
            let manifestJSON = try JSONDecoder().decode([ImageArchiveFormat.ManifestEntry].self, from: Data(try #require(files["manifest.json"])))
            #expect(manifestJSON.first?.RepoTags == nil)
        }
    }

    @Test func missingLayerTarIsAnErrorBeforeAnyByte() throws {
        try withStore { store in
            _ = try ImageArchiveLoader(store: store, architecture: "amd64").load(try FileByteSource(path: fixture("archive-docker.tar")))
            let image = try #require(store.records().first)
            for diffID in image.diffIDs { unlink(store.blobPath(diffID)) }
            let error = #expect(throws: VICError.self) { try ImageArchivePlan([.init(image: image, tags: [])], store: store) }
            #expect(error?.code == .notFound)
        }
    }

    @Test func corruptStoredLayerEndsTheStreamWithAnError() throws {
        try withStore { store in
            _ = try ImageArchiveLoader(store: store, architecture: "amd64").load(try FileByteSource(path: fixture("archive-docker.tar")))
            let image = try #require(store.records().first { $0.diffIDs.count == 2 })
            let path = store.blobPath(image.diffIDs[0])
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            bytes[600] ^= 0xff
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect(throws: VICError.self) { try saved([.init(image: image, tags: [])], store) }
        }
    }
}
