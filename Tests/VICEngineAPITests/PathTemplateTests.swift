import Testing

@testable import VICEngineAPI

@Suite("PathTemplate")
struct PathTemplateTests {
    @Test(
        "Templates bind parameters, which may span segments",
        arguments: [
            ("/_ping", "/_ping", [String: String]()),
            ("/networks/{id}", "/networks/web", ["id": "web"]),
            ("/networks/{id}", "/networks/web/", ["id": "web"]),
            ("/containers/{id}/json", "/containers/abc/json", ["id": "abc"]),
            ("/images/{name}/json", "/images/library/busybox/json", ["name": "library/busybox"]),
            ("/images/{name}/json", "/images/a/json/json", ["name": "a/json"]),
            ("/images/{name}", "/images/reg.lab:5000/team/app:1", ["name": "reg.lab:5000/team/app:1"]),
            ("/exec/{id}/start", "/exec/e1/start", ["id": "e1"]),
        ])
    func matches(_ template: String, _ path: String, _ expected: [String: String]) {
        #expect(PathTemplate(template).match(path) == expected)
    }

    @Test(
        "Templates reject paths of another shape",
        arguments: [
            ("/_ping", "/ping"),
            ("/networks/{id}", "/networks"),
            ("/networks/{id}", "/networks/"),
            ("/containers/{id}/json", "/containers/json"),
            ("/containers/{id}/json", "/containers/abc/top"),
            ("/info", "/info/more"),
        ])
    func rejects(_ template: String, _ path: String) {
        #expect(PathTemplate(template).match(path) == nil)
    }

    @Test("The most specific operation wins")
    func resolution() throws {
        let (json, _) = try #require(Router.resolve(method: "GET", path: "/containers/json"))
        #expect(json.template.description == "/containers/json")
        let (inspect, parameters) = try #require(Router.resolve(method: "GET", path: "/containers/abc/json"))
        #expect(inspect.template.description == "/containers/{id}/json")
        #expect(parameters == ["id": "abc"])
        let (prune, _) = try #require(Router.resolve(method: "POST", path: "/networks/prune"))
        #expect(prune.template.description == "/networks/prune")
        #expect(Router.resolve(method: "PATCH", path: "/networks") == nil)
    }
}
