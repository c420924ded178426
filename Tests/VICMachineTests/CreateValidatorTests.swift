import Testing
import VICConfig
import VICCore
import VICPlumbing
@testable import VICMachine

/// A host like the article's: "VM Network", VMNW51, a management network, Bridge-DPG and con-nw.
let articleHost = HostSnapshot(links: [
    LinkInfo(index: 1, name: "lo"),
    LinkInfo(index: 2, name: "eth0", addresses: [IPv4Interface("10.0.2.15/24")!]),
    LinkInfo(index: 3, name: "vmnet", alias: "VM Network", kind: "bridge"),
    LinkInfo(index: 4, name: "vmnw51", alias: "VMNW51", kind: "bridge"),
    LinkInfo(index: 5, name: "mgmt", alias: "Mgmt", kind: "bridge"),
    LinkInfo(index: 6, name: "bridgedpg", alias: "Bridge-DPG", kind: "bridge"),
    LinkInfo(index: 7, name: "connw", alias: "con-nw", kind: "bridge"),
    LinkInfo(index: 8, name: "static", alias: "Static", kind: "bridge"),
    LinkInfo(index: 9, name: "dummy0", kind: "dummy"),
], existingVCHs: ["taken"], existingNamespaces: ["vch-ns-taken"])

func validate(_ arguments: [String], host: HostSnapshot = articleHost) throws -> (CreatePlan?, ValidationReport) {
    let command = try Create.parse(arguments)
    let validator = CreateValidator(
        options: command.options, host: host, workingDirectory: "/work",
        checkCAFile: { path in
            if path.hasSuffix("bad.pem") { throw VICError(.invalidArgument, "--tls-ca \(path): no certificate found") }
        })
    return validator.validate()
}

@Suite struct CreateValidatorTests {
    /// Every rule of vic-reference §1.2–1.3: the arguments, and a line the report must contain.
    static let rejections: [([String], String)] = [
        (["--cn", "a:b:c"], "--container-network: Invalid value for parameter a:b:c"),
        (["--cn", ":web"], "Container network not specified in parameter :web"),
        (["--cn", "VM Network"], #"A network alias must be supplied when network name "VM Network" contains spaces."#),
        (["--cn", "VM Network:"], #"A network alias must be supplied when network name "VM Network:" contains spaces."#),
        (["--cn", "con-nw:my net"], #"The network alias supplied in "con-nw:my net" cannot contain spaces."#),
        (["--cn", "con-nw:bridge"], #"Cannot use reserved name "bridge" for container network"#),
        (["--cn", "con-nw", "--cng", "con-nw:192.168.100.1"],
         "Error parsing container network parameter con-nw:192.168.100.1: invalid CIDR address: 192.168.100.1"),
        (["--cn", "con-nw", "--cng", "con-nw:192.168.100.1/16", "--cng", "con-nw:192.168.100.2/16"],
         "Duplicate gateway specified for container network con-nw"),
        (["--cn", "con-nw", "--cnr", "con-nw:192.168.100.2-100"],
         #"IP range specified without gateway for container network "con-nw""#),
        (["--cn", "con-nw", "--cng", "con-nw:192.168.100.0/24"], "Gateway 192.168.100.0/24 is not a routable address"),
        (["--cn", "con-nw", "--cng", "con-nw:192.168.100.255/24"], "Gateway 192.168.100.255/24 is not a routable address"),
        (["--cn", "con-nw", "--cng", "con-nw:192.168.100.1/24", "--cnr", "con-nw:192.168.101.2-100"],
         #"IP range "192.168.101.2-100" is not in subnet "192.168.100.0/24""#),
        (["--cn", "con-nw", "--cng", "con-nw:192.168.100.1/16", "--cnr", "con-nw:192.168.100.2-100",
          "--cnr", "con-nw:192.168.100.50-60"],
         #"Overlapping ip ranges: "192.168.100.2-100" "192.168.100.50-60""#),
        (["--cn", "con-nw", "--cng", "con-nw:192.168.100.1/16", "--cnr", "con-nw:192.168.100.9-2"],
         "Error parsing container network parameter con-nw:192.168.100.9-2: parse error: 192.168.100.9-2"),
        (["--cn", "con-nw", "--cnd", "con-nw:"], "DNS IP not specified for container network con-nw"),
        (["--cn", "con-nw", "--cnd", "con-nw:1.2.3"], "invalid IP address: 1.2.3"),
        (["--cn", "con-nw", "--cnf", "con-nw:wide-open"], "Unrecognized container trust level wide-open."),
        (["--cn", "con-nw", "--cng", "other:10.0.0.1/24"],
         "--container-network-gateway: The following container network other is set, but CONTAINER-NETWORK cannot be found"),
        (["--cn", "nope:web"], #"Error adding container network "nope": network 'nope' not found"#),
        (["--cn", "con-nw", "--cng", "con-nw:172.16.5.1/24"],
         #"container network "con-nw" subnet 172.16.5.0/24 overlaps the bridge network range 172.16.0.0/12"#),
        (["--cn", "con-nw:a", "--cn", "VMNW51:a"], #"network name "a" is given to both"#),
        (["--bridge-network", "VM Network"],
         #"the bridge network must not be shared with another network role - public also uses "VM Network""#),
        (["--bridge-network", "Bridge-DPG", "--client-network", "Bridge-DPG"],
         #"the bridge network must not be shared with another network role - client also uses "Bridge-DPG""#),
        (["--bridge-network", "Bridge-DPG", "--cn", "Bridge-DPG:cn"],
         #"the bridge network must not be shared with another network role - "Bridge-DPG" also mapped as container network "cn""#),
        (["--public-network", "Nope"],
         "Error checking network for --public-network: network 'Nope' not found. Suggested values for --public-network: \"Bridge-DPG\", \"Mgmt\""),
        (["--client-network", "Nope"], "Error checking network for --client-network: network 'Nope' not found"),
        (["--management-network", "Nope"], "Error checking network for --management-network: network 'Nope' not found"),
        (["--bridge-network", "dummy0"], "--bridge-network: network 'dummy0' is dummy0, which is not a bridge"),
        (["--bnr", "172.16.0.0"],
         "Error parsing bridge network ip range: invalid CIDR address: 172.16.0.0. Range must be in CIDR format, e.g., 172.16.0.0/12"),
        (["--bnw", "31"], "Error parsing bridge network width: 31. Width must be an integer less than 31."),
        (["--bnw", "wide"], "Error parsing bridge network width: wide. Width must be an integer less than 31."),
        (["--bnw", "8"], "Error specifying bridge network width: 8. Width must be larger than prefix of bridge network ip range."),
        (["--dns-server", "8.8.8"], "--dns-server: Invalid DNS server specified: 8.8.8"),
        (["--public-network-gateway", "10.99.70.1"], "Gateway provided without static IP for public network"),
        (["--public-network-ip", "10.99.70.5"],
         "Failed to parse the provided public network IP address 10.99.70.5: invalid CIDR address: 10.99.70.5"),
        (["--public-network-ip", "10.99.70.5/24"], "public network must have both static IP and gateway specified"),
        (["--public-network-ip", "10.99.70.5/24", "--public-network-gateway", "10.99.71.1"],
         "public gateway with IP 10.99.71.1 is not reachable from 10.99.70.0/24"),
        (["--public-network-ip", "10.99.70.5/24", "--public-network-gateway", "10.0.0.0/8:10.99.70.1"],
         "public network has the default route and must not have any routing destinations specified for gateway"),
        (["--public-network-ip", "10.99.70.5/24", "--public-network-gateway", "a:b:c"],
         "Invalid public network gateway: gateway a:b:c specified incorrectly"),
        (["--public-network-ip", "10.99.70.5/24", "--public-network-gateway", "10.99.70"],
         "Invalid public network gateway: Provided gateway IP address is not valid: 10.99.70"),
        (["--management-network", "Mgmt", "--management-network-ip", "10.99.60.5/24",
          "--management-network-gateway", "10.0.0/8:10.99.60.1"],
         "Invalid management network gateway: invalid CIDR in gateway specification"),
        (["--management-network", "Mgmt", "--management-network-ip", "10.99.60.5/24",
          "--management-network-gateway", "10.99.60.1"],
         "management network gateway specified without at least one routing destination"),
        (["--client-network-ip", "10.99.32.5/24"],
         "client network shares port group with public network, but has static IP configuration"),
        (["--client-network", "Mgmt", "--management-network", "Mgmt", "--client-network-ip", "10.99.60.5/24",
          "--management-network-ip", "10.99.60.6/24"],
         #"Incorrect static IP configuration for networks on port group "Mgmt""#),
        (["--name", "taken"], #"--name: a VCH named "taken" already exists"#),
        (["--name", "ns-taken"], "--name: network namespace vch-ns-taken already exists"),
        (["--name", "bad/name"], "--name: invalid VCH name"),
        (["--tls-ca", "bad.pem"], "--tls-ca /work/bad.pem: no certificate found"),
        (["--no-tls", "--tls-ca", "ca.pem"], "--tls-ca: client verification needs TLS"),
        (["--registry-mirror", "not a url"], "--registry-mirror: invalid URL"),
        (["--insecure-registry", "host:port"], "--insecure-registry: invalid registry"),
        (["--image-store", "relative/dir"], "--image-store: path \"relative/dir\" must be absolute"),
        (["--container-runtime", "kata"], #"--container-runtime: unknown OCI runtime "kata": use crun or runc"#),
        (["--volume-store", "/srv/volumes"], #"--volume-store: "/srv/volumes" needs a label: give DIR:LABEL"#),
        (["--volume-store", "volumes:default"], #"--volume-store: directory "volumes" must be an absolute path other than /"#),
        (["--volume-store", "/:default"], "must be an absolute path other than /"),
        (["--volume-store", "/srv/../etc:default"], "must be an absolute path other than /"),
        (["--volume-store", "/srv/v:"], #"--volume-store: label "" must match [a-zA-Z0-9][a-zA-Z0-9_.-]*"#),
        (["--volume-store", "/srv/v:a b"], #"label "a b" must match"#),
        (["--volume-store", "/etc/passwd:default"], #"--volume-store: "/etc/passwd" exists and is not a directory"#),
        (["--volume-store", "/srv/a:default", "--volume-store", "/srv/b:default"], #"--volume-store: label "default" is given twice"#),
        (["--volume-store", "/srv/a:default", "--volume-store", "/srv/a/:fast"], #"--volume-store: directory "/srv/a" is given twice"#),
        (["--volume-store", "/srv/a:default", "--volume-store", "/srv/a/b:fast"], #"directory "/srv/a/b" and "/srv/a" lie one inside the other"#),
    ]

    @Test func volumeStoresReachThePlan() throws {
        let (plan, report) = try validate(["--volume-store", "/srv/volumes/:default", "--volume-store", "/data/fast:fast-1"])
        #expect(report.isValid, "problems: \(report.problems)")
        #expect(plan?.volumeStores == [VolumeStoreLocation(label: "default", path: "/srv/volumes"),
                                       VolumeStoreLocation(label: "fast-1", path: "/data/fast")])
        #expect(try validate([]).0?.volumeStores == [])
    }

    @Test(arguments: rejections)
    func rejects(_ arguments: [String], _ expected: String) throws {
        let (plan, report) = try validate(arguments)
        #expect(plan == nil)
        #expect(report.problems.contains { $0.contains(expected) }, "problems: \(report.problems)")
    }

    @Test func theRuntimeChoiceReachesThePlan() throws {
        let (plan, report) = try validate(["--container-runtime", "runc"])
        #expect(report.isValid, "problems: \(report.problems)")
        #expect(plan?.containerRuntime == "runc")
        #expect(try validate([]).0?.containerRuntime == nil)
    }

    @Test func reportsEveryProblemAtOnce() throws {
        let (plan, report) = try validate(["--public-network", "Nope", "--bnw", "31", "--dns-server", "x",
                                           "--cn", "con-nw:bridge"])
        #expect(plan == nil)
        #expect(report.problems.count == 4, "problems: \(report.problems)")
    }

    @Test func articleDefaultSharesOneNIC() throws {
        let (plan, report) = try validate(["--bridge-network", "Bridge-DPG", "--image-datastore", "isilion-nfs-01",
                                           "-t", "administrator@vsphere.local:secret@10.27.51.103",
                                           "--compute-resource", "Mgmt"])
        let created = try #require(plan, "problems: \(report.problems)")
        #expect(created.nics.map(\.name) == ["public", "bridge"])
        #expect(created.nics[0].roles == [.public, .client, .management])
        #expect(created.nics[0].portGroup == "vmnet")
        #expect(created.nics[1].portGroup == "bridgedpg")
        #expect(created.sharingLines == [
            #"Network role "client" is sharing NIC with "public""#,
            #"Network role "management" is sharing NIC with "public""#,
        ])
        #expect(report.warnings.contains { $0.hasPrefix("--image-datastore isilion-nfs-01: vSphere option") })
        #expect(report.warnings.contains { $0.contains("administrator@vsphere.local:***@10.27.51.103") })
        #expect(!report.warnings.joined().contains("secret"))
        #expect(created.bridge.defaultSubnet?.description == "172.16.0.0/16")
    }

    @Test func externalNetworkAlias() throws {
        let (plan, _) = try validate(["--bridge-network", "Bridge-DPG", "--external-network", "VMNW51"])
        #expect(plan?.nics.first?.portGroup == "vmnw51")
    }

    @Test func separateManagement() throws {
        let (plan, _) = try validate(["--bridge-network", "Bridge-DPG", "--management-network", "VMNW51",
                                      "--external-network", "VM Network"])
        let created = try #require(plan)
        #expect(created.nics.map(\.name) == ["public", "management", "bridge"])
        #expect(created.sharingLines == [#"Network role "client" is sharing NIC with "public""#])
    }

    @Test func articleContainerNetworkAnyPrefix() throws {
        for gateway in ["192.168.100.1/16", "192.168.100.1/24", "192.168.100.1/27"] {
            let (plan, report) = try validate([
                "--cn", "con-nw:con-nw", "--cng", "con-nw:\(gateway)", "--cnd", "con-nw:192.168.100.1",
                "--cnr", "con-nw:192.168.100.2-30",
            ])
            let network = try #require(plan?.containerNetworks.first, "problems: \(report.problems)")
            #expect(network.name == "con-nw")
            #expect(network.portGroup == "connw")
            #expect(network.gateway?.description == gateway)
            #expect(network.trust == .published)
        }
    }

    @Test func subOptionsKeyedByAliasWhenUnambiguous() throws {
        let (plan, report) = try validate(["--cn", "con-nw:web", "--cng", "web:10.1.1.1/24", "--cnf", "web:OPEN"])
        let network = try #require(plan?.containerNetworks.first, "problems: \(report.problems)")
        #expect(network.name == "web")
        #expect(network.gateway?.description == "10.1.1.1/24")
        #expect(network.trust == .open)
    }

    @Test func rangeMayIncludeGatewayAndDNS() throws {
        let (plan, report) = try validate(["--cn", "con-nw", "--cng", "con-nw:10.1.1.1/24",
                                           "--cnr", "con-nw:10.1.1.0/24", "--cnd", "con-nw:10.1.1.1"])
        #expect(plan != nil, "problems: \(report.problems)")
    }

    @Test func staticAddressesAndDefaultDNS() throws {
        let (plan, report) = try validate(["--bridge-network", "Bridge-DPG", "--public-network", "Static",
                                           "--public-network-ip", "10.99.70.5/24",
                                           "--public-network-gateway", "10.99.70.1"])
        let created = try #require(plan, "problems: \(report.problems)")
        #expect(created.nics[0].staticAddress?.description == "10.99.70.5/24")
        #expect(created.nics[0].gateway?.address.description == "10.99.70.1")
        #expect(created.dnsServers.map(\.description) == ["8.8.8.8", "8.8.4.4"])
    }

    @Test func managementRoutes() throws {
        let (plan, report) = try validate([
            "--bridge-network", "Bridge-DPG", "--management-network", "Mgmt",
            "--management-network-ip", "10.99.60.5/24",
            "--management-network-gateway", "10.10.0.0/16,10.20.0.0/16:10.99.60.1", "--dns-server", "10.99.32.1",
        ])
        let nic = try #require(plan?.nics.first { $0.name == "management" }, "problems: \(report.problems)")
        #expect(nic.gateway?.destinations.map(\.description) == ["10.10.0.0/16", "10.20.0.0/16"])
        #expect(plan?.dnsServers.map(\.description) == ["10.99.32.1"])
    }

    @Test func tooManyDNSServersWarns() throws {
        let (plan, report) = try validate(["--dns-server", "1.1.1.1", "--dns-server", "1.0.0.1",
                                           "--dns-server", "9.9.9.9", "--dns-server", "8.8.8.8", "--dns-server", ""])
        #expect(plan?.dnsServers.count == 3)
        #expect(report.warnings.contains("Maximum of 3 DNS servers allowed. Additional servers specified will be ignored."))
    }

    @Test func missingBridgeIsCreatedWithShortName() throws {
        let (plan, _) = try validate([])
        let created = try #require(plan)
        #expect(created.portGroupsToCreate == [PortGroupToCreate(
            linkName: created.bridge.portGroup, alias: "virtual-container-host", hostAddress: nil)])
        #expect(created.bridge.portGroup.hasPrefix("vicbr-"))
        #expect(created.bridge.portGroup.count <= 15)
        #expect(created.tlsEnabled)
        #expect(created.certificateDirectory == "/work/virtual-container-host")
    }

    @Test func embeddedDefaultWithoutVMNetwork() throws {
        let bare = HostSnapshot(links: [
            LinkInfo(index: 1, name: "lo"),
            LinkInfo(index: 2, name: "eth0", addresses: [IPv4Interface("192.168.213.7/24")!]),
        ], hostResolvers: [IPv4Address("10.0.0.53")!])
        let (plan, report) = try validate(["--name", "demo"], host: bare)
        let created = try #require(plan, "problems: \(report.problems)")
        #expect(created.embeddedDefault)
        let hostOnly = try #require(created.portGroupsToCreate.first { $0.hostAddress != nil })
        #expect(hostOnly.hostAddress?.description == "192.168.214.1/24")
        #expect(created.nics.map(\.name) == ["public", "bridge"])
        #expect(created.nics[0].staticAddress?.description == "192.168.214.2/24")
        #expect(created.dnsServers.map(\.description) == ["10.0.0.53"])
        let (chosen, _) = try validate(["--name", "demo", "--host-only-network", "10.77.0.0/28"], host: bare)
        #expect(chosen?.nics[0].staticAddress?.description == "10.77.0.2/28")
        let (_, bad) = try validate(["--name", "demo", "--host-only-network", "192.168.213.0/24"], host: bare)
        #expect(bad.problems.contains { $0.contains("--host-only-network: subnet 192.168.213.0/24 overlaps") })
    }
}

@Suite struct CreateCommandParsingTests {
    @Test func usageErrorsNameTheFlag() {
        do {
            _ = try Create.parse(["--public-network", "a", "--external-network", "b"])
            Issue.record("both names of the public network were accepted")
        } catch {
            #expect(Create.message(for: error).contains("--external-network"))
        }
        do {
            _ = try Create.parse(["--bogus"])
            Issue.record("an unknown flag was accepted")
        } catch {
            #expect(Create.message(for: error).contains("--bogus"))
        }
    }
}
