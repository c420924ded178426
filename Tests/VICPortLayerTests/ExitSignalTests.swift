import Testing
@testable import VICPortLayer

@Suite struct ExitSignalTests {
    @Test func aCodeResolvedBeforeTheWaitIsReturnedAtOnce() async {
        let signal = ExitSignal()
        signal.resolve(3)
        signal.resolve(9)
        #expect(await signal.code() == 3)
    }

    @Test func aWaiterIsWokenByTheFirstResolution() async {
        let signal = ExitSignal()
        async let code = signal.code()
        // Resolve from elsewhere, whether or not the waiter has parked yet.
        Task { signal.resolve(137) }
        #expect(await code == 137)
        signal.resolve(1)
    }
}
