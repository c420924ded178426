import Foundation
import VICCore
import VICPortLayer

extension Router {
    /// `docker stats`: one sample (`stream=false`, with `precpu_stats` from a second earlier
    /// unless `one-shot`), or one per second until the client leaves or the container stops.
    func containerStats(_ context: RouteContext) async throws -> EngineResponse {
        let containers = try portLayer().containers
        let record = try await containers.record(try containerID(context))
        let stream = context.request.queryValue("stream").map { ["1", "true", "True"].contains($0) } ?? true
        let oneShot = context.request.queryFlag("one-shot")
        let id = record.id
        let body = AsyncThrowingStream<[UInt8], any Error> { continuation in
            let task = Task {
                @Sendable func running() async -> (name: String, pid: Int32)? {
                    guard let current = try? await containers.record(id) else { return nil }
                    return current.state.status == .running && current.state.pid > 0 ? (current.name, current.state.pid) : nil
                }
                func send(_ stats: DockerStats) {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                    if let data = try? encoder.encode(stats) { continuation.yield(Array(data) + [0x0a]) }
                }
                guard let first = await running() else {
                    send(DockerStats(name: record.name, id: id, sample: nil, previous: nil))
                    continuation.finish()
                    return
                }
                var previous: ResourceSample? = oneShot ? nil : ResourceSample.read(pid: first.pid)
                if oneShot {
                    send(DockerStats(name: first.name, id: id, sample: ResourceSample.read(pid: first.pid), previous: nil))
                    continuation.finish()
                    return
                }
                repeat {
                    try? await Task.sleep(for: .seconds(1))
                    guard !Task.isCancelled, let current = await running() else { break }
                    let sample = ResourceSample.read(pid: current.pid)
                    send(DockerStats(name: current.name, id: id, sample: sample, previous: previous))
                    previous = sample
                } while stream && !Task.isCancelled
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        return .streaming(headers: ["Content-Type": "application/json"], body)
    }

    /// `docker top`.
    func containerTop(_ context: RouteContext) async throws -> EngineResponse {
        let arguments = context.request.queryValue("ps_args") ?? "-ef"
        let table = try await portLayer().containers.top(try containerID(context), psArguments: arguments)
        struct Top: Encodable { var Titles: [String]; var Processes: [[String]] }
        return .json(Top(Titles: table.titles, Processes: table.processes))
    }

    /// `docker container prune`, with the `until` and `label` (`label!`) filters.
    func pruneContainers(_ context: RouteContext) async throws -> EngineResponse {
        let filters = try FilterArguments(json: context.request.queryValue("filters"))
        let filter = try PruneFilter(filters, now: now())
        let report = try await portLayer().containers.prune { filter.matches(created: $0.created, labels: $0.config.labels) }
        struct Report: Encodable { var ContainersDeleted: ExplicitNull<[String]>; var SpaceReclaimed: Int64 }
        return .json(Report(ContainersDeleted: ExplicitNull(report.deleted.isEmpty ? nil : report.deleted),
                            SpaceReclaimed: report.reclaimed))
    }
}

/// Which objects `docker container prune` and `docker image prune` remove: created before
/// `until`, with every `label` and none of the `label!` labels (Docker's prune filters).
struct PruneFilter: Sendable {
    var until: Date?
    var labels: FilterArguments
    var notLabels: FilterArguments

    /// Reads `until`, `label` and `label!`; `extra` names further filters the caller reads
    /// (image prune's `dangling`). Throws `.invalidArgument` for any other or a bad `until`.
    init(_ filters: FilterArguments, now: Date, accepting extra: Set<String> = []) throws {
        try filters.validate(accepting: Set(["until", "label", "label!"]).union(extra))
        if let text = filters.values("until").first {
            guard let date = Timestamps.date(text, now: now) else {
                throw VICError(.invalidArgument, "failed to parse value \"\(text)\" of filter \"until\"")
            }
            until = date
        }
        labels = FilterArguments(filters.contains("label") ? ["label": Set(filters.values("label"))] : [:])
        notLabels = FilterArguments(filters.contains("label!") ? ["label": Set(filters.values("label!"))] : [:])
    }

    func matches(created: Date, labels objectLabels: [String: String]) -> Bool {
        if let until, created >= until { return false }
        if labels.contains("label") && !labels.matchLabels("label", objectLabels) { return false }
        if notLabels.contains("label") {
            // Excluded when any one of the negated labels matches.
            for value in notLabels.values("label") where FilterArguments(["label": [value]]).matchLabels("label", objectLabels) {
                return false
            }
        }
        return true
    }
}

/// Docker's `timetypes.GetTimestamp` inputs: Unix seconds (`1700000000.5`), RFC 3339 dates and
/// times, or a Go duration before now (`10m`, `1h30m`).
enum Timestamps {
    static func date(_ text: String, now: Date) -> Date? {
        if let seconds = Double(text) { return Date(timeIntervalSince1970: seconds) }
        if let duration = goDuration(text) { return now.addingTimeInterval(-duration) }
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime], [.withFullDate]] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    /// "1h30m", "10m", "45s", "250ms" in seconds.
    static func goDuration(_ text: String) -> TimeInterval? {
        let units: [(String, Double)] = [("ms", 0.001), ("h", 3600), ("m", 60), ("s", 1)]
        var rest = Substring(text)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            guard let value = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let (unit, scale) = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.count)
            total += value * scale
        }
        return total
    }
}
