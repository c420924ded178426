import Foundation
import Testing
import VICCore
import VICPortLayer

@testable import VICEngineAPI

/// `-v`, `--mount`, `--tmpfs` and `Config.Volumes` as the port layer gets them.
@Suite("Container mounts")
struct ContainerMountMappingTests {
    static func body(_ json: String) throws -> DockerContainerCreate {
        try JSONDecoder().decode(DockerContainerCreate.self, from: Data(json.utf8))
    }

    @Test("-v forms: named, anonymous, with a mode, and Docker's two-part reading")
    func binds() throws {
        #expect(try ContainerMountMapping.bind("data:/data") == MountRequest(kind: .volume, source: "data", destination: "/data"))
        #expect(try ContainerMountMapping.bind("data:/data:ro") == MountRequest(kind: .volume, source: "data", destination: "/data", readOnly: true))
        #expect(try ContainerMountMapping.bind("data:/data:rw,nocopy,z")
                == MountRequest(kind: .volume, source: "data", destination: "/data", noCopy: true))
        #expect(try ContainerMountMapping.bind("/data:ro") == MountRequest(kind: .volume, source: nil, destination: "/data", readOnly: true))
        #expect(try ContainerMountMapping.bind("/data") == MountRequest(kind: .volume, source: nil, destination: "/data"))
    }

    @Test("-v refusals name what was asked", arguments: [
        ("/srv:/data", "vic does not mount host directories into containers (-v /srv:/data): use a volume, -v NAME:/data"),
        ("./here:/data", "vic does not mount host directories"),
        ("data:/data:rshared", "invalid mode: rshared"),
        ("data:/data:ro,rw", "invalid mode: ro,rw"),
        ("a:b:c:d", "invalid volume specification: 'a:b:c:d'"),
        (":/data", "invalid volume specification"),
    ])
    func bindRefusals(_ spec: String, _ message: String) throws {
        do {
            _ = try ContainerMountMapping.bind(spec)
            Issue.record("\(spec) was taken")
        } catch let error as VICError {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test("--mount: volumes with labels and nocopy, tmpfs with size and mode; bind and other drivers refused")
    func mounts() throws {
        let body = try Self.body(#"""
            {"Image":"busybox","HostConfig":{"Mounts":[
              {"Type":"volume","Source":"cache","Target":"/cache","ReadOnly":true,"VolumeOptions":{"NoCopy":true,"Labels":{"k":"v"}}},
              {"Target":"/anon"},
              {"Type":"tmpfs","Target":"/run","TmpfsOptions":{"SizeBytes":1048576,"Mode":1023}}]}}
            """#)
        #expect(try ContainerMountMapping.mounts(body) == [
            MountRequest(kind: .volume, source: "cache", destination: "/cache", readOnly: true, noCopy: true, labels: ["k": "v"]),
            MountRequest(kind: .volume, source: nil, destination: "/anon"),
            MountRequest(kind: .tmpfs, source: nil, destination: "/run",
                         tmpfsOptions: ["noexec", "nosuid", "nodev", "size=1048576", "mode=1777"]),
        ])
        for (json, message) in [
            (#"{"Type":"bind","Source":"/srv","Target":"/x"}"#, "vic does not mount host directories into containers (--mount type=bind,target=/x)"),
            (#"{"Type":"volume","Target":"/x","VolumeOptions":{"DriverConfig":{"Name":"nfs"}}}"#, "volume driver nfs is not supported"),
            (#"{"Type":"npipe","Target":"/x"}"#, "mount type npipe is not supported by vic"),
            (#"{"Type":"volume"}"#, "field Target must not be empty"),
        ] {
            #expect(throws: VICError.self, "\(message)") { try ContainerMountMapping.mounts(try Self.body(#"{"HostConfig":{"Mounts":["# + json + "]}}")) }
            do { _ = try ContainerMountMapping.mounts(try Self.body(#"{"HostConfig":{"Mounts":["# + json + "]}}")) } catch let error as VICError {
                #expect(error.message.contains(message), "\(error.message)")
            }
        }
    }

    @Test("--tmpfs: Docker's defaults first so the user's win; unknown options refused")
    func tmpfs() throws {
        let mount = try ContainerMountMapping.tmpfs("/scratch", options: "exec,size=1m,ro")
        #expect(mount.tmpfsOptions == ["noexec", "nosuid", "nodev", "exec", "size=1m", "ro"])
        #expect(mount.readOnly)
        #expect(try ContainerMountMapping.tmpfs("/run", options: "").tmpfsOptions == ["noexec", "nosuid", "nodev"])
        #expect(try ContainerMountMapping.tmpfs("/x", options: "size=10%,mode=1777,uid=1000,nr_inodes=4k").tmpfsOptions.count == 7)
        for bad in ["bogus", "size=", "uid", "context=x", "size=lots", "mode=999", "mode=12345", "uid=-1", "nr_blocks=1t"] {
            #expect(throws: VICError.self, "\(bad)") { try ContainerMountMapping.tmpfs("/x", options: bad) }
        }
    }

    @Test("Config.Volumes are anonymous volumes, except where a -v or --mount already mounts (docker-py lists both)")
    func configVolumes() throws {
        let body = try Self.body(#"""
            {"Image":"busybox","Volumes":{"/data/":{},"/logs":{}},"HostConfig":{"Binds":["named:/data"],"Tmpfs":{"/run":"size=1m"}}}
            """#)
        #expect(try ContainerMountMapping.mounts(body) == [
            MountRequest(kind: .volume, source: "named", destination: "/data"),
            MountRequest(kind: .tmpfs, source: nil, destination: "/run", tmpfsOptions: ["noexec", "nosuid", "nodev", "size=1m"]),
            MountRequest(kind: .volume, source: nil, destination: "/logs"),
        ])
        let request = try ContainerRequestMapping.request(
            try Self.body(#"{"Image":"busybox","HostConfig":{"Binds":["named:/data"],"VolumesFrom":["other:ro"]}}"#), name: nil)
        #expect(request.volumesFrom == ["other:ro"])
        #expect(request.host.binds == ["named:/data"])
    }
}
