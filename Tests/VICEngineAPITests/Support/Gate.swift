import VICEngineAPI

/// A one-shot gate: callers of `pass()` wait until `open()`; `waitForArrival()` returns once
/// someone is waiting. Lets a test hold a request in flight without sleeping.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var arrivals: [CheckedContinuation<Void, Never>] = []
    private var arrived = false

    func pass() async {
        arrived = true
        arrivals.forEach { $0.resume() }
        arrivals = []
        guard !isOpen else { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func waitForArrival() async {
        guard !arrived else { return }
        await withCheckedContinuation { arrivals.append($0) }
    }

    func open() {
        isOpen = true
        waiters.forEach { $0.resume() }
        waiters = []
    }
}

/// A `FakeBackend` whose `systemInfo()` waits at a gate.
struct GatedBackend: EngineBackend {
    var base: FakeBackend
    let gate: Gate

    func systemInfo() async throws -> SystemInfo {
        await gate.pass()
        return try await base.systemInfo()
    }

    func listNetworks() async throws -> [NetworkDescription] { try await base.listNetworks() }

    func network(idOrName: String) async throws -> NetworkDescription { try await base.network(idOrName: idOrName) }
}
