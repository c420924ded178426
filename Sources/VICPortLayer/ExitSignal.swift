import Synchronization

/// A one-shot exit code: resolved once by the container manager (at an exit or at the
/// removal), awaited by one `wait` client. Registered in the same actor call that looks the
/// container up, so no exit or removal can fall between the lookup and the wait.
public final class ExitSignal: Sendable {
    private enum State {
        case pending(CheckedContinuation<Int, Never>?)
        case resolved(Int)
    }

    private let state = Mutex(State.pending(nil))

    public init() {}

    /// Sets the code and wakes the waiter; later calls do nothing.
    public func resolve(_ code: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Int, Never>? in
            guard case .pending(let waiter) = state else { return nil }
            state = .resolved(code)
            return waiter
        }
        waiter?.resume(returning: code)
    }

    /// The code, at once if it is resolved, else when it is. One caller only.
    public func code() async -> Int {
        await withCheckedContinuation { continuation in
            let code = state.withLock { state -> Int? in
                switch state {
                case .resolved(let code): return code
                case .pending: state = .pending(continuation); return nil
                }
            }
            if let code { continuation.resume(returning: code) }
        }
    }
}
