import Testing
import VICCore
import VICRuntime

@Suite struct ShimClientTests {
    @Test func okStartsNothingFails() {
        #expect(ShimClient.startFailure(reply: "OK\n") == nil)
    }

    @Test(arguments: [
        ("ERR container not in created state\n", VICError.Code.internal, "runtime start: container not in created state"),
        ("", .unavailable, "the container's shim closed the connection before it started the container"),
        ("WHAT\n", .internal, "unexpected reply to START from the shim: WHAT"),
    ] as [(String, VICError.Code, String)])
    func failuresCarryTheShimsWords(_ reply: String, _ code: VICError.Code, _ message: String) throws {
        let failure = try #require(ShimClient.startFailure(reply: reply))
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
