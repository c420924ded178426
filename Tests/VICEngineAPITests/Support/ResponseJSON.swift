import Foundation
import NIOHTTP1
import Testing
import VICEngineAPI

/// Untyped views of a JSON body, to check Docker's shape (keys present, absent, or `null`).
extension EngineResponse {
    func jsonObject() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
    }

    func jsonArray() throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [[String: Any]])
    }

    /// The `message` of Docker's error shape.
    func errorMessage() throws -> String {
        try #require(try jsonObject()["message"] as? String)
    }
}

extension Router {
    /// Answers `method uri` in memory.
    func send(_ method: HTTPMethod, _ uri: String) async -> EngineResponse {
        await handle(EngineRequest(method: method, uri: uri))
    }
}
