import Foundation
import Logging
import Testing
import VICEngineAPI

/// The real docker CLI and docker-py against a live server on a Unix socket, when installed.
@Suite("Docker clients")
struct DockerClientTests {
    static let docker = InstalledClients.dockerPath

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a program to completion, its output going to files (no pipe can fill up), its
    /// standard input read from the file at `inputPath` when given.
    static func run(
        _ executable: String, _ arguments: [String], in directory: String, workingDirectory: String? = nil,
        input inputPath: String? = nil
    ) async throws -> Output {
        let stdoutPath = directory + "/stdout-\(UUID().uuidString)"
        let stderrPath = directory + "/stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        var environment = ProcessInfo.processInfo.environment
        environment["DOCKER_CONFIG"] = directory + "/docker-config"
        for name in ["DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_API_VERSION"] {
            environment[name] = nil
        }
        process.environment = environment
        if let inputPath { process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputPath)) }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return Output(
            status: status, stdout: try String(contentsOfFile: stdoutPath, encoding: .utf8),
            stderr: try String(contentsOfFile: stderrPath, encoding: .utf8))
    }

    static func withServer(_ body: (_ host: String, _ directory: String) async throws -> Void) async throws {
        try await withTemporaryDirectory("vic-cli") { directory in
            let socketPath = directory + "/docker.sock"
            let server = EngineServer(backend: try FakeBackend.sample(), logger: Logger(label: "test"))
            try await server.start([.unixSocket(path: socketPath)])
            do {
                try await body("unix://" + socketPath, directory)
            } catch {
                await server.shutdown(gracePeriod: .zero)
                throw error
            }
            await server.shutdown()
        }
    }

    @Test("docker version, info, network ls and inspect succeed without warnings")
    func dockerCLI() async throws {
        try await Self.withServer { host, directory in
            let version = try await Self.run(Self.docker, ["-H", host, "version"], in: directory)
            #expect(version.status == 0, "\(version.stderr)")
            // The server's own line. (The client's line shows the negotiated version only when
            // the CLI's first ping beat its start-up timeout; with the whole suite on two cores
            // it sometimes does not, and the CLI then negotiates at its first request.)
            #expect(version.stdout.contains("API version:      1.45 (minimum version 1.24)"), "\(version.stdout)")

            let info = try await Self.run(Self.docker, ["-H", host, "info"], in: directory)
            #expect(info.status == 0, "\(info.stderr)")
            #expect(!info.stderr.contains("WARNING"), "\(info.stderr)")
            #expect(!info.stdout.contains("ERROR"), "\(info.stdout)")
            #expect(info.stdout.contains("Operating System: vic"), "\(info.stdout)")
            #expect(info.stdout.contains("Swarm: inactive"), "\(info.stdout)")

            let list = try await Self.run(
                Self.docker, ["-H", host, "network", "ls", "--no-trunc", "-f", "driver=bridge"], in: directory)
            #expect(list.status == 0, "\(list.stderr)")
            #expect(list.stdout.contains(FakeBackend.webID), "\(list.stdout)")
            #expect(!list.stdout.contains("vm-net"), "\(list.stdout)")

            let inspect = try await Self.run(
                Self.docker, ["-H", host, "network", "inspect", "-f", "{{json .IPAM}}", "web"], in: directory)
            #expect(inspect.status == 0, "\(inspect.stderr)")
            #expect(inspect.stdout.contains(#""IPRange":"172.17.0.10-172.17.0.20""#), "\(inspect.stdout)")

            let missing = try await Self.run(Self.docker, ["-H", host, "network", "inspect", "nope"], in: directory)
            #expect(missing.status != 0)
            #expect(missing.stderr.contains("network nope not found"), "\(missing.stderr)")

            let create = try await Self.run(Self.docker, ["-H", host, "create", "busybox"], in: directory)
            #expect(create.status != 0)
            #expect(create.stderr.contains("vic does not implement"), "\(create.stderr)")
        }
    }

    @Test("docker-py reads version, info and networks")
    func dockerPy() async throws {
        try await Self.withServer { host, directory in
            let script = """
                import docker
                c = docker.DockerClient(base_url='\(host)', version='auto')
                print(c.version()['ApiVersion'])
                print(c.info()['OperatingSystem'])
                print(sorted(n.name for n in c.networks.list()))
                print(c.networks.get('web').attrs['IPAM']['Config'][0]['Subnet'])
                """
            let output = try await Self.run("/usr/bin/env", ["python3", "-c", script], in: directory)
            #expect(output.status == 0, "\(output.stderr)")
            #expect(
                output.stdout == "1.45\nvic\n['bridge', 'vm-net', 'web']\n172.17.0.0/16\n", "\(output.stdout)")
        }
    }

}

/// Which real clients this machine has, decided once at test discovery.
enum InstalledClients {
    static let dockerPath = "/usr/local/bin/docker"
    static let docker = FileManager.default.isExecutableFile(atPath: dockerPath)
    static let opensslPath = "/usr/bin/openssl"
    static let openssl = FileManager.default.isExecutableFile(atPath: opensslPath)

    /// Whether `python3` on PATH can import docker-py (checked once, synchronously, at discovery).
    static let dockerPy: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import docker"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()
}
