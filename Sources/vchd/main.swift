import Dispatch
import Foundation
import VICAppliance
import VICConfig

// Synchronous on purpose: the network namespace is entered while this is the only thread.
let prepared: (DaemonArguments, VCHConfiguration)
do {
    prepared = try ApplianceDaemon.prepare(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("vchd: \(error)\n".utf8))
    exit(1)
}
Task {
    do {
        try await ApplianceDaemon.run(prepared.0, prepared.1)
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("vchd: \(error)\n".utf8))
        exit(1)
    }
}
dispatchMain()
