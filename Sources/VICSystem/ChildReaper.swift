import Foundation
import NIOConcurrencyHelpers

/// Reaps detached children that their parent outlives (vchd's shims), so that none stays a
/// zombie. It waits only for the pids it is given (`waitpid(pid, WNOHANG)`), never for "any
/// child": other children (those of swift-subprocess) are waited for by their owners.
///
/// One per process, because zombies are a per-process matter; its thread starts with the first
/// pid and polls four times a second while there is anything to reap.
final class ChildReaper: Sendable {
    static let shared = ChildReaper()

    private let state = NIOLockedValueBox<(pids: Set<pid_t>, running: Bool)>(([], false))

    func watch(_ pid: pid_t) {
        let start = state.withLockedValue { state -> Bool in
            state.pids.insert(pid)
            guard !state.running else { return false }
            state.running = true
            return true
        }
        if start {
            Thread.detachNewThread { [self] in loop() }
        }
    }

    private func loop() {
        while true {
            usleep(250_000)
            let pids = state.withLockedValue { $0.pids }
            var reaped: Set<pid_t> = []
            for pid in pids {
                var status: Int32 = 0
                let result = waitpid(pid, &status, WNOHANG)
                if result == pid || (result < 0 && errno == ECHILD) { reaped.insert(pid) }
            }
            let done = state.withLockedValue { state -> Bool in
                state.pids.subtract(reaped)
                if state.pids.isEmpty { state.running = false }
                return !state.running
            }
            if done { return }
        }
    }
}
