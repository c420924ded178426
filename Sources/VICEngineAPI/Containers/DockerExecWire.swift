/// `POST /containers/{id}/exec` body (Docker's ExecConfig).
struct DockerExecCreate: Decodable {
    var AttachStdin: Bool?
    var AttachStdout: Bool?
    var AttachStderr: Bool?
    /// `[rows, columns]`.
    var ConsoleSize: [Int]?
    var DetachKeys: String?
    var Tty: Bool?
    var Env: [String]?
    var Cmd: [String]?
    var Privileged: Bool?
    var User: String?
    var WorkingDir: String?
}

/// `POST /exec/{id}/start` body.
struct DockerExecStart: Decodable {
    var Detach: Bool?
    var Tty: Bool?
    var ConsoleSize: [Int]?
}

/// `GET /exec/{id}/json` (Docker's ExecInspect).
struct DockerExecInspect: Encodable {
    struct ProcessConfig: Encodable {
        var arguments: [String]
        var entrypoint: String
        var privileged: Bool
        var tty: Bool
        var user: String
    }

    var CanRemove = false
    var ContainerID: String
    var DetachKeys = ""
    /// Absent while the process runs.
    var ExitCode: Int?
    var ID: String
    var OpenStderr: Bool
    var OpenStdin: Bool
    var OpenStdout: Bool
    var ProcessConfig: ProcessConfig
    var Running: Bool
    var Pid: Int32
}
