import Foundation
import NIOHTTP1
import Testing
import VICCore

@testable import VICEngineAPI

extension RouterTests {
    @Test(
        "Spec operations without a handler answer 501 naming the request",
        arguments: [
            (HTTPMethod.POST, "/containers/create?name=web", "POST /containers/create"),
            (.POST, "/v1.45/containers/create", "POST /containers/create"),
            (.GET, "/containers/json", "GET /containers/json"),
            (.POST, "/containers/abc/start", "POST /containers/abc/start"),
            (.GET, "/images/library/busybox/json", "GET /images/library/busybox/json"),
            (.POST, "/swarm/init", "POST /swarm/init"),
            (.DELETE, "/secrets/abc", "DELETE /secrets/abc"),
            (.GET, "/events", "GET /events"),
        ])
    func notImplemented(_ method: HTTPMethod, _ uri: String, _ named: String) async throws {
        let response = try await Self.sampleRouter().send(method, uri)
        #expect(response.status == .notImplemented)
        #expect(try response.errorMessage() == "vic does not implement \(named) yet")
    }

    @Test(
        "Paths outside the spec, and known paths with a method it does not list, are 404",
        arguments: [
            (HTTPMethod.GET, "/nope"),
            (.GET, "/v1.45/nope"),
            (.GET, "/"),
            (.DELETE, "/info"),
            (.PUT, "/_ping"),
            (.HEAD, "/version"),
            (.GET, "/containers/create"),
        ])
    func notFound(_ method: HTTPMethod, _ uri: String) async throws {
        let response = try await Self.sampleRouter().send(method, uri)
        #expect(response.status == .notFound)
        #expect(try response.errorMessage() == "page not found")
    }

    @Test("Error responses are exactly Docker's JSON with the standard headers")
    func errorShape() async throws {
        let response = try await Self.sampleRouter().send(.GET, "/nope")
        #expect(response.bodyText == "{\"message\":\"page not found\"}\n")
        #expect(response.headers["Content-Type"] == ["application/json"])
        #expect(response.headers["Api-Version"] == ["1.45"])
        #expect(response.headers["Docker-Experimental"] == ["false"])
        #expect(response.headers["Ostype"] == ["linux"])
        #expect(response.headers["Server"] == ["vic/0.1.0-test"])
    }

    @Test("Every implemented route is an operation of the spec")
    func routesAreInSpec() {
        let spec = Set(SpecRoutes.all)
        for operation in Router.routes.keys {
            #expect(spec.contains(operation), "\(operation)")
        }
    }

    @Test("The generated spec table holds the v1.45 operations")
    func specTable() {
        let operations = Set(SpecRoutes.all.map(\.description))
        #expect(SpecRoutes.all.count == operations.count)
        #expect(operations.contains("HEAD /_ping"))
        #expect(operations.contains("GET /networks/{id}"))
        #expect(operations.contains("POST /containers/{id}/attach"))
        #expect(operations.contains("GET /images/{name}/json"))
    }

    @Test(
        "A failing backend's error code picks the status",
        arguments: [
            (VICError.Code.notFound, HTTPResponseStatus.notFound),
            (.conflict, .conflict),
            (.invalidArgument, .badRequest),
            (.invalidState, .conflict),
            (.unavailable, .serviceUnavailable),
            (.notImplemented, .notImplemented),
            (.internal, .internalServerError),
        ])
    func backendErrorStatus(_ code: VICError.Code, _ status: HTTPResponseStatus) async throws {
        let backend = FakeBackend(failure: VICError(code, "boom"))
        let response = await Self.router(backend).send(.GET, "/networks/web")
        #expect(response.status == status)
        #expect(try response.errorMessage() == "boom")
    }
}
