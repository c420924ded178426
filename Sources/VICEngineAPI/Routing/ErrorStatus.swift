import NIOHTTP1
import VICCore

/// The one place that maps errors to HTTP statuses.
///
/// | `VICError.Code`     | status |
/// |---------------------|--------|
/// | `.notFound`         | 404    |
/// | `.conflict`         | 409    |
/// | `.invalidArgument`  | 400    |
/// | `.invalidState`     | 409    |
/// | `.unauthorized`     | 401    |
/// | `.unavailable`      | 503    |
/// | `.notImplemented`   | 501    |
/// | `.internal`, others | 500    |
///
/// Any error that is not a `VICError` is a 500.
public enum ErrorStatus {
    /// The HTTP status for an error code.
    public static func status(for code: VICError.Code) -> HTTPResponseStatus {
        switch code {
        case .notFound: .notFound
        case .conflict, .invalidState: .conflict
        case .invalidArgument: .badRequest
        case .unauthorized: .unauthorized
        case .unavailable: .serviceUnavailable
        case .notImplemented: .notImplemented
        default: .internalServerError
        }
    }

    /// The HTTP status for any error.
    public static func status(for error: any Error) -> HTTPResponseStatus {
        guard let vic = error as? VICError else { return .internalServerError }
        return status(for: vic.code)
    }

    /// The message Docker clients print after "Error response from daemon: ".
    static func message(for error: any Error) -> String {
        if let vic = error as? VICError { return vic.description }
        return String(describing: error)
    }
}
