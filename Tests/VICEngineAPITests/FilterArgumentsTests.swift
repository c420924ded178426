import Testing
import VICCore

@testable import VICEngineAPI

@Suite("FilterArguments")
struct FilterArgumentsTests {
    @Test(
        "Both JSON encodings parse to the same values",
        arguments: [
            (#"{"name":{"a":true,"b":true}}"#, ["name": Set(["a", "b"])]),
            (#"{"name":["a","b"]}"#, ["name": Set(["a", "b"])]),
            (#"{"name":{"a":false}}"#, ["name": Set(["a"])]),
            (#"{"label":["k=v"],"driver":["bridge"]}"#, ["label": Set(["k=v"]), "driver": Set(["bridge"])]),
            ("{}", [:]),
            ("", [:]),
        ])
    func parses(_ json: String, _ expected: [String: Set<String>]) throws {
        #expect(try FilterArguments(json: json) == FilterArguments(expected))
    }

    @Test("Neither encoding is invalid", arguments: ["[]", #"{"name":"a"}"#, #"{"name":[1]}"#, "{"])
    func rejects(_ json: String) {
        #expect(throws: VICError.self) { try FilterArguments(json: json) }
    }

    @Test("Label filters need every key, and the value when given")
    func labels() {
        let filters = FilterArguments(["label": ["a", "b=2"]])
        #expect(filters.matchLabels("label", ["a": "", "b": "2"]))
        #expect(!filters.matchLabels("label", ["a": "1", "b": "3"]))
        #expect(!filters.matchLabels("label", ["b": "2"]))
        #expect(FilterArguments(["label": ["x=1=2"]]).matchLabels("label", ["x": "1=2"]))
    }

    @Test("Match is exact, substring or regular expression; an invalid expression is only a substring")
    func match() {
        #expect(FilterArguments(["name": ["web"]]).match("name", "my-web-net"))
        #expect(FilterArguments(["name": ["^my.*net$"]]).match("name", "my-web-net"))
        #expect(!FilterArguments(["name": ["^web"]]).match("name", "my-web-net"))
        #expect(FilterArguments(["name": ["a(b"]]).match("name", "xa(by"))
        #expect(!FilterArguments(["name": ["a(b"]]).match("name", "ab"))
    }
}
