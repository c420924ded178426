import Foundation
import Synchronization
import VICCore
import VICRuntime
import VICSystem

extension ContainerManager {
    /// Starts a created or exited container: rootfs, /etc files, bundle, NIC, shim (the runtime's
    /// `create`), then the shim's START (the runtime's `start`, run by the shim).
    /// On failure everything started is undone and the error is recorded on the container.
    public func start(_ reference: String) async throws {
        var record = try record(reference)
        guard !record.state.isRunning else { return }
        guard record.state.status != .removing else {
            throw VICError(.invalidState, "container \(record.name) is marked for removal and cannot be started")
        }
        let id = record.id
        let directory = directory(id)
        var timer = PhaseTimer()
        do {
            _ = try reservePorts(id)
            timer.mark("ports")
            let image = try await images.resolve(record.imageID)
            timer.mark("resolve")
            let layers = try await images.layerDirectories(of: image)
            timer.mark("layers")
            let rootfs = RootFilesystem(directory: directory, layers: layers)
            try rootfs.mount()
            timer.mark("mount")
            // NICs first: a DHCP lease decides the address and DNS servers the files name.
            try await attachEndpoints(id)
            timer.mark("network")
            record = try self.record(id)
            try files(for: record).write()
            timer.mark("etc")
            try writeBundle(record, rootfs: rootfs.mountPoint)
            timer.mark("bundle")
            try await runtime.delete(id, force: true)
            timer.mark("runtime-delete")
            try await applyFirewall()
            timer.mark("firewall")
            let client = shim(id)
            let pid = try await client.create(
                id: id, bundle: "\(directory)/bundle", tty: record.config.tty, stdin: record.config.openStdin)
            timer.mark("shim+create")
            // Waiting attaches connect now, between create and start, so they miss no output:
            // each is acknowledged by the shim before START is sent.
            for attach in pendingAttaches.removeValue(forKey: id) ?? [] {
                attach.continuation.resume(with: Result {
                    try client.attach(stdin: attach.stdin, stdout: attach.stdout, stderr: attach.stderr)
                })
            }
            timer.mark("attaches")
            try await client.start()
            timer.mark("start")
            record = try self.record(id)
            try record.state.started(pid: pid, at: Date())
            if !publishesThroughAppliance(record) { record.state.published = containerNetworkPorts(record) }
            try save(record)
            timer.mark("save")
            watch(id)
            emit("start", record)
            logger.debug("start \(record.shortID): \(timer.summary)")
        } catch {
            let message = (error as? VICError)?.message ?? "\(error)"
            for attach in pendingAttaches.removeValue(forKey: id) ?? [] { attach.continuation.resume(throwing: error) }
            await cleanUpAfterExit(id)
            if var current = records[id] {
                current.state.failedToStart(message, at: Date())
                try? save(current)
            }
            throw VICError.wrapping(error, "failed to start container \(record.shortID)")
        }
    }

    func writeBundle(_ record: ContainerRecord, rootfs: String) throws {
        let (uid, gid) = try ContainerFiles.resolveUser(record.config.user, rootfs: rootfs)
        let settings = ProcessSettings(
            args: record.config.argv,
            env: record.config.env + ["HOSTNAME=\(record.config.hostname)"] + (record.config.tty ? ["TERM=xterm"] : []),
            cwd: record.config.workingDir.isEmpty ? "/" : record.config.workingDir,
            uid: uid, gid: gid, terminal: record.config.tty, hostname: record.config.hostname,
            memoryLimit: record.host.memoryBytes.flatMap { $0 > 0 ? $0 : nil },
            cpuQuota: record.host.nanoCPUs.flatMap { $0 > 0 ? $0 / 10_000 : nil })
        let spec = OCISpec.make(settings, rootfs: rootfs, networkNamespace: networking.namespacePath(for: record.id),
                                etcDirectory: "\(directory(record.id))/etc")
        let bundle = "\(directory(record.id))/bundle"
        try AtomicFile.makeDirectory(bundle, mode: 0o700)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(spec), to: "\(bundle)/config.json", mode: 0o600, durability: .atomic)
    }

    /// Waits for the container's exit in the background and records it.
    func watch(_ id: String) {
        let client = shim(id)
        Task {
            let exit = try? await client.waitForExit()
            await self.handleExit(id, code: exit?.code ?? 137, finishedAt: exit?.finishedAt)
        }
    }

    /// Records the exit once the container's namespace, NICs and mount are released: until
    /// then it counts as running, so a `start` (or a `stop` waiting for the exit, then a start)
    /// cannot interleave with the teardown and lose the namespace it has just made.
    func handleExit(_ id: String, code: Int, finishedAt: String? = nil) async {
        guard records[id]?.state.isRunning == true else { return }
        var timer = PhaseTimer()
        let noticed = finishedAt.flatMap(ExitRecord.date(rfc3339:)).map { Date().timeIntervalSince($0) * 1000 }
        // A container on its way out (`--rm`, `rm -f`) leaves its NICs to the kernel.
        let leaving = records[id]?.host.autoRemove == true || forceRemovals.contains(id)
        await cleanUpAfterExit(id, leaving: leaving)
        timer.mark("cleanup")
        guard var record = records[id], record.state.isRunning else { return }
        record.state.exited(code: code, at: Date())
        try? save(record)
        timer.mark("save")
        emit("die", record, ["exitCode": "\(code)"])
        for waiter in exitWaiters.removeValue(forKey: id) ?? [] { waiter.resume(returning: code) }
        logger.info("container \(record.shortID) exited with \(code)")
        logger.debug("exit \(record.shortID): noticed \(noticed.map { String(format: "%.1f ms", $0) } ?? "?") after the shim recorded it; \(timer.summary)")
        if record.host.autoRemove {
            try? await remove(id, force: true)
            return
        }
        if record.host.restartPolicy.shouldRestart(
            exitCode: code, restarts: record.restartCount, stoppedByUser: record.state.stoppedByUser) {
            record.restartCount += 1
            record.state.status = .restarting
            try? save(record)
            let delay = min(100 * (1 << min(record.restartCount, 10)), 60_000)
            Task {
                try? await Task.sleep(for: .milliseconds(delay))
                await self.restartAfterPolicy(id)
            }
        }
    }

    func restartAfterPolicy(_ id: String) async {
        guard var record = records[id], record.state.status == .restarting else { return }
        record.state.status = .exited
        try? save(record)
        do { try await start(id) } catch { logger.warning("restart of \(record.shortID) failed: \(error)") }
    }

    /// Releases what a stopped container does not need: runtime state, NIC, namespace, mount.
    /// The IP reservation, the upper directory and the logs stay.
    /// - Parameter leaving: the container is about to be removed (`--rm`, `rm -f`): its NICs
    ///   are left to the kernel with its namespace (see `ContainerNetworking.discardNamespace`).
    func cleanUpAfterExit(_ id: String, leaving: Bool = false) async {
        var timer = PhaseTimer()
        records[id]?.state.published = []
        do { try await applyFirewall() } catch { logger.warning("firewall update after \(Identifier.short(id)) stopped: \(error)") }
        timer.mark("firewall")
        // The runtime's state and the NICs do not depend on each other: released side by side.
        async let runtimeDeleted: Void? = try? runtime.delete(id, force: true)
        await detachEndpoints(id, leaving: leaving)
        timer.mark("network")
        _ = await runtimeDeleted
        timer.mark("runtime-delete")
        try? RootFilesystem(directory: directory(id), layers: []).unmount()
        timer.mark("unmount")
        logger.debug("cleanup \(Identifier.short(id)): \(timer.summary)")
    }

    public func kill(_ reference: String, signal: Int32) async throws {
        var record = try record(reference)
        guard record.state.status == .running else {
            throw VICError(.conflict, "Container \(record.id) is not running")
        }
        record.state.stoppedByUser = true
        try save(record)
        try await runtime.kill(record.id, signal: signal, all: false)
        emit("kill", record, ["signal": "\(signal)"])
    }

    /// SIGTERM (or the image's stop signal), then SIGKILL after `timeout` seconds.
    /// Returns false when the container was not running (Docker's 304).
    @discardableResult
    public func stop(_ reference: String, timeout: Int?) async throws -> Bool {
        var record = try record(reference)
        if record.state.status == .restarting {
            record.state.status = .exited
            record.state.stoppedByUser = true
            try save(record)
            return true
        }
        guard record.state.status == .running else { return false }
        record.state.stoppedByUser = true
        try save(record)
        let signal = ContainerFiles.signalNumber(record.config.stopSignal) ?? SIGTERM
        try? await runtime.kill(record.id, signal: signal, all: false)
        let exited = await waitForExit(record.id, timeout: .seconds(timeout ?? 10))
        if !exited {
            try? await runtime.kill(record.id, signal: SIGKILL, all: true)
            _ = await waitForExit(record.id, timeout: .seconds(10))
        }
        emit("stop", record)
        return true
    }

    public func restart(_ reference: String, timeout: Int?) async throws {
        try await stop(reference, timeout: timeout)
        try await start(reference)
    }

    /// Whether the container stopped running within `timeout`: woken by its exit (an exit
    /// waiter, resumed by `handleExit` or removal) or by the deadline, not by polling.
    func waitForExit(_ id: String, timeout: Duration) async -> Bool {
        guard records[id]?.state.isRunning == true else { return true }
        let outcome = FirstOutcome()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            outcome.arm(continuation)
            Task {
                await self.nextExit(id)
                outcome.resume()
            }
            Task {
                try? await Task.sleep(for: timeout)
                outcome.resume()
            }
        }
        return records[id]?.state.isRunning != true
    }

    /// Returns at the container's next exit or removal, at once if it is not running.
    func nextExit(_ id: String) async {
        guard records[id]?.state.isRunning == true else { return }
        _ = await withCheckedContinuation { exitWaiters[id, default: []].append($0) }
    }

    /// Removes a container and everything it owns. A running one needs `force`.
    public func remove(_ reference: String, force: Bool) async throws {
        var record = try record(reference)
        if record.state.isRunning {
            guard force else {
                throw VICError(.conflict, "You cannot remove a running container \(record.id). Stop the container before attempting removal or force remove")
            }
            record.state.stoppedByUser = true
            try save(record)
            forceRemovals.insert(record.id)
            defer { forceRemovals.remove(record.id) }
            try? await runtime.kill(record.id, signal: SIGKILL, all: true)
            _ = await waitForExit(record.id, timeout: .seconds(10))
            record = try self.record(record.id)
        }
        var timer = PhaseTimer()
        record.state.status = .removing
        try save(record)
        timer.mark("save")
        await cleanUpAfterExit(record.id, leaving: true)
        timer.mark("cleanup")
        releaseEndpoints(record.endpoints)
        records[record.id] = nil
        emit("destroy", record)
        discardDirectory(of: record)
        timer.mark("directory")
        logger.debug("remove \(record.shortID): \(timer.summary)")
        for waiter in exitWaiters.removeValue(forKey: record.id) ?? [] { waiter.resume(returning: record.state.exitCode) }
        for waiter in removalWaiters.removeValue(forKey: record.id) ?? [] { waiter.resume() }
        for attach in pendingAttaches.removeValue(forKey: record.id) ?? [] {
            attach.continuation.resume(throwing: VICError(.notFound, "No such container: \(record.id)"))
        }
    }

    /// Removes a removed container's directory without making the client wait for it: it is
    /// renamed aside at once (one syscall) and deleted in the background; `load` sweeps what a
    /// crash leaves. Falls back to deleting in place when the rename fails.
    func discardDirectory(of record: ContainerRecord) {
        let directory = directory(record.id)
        let aside = "\(root)/\(Self.discardedPrefix)\(record.shortID)-\(UInt32.random(in: 0...UInt32.max))"
        guard Glibc.rename(directory, aside) == 0 else {
            try? FileManager.default.removeItem(atPath: directory)
            return
        }
        Task.detached(priority: .background) { try? FileManager.default.removeItem(atPath: aside) }
    }

    /// Directories of removed containers waiting to be deleted start with this.
    static let discardedPrefix = ".removed-"

    public enum WaitCondition: String, Sendable { case notRunning = "not-running", nextExit = "next-exit", removed }

    /// Blocks until the condition holds; returns the exit code.
    public func wait(_ reference: String, condition: WaitCondition) async throws -> Int {
        let record = try record(reference)
        if condition == .notRunning && !record.state.isRunning { return record.state.exitCode }
        // Exit waiters are resumed by the next exit and by removal.
        let code = await withCheckedContinuation { continuation in
            exitWaiters[record.id, default: []].append(continuation)
        }
        if condition == .removed && records[record.id] != nil {
            await withCheckedContinuation { continuation in
                removalWaiters[record.id, default: []].append(continuation)
            }
        }
        return code
    }

    public func rename(_ reference: String, to newName: String) throws {
        var record = try record(reference)
        let name = try ContainerNames.validate(newName)
        if let holder = records.values.first(where: { $0.name == name && $0.id != record.id }) {
            throw VICError(.conflict, "Conflict. The container name \"/\(name)\" is already in use by container \"\(holder.id)\". You have to remove (or rename) that container to be able to reuse that name.")
        }
        record.name = name
        try save(record)
        emit("rename", record)
    }

    /// A socket to the container's shim for attaching, past the protocol handshake. For a
    /// container that is not running yet, this waits for its next start and connects before the
    /// process runs.
    public func attachSocket(_ reference: String, stdin: Bool, stdout: Bool, stderr: Bool) async throws -> Int32 {
        let record = try record(reference)
        emit("attach", record)
        if record.state.status == .running {
            return try shim(record.id).attach(stdin: stdin, stdout: stdout, stderr: stderr)
        }
        return try await withCheckedThrowingContinuation { continuation in
            pendingAttaches[record.id, default: []].append(
                PendingAttach(stdin: stdin, stdout: stdout, stderr: stderr, continuation: continuation))
        }
    }

    public func resize(_ reference: String, height: Int, width: Int) throws {
        let record = try record(reference)
        guard record.state.status == .running else {
            throw VICError(.conflict, "Container \(record.id) is not running")
        }
        try shim(record.id).resize(height: height, width: width)
    }
}

/// Wakes `waitForExit` once, at the exit or at the deadline, whichever comes first.
final class FirstOutcome: Sendable {
    private let waiting = Mutex<CheckedContinuation<Void, Never>?>(nil)

    func arm(_ continuation: CheckedContinuation<Void, Never>) {
        waiting.withLock { $0 = continuation }
    }

    /// Resumes the wait the first time; later calls do nothing.
    func resume() {
        waiting.withLock { waiting in
            let continuation = waiting
            waiting = nil
            return continuation
        }?.resume()
    }
}
