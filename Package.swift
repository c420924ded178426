// swift-tools-version: 6.2
// vic: Virtual Container Hosts for Linux. See docs/design.md for the layering:
// a module imports only modules listed above it here.
import PackageDescription

let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .swiftLanguageMode(.v6),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "vic",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vic-machine", targets: ["vic-machine"]),
        .executable(name: "vchd", targets: ["vchd"]),
        .executable(name: "vic-shim", targets: ["vic-shim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // Errors with codes, addresses, CIDRs, ranges, MACs, IDs. No dependencies.
        .target(name: "VICCore", swiftSettings: settings),
        // The few syscalls Swift cannot make directly (setns, detached spawn).
        .target(name: "CVICSystem"),
        // Processes, namespaces, atomic files, locks, local sockets.
        .target(
            name: "VICSystem",
            dependencies: [
                "VICCore", "CVICSystem",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: settings),
        // Links, bridges, veths, addresses, routes and namespaces, behind the LinkControl protocol.
        .target(name: "VICPlumbing", dependencies: ["VICCore", "VICSystem"], swiftSettings: settings),
        // zlib, for gzip-compressed image layers (Debian's zlib1g-dev).
        .systemLibrary(name: "CZlib"),
        // OCI and Docker image types, references, the layer unpacker (tar with whiteouts).
        .target(
            name: "VICImage",
            dependencies: [
                "VICCore", "VICSystem", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings),
        // OCI runtime spec, the crun/runc driver and the shim client (stdio, attach, exit).
        .target(name: "VICRuntime", dependencies: ["VICCore", "VICSystem"], swiftSettings: settings),
        // The typed, versioned VCH configuration and its crash-safe store.
        .target(name: "VICConfig", dependencies: ["VICCore", "VICSystem"], swiftSettings: settings),
        // The Docker Engine API v1.45: routing, wire models, errors, the NIO server.
        .target(
            name: "VICEngineAPI",
            dependencies: [
                "VICCore", "VICSystem", "VICPortLayer", "VICImage",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings),
        // Containers and networks: lifecycle, IPAM, persistence; ties images, runtime and plumbing.
        .target(
            name: "VICPortLayer",
            dependencies: [
                "VICCore", "VICSystem", "VICPlumbing", "VICConfig", "VICImage", "VICRuntime",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings),
        // The embedded DNS server of the appliance: codec, VIC's name scoping, forwarding and cache.
        .target(
            name: "VICDNS",
            dependencies: [
                "VICCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: settings),
        // The appliance daemon's services: network scopes, DHCP renewal, the Docker backend.
        .target(
            name: "VICAppliance",
            dependencies: [
                "VICCore", "VICSystem", "VICPlumbing", "VICConfig", "VICEngineAPI", "VICPortLayer", "VICImage", "VICDNS",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: settings),
        // vic-machine: flags, validation, certificates, appliance build and teardown.
        .target(
            name: "VICMachine",
            dependencies: [
                "VICCore", "VICSystem", "VICPlumbing", "VICConfig",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: settings),
        .executableTarget(name: "vic-machine", dependencies: ["VICMachine"], swiftSettings: settings),
        .executableTarget(name: "vchd", dependencies: ["VICAppliance", "VICConfig"], swiftSettings: settings),
        // The per-container supervisor (C, a few hundred KiB of memory per container).
        .executableTarget(name: "vic-shim", cSettings: [.unsafeFlags(["-Wall", "-Werror"])]),

        .testTarget(name: "VICCoreTests", dependencies: ["VICCore"], swiftSettings: settings),
        .testTarget(name: "VICImageTests", dependencies: ["VICImage", "VICSystem"], exclude: ["Fixtures"], swiftSettings: settings),
        .testTarget(name: "VICConfigTests", dependencies: ["VICConfig"], swiftSettings: settings),
        .testTarget(
            name: "VICEngineAPITests",
            dependencies: [
                "VICEngineAPI",
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: settings),
        .testTarget(name: "VICMachineTests", dependencies: ["VICMachine"], swiftSettings: settings),
        .testTarget(name: "VICPortLayerTests", dependencies: ["VICPortLayer", "VICCore", "VICRuntime", "VICSystem"], swiftSettings: settings),
        .testTarget(
            name: "VICApplianceTests", dependencies: ["VICAppliance", "VICPortLayer", "VICConfig", "VICCore"],
            swiftSettings: settings),
        .testTarget(
            name: "VICDNSTests",
            dependencies: [
                "VICDNS", "VICCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: settings),
        // Root only: lab namespaces, bridges, dnsmasq, real VCHs and the real docker CLI.
        .testTarget(
            name: "VICLabTests",
            dependencies: ["VICCore", "VICSystem", "VICPlumbing"],
            exclude: ["Python"],
            swiftSettings: settings),
    ]
)
