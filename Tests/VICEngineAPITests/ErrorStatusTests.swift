import NIOHTTP1
import Testing
import VICCore
import VICEngineAPI

@Suite("ErrorStatus")
struct ErrorStatusTests {
    @Test(
        "Each VICError code maps to its status",
        arguments: [
            (VICError.Code.notFound, 404),
            (.conflict, 409),
            (.invalidArgument, 400),
            (.invalidState, 409),
            (.unavailable, 503),
            (.notImplemented, 501),
            (.internal, 500),
            (VICError.Code("somethingNew"), 500),
        ])
    func codeToStatus(_ code: VICError.Code, _ status: Int) {
        #expect(ErrorStatus.status(for: code).code == UInt(status))
        #expect(ErrorStatus.status(for: VICError(code, "x")).code == UInt(status))
    }

    struct OtherError: Error {}

    @Test("An error that is not a VICError is a 500")
    func otherError() {
        #expect(ErrorStatus.status(for: OtherError()) == .internalServerError)
    }
}
