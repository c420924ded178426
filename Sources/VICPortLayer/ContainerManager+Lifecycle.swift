import Foundation
import Synchronization
import VICCore
import VICRuntime
import VICSystem

extension ContainerManager {
    /// Starts a created or exited container: rootfs, namespace, /etc files, bundle, then the shim
    /// and the NICs side by side, the pending attaches, and the shim's START (the runtime's
    /// `run --detach`). On failure everything started is undone and the error is recorded on the
    /// container.
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
            // The namespace first: the NICs go into it, and the runtime joins it.
            try await networking.prepare(id, networkIDs: record.endpoints.map(\.networkID))
            timer.mark("netns")
            // A DHCP lease decides the address and DNS servers the /etc files name, so those NICs
            // come before the files. Static NICs are plumbed while the shim process starts.
            let leased = record.endpoints.contains(where: \.isDynamic)
            if leased {
                try await attachEndpoints(id)
                timer.mark("network")
            }
            record = try self.record(id)
            try files(for: record).write()
            let userMounts = try await runtimeMounts(record, rootfs: rootfs.mountPoint) + initMount(record)
            try writeBundle(record, rootfs: rootfs.mountPoint, userMounts: userMounts)
            timer.mark("etc+bundle")
            // The runtime's state of the last run, which its exit released in the background.
            await runtimeReleases.removeValue(forKey: id)?.value
            try await runtime.delete(id, force: true)
            try await applyFirewall()
            timer.mark("firewall")
            let client = shim(id)
            try client.spawn(id: id, bundle: "\(directory)/bundle", tty: record.config.tty,
                             stdin: record.config.openStdin, stdinOnce: record.config.stdinOnce)
            if !leased {
                try await attachEndpoints(id)
                timer.mark("network")
            }
            try await client.waitUntilReady()
            timer.mark("shim")
            // Waiting attaches connect now, before the process runs, so they miss no output:
            // each is acknowledged by the shim before START is sent.
            for attach in pendingAttaches.removeValue(forKey: id) ?? [] {
                attach.continuation.resume(with: Result {
                    try client.attach(stdin: attach.stdin, stdout: attach.stdout, stderr: attach.stderr)
                })
            }
            timer.mark("attaches")
            let pid = try await client.start()
            timer.mark("start")
            record = try self.record(id)
            try record.state.started(pid: pid, at: Date())
            if !publishesThroughAppliance(record) { record.state.published = containerNetworkPorts(record) }
            try save(record)
            timer.mark("save")
            watch(id)
            startHealthChecks(id)
            emit("start", record)
            logger.debug("start \(record.shortID): \(timer.summary)")
        } catch {
            let message = (error as? VICError)?.message ?? "\(error)"
            for attach in pendingAttaches.removeValue(forKey: id) ?? [] { attach.continuation.resume(throwing: error) }
            // A shim that never launched the container would wait for its START until it gives
            // up; one that did ends with the container, which the cleanup's runtime delete kills.
            shim(id).abandonIfWaiting()
            await cleanUpAfterExit(id)
            if var current = records[id] {
                current.state.failedToStart(message, at: Date())
                try? save(current)
                // As dockerd: a --rm container that cannot start is removed, which is what
                // `docker run --rm` waits for after the error.
                if current.host.autoRemove { try? await remove(id, force: true, removeVolumes: true) }
            }
            throw VICError.wrapping(error, "failed to start container \(record.shortID)")
        }
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
        await cleanUpAfterExit(id)
        timer.mark("cleanup")
        guard var record = records[id], record.state.isRunning else { return }
        record.state.exited(code: code, at: Date())
        try? save(record)
        timer.mark("save")
        emit("die", record, ["exitCode": "\(code)"])
        for waiter in exitWaiters.removeValue(forKey: id) ?? [] { waiter.resolve(code) }
        logger.info("container \(record.shortID) exited with \(code)")
        logger.debug("exit \(record.shortID): noticed \(noticed.map { String(format: "%.1f ms", $0) } ?? "?") after the shim recorded it; \(timer.summary)")
        if record.host.autoRemove {
            // Docker's --rm takes the container's anonymous volumes with it.
            try? await remove(id, force: true, removeVolumes: true)
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

    /// Releases what a stopped container does not need: runtime state, NICs, namespace, mount.
    /// The IP reservation, the upper directory and the logs stay. Only the namespace is deleted:
    /// the kernel destroys its NICs, and with them their host ends, on its own time (a restart
    /// deletes any host end still there before it makes new ones). The runtime's state goes in
    /// the background: the next `start` waits for it, and `load` sweeps what a crash leaves.
    /// Published ports are unpublished in the background too.
    func cleanUpAfterExit(_ id: String) async {
        var timer = PhaseTimer()
        stopHealthChecks(id)
        records[id]?.state.published = []
        // Unpublishing waits for the kernel (an nft deletion waits for an RCU grace period,
        // 10-30 ms here): it runs after this, and firewall updates stay in order (`applyFirewall`).
        Task {
            do { try await applyFirewall() } catch { logger.warning("firewall update after \(Identifier.short(id)) stopped: \(error)") }
        }
        let runtime = self.runtime
        let earlier = runtimeReleases[id]
        runtimeReleases[id] = Task {
            await earlier?.value
            try? await runtime.delete(id, force: true)
        }
        await detachEndpoints(id)
        timer.mark("network")
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
        await thawAfterEndingSignal(record.id, signal: signal)
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
        let signal = record.config.stopSignalNumber
        try? await runtime.kill(record.id, signal: signal, all: false)
        await thawAfterEndingSignal(record.id, signal: signal)
        let exited = await waitForExit(record.id, timeout: .seconds(timeout ?? record.host.stopTimeout ?? 10))
        if !exited {
            try? await runtime.kill(record.id, signal: SIGKILL, all: true)
            await thawAfterEndingSignal(record.id, signal: SIGKILL)
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
        let signal = ExitSignal()
        exitWaiters[id, default: []].append(signal)
        _ = await signal.code()
    }

    /// Removes a container and everything it owns. A running one needs `force`. With
    /// `removeVolumes` (`docker rm -v`), its anonymous volumes go too unless another container
    /// mounts them; named volumes always stay.
    public func remove(_ reference: String, force: Bool, removeVolumes: Bool = false) async throws {
        var record = try record(reference)
        if record.state.isRunning {
            guard force else {
                throw VICError(.conflict, "You cannot remove a running container \(record.id). Stop the container before attempting removal or force remove")
            }
            record.state.stoppedByUser = true
            try save(record)
            try? await runtime.kill(record.id, signal: SIGKILL, all: true)
            await thawAfterEndingSignal(record.id, signal: SIGKILL)
            _ = await waitForExit(record.id, timeout: .seconds(10))
            record = try self.record(record.id)
        }
        var timer = PhaseTimer()
        record.state.status = .removing
        try save(record)
        timer.mark("save")
        await cleanUpAfterExit(record.id)
        runtimeReleases[record.id] = nil
        timer.mark("cleanup")
        releaseEndpoints(record.endpoints)
        records[record.id] = nil
        if removeVolumes { removeAnonymousVolumes(of: record) }
        emit("destroy", record)
        discardDirectory(of: record)
        timer.mark("directory")
        logger.debug("remove \(record.shortID): \(timer.summary)")
        for waiter in exitWaiters.removeValue(forKey: record.id) ?? [] { waiter.resolve(record.state.exitCode) }
        for waiter in removalWaiters.removeValue(forKey: record.id) ?? [] { waiter.resolve(record.state.exitCode) }
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

    /// Looks the container up and registers a wait for `condition` in one step (a removal cannot
    /// slip in between); the signal gives the exit code when the condition holds.
    /// Throws `.notFound` for an unknown container.
    public func beginWait(_ reference: String, condition: WaitCondition) throws -> ExitSignal {
        let record = try record(reference)
        let signal = ExitSignal()
        switch condition {
        case .notRunning where !record.state.isRunning: signal.resolve(record.state.exitCode)
        case .notRunning, .nextExit: exitWaiters[record.id, default: []].append(signal)
        case .removed: removalWaiters[record.id, default: []].append(signal)
        }
        return signal
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
        if record.state.paused {
            throw VICError(.conflict, "You cannot attach to a paused container, unpause it first")
        }
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
