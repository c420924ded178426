/// Docker's `ErrorResponse`: every non-2xx answer is `{"message": "..."}`.
struct DockerErrorResponse: Codable, Sendable, Equatable {
    var message: String
}
