import Foundation
import VICCore

extension ContainerManager {
    /// What a container asks to publish: its `-p` bindings, plus every exposed port with `-P`.
    func requestedBindings(_ record: ContainerRecord) throws -> [PortBinding] {
        guard record.host.publishAllPorts else { return record.host.portBindings }
        return try PortAllocator.publishingAll(record.config.exposedPorts, besides: record.host.portBindings)
    }

    /// Chooses the host ports of a container about to start and records them in memory at once,
    /// before any suspension, so that two starts cannot take the same port. Only a container
    /// whose first network is a bridge scope publishes through the appliance.
    func reservePorts(_ id: String) throws -> [PublishedPort] {
        guard var record = records[id] else { throw VICError(.notFound, "No such container: \(id)") }
        let bindings = try requestedBindings(record)
        guard !bindings.isEmpty, let endpoint = record.endpoints.first,
              scopes[endpoint.network]?.driver == .bridge else { return [] }
        guard let ports else {
            throw VICError(.unavailable, "error mapping ports: the VCH has no public address to publish on")
        }
        let taken = Set(records.values.filter { $0.id != id && publishesThroughAppliance($0) }
            .flatMap(\.state.published).map { PortAllocator.PortKey($0.transport, $0.hostPort) })
        let published = try ports.allocate(bindings, taken: taken, hint: portHint)
        portHint &+= UInt16(truncatingIfNeeded: published.count * 7919)
        record.state.published = published
        records[id] = record
        return published
    }

    /// Whether the container's ports are published on the appliance's public address (its first
    /// network is a bridge scope) rather than on its own address on a container network.
    func publishesThroughAppliance(_ record: ContainerRecord) -> Bool {
        record.endpoints.first.flatMap { scopes[$0.network]?.driver } == .bridge
    }

    /// On a container network a port is "published" on the container's own address (vic-reference
    /// §3.3): `-p 80` as `cIP:80->80`, `-p 8001:80` as `cIP:8001->80`; the trust filter inside the
    /// container opens and redirects them. Reported while the container runs; no appliance rule.
    func containerNetworkPorts(_ record: ContainerRecord) -> [PublishedPort] {
        guard !publishesThroughAppliance(record), let endpoint = record.endpoints.first,
              let bindings = try? requestedBindings(record) else { return [] }
        return bindings.map {
            PublishedPort(hostIP: endpoint.address.address, hostPort: $0.hostPorts?.lowerBound ?? $0.containerPort,
                          containerPort: $0.containerPort, transport: $0.transport)
        }
    }

    /// The firewall's view of the port layer: the bridge scopes and every published port of a
    /// running (or starting) container.
    func firewallState() -> FirewallState {
        var mappings: [FirewallState.Mapping] = []
        for record in records.values where publishesThroughAppliance(record) {
            guard let endpoint = record.endpoints.first else { continue }
            for port in record.state.published.sorted(by: { ($0.transport.rawValue, $0.hostPort) < ($1.transport.rawValue, $1.hostPort) }) {
                mappings.append(.init(published: port, containerAddress: endpoint.address.address, network: endpoint.network))
            }
        }
        mappings.sort { ($0.containerAddress, $0.published.hostPort) < ($1.containerAddress, $1.published.hostPort) }
        return FirewallState(bridgeScopes: networkScopes.filter { $0.driver == .bridge }, mappings: mappings)
    }

    /// Rebuilds the firewall from the current state (after a start, an exit, a network change,
    /// and once after `load`). Does nothing when the state is the one last applied. Updates run
    /// one after another, each taking the state as it is when its turn comes, so concurrent
    /// starts and exits cannot leave an older state in the kernel than the last one computed.
    public func applyFirewall() async throws {
        let previous = firewallUpdate
        let update = Task {
            _ = await previous?.result
            try await self.applyCurrentFirewall()
        }
        firewallUpdate = update
        try await update.value
    }

    func applyCurrentFirewall() async throws {
        let state = firewallState()
        guard state != appliedFirewall else { return }
        try await firewall.apply(state)
        appliedFirewall = state
    }
}
