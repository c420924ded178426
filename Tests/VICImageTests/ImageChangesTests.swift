import Testing
import VICCore
@testable import VICImage

@Suite struct ImageChangesTests {
    typealias Config = ImageConfiguration.RunConfig

    static let table: [([String], Config)] = [
        ([#"CMD ["sh"]"#], Config(Cmd: ["sh"])),
        (["CMD echo hi there"], Config(Cmd: ["/bin/sh", "-c", "echo hi there"])),
        ([#"ENTRYPOINT ["/bin/busybox", "sh"]"#, "cmd [\"-c\", \"echo ok\"]"], Config(Entrypoint: ["/bin/busybox", "sh"], Cmd: ["-c", "echo ok"])),
        (["ENV A=1 B=\"two words\"", "ENV A=3"], Config(Env: ["B=two words", "A=3"])),
        (["ENV PATH /bin:/usr/bin"], Config(Env: ["PATH=/bin:/usr/bin"])),
        (["WORKDIR /srv", "USER nobody", "STOPSIGNAL SIGINT"], Config(User: "nobody", WorkingDir: "/srv", StopSignal: "SIGINT")),
        (["EXPOSE 80 53/udp"], Config(ExposedPorts: ["80/tcp": .init(), "53/udp": .init()])),
        ([#"VOLUME ["/data", "/logs"]"#], Config(Volumes: ["/data": .init(), "/logs": .init()])),
        (["LABEL a=b c='d e'"], Config(Labels: ["a": "b", "c": "d e"])),
        (["  ", ""], Config()),
    ]

    @Test(arguments: table)
    func applies(_ changes: [String], _ expected: Config) throws {
        var config = Config()
        try ImageChanges.apply(changes, to: &config)
        #expect(config == expected)
    }

    @Test(arguments: [
        ("RUN echo", "RUN is not a valid change command"),
        ("WORKDIR", "invalid change WORKDIR: takes exactly one argument"),
        ("ENV", "invalid change ENV: no name"),
        ("ENV A", "invalid change ENV A: no value for A"),
        ("EXPOSE http", "invalid change EXPOSE http: bad port http"),
        ("LABEL a=\"open", "invalid change LABEL a=\"open: unterminated quote"),
        ("CMD", "invalid change CMD: no command"),
    ])
    func rejects(_ change: String, _ message: String) {
        var config = Config()
        let error = #expect(throws: VICError.self) { try ImageChanges.apply([change], to: &config) }
        #expect(error?.message == message)
    }
}
