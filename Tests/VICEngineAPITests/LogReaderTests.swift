import Foundation
import Testing
@testable import VICEngineAPI

@Suite struct LogReaderTests {
    static func line(_ text: String, _ stream: String = "stdout", time: String = "2026-11-29T12:00:00.000000000Z") -> String {
        #"{"log":"\#(text)\n","stream":"\#(stream)","time":"\#(time)"}"# + "\n"
    }

    static func options(stdout: Bool = true, stderr: Bool = false) -> LogOptions {
        LogOptions(stdout: stdout, stderr: stderr, follow: true, timestamps: false, tail: nil, since: nil, tty: true)
    }

    /// docker-py removes a `run` container before it reads the follow stream it opened: the
    /// reader keeps the file open, so lines written before the removal still arrive.
    @Test func aFollowerReadsWhatWasWrittenBeforeTheFileWasRemoved() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("log-\(UUID())").path
        try Data().write(to: URL(fileURLWithPath: path))
        var reader = LogReader(path: path, options: Self.options())
        defer { reader.close() }
        #expect(reader.initial().isEmpty)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        handle.write(Data(Self.line("hi").utf8))
        try handle.close()
        try FileManager.default.removeItem(atPath: path)
        #expect(reader.more() == Array("hi\n".utf8))
        #expect(reader.more().isEmpty)
    }

    @Test func aPartialLineWaitsForItsEndAndStreamsAreFiltered() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("log-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let whole = Self.line("out") + Self.line("err", "stderr") + Self.line("second")
        let cut = whole.utf8.count - 10
        try Data(whole.utf8.prefix(cut)).write(to: URL(fileURLWithPath: path))
        var reader = LogReader(path: path, options: Self.options())
        defer { reader.close() }
        #expect(reader.initial() == Array("out\n".utf8))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        handle.write(Data(whole.utf8.dropFirst(cut)))
        try handle.close()
        #expect(reader.more() == Array("second\n".utf8))
    }

    /// `--since` and `--until` keep the entries stamped between them, both ends included.
    @Test func sinceAndUntilBoundTheEntries() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("log-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let lines = ["10", "20", "30"].map { Self.line("at \($0)", time: "2026-11-29T12:00:\($0).000000000Z") }
        try Data(lines.joined().utf8).write(to: URL(fileURLWithPath: path))
        var options = Self.options()
        options.since = LogOptions.rfc3339(fromUnix: "1795953620")  // 2026-11-29T12:00:20Z
        options.until = LogOptions.rfc3339(fromUnix: "1795953625.5")
        #expect(options.since == "2026-11-29T12:00:20.000000000Z" && options.until == "2026-11-29T12:00:25.500000000Z")
        var reader = LogReader(path: path, options: options)
        defer { reader.close() }
        #expect(reader.initial() == Array("at 20\n".utf8))
    }
}
