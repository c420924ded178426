import Foundation
import VICCore
import VICSystem

/// How a container ended, as vic-shim recorded it.
public struct ExitRecord: Codable, Sendable, Equatable {
    public var code: Int
    public var finishedAt: String
}

/// Starts vic-shim for a container and talks to it over its attach socket.
public struct ShimClient: Sendable {
    public let shim: String
    public let runtime: any OCIRuntime
    /// The container's state directory, where the shim keeps its sockets, log and exit record.
    public let directory: String
    /// How long `start()` waits for the runtime to launch the container (whole seconds).
    public var startTimeout = Duration.seconds(60)

    public init(shim: String, runtime: any OCIRuntime, directory: String) {
        self.shim = shim
        self.runtime = runtime
        self.directory = directory
    }

    public var socketPath: String { "\(directory)/attach.sock" }
    public var logPath: String { "\(directory)/container.log" }
    var exitPath: String { "\(directory)/exit" }

    /// Spawns the shim and returns at once; `waitUntilReady()` waits until it listens. The
    /// container's stdio is then ready for attaches, and nothing runs until `start()`.
    /// Side effects: a detached vic-shim. Privilege: root.
    /// `stdinOnce` (Docker's StdinOnce): the container's stdin closes when an attached client's
    /// input ends, as with `docker run -i`; otherwise it stays open across attaches and detaches.
    public func spawn(id: String, bundle: String, tty: Bool, stdin: Bool, stdinOnce: Bool = false) throws {
        removeShimFiles()
        var arguments = [runtime.executable, runtime.root, id, bundle, directory]
        if tty { arguments.append("tty") }
        if stdin { arguments.append("stdin") }
        if stdinOnce { arguments.append("stdinonce") }
        if let hidden = runtime.hiddenMount { arguments.append("hide=\(hidden)") }
        _ = try Processes.spawnDetached(shim, arguments: arguments, logPath: "\(directory)/shim.log", reap: true)
    }

    /// Removes what an earlier shim in this directory reported, so that a wait cannot mistake it
    /// for the new shim's word.
    func removeShimFiles() {
        for name in ["exit", "ready", "created", "create-failed", "init.pid", "shim.pid"] { unlink("\(directory)/\(name)") }
    }

    /// Returns once the shim `spawn` started listens, or throws what it recorded as its failure.
    public func waitUntilReady() async throws {
        try await waitForShim { FileManager.default.fileExists(atPath: "\(directory)/ready") ? () : nil }
    }

    /// Stops a shim that is still waiting for its START (`ready` written, nothing launched), so
    /// that a start that failed before its START leaves no process. Does nothing otherwise.
    public func abandonIfWaiting() {
        guard FileManager.default.fileExists(atPath: "\(directory)/ready"), processID == nil,
              let pid = shimPID else { return }
        try? Processes.signal(pid, SIGKILL)
    }

    /// Has the shim launch the container (the runtime's `run --detach`): one round trip on the
    /// attach socket, no process of vchd's. Call it after the attaches that must see every byte
    /// have been acknowledged, and once the container's NICs are up. The reply is read on a
    /// dedicated thread. Returns the container's init pid.
    ///
    /// - Throws: `VICError` with the runtime's last words when it refused.
    @discardableResult
    public func start() async throws -> Int32 {
        let fd = try connect(header: "START")
        // A runtime that hangs (a stuck hook, say) must not hang `docker start` with it.
        var limit = timeval(tv_sec: Int(startTimeout.components.seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let (reply, timedOut) = await withCheckedContinuation { (continuation: CheckedContinuation<(String, Bool), Never>) in
            Thread.detachNewThread {
                var bytes: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 1024)
                var timedOut = false
                while true {
                    let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if n < 0 && errno == EINTR { continue }
                    if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { timedOut = true }
                    guard n > 0 else { break }
                    bytes += chunk[..<n]
                    if bytes.contains(UInt8(ascii: "\n")) || bytes.count > 4096 { break }
                }
                close(fd)
                continuation.resume(returning: (String(decoding: bytes, as: UTF8.self), timedOut))
            }
        }
        if timedOut {
            throw VICError(.unavailable, "the OCI runtime did not start the container within \(startTimeout)")
        }
        switch ShimClient.startOutcome(reply: reply) {
        case .success(let pid?): return pid
        case .success(nil):
            // Started before (a second START): the runtime's pid file says which process.
            guard let pid = processID else { throw VICError(.internal, "the shim started the container but no pid was recorded") }
            return pid
        case .failure(let failure): throw failure
        }
    }

    /// What a reply to START stands for: "OK <pid>" (the pid), "OK" (started before), or the
    /// error. Pure.
    public static func startOutcome(reply: String) -> Result<Int32?, VICError> {
        let line = reply.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        if line == "OK" { return .success(nil) }
        if line.hasPrefix("OK "), let pid = Int32(line.dropFirst(3)), pid > 0 { return .success(pid) }
        if line.hasPrefix("ERR ") {
            return .failure(VICError(.internal, "OCI runtime: \(String(line.dropFirst(4)).trimmingWhitespace())"))
        }
        if line.isEmpty { return .failure(VICError(.unavailable, "the container's shim closed the connection before it started the container")) }
        return .failure(VICError(.internal, "unexpected reply to START from the shim: \(line)"))
    }

    /// The runtime's failure as the shim recorded it, if it recorded one.
    var creationFailure: VICError? {
        guard let failure = try? String(contentsOfFile: "\(directory)/create-failed", encoding: .utf8) else { return nil }
        let detail = (try? String(contentsOfFile: "\(directory)/shim.log", encoding: .utf8)) ?? ""
        return VICError(.internal, "\(failure.trimmingWhitespace()) \(detail.trimmingWhitespace())")
    }

    /// Waits until an exec's shim reports the process started (its pid) or failed.
    func waitUntilCreated() async throws -> Int32 {
        try await waitForShim {
            guard FileManager.default.fileExists(atPath: "\(directory)/created") else { return nil }
            return processID
        }
    }

    /// Waits until `outcome` gives a value or the shim records a failure (`create-failed`), for
    /// at most 30 s. The shim renames each of its files into place, so inotify on the state
    /// directory wakes the wait the moment one appears; the wait blocks a dedicated thread,
    /// never an async one.
    func waitForShim<T: Sendable>(_ outcome: @escaping @Sendable () -> T?) async throws -> T {
        // Usually the shim is there already: no thread needed.
        if let failure = creationFailure { throw failure }
        if let value = outcome() { return value }
        let deadline = ContinuousClock.now + .seconds(30)
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                let watch = inotify_init1(Int32(IN_CLOEXEC))
                continuation.resume(with: Result { try blockUntil(watch: watch, deadline: deadline, outcome) })
                // Closing an inotify instance waits for an SRCU grace period (milliseconds on a
                // VM): after the waiter has moved on, not before.
                if watch >= 0 { close(watch) }
            }
        }
    }

    /// The blocking half of `waitForShim`: arm the watch, then look, then sleep until the
    /// directory changes, so no file can appear unseen between a look and the sleep.
    /// `watch` is an inotify descriptor, or -1 when none could be made (then it polls).
    func blockUntil<T>(watch: Int32, deadline: ContinuousClock.Instant, _ outcome: () -> T?) throws -> T {
        let armed = watch >= 0
            && inotify_add_watch(watch, directory, UInt32(IN_MOVED_TO) | UInt32(IN_CLOSE_WRITE)) >= 0
        var events = [UInt8](repeating: 0, count: 4096)
        while true {
            if let failure = creationFailure { throw failure }
            if let value = outcome() { return value }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { break }
            // Without inotify (an exhausted limit), look again every 2 ms.
            let milliseconds = armed ? min(Int32(left.components.seconds * 1000) + 1, 1000) : 2
            var descriptor = pollfd(fd: armed ? watch : -1, events: Int16(POLLIN), revents: 0)
            if poll(&descriptor, 1, milliseconds) > 0 {
                _ = events.withUnsafeMutableBytes { read(watch, $0.baseAddress, $0.count) }
            }
        }
        throw VICError(.unavailable, "the container's shim did not report within 30s")
    }

    /// The shim's pid, if it is still running.
    public var shimPID: Int32? {
        guard let text = try? String(contentsOfFile: "\(directory)/shim.pid", encoding: .utf8),
              let pid = Int32(text.trimmingWhitespace()), Processes.isAlive(pid),
              Processes.commandLine(of: pid)?.first == shim else { return nil }
        return pid
    }

    public var exitRecord: ExitRecord? {
        FileManager.default.contents(atPath: exitPath).flatMap { try? JSONDecoder().decode(ExitRecord.self, from: $0) }
    }

    /// A connected socket to the shim after sending `header`; the caller owns the descriptor.
    public func connect(header: String) throws -> Int32 {
        let fd = try UnixSocket.connect(socketPath)
        let bytes = Array((header + "\n").utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            close(fd)
            throw errnoError("write to \(socketPath)", code: .unavailable)
        }
        return fd
    }

    /// Attaches to the container's stdio. Returns once the shim has acknowledged, so every byte
    /// the container writes from then on reaches the socket.
    public func attach(stdin: Bool, stdout: Bool, stderr: Bool) throws -> Int32 {
        let fd = try connect(header: "ATTACH \(stdin ? 1 : 0) \(stdout ? 1 : 0) \(stderr ? 1 : 0)")
        var ack = [UInt8](repeating: 0, count: 3)
        var got = 0
        while got < 3 {
            let n = ack[got...].withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                close(fd)
                throw VICError(.unavailable, "the container's shim closed the attach connection")
            }
            got += n
        }
        guard ack == Array("OK\n".utf8) else {
            close(fd)
            throw VICError(.internal, "unexpected attach reply from the shim")
        }
        return fd
    }

    /// Waits until the container exits (the shim closes the WAIT connection), on a detached
    /// blocking read so no async thread is held; returns the exit record.
    public func waitForExit() async throws -> ExitRecord {
        if let record = exitRecord { return record }
        if let fd = try? connect(header: "WAIT") {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                Thread.detachNewThread {
                    var byte: UInt8 = 0
                    while read(fd, &byte, 1) > 0 {}
                    close(fd)
                    continuation.resume()
                }
            }
        }
        // The shim writes the record before it closes its clients; it may be gone already.
        if let record = exitRecord { return record }
        return ExitRecord(code: 137, finishedAt: "")
    }

    public func resize(height: Int, width: Int) throws {
        let fd = try connect(header: "RESIZE \(height) \(width)")
        var byte: UInt8 = 0
        _ = read(fd, &byte, 1)
        close(fd)
    }
}

extension ExitRecord {
    /// The instant of the shim's `finishedAt` ("2024-05-01T12:00:00.123456789Z"), nil when unreadable.
    public static func date(rfc3339 text: String) -> Date? {
        let parts = text.split(separator: ".", maxSplits: 1)
        guard let base = parts.first,
              let whole = ISO8601DateFormatter().date(from: String(base) + (parts.count > 1 ? "Z" : "")) else { return nil }
        guard parts.count > 1 else { return whole }
        let digits = parts[1].prefix { $0.isNumber }
        guard let fraction = Double("0." + digits) else { return whole }
        return whole.addingTimeInterval(fraction)
    }
}
