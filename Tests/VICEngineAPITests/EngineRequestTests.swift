import NIOHTTP1
import Testing
import VICEngineAPI

@Suite("EngineRequest")
struct EngineRequestTests {
    @Test("The URI splits into a decoded path and query")
    func splitsURI() {
        let request = EngineRequest(
            method: .GET, uri: "/v1.45/networks/my%20net?filters=%7B%22name%22%3A%5B%22a+b%22%5D%7D&all=1&all=0&flag")
        #expect(request.path == "/v1.45/networks/my net")
        #expect(request.queryValue("filters") == #"{"name":["a b"]}"#)
        #expect(request.query["all"] == ["1", "0"])
        #expect(request.queryValue("flag") == "")
        #expect(request.queryValue("missing") == nil)
    }

    @Test("A plus in the path stays a plus; malformed escapes stay as written")
    func lenientDecoding() {
        let request = EngineRequest(method: .GET, uri: "/images/a+b%zz%4/json?q=%")
        #expect(request.path == "/images/a+b%zz%4/json")
        #expect(request.queryValue("q") == "%")
    }
}
