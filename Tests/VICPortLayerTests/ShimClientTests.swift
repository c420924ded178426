import Testing
import VICCore
import VICRuntime

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
