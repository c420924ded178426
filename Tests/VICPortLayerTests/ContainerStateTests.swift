import Foundation
import Testing
import VICCore
@testable import VICPortLayer

/// The container state machine: starts, exits, failed starts, the paused flag and the
/// records written before a field existed.
@Suite struct ContainerStateTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func startExitAndStatusText() throws {
        var state = ContainerState()
        #expect(state.humanStatus(now: now) == "Created")
        try state.started(pid: 42, at: now.addingTimeInterval(-120))
        #expect(state.isRunning && state.humanStatus(now: now) == "Up 2 minutes")
        state.paused = true
        #expect(state.humanStatus(now: now) == "Up 2 minutes (Paused)")
        state.exited(code: 3, at: now.addingTimeInterval(-5))
        #expect(!state.paused && !state.isRunning && state.pid == 0)
        #expect(state.humanStatus(now: now) == "Exited (3) 5 seconds ago")
        #expect(throws: VICError.self) {
            var removing = ContainerState()
            removing.status = .removing
            try removing.started(pid: 1, at: now)
        }
    }

    @Test func aFailedStartKeepsCreatedAndRecordsWhy() {
        var state = ContainerState()
        state.failedToStart("no such file", at: now)
        #expect(state.status == .created && state.exitCode == 128 && state.error == "no such file")
    }

    @Test func recordsFromBeforeThePausedFlagDecode() throws {
        let old = #"{"status":"running","pid":7,"exitCode":0,"error":"","stoppedByUser":false}"#
        let state = try JSONDecoder().decode(ContainerState.self, from: Data(old.utf8))
        #expect(state.status == .running && state.pid == 7 && !state.paused && state.published.isEmpty)
        var paused = state
        paused.paused = true
        let again = try JSONDecoder().decode(ContainerState.self, from: try JSONEncoder().encode(paused))
        #expect(again.paused)
    }
}
