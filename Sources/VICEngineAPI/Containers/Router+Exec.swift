import Foundation
import VICCore
import VICPortLayer

extension Router {
    func execID(_ context: RouteContext) throws -> String {
        guard let id = context.parameters["id"], !id.isEmpty else { throw VICError(.invalidArgument, "exec ID is required") }
        return id
    }

    /// `docker exec` step 1: registers the process; 409 when the container is not running.
    func createExec(_ context: RouteContext) async throws -> EngineResponse {
        let body = try decodeBody(DockerExecCreate.self, context.request)
        guard let cmd = body.Cmd, !cmd.isEmpty else { throw VICError(.invalidArgument, "No exec command specified") }
        var consoleSize: (height: Int, width: Int)?
        if let size = body.ConsoleSize, size.count == 2, size[0] > 0, size[1] > 0 { consoleSize = (size[0], size[1]) }
        let request = ExecRequest(
            cmd: cmd, env: body.Env ?? [], user: body.User ?? "", workingDir: body.WorkingDir ?? "", tty: body.Tty ?? false,
            attachStdin: body.AttachStdin ?? false, attachStdout: body.AttachStdout ?? false,
            attachStderr: body.AttachStderr ?? false, privileged: body.Privileged ?? false, consoleSize: consoleSize)
        let id = try await portLayer().containers.createExec(try containerID(context), request)
        struct Created: Encodable { var Id: String }
        return .json(Created(Id: id), status: .created)
    }

    /// `docker exec` step 2: starts the process. Detached, answers at once; otherwise the
    /// connection is handed to the exec's shim (raw with a TTY, multiplexed without) and closes
    /// when the process has exited and its output is drained.
    func startExec(_ context: RouteContext) async throws -> EngineResponse {
        let body = try decodeBody(DockerExecStart.self, context.request)
        let containers = try portLayer().containers
        let id = try execID(context)
        let status = try await containers.inspectExec(id)
        if body.Detach == true {
            _ = try await containers.startExec(id, attach: false)
            return EngineResponse(status: .ok)
        }
        guard let socket = try await containers.startExec(id, attach: true) else {
            throw VICError(.internal, "exec \(id) started without an attach socket")
        }
        let type = status.record.request.tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream"
        return .hijacked(Hijack(socket: socket, contentType: type))
    }

    func inspectExec(_ context: RouteContext) async throws -> EngineResponse {
        let status = try await portLayer().containers.inspectExec(try execID(context))
        let request = status.record.request
        return .json(DockerExecInspect(
            ContainerID: status.record.containerID, ExitCode: status.exitCode, ID: status.record.id,
            OpenStderr: request.attachStderr, OpenStdin: request.attachStdin, OpenStdout: request.attachStdout,
            ProcessConfig: .init(arguments: Array(request.cmd.dropFirst()), entrypoint: request.cmd.first ?? "",
                                 privileged: request.privileged, tty: request.tty, user: request.user),
            Running: status.running, Pid: status.pid))
    }

    func resizeExec(_ context: RouteContext) async throws -> EngineResponse {
        let (height, width) = try terminalSize(context)
        try await portLayer().containers.resizeExec(try execID(context), height: height, width: width)
        return EngineResponse(status: .ok)
    }
}
