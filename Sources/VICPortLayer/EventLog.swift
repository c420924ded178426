import Foundation
import Synchronization

/// Something that happened to an object of the VCH: a container started, an exec died.
///
/// A domain value; the API maps it onto Docker's event message.
public struct EventRecord: Sendable, Equatable {
    /// The kind of object: `container`, `image`, `network`, `volume`.
    public var type: String
    /// What happened: `create`, `start`, `die`, `exec_start: sh -c …`.
    public var action: String
    /// The object's ID (a container's full ID, an image's name).
    public var actorID: String
    /// Facts about the object at that moment: `name`, `image`, labels, `exitCode`, `execID`.
    public var attributes: [String: String]
    /// Nanoseconds since the Unix epoch.
    public var timeNano: Int64

    /// An event stamped with the wall clock unless `timeNano` is given.
    public init(type: String, action: String, actorID: String, attributes: [String: String], timeNano: Int64 = EventRecord.now()) {
        self.type = type
        self.action = action
        self.actorID = actorID
        self.attributes = attributes
        self.timeNano = timeNano
    }

    /// The wall clock in nanoseconds since the Unix epoch.
    public static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}

/// The VCH's recent events and their live subscribers (`docker events`).
///
/// A `final class` with a mutex rather than an actor: `emit` is called from synchronous code
/// (rename) and must keep the order of events, which fire-and-forget tasks would not. Keeps the
/// last `capacity` events in memory; nothing is persisted, as with Docker.
public final class EventLog: Sendable {
    struct State {
        var events: [EventRecord] = []
        var subscribers: [Int: AsyncStream<EventRecord>.Continuation] = [:]
        var nextToken = 0
    }

    /// How many past events are kept for `--since`.
    public let capacity: Int
    private let state = Mutex(State())

    /// An empty log keeping the last `capacity` events; should be positive.
    public init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    /// Records `event` and hands it to every live subscriber.
    public func emit(_ event: EventRecord) {
        state.withLock { state in
            state.events.append(event)
            if state.events.count > capacity { state.events.removeFirst(state.events.count - capacity) }
            for continuation in state.subscribers.values { continuation.yield(event) }
        }
    }

    /// The events kept so far and, from the same instant, every later one: no event is missed or
    /// seen twice. Cancel the subscription (or stop iterating) to release it.
    public func subscribe() -> EventSubscription {
        let (stream, continuation) = AsyncStream<EventRecord>.makeStream(bufferingPolicy: .bufferingNewest(capacity))
        let (token, past) = state.withLock { state in
            let token = state.nextToken
            state.nextToken += 1
            state.subscribers[token] = continuation
            return (token, state.events)
        }
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(token) }
        return EventSubscription(past: past, live: stream, log: self, token: token)
    }

    /// The events kept so far, oldest first.
    public var recent: [EventRecord] { state.withLock { $0.events } }

    func unsubscribe(_ token: Int) {
        let continuation = state.withLock { $0.subscribers.removeValue(forKey: token) }
        continuation?.finish()
    }
}

/// A subscriber's view of the event log: what happened before, then what happens next.
public struct EventSubscription: Sendable {
    /// The events kept when the subscription began, oldest first.
    public let past: [EventRecord]
    /// Every event emitted after that; ends when the subscription is cancelled.
    public let live: AsyncStream<EventRecord>
    let log: EventLog
    let token: Int

    /// Ends `live` and releases the subscription.
    public func cancel() { log.unsubscribe(token) }
}
