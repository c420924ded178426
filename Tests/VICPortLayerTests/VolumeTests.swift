import Foundation
import Testing
import VICConfig
import VICCore
@testable import VICRuntime
@testable import VICPortLayer

/// Volumes: names, mount destinations, the store on disk, `docker cp` paths and mount order.
@Suite struct VolumeTests {
    @Test(arguments: [("data", true), ("my.vol_1-a", true), ("a", false), ("-x", false), ("x/y", false), ("bad!", false), ("", false)])
    func names(_ name: String, _ valid: Bool) {
        #expect(((try? Volume.validate(name: name)) != nil) == valid)
    }

    @Test func destinationsAreCleanedAndChecked() throws {
        #expect(try ContainerMount.cleanDestination("/data/") == "/data")
        #expect(try ContainerMount.cleanDestination("//data/./x") == "/data/x")
        for bad in ["data", "/", "/a/../b", ""] {
            #expect(throws: VICError.self, "\(bad)") { try ContainerMount.cleanDestination(bad) }
        }
    }

    @Test func storeCreatesLoadsAndRemoves() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vic-volumes-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let stores = VolumeStores(locations: [VolumeStoreLocation(label: "default", path: "\(root)/a"),
                                              VolumeStoreLocation(label: "fast", path: "\(root)/b")])
        let created = Date(timeIntervalSince1970: 1_700_000_000)
        let data = Volume(name: "data", store: "default", labels: ["k": "v"], created: created, anonymous: false)
        var quick = Volume(name: "quick", store: "fast", created: created, anonymous: true)
        quick.labels = ["tier": "cache"]
        try stores.create(data)
        try stores.create(quick)
        #expect(throws: VICError.self) { try stores.create(data) }
        #expect(FileManager.default.fileExists(atPath: "\(root)/a/volumes/data/_data"))
        #expect(try stores.dataPath(of: quick) == "\(root)/b/volumes/quick/_data")
        try Data(count: 1000).write(to: URL(fileURLWithPath: "\(root)/b/volumes/quick/_data/blob"))
        #expect(stores.size(of: quick) == 1000)
        try stores.save(quick)
        #expect(stores.load() == [data, quick])
        // A directory without volume.json (a removal cut short) is not a volume.
        try FileManager.default.createDirectory(atPath: "\(root)/a/volumes/half/_data", withIntermediateDirectories: true)
        #expect(stores.load().map(\.name) == ["data", "quick"])
        try stores.remove(data)
        #expect(!FileManager.default.fileExists(atPath: "\(root)/a/volumes/data"))
        #expect(stores.load().map(\.name) == ["quick"], "a volume being deleted is no volume")
        #expect(throws: VICError.self) { try stores.location("nope") }
        #expect(throws: VICError.self) { try stores.create(Volume(name: "x1", store: "nope", created: created, anonymous: false)) }
    }

    @Test func copyPathsUnderVolumesGoToTheirData() {
        var record = ContainerRecordFixture.record()
        record.host.mounts = [
            ContainerMount(kind: .volume, destination: "/data", volume: "d", source: "/v/d/_data"),
            ContainerMount(kind: .volume, destination: "/data/cache", volume: "c", source: "/v/c/_data", readOnly: true),
            ContainerMount(kind: .tmpfs, destination: "/run", tmpfsOptions: ["noexec"]),
        ]
        let paths = VolumePaths(record)
        #expect(paths.locate("/etc/hosts") == nil)
        #expect(paths.locate("/run/x") == nil)
        #expect(paths.locate("/database") == nil)
        #expect(paths.locate("/data")! == ("/v/d/_data", "/", false))
        #expect(paths.locate("/data/")! == ("/v/d/_data", "/", false))
        #expect(paths.locate("/data/.")! == ("/v/d/_data", "/.", false))
        #expect(paths.locate("data/x/y/")! == ("/v/d/_data", "/x/y/", false))
        #expect(paths.locate("/data/cache/f")! == ("/v/c/_data", "/f", true))
        #expect(paths.locate("/data/../data/cache")! == ("/v/c/_data", "/", true))
    }

    @Test func mountsAreOrderedByDepthSoParentsComeFirst() {
        let mount = { (path: String) in OCISpec.Mount(destination: path, type: "bind", source: path, options: nil) }
        let ordered = OCISpec.byDepth([mount("/data/cache"), mount("/etc/hosts"), mount("/etc"), mount("/data"), mount("/a/b")])
        #expect(ordered.map(\.destination) == ["/etc", "/data", "/data/cache", "/etc/hosts", "/a/b"])
    }
}

/// A minimal container record for pure tests.
enum ContainerRecordFixture {
    static func record() -> ContainerRecord {
        ContainerRecord(
            id: String(repeating: "c", count: 64), name: "fixture", created: Date(timeIntervalSince1970: 0), imageName: "busybox",
            imageID: "sha256:" + String(repeating: "1", count: 64),
            config: ContainerConfig(hostname: "fixture", user: "", env: [], entrypoint: [], cmd: ["true"], workingDir: "",
                                    tty: false, openStdin: false, stdinOnce: false, attachStdin: false, attachStdout: true,
                                    attachStderr: true, labels: [:], exposedPorts: [], stopSignal: nil),
            host: HostSettings(autoRemove: false, restartPolicy: RestartPolicy(name: .no), memoryBytes: nil, nanoCPUs: nil,
                               networkMode: "default"),
            endpoints: [])
    }
}
