import Testing

@testable import VICEngineAPI

@Suite("APIVersion")
struct APIVersionTests {
    @Test(
        "The /vX.Y prefix is split off the path",
        arguments: [
            ("/v1.45/info", "1.45", "/info"),
            ("/v1.24/networks/web", "1.24", "/networks/web"),
            ("/v1.45", "1.45", "/"),
            ("/info", nil, "/info"),
            ("/volumes", nil, "/volumes"),
            ("/vx.1/info", nil, "/vx.1/info"),
            ("/v/info", nil, "/v/info"),
        ] as [(String, String?, String)])
    func stripping(_ path: String, _ version: String?, _ rest: String) {
        let result = APIVersion.strippingPrefix(path)
        #expect(result.version?.description == version)
        #expect(result.path == rest)
    }

    @Test(
        "Versions compare piece by piece",
        arguments: [("1.24", "1.45"), ("1.9", "1.10"), ("1", "1.24"), ("1.45", "2.0")])
    func ordering(_ lower: String, _ higher: String) {
        #expect(APIVersion(lower) < APIVersion(higher))
        #expect(!(APIVersion(higher) < APIVersion(lower)))
    }

    @Test("Trailing zeros do not matter")
    func equality() {
        #expect(APIVersion("1.45") == APIVersion("1.45.0"))
    }
}
