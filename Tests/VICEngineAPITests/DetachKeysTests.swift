import Testing
import VICCore
import VICSystem
@testable import VICEngineAPI

@Suite struct DetachKeysTests {
    @Test(arguments: [
        (nil, [0x10, 0x11]), ("", [0x10, 0x11]), ("ctrl-p,ctrl-q", [0x10, 0x11]), ("ctrl-a", [0x01]),
        ("ctrl-@,ctrl-[,ctrl-_", [0x00, 0x1b, 0x1f]), ("a,b", [0x61, 0x62]), ("CTRL-X,e", [0x18, 0x65]),
    ] as [(String?, [UInt8])])
    func parses(_ text: String?, _ expected: [UInt8]) throws {
        #expect(try DetachKeys.parse(text) == expected)
    }

    @Test(arguments: ["ctrl-1", "ab", "ctrl-", ",", "ctrl-pp"])
    func rejects(_ text: String) {
        let error = #expect(throws: VICError.self) { try DetachKeys.parse(text) }
        #expect(error?.message == "Invalid detach keys (\(text)) provided")
    }
}

@Suite struct EscapeSequenceFilterTests {
    @Test func passesOrdinaryInputAndStopsAtTheSequence() {
        var filter = EscapeSequenceFilter(sequence: [0x10, 0x11])
        #expect(filter.feed(Array("ls\n".utf8)) == .pass(Array("ls\n".utf8)))
        #expect(filter.feed([0x61, 0x10]) == .pass([0x61]))
        #expect(filter.feed([0x11, 0x62]) == .escape([]))
    }

    @Test func aBrokenPrefixIsInput() {
        var filter = EscapeSequenceFilter(sequence: [0x10, 0x11])
        #expect(filter.feed([0x10, 0x61]) == .pass([0x10, 0x61]))
        // The sequence's first byte twice: the first is input, the second may start it.
        #expect(filter.feed([0x10, 0x10]) == .pass([0x10]))
        #expect(filter.feed([0x11]) == .escape([]))
    }

    @Test func bytesBeforeTheSequenceInTheSameChunkPass() {
        var filter = EscapeSequenceFilter(sequence: [0x10, 0x11])
        #expect(filter.feed([0x61, 0x62, 0x10, 0x11, 0x63]) == .escape([0x61, 0x62]))
    }

    @Test func anEmptySequenceNeverMatches() {
        var filter = EscapeSequenceFilter(sequence: [])
        #expect(filter.feed([0x10, 0x11]) == .pass([0x10, 0x11]))
    }
}
