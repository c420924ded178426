/// A value Docker sends as JSON `null` when absent, where a plain optional would be omitted.
///
/// Synthesised `Encodable` skips `nil` optionals (`encodeIfPresent`); some Docker fields
/// (`IPAM.Options`, `Swarm.RemoteManagers`) are always present and `null` when empty.
struct ExplicitNull<Wrapped: Encodable & Sendable>: Encodable, Sendable {
    var value: Wrapped?

    init(_ value: Wrapped?) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value {
            try container.encode(value)
        } else {
            try container.encodeNil()
        }
    }
}
