import Foundation
import VICCore
import VICPortLayer

extension Router {
    /// `docker events`: past events from `since`, then live ones until `until` (or until the
    /// client leaves), one JSON message per line, filtered by `filters`.
    func streamEvents(_ context: RouteContext) async throws -> EngineResponse {
        let filter = try EventFilter(try FilterArguments(json: context.request.queryValue("filters")))
        let now = now()
        let since = try context.request.queryValue("since").flatMap { try Self.eventTime($0, now: now) }
        let until = try context.request.queryValue("until").flatMap { try Self.eventTime($0, now: now) }
        let log = try portLayer().containers.events
        let stream = AsyncThrowingStream<[UInt8], any Error> { continuation in
            let subscription = log.subscribe()
            let task = Task {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                func send(_ event: EventRecord) {
                    guard filter.matches(event), let data = try? encoder.encode(DockerEventMessage(event)) else { return }
                    continuation.yield(Array(data) + [0x0a])
                }
                if let since {
                    for event in subscription.past where event.timeNano >= since && event.timeNano <= (until ?? .max) { send(event) }
                }
                if let until, until <= EventRecord.now() {
                    continuation.finish()
                    return
                }
                for await event in subscription.live {
                    if let until, event.timeNano > until { break }
                    send(event)
                }
                continuation.finish()
            }
            // Ends the live stream at `until` even when nothing happens.
            let timer = until.map { until in
                Task {
                    let wait = max(until - EventRecord.now(), 0)
                    try? await Task.sleep(for: .nanoseconds(wait))
                    if !Task.isCancelled { subscription.cancel() }
                }
            }
            continuation.onTermination = { _ in
                task.cancel()
                timer?.cancel()
                subscription.cancel()
            }
        }
        return .streaming(headers: ["Content-Type": "application/json"], stream)
    }

    /// `since`/`until` as the CLI sends them (Unix seconds with nanoseconds) or any input of
    /// `Timestamps`, in nanoseconds since the epoch.
    static func eventTime(_ text: String, now: Date) throws -> Int64? {
        if text.isEmpty { return nil }
        let parts = text.split(separator: ".", maxSplits: 1)
        if let seconds = parts.first.flatMap({ Int64($0) }) {
            var nanos: Int64 = 0
            if parts.count == 2 {
                let digits = String(parts[1].prefix(9))
                guard let fraction = Int64(digits) else { throw VICError(.invalidArgument, "invalid timestamp \(text)") }
                nanos = fraction * Int64(pow(10, Double(9 - digits.count)))
            }
            return seconds * 1_000_000_000 + nanos
        }
        guard let date = Timestamps.date(text, now: now) else { throw VICError(.invalidArgument, "invalid timestamp \(text)") }
        return Int64(date.timeIntervalSince1970 * 1_000_000_000)
    }
}

/// Docker's event filters: `type`, `event` (the action, before any `: detail`), `container`
/// (full ID, ID prefix or name), `image`, `label`; keys must all match, values of a key are
/// alternatives.
struct EventFilter: Sendable {
    static let acceptedKeys: Set<String> = [
        "config", "container", "daemon", "event", "image", "label", "network", "node", "plugin", "scope", "secret",
        "service", "type", "volume",
    ]

    let filters: FilterArguments

    init(_ filters: FilterArguments) throws {
        try filters.validate(accepting: Self.acceptedKeys)
        self.filters = filters
    }

    func matches(_ event: EventRecord) -> Bool {
        let action = event.action.split(separator: ":", maxSplits: 1).first.map(String.init) ?? event.action
        if filters.contains("type") && !filters.exactMatch("type", event.type) { return false }
        if filters.contains("event") && !filters.exactMatch("event", action) && !filters.exactMatch("event", event.action) { return false }
        if filters.contains("scope") && !filters.exactMatch("scope", "local") { return false }
        if filters.contains("container") {
            guard event.type == "container" else { return false }
            let name = event.attributes["name"] ?? ""
            guard filters.exactMatch("container", name) || filters.prefixMatch("container", event.actorID) else { return false }
        }
        if filters.contains("image") {
            let image = event.type == "image" ? event.actorID : event.attributes["image"] ?? ""
            let bare = image.split(separator: ":").first.map(String.init) ?? image
            guard filters.exactMatch("image", image) || filters.exactMatch("image", bare) else { return false }
        }
        if filters.contains("label") && !filters.matchLabels("label", event.attributes) { return false }
        for key in ["network", "volume", "daemon", "plugin", "node", "service", "secret", "config"] where filters.contains(key) {
            guard event.type == key, filters.exactMatch(key, event.actorID) || filters.exactMatch(key, event.attributes["name"] ?? "") else {
                return false
            }
        }
        return true
    }
}

/// One line of `GET /events` (Docker's events.Message, with the legacy `status`/`id`/`from`).
struct DockerEventMessage: Encodable {
    struct EventActor: Encodable {
        var ID: String
        var Attributes: [String: String]
    }

    var status: String?
    var id: String?
    var from: String?
    var `Type`: String
    var Action: String
    var Actor: EventActor
    var scope = "local"
    var time: Int64
    var timeNano: Int64

    init(_ event: EventRecord) {
        if event.type == "container" {
            status = event.action
            id = event.actorID
            from = event.attributes["image"]
        }
        self.Type = event.type
        Action = event.action
        self.Actor = EventActor(ID: event.actorID, Attributes: event.attributes)
        time = event.timeNano / 1_000_000_000
        timeNano = event.timeNano
    }
}
