/// Where the API server listens.
public enum EngineListener: Sendable, Hashable, CustomStringConvertible {
    /// TCP on `host:port` (port 0 picks a free one), plain HTTP when `tls` is `nil`.
    case tcp(host: String, port: Int, tls: EngineTLSConfiguration?)
    /// A Unix domain socket, plain HTTP. A stale socket file is removed first; the new one gets
    /// mode 0660 and is removed again at shutdown.
    case unixSocket(path: String)

    /// A URL-like form for logs: `tls://0.0.0.0:2376`, `unix:///run/vic/docker.sock`.
    public var description: String {
        switch self {
        case .tcp(let host, let port, let tls): "\(tls == nil ? "tcp" : "tls")://\(host):\(port)"
        case .unixSocket(let path): "unix://\(path)"
        }
    }
}
