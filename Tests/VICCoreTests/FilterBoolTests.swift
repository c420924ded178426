import Testing
import VICCore

@Suite struct FilterBoolTests {
    @Test func readsDockersBooleans() throws {
        #expect(try FilterBool.parse("dangling", []) == nil)
        #expect(try FilterBool.parse("dangling", ["true"]) == true)
        #expect(try FilterBool.parse("dangling", ["1", "TRUE"]) == true)
        #expect(try FilterBool.parse("all", ["0"]) == false)
    }

    @Test(arguments: [
        (["true", "maybe"], "invalid filter 'dangling=maybe'"),
        (["true", "false"], #"got more than one value for filter key "dangling""#),
    ])
    func refuses(_ values: [String], _ message: String) {
        let error = #expect(throws: VICError.self) { try FilterBool.parse("dangling", values) }
        #expect(error?.message == message)
        #expect(error?.code == .invalidArgument)
    }
}
