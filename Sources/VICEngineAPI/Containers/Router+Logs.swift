import Foundation
import VICCore
import VICPortLayer

extension Router {
    /// `docker logs`: the json-file log, framed like Docker (multiplexed unless the container
    /// has a TTY), with tail, since, until, timestamps and follow (which ends at `until`).
    func containerLogs(_ context: RouteContext) async throws -> EngineResponse {
        let containers = try portLayer().containers
        let record = try await containers.record(try containerID(context))
        let request = context.request
        guard context.request.queryFlag("stdout") || context.request.queryFlag("stderr") else {
            throw VICError(.invalidArgument, "Bad parameters: you must choose at least one stream")
        }
        let options = LogOptions(
            stdout: context.request.queryFlag("stdout"), stderr: context.request.queryFlag("stderr"), follow: context.request.queryFlag("follow"), timestamps: context.request.queryFlag("timestamps"),
            tail: request.queryValue("tail").flatMap { $0 == "all" ? nil : Int($0) },
            since: request.queryValue("since").flatMap(LogOptions.rfc3339(fromUnix:)),
            until: request.queryValue("until").flatMap(LogOptions.rfc3339(fromUnix:)),
            tty: record.config.tty)
        let path = try await containers.logPath(record.id)
        let id = record.id
        let stream = AsyncThrowingStream<[UInt8], any Error> { continuation in
            let task = Task {
                var reader = LogReader(path: path, options: options)
                defer { reader.close() }
                continuation.yield(reader.initial())
                while options.follow && !Task.isCancelled {
                    let running = (try? await containers.record(id))?.state.isRunning ?? false
                    let more = reader.more()
                    if !more.isEmpty { continuation.yield(more) }
                    if !running && more.isEmpty { break }
                    if let until = options.until, LogOptions.rfc3339(Date()) > until { break }
                    try? await Task.sleep(for: .milliseconds(100))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        let type = record.config.tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream"
        return .streaming(headers: ["Content-Type": type], stream)
    }
}

struct LogOptions: Sendable {
    var stdout: Bool
    var stderr: Bool
    var follow: Bool
    var timestamps: Bool
    var tail: Int?
    /// RFC 3339 with nine fraction digits, comparable as text with the log's own stamps.
    var since: String?
    /// The same: entries stamped after it are left out, and a follow ends once it has passed.
    var until: String? = nil
    var tty: Bool

    /// "1700000000.5" → "2023-11-14T22:13:20.500000000Z".
    static func rfc3339(fromUnix text: String) -> String? {
        guard let seconds = Double(text), seconds > 0 else { return nil }
        return rfc3339(Date(timeIntervalSince1970: seconds))
    }

    /// A date as the log stamps it: UTC, nine fraction digits.
    static func rfc3339(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = Int64(seconds.rounded(.down))
        let nanos = min(Int64(((seconds - Double(whole)) * 1e9).rounded()), 999_999_999)
        let base = RFC3339.nano(Date(timeIntervalSince1970: TimeInterval(whole)))
        let prefix = base.hasSuffix("Z") ? String(base.dropLast()) : base
        return prefix + "." + String(format: "%09lld", nanos) + "Z"
    }
}

/// Reads json-file lines from an offset, turning them into Docker's stream frames. The file
/// stays open from the first read to `close()`: a follower still reads what the container
/// wrote after the container was removed (docker-py removes a `run` container before it reads
/// the log stream it opened).
struct LogReader {
    let path: String
    let options: LogOptions
    var offset: UInt64 = 0
    var pending: [UInt8] = []
    var handle: FileHandle?

    init(path: String, options: LogOptions) {
        self.path = path
        self.options = options
    }

    mutating func close() {
        try? handle?.close()
        handle = nil
    }

    struct Entry: Decodable { var log: String; var stream: String; var time: String }

    mutating func initial() -> [UInt8] {
        var entries = readEntries()
        if let tail = options.tail { entries = Array(entries.suffix(max(tail, 0))) }
        return frames(entries)
    }

    mutating func more() -> [UInt8] { frames(readEntries()) }

    mutating func readEntries() -> [Entry] {
        if handle == nil { handle = FileHandle(forReadingAtPath: path) }
        guard let handle else { return [] }
        try? handle.seek(toOffset: offset)
        let data = (try? handle.readToEnd()) ?? Data()
        offset += UInt64(data.count)
        pending += data
        guard let lastNewline = pending.lastIndex(of: 0x0a) else { return [] }
        let complete = pending[...lastNewline]
        pending = Array(pending[(lastNewline + 1)...])
        let decoder = JSONDecoder()
        return complete.split(separator: 0x0a).compactMap { try? decoder.decode(Entry.self, from: Data($0)) }.filter { entry in
            (entry.stream == "stdout" ? options.stdout : options.stderr)
                && (options.since.map { entry.time >= $0 } ?? true)
                && (options.until.map { entry.time <= $0 } ?? true)
        }
    }

    func frames(_ entries: [Entry]) -> [UInt8] {
        var out: [UInt8] = []
        for entry in entries {
            var payload = Array(entry.log.utf8)
            if options.timestamps { payload = Array((entry.time + " ").utf8) + payload }
            if !options.tty {
                let size = UInt32(payload.count)
                out += [entry.stream == "stderr" ? 2 : 1, 0, 0, 0,
                        UInt8(size >> 24), UInt8(size >> 16 & 0xff), UInt8(size >> 8 & 0xff), UInt8(size & 0xff)]
            }
            out += payload
        }
        return out
    }
}
