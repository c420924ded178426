/// The one error type of vic. Every module boundary wraps what it catches into a `VICError`
/// with context, once; the Docker API maps `code` to an HTTP status in one place.
public struct VICError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. Extensible: add a static constant, not a case.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A stable identifier, e.g. "notFound"; the API's status mapping keys on it.
        public let name: String
        /// Defines a code. Add new codes as static constants here so the API can map them.
        public init(_ name: String) { self.name = name }
        /// The code's `name`.
        public var description: String { name }

        /// The thing named does not exist (HTTP 404).
        public static let notFound = Code("notFound")
        /// The request clashes with existing state: a name in use, a port taken (HTTP 409).
        public static let conflict = Code("conflict")
        /// The caller sent something malformed or unsupported (HTTP 400).
        public static let invalidArgument = Code("invalidArgument")
        /// The object is in the wrong lifecycle state for this operation (HTTP 409).
        public static let invalidState = Code("invalidState")
        /// A dependency (a process, a namespace, a peer) is not there or not answering (HTTP 503).
        public static let unavailable = Code("unavailable")
        /// Credentials were missing or refused: a registry login (HTTP 401).
        public static let unauthorized = Code("unauthorized")
        /// The operation exists in Docker's API but vic does not implement it (HTTP 501).
        public static let notImplemented = Code("notImplemented")
        /// A bug or an unexpected system failure (HTTP 500).
        public static let `internal` = Code("internal")
    }

    /// The kind of failure; decides the HTTP status the Docker API returns.
    public let code: Code
    /// A sentence for a person: what failed, naming the object.
    public let message: String
    /// What went wrong underneath, if anything.
    public let underlying: (any Error)?

    /// Creates an error. Use `wrapping(_:_:code:)` instead when re-throwing a caught error,
    /// so context is added once and an existing code is kept.
    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// The message, followed by ": " and the underlying error when there is one.
    public var description: String {
        guard let underlying else { return message }
        return "\(message): \(underlying)"
    }

    /// Wraps any error with context, keeping the code of a `VICError` and using `code` otherwise.
    public static func wrapping(
        _ error: any Error, _ context: String, code: Code = .internal
    ) -> VICError {
        if let vic = error as? VICError {
            return VICError(vic.code, "\(context): \(vic.message)", underlying: vic.underlying)
        }
        return VICError(code, context, underlying: error)
    }

    /// An underlying error that is known only by its description.
    public struct Described: Error, Sendable, CustomStringConvertible {
        /// The underlying failure's text, as reported by the tool or peer.
        public let description: String
        /// Wraps text (e.g. a command's stderr) so it can be a `VICError.underlying`.
        public init(_ description: String) { self.description = description }
    }
}
