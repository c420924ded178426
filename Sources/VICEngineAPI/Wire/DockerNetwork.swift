/// Docker's network inspect shape (`GET /networks`, `GET /networks/{id}`), as VIC printed it:
/// an empty `Scope`, `IPAM.Driver` empty and `IPAM.Options` null, `IPRange` only when the pool
/// is narrower than the subnet, endpoints keyed by container ID. A `--ipv6` network has
/// `EnableIPv6` and its IPv6 pool after the IPv4 ones, as dockerd lists them.
struct DockerNetwork: Encodable, Sendable {
    struct IPAM: Encodable, Sendable {
        var driver = ""
        var options = ExplicitNull<[String: String]>(nil)
        var config: [IPAMConfig]

        enum CodingKeys: String, CodingKey {
            case driver = "Driver", options = "Options", config = "Config"
        }
    }

    struct IPAMConfig: Encodable, Sendable {
        var subnet: String
        var gateway: String?
        var ipRange: String?

        enum CodingKeys: String, CodingKey {
            case subnet = "Subnet", gateway = "Gateway", ipRange = "IPRange"
        }
    }

    struct ConfigReference: Encodable, Sendable {
        var network = ""

        enum CodingKeys: String, CodingKey { case network = "Network" }
    }

    struct EndpointResource: Encodable, Sendable {
        var name: String
        var endpointID: String
        var macAddress: String
        var ipv4Address: String
        var ipv6Address: String

        enum CodingKeys: String, CodingKey {
            case name = "Name", endpointID = "EndpointID", macAddress = "MacAddress"
            case ipv4Address = "IPv4Address", ipv6Address = "IPv6Address"
        }
    }

    var name: String
    var id: String
    var created: String
    var scope = ""
    var driver: String
    var enableIPv6 = false
    var ipam: IPAM
    var `internal`: Bool
    var attachable = false
    var ingress = false
    var configFrom = ConfigReference()
    var configOnly = false
    var containers: [String: EndpointResource]
    var options: [String: String]
    var labels: [String: String]

    enum CodingKeys: String, CodingKey {
        case name = "Name", id = "Id", created = "Created", scope = "Scope", driver = "Driver"
        case enableIPv6 = "EnableIPv6", ipam = "IPAM", `internal` = "Internal", attachable = "Attachable"
        case ingress = "Ingress", configFrom = "ConfigFrom", configOnly = "ConfigOnly"
        case containers = "Containers", options = "Options", labels = "Labels"
    }

    init(_ network: NetworkDescription) {
        name = network.name
        id = network.id
        created = RFC3339.nano(network.created)
        driver = network.driver.rawValue
        enableIPv6 = network.enableIPv6
        ipam = IPAM(config: network.addressConfigurations.map { pool in
            IPAMConfig(
                subnet: pool.subnet.description, gateway: pool.gateway?.description,
                ipRange: pool.range?.description)
        } + network.ipv6Configurations.map { pool in
            IPAMConfig(subnet: pool.subnet.description, gateway: pool.gateway?.description, ipRange: nil)
        })
        `internal` = network.isInternal
        containers = network.endpoints.mapValues { endpoint in
            EndpointResource(
                name: endpoint.containerName, endpointID: endpoint.endpointID, macAddress: endpoint.macAddress,
                ipv4Address: endpoint.ipv4Address?.description ?? "", ipv6Address: endpoint.ipv6Address?.description ?? "")
        }
        options = network.options
        labels = network.labels
    }
}

/// `POST /networks/create` body. Unknown fields are ignored, as Docker does.
struct DockerNetworkCreate: Decodable, Sendable {
    struct IPAM: Decodable, Sendable {
        var Driver: String?
        var Config: [IPAMConfig]?
        var Options: [String: String]?
    }

    struct IPAMConfig: Decodable, Sendable {
        var Subnet: String?
        var IPRange: String?
        var Gateway: String?
        var AuxiliaryAddresses: [String: String]?
    }

    var Name: String?
    var Driver: String?
    var Internal: Bool?
    var Attachable: Bool?
    var EnableIPv6: Bool?
    var IPAM: IPAM?
    var Options: [String: String]?
    var Labels: [String: String]?
}

/// `POST /networks/create` answer (201).
struct DockerNetworkCreated: Encodable, Sendable {
    var Id: String
    var Warning = ""
}

/// `POST /networks/{id}/connect` body.
struct DockerNetworkConnect: Decodable, Sendable {
    struct EndpointConfig: Decodable, Sendable {
        struct IPAMConfig: Decodable, Sendable {
            var IPv4Address: String?
            var IPv6Address: String?
        }

        var IPAMConfig: IPAMConfig?
        var Aliases: [String]?
        var Links: [String]?
        var MacAddress: String?
    }

    var Container: String?
    var EndpointConfig: EndpointConfig?
}

/// `POST /networks/{id}/disconnect` body.
struct DockerNetworkDisconnect: Decodable, Sendable {
    var Container: String?
    var Force: Bool?
}

/// `POST /networks/prune` answer.
struct DockerNetworkPruned: Encodable, Sendable {
    var NetworksDeleted: [String]
}
