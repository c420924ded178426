import VICCore

/// The `docker network ls` filters, applied to the backend's list as Docker's
/// `FilterNetworks` does:
///
/// - `name`: exact, substring or regular expression on the name;
/// - `id`: a prefix of the ID (Docker matches a regular expression anywhere; a prefix is what
///   people mean and never surprises);
/// - `driver`, `scope`: exact (vic's scope is always empty);
/// - `label`: `key` or `key=value`, all must match;
/// - `type`: `builtin` or `custom`, by `NetworkDescription.isBuiltin`;
/// - `dangling`: `true`/`1` keeps custom networks without containers, `false`/`0` the rest.
///
/// Any other key is `invalid filter 'X'` (400).
enum NetworkListFilter {
    static let acceptedKeys: Set<String> = ["dangling", "driver", "id", "label", "name", "scope", "type"]

    static func apply(_ filters: FilterArguments, to networks: [NetworkDescription]) throws(VICError)
        -> [NetworkDescription]
    {
        try filters.validate(accepting: acceptedKeys)
        let dangling = try filters.bool("dangling")
        let types = filters.values("type")
        if let invalid = types.first(where: { $0 != "builtin" && $0 != "custom" }) {
            throw VICError(.invalidArgument, "invalid filter 'type=\(invalid)'")
        }
        return networks.filter { network in
            if filters.contains("driver"), !filters.exactMatch("driver", network.driver.rawValue) { return false }
            if filters.contains("name"), !filters.match("name", network.name) { return false }
            if filters.contains("id"), !filters.prefixMatch("id", network.id) { return false }
            if filters.contains("label"), !filters.matchLabels("label", network.labels) { return false }
            if filters.contains("scope"), !filters.exactMatch("scope", "") { return false }
            if let dangling, dangling != (!network.isBuiltin && network.endpoints.isEmpty) { return false }
            if !types.isEmpty, !types.contains(network.isBuiltin ? "builtin" : "custom") { return false }
            return true
        }
    }
}
