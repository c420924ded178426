/// Docker's `SystemVersion` (`GET /version`): the top-level fields the CLI and docker-py read,
/// plus one `Engine` component carrying the same facts as strings.
struct DockerVersion: Encodable, Sendable {
    struct Platform: Encodable, Sendable {
        var name: String

        enum CodingKeys: String, CodingKey { case name = "Name" }
    }

    struct Component: Encodable, Sendable {
        var name: String
        var version: String
        var details: [String: String]

        enum CodingKeys: String, CodingKey { case name = "Name", version = "Version", details = "Details" }
    }

    var platform: Platform
    var components: [Component]
    var version: String
    var apiVersion: String
    var minAPIVersion: String
    var gitCommit: String
    var goVersion: String
    var os: String
    var arch: String
    var kernelVersion: String
    var buildTime: String

    enum CodingKeys: String, CodingKey {
        case platform = "Platform", components = "Components", version = "Version", apiVersion = "ApiVersion"
        case minAPIVersion = "MinAPIVersion", gitCommit = "GitCommit", goVersion = "GoVersion", os = "Os"
        case arch = "Arch", kernelVersion = "KernelVersion", buildTime = "BuildTime"
    }

    init(build: EngineBuild, info: SystemInfo) {
        let version = info.serverVersion.isEmpty ? build.version : info.serverVersion
        platform = Platform(name: "vic")
        self.version = version
        apiVersion = EngineBuild.apiVersion
        minAPIVersion = EngineBuild.minimumAPIVersion
        gitCommit = build.gitCommit
        goVersion = build.toolchain
        os = info.osType
        arch = Self.goArchitecture(info.architecture)
        kernelVersion = info.kernelVersion
        buildTime = build.buildTime
        components = [
            Component(name: "Engine", version: version, details: [
                "ApiVersion": apiVersion, "MinAPIVersion": minAPIVersion, "GitCommit": gitCommit,
                "GoVersion": goVersion, "Os": os, "Arch": arch, "KernelVersion": kernelVersion,
                "BuildTime": buildTime, "Experimental": "false",
            ])
        ]
    }

    /// `uname -m` to GOARCH, which is what Docker's `Arch` holds.
    static func goArchitecture(_ machine: String) -> String {
        switch machine {
        case "x86_64": "amd64"
        case "aarch64", "arm64": "arm64"
        case "i386", "i686": "386"
        case "armv7l", "armv6l": "arm"
        case "ppc64le": "ppc64le"
        case "s390x": "s390x"
        case "riscv64": "riscv64"
        default: machine
        }
    }
}
