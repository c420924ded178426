import Foundation
import Testing
import VICRuntime
import VICSystem

@Suite struct PhaseTimerTests {
    @Test func namesEveryPhaseInOrderWithATotal() {
        var timer = PhaseTimer()
        timer.mark("mount")
        timer.mark("network")
        let summary = timer.summary
        let mount = summary.range(of: "mount ")
        let network = summary.range(of: "network ")
        #expect(mount != nil && network != nil && mount!.lowerBound < network!.lowerBound, "\(summary)")
        #expect(summary.hasSuffix(" ms)") && summary.contains("(total "), "\(summary)")
    }
}

@Suite struct AtomicFileTests {
    @Test(arguments: [AtomicFile.Durability.durable, .atomic])
    func replacesWholeFilesWithTheirMode(_ durability: AtomicFile.Durability) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID())").path
        try AtomicFile.makeDirectory(directory, mode: 0o700)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/record.json"
        try AtomicFile.write(Data("first, longer".utf8), to: path, mode: 0o600, durability: durability)
        try AtomicFile.write(Data("second".utf8), to: path, mode: 0o600, durability: durability)
        #expect(FileManager.default.contents(atPath: path) == Data("second".utf8))
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
        // No temporary file is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["record.json"])
    }
}
