import Foundation
import VICCore
import VICSystem

extension ResourceSample {
    /// Reads a sample for the host process `pid` now (cgroup files, /proc). Privilege: read
    /// access to /proc/PID, which needs root for other users' processes.
    public static func read(pid: Int32) -> ResourceSample {
        let ticks = UInt64(max(sysconf(Int32(_SC_CLK_TCK)), 1))
        return collect(pid: pid, ticksPerSecond: ticks, timeNano: EventRecord.now()) {
            FileSystem.readKernelFile($0)
        }
    }

    /// The host pids in the cgroup of `pid` (the container's processes, execs included).
    public static func processIDs(inCgroupOf pid: Int32) -> Set<Int32> {
        let read: (String) -> String? = { FileSystem.readKernelFile($0) }
        let paths = CgroupPaths(procCgroup: read("/proc/\(pid)/cgroup") ?? "", read: read)
        guard let directory = paths.processDirectory, let text = read("\(directory)/cgroup.procs") else { return [pid] }
        return Set(text.split(separator: "\n").compactMap { Int32($0) }).union([pid])
    }
}

extension ContainerManager {
    /// `docker top`: the host's `ps` with `psArguments` (default `-ef`), cut down to the
    /// container's processes. Side effect: runs /usr/bin/ps.
    ///
    /// - Throws: `.conflict` when the container is not running; `.internal` when ps fails.
    public func top(_ reference: String, psArguments: String) async throws -> ProcessTable {
        let record = try record(reference)
        guard record.state.status == .running, record.state.pid > 0 else {
            throw VICError(.conflict, "Container \(record.id) is not running")
        }
        let pids = ResourceSample.processIDs(inCgroupOf: record.state.pid)
        let arguments = (psArguments.isEmpty ? "-ef" : psArguments).split(separator: " ").map(String.init)
        let ps = ["/usr/bin/ps", "/bin/ps"].first(where: FileManager.default.isExecutableFile) ?? "ps"
        let result = try await Command.run(ps, arguments)
        guard result.succeeded else {
            throw VICError(.internal, "Error running ps: \(result.standardError.trimmingWhitespace())")
        }
        return try ProcessTable(psOutput: result.standardOutput, pids: pids)
    }
}
