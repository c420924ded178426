import NIOCore
import Synchronization

/// The open connections of a server, so shutdown can quiesce and then wait for them.
///
/// Touched from every event loop; a short critical section under a `Mutex`.
final class ConnectionRegistry: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var quiescing = false
    }

    private let state = Mutex(State())

    /// Tracks `channel` until it closes. A connection accepted after `quiesceAll` is quiesced at
    /// once (it raced the listener's close).
    func register(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        let quiescing = state.withLock { state in
            state.channels[key] = channel
            return state.quiescing
        }
        channel.closeFuture.whenComplete { [weak self] _ in
            self?.state.withLock { _ = $0.channels.removeValue(forKey: key) }
        }
        if quiescing { Self.quiesce(channel) }
    }

    /// Asks every connection to close once its request in flight is answered.
    func quiesceAll() {
        let channels = state.withLock { state in
            state.quiescing = true
            return Array(state.channels.values)
        }
        channels.forEach(Self.quiesce)
    }

    /// The connections still open.
    var open: [any Channel] {
        state.withLock { Array($0.channels.values) }
    }

    private static func quiesce(_ channel: any Channel) {
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
    }
}
