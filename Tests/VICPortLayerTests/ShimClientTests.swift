import Foundation
import Testing
import VICCore
import VICRuntime
import VICSystem

@Suite struct ShimClientTests {
    @Test func okCarriesThePid() throws {
        #expect(try ShimClient.startOutcome(reply: "OK 4242\n").get() == 4242)
        #expect(try ShimClient.startOutcome(reply: "OK\n").get() == nil)
    }

    @Test(arguments: [
        ("ERR exec: \"nope\": executable file not found in $PATH\n", VICError.Code.internal,
         "OCI runtime: exec: \"nope\": executable file not found in $PATH"),
        ("", .unavailable, "the container's shim closed the connection before it started the container"),
        ("WHAT\n", .internal, "unexpected reply to START from the shim: WHAT"),
        ("OK -3\n", .internal, "unexpected reply to START from the shim: OK -3"),
    ] as [(String, VICError.Code, String)])
    func failuresCarryTheShimsWords(_ reply: String, _ code: VICError.Code, _ message: String) {
        guard case .failure(let failure) = ShimClient.startOutcome(reply: reply) else {
            Issue.record("\(reply) was taken for a success")
            return
        }
        #expect(failure.code == code)
        #expect(failure.message == message)
    }
}

@Suite struct RuntimeCLITests {
    @Test func runsTheRuntimeDirectlyWhenNothingIsHidden() {
        let runtime = RuntimeCLI(executable: "/usr/sbin/runc", root: "/run/vic/x/runtime")
        #expect(runtime.commandLine(["kill", "abc", "9"]) == ["/usr/sbin/runc", "--root", "/run/vic/x/runtime", "kill", "abc", "9"])
    }

    @Test func hidesTheMountThroughTheShim() {
        let runtime = RuntimeCLI(executable: "/usr/bin/crun", root: "/r", name: "crun",
                                 hiddenMount: "/sys/fs/cgroup/unified", shim: "/opt/vic/vic-shim")
        #expect(runtime.commandLine(["delete", "abc"]) == [
            "/opt/vic/vic-shim", "--hide-mount", "/sys/fs/cgroup/unified", "/usr/bin/crun", "--root", "/r", "delete", "abc",
        ])
    }
}

/// `abandonIfWaiting` with a stand-in for the shim: a detached `sleep`, recorded as the shim.
@Suite struct ShimAbandonTests {
    static func standIn() throws -> (ShimClient, pid_t, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("shim-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let pid = try Processes.spawnDetached("/bin/sleep", arguments: ["30"], logPath: "/dev/null", reap: true)
        try "\(pid)\n".write(toFile: "\(directory)/shim.pid", atomically: true, encoding: .utf8)
        try "ok\n".write(toFile: "\(directory)/ready", atomically: true, encoding: .utf8)
        let client = ShimClient(shim: "/bin/sleep", runtime: RuntimeCLI(executable: "/usr/sbin/runc", root: directory),
                                directory: directory)
        return (client, pid, directory)
    }

    static func gone(_ pid: pid_t) async -> Bool {
        for _ in 0..<100 where Processes.isAlive(pid) {
            var status: Int32 = 0
            _ = waitpid(pid, &status, WNOHANG)
            try? await Task.sleep(for: .milliseconds(20))
        }
        return !Processes.isAlive(pid)
    }

    @Test func aShimWaitingForItsStartIsStopped() async throws {
        let (client, pid, directory) = try Self.standIn()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        client.abandonIfWaiting()
        #expect(await Self.gone(pid))
    }

    @Test func aShimThatLaunchedIsLeftAlone() async throws {
        let (client, pid, directory) = try Self.standIn()
        defer {
            try? Processes.signal(pid, SIGKILL)
            try? FileManager.default.removeItem(atPath: directory)
        }
        try "4242\n".write(toFile: "\(directory)/init.pid", atomically: true, encoding: .utf8)
        client.abandonIfWaiting()
        try await Task.sleep(for: .milliseconds(100))
        #expect(Processes.isAlive(pid))
    }
}

@Suite struct ShimStartTimeoutTests {
    /// A shim whose runtime never finishes: the socket takes START and never answers.
    @Test func aRuntimeThatNeverAnswersIsAnErrorNotAHang() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("shim-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try #require(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array("\(directory)/attach.sock".utf8CString)
        try #require(path.count <= MemoryLayout.size(ofValue: address.sun_path))
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.enumerated() { raw[index] = UInt8(bitPattern: byte) }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0 && listen(listener, 4) == 0)
        var client = ShimClient(shim: "/bin/false", runtime: RuntimeCLI(executable: "/usr/sbin/runc", root: directory),
                                directory: directory)
        client.startTimeout = .seconds(1)
        let clock = ContinuousClock()
        let began = clock.now
        let error = await #expect(throws: VICError.self) { try await client.start() }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("did not start the container") == true)
        #expect(clock.now - began < .seconds(10))
    }
}
