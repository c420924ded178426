import Foundation
import Testing
import VICCore
import VICSystem

/// Request bodies larger than the old 16 MiB limit through the real docker CLI: `docker import`
/// of a 100 MiB root file system, then `docker save`, `rmi` and `docker load` of the ~100 MiB
/// archive; the layer's diff ID proves the bytes arrived intact.
@Suite(.serialized, .tags(.privileged, .endToEnd))
struct LargeImageEndToEndTests {
    @Test func importSaveLoadOf100MiB() async throws {
        try await Lab.with { lab in
            try await lab.startRegistry()
            let docker = try await lab.createVCH("large")
            let files = "/run/vic-lab/\(lab.name)/large-images"
            try FileManager.default.createDirectory(atPath: "\(files)/root", withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: files) }
            let make = try await Command.run("/bin/sh", ["-c",
                "head -c 104857600 /dev/urandom > \(files)/root/big.bin && tar -C \(files)/root -cf \(files)/rootfs.tar . "
                    + "&& sha256sum \(files)/rootfs.tar"])
            #expect(make.succeeded, "\(make.combined)")
            let diffID = "sha256:" + (make.standardOutput.split(separator: " ").first.map(String.init) ?? "")

            let imported = try await docker(["import", "\(files)/rootfs.tar", "big:import"])
            #expect(imported.succeeded, "\(imported.combined)")
            #expect(try await docker.inspect("big:import", "{{index .RootFS.Layers 0}}") == diffID)

            let save = try await docker(["save", "-o", "\(files)/big.tar", "big:import"])
            #expect(save.succeeded, "\(save.combined)")
            let size = (try? FileManager.default.attributesOfItem(atPath: "\(files)/big.tar")[.size] as? Int) ?? 0
            #expect(size > 100 << 20)
            let rmi = try await docker(["rmi", "big:import"])
            #expect(rmi.succeeded, "\(rmi.combined)")

            let load = try await docker(["load", "-i", "\(files)/big.tar"])
            #expect(load.succeeded, "\(load.combined)")
            #expect(load.standardOutput.contains("Loaded image: big:import"), "\(load.combined)")
            #expect(try await docker.inspect("big:import", "{{index .RootFS.Layers 0}}") == diffID)

            // 50 MiB that is no archive: staging fails at the first header, the rest of the
            // upload is read and dropped, the CLI gets the error, and no staging is left.
            let garbage = try await Command.run("/bin/sh", ["-c", "head -c 52428800 /dev/urandom > \(files)/garbage.tar"])
            #expect(garbage.succeeded, "\(garbage.combined)")
            let refused = try await docker(["load", "-i", "\(files)/garbage.tar"])
            #expect(!refused.succeeded && refused.standardError.contains("Error response from daemon"), "\(refused.combined)")
            #expect(try await docker(["images", "-q"]).succeeded)
            let state = "/run/vic-lab/\(lab.name)/state/large"
            let staged = (FileManager.default.enumerator(atPath: state)?.allObjects as? [String] ?? [])
                .filter { $0.hasSuffix("/tmp") || $0.contains("/tmp/") }
            #expect(staged.contains { $0.hasSuffix("/tmp") }, "the store's temporary space was not found under \(state)")
            #expect(staged.allSatisfy { !$0.contains("/tmp/") }, "left in the store's temporary space: \(staged)")

            let delete = try await lab.vicMachine(["delete", "--name", "large"])
            #expect(delete.succeeded, "delete: \(delete.combined)")
        }
    }
}
