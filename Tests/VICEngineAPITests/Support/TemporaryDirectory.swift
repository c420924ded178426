import Foundation

/// Runs `body` with a fresh directory under /tmp (short, so Unix socket paths fit in 108
/// bytes), removed afterwards even when `body` throws.
func withTemporaryDirectory<Result>(
    _ prefix: String, _ body: (String) async throws -> Result
) async throws -> Result {
    let path = "/tmp/\(prefix)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// Waits until `condition` holds, checking every millisecond; fails after `timeout`.
func waitUntil(
    timeout: Duration = .seconds(10), _ what: String, _ condition: () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while try await !condition() {
        guard clock.now < deadline else { throw WaitTimeout(what: what) }
        try await Task.sleep(for: .milliseconds(1))
    }
}

struct WaitTimeout: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting until \(what)" }
}
