import VICCore

/// The iproute2 side of `LinkChange` batches: each change as an `ip` argument list, the script
/// that `ip -force -batch -` reads, and the failures it reports. Pure, so the exact command lines
/// and the error attribution are tested without root.
public enum IPRoute2Batch {
    /// The `ip` arguments of one change (without `ip` and `-n NS`).
    public static func arguments(_ change: LinkChange) -> [String] {
        switch change {
        case .deleteLink(let name):
            return ["link", "del", "dev", name]
        case .createVethPair(let hostName, let bridge, let peerName, let peerNamespace, let peerMAC):
            return ["link", "add", "name", hostName] + (bridge.map { ["master", $0] } ?? []) + ["up"]
                + ["type", "veth", "peer", "name", peerName] + (peerMAC.map { ["address", $0] } ?? [])
                + ["netns", peerNamespace]
        case .setUp(let link):
            return ["link", "set", "dev", link, "up"]
        case .addAddress(let address, let link):
            return ["address", "replace", address.description, "dev", link]
        case .addAddress6(let address, let link):
            return ["address", "replace", address.description, "dev", link, "nodad"]
        case .replaceRoute(let destination, let gateway, let device):
            return ["route", "replace", destination?.description ?? "default", "via", gateway.description, "dev", device]
        case .deleteRoute(let destination):
            return ["route", "del", destination?.description ?? "default"]
        }
    }

    /// What iproute2 says when a change was already done: the link or route is gone.
    public static func alreadyDone(_ change: LinkChange) -> [String] {
        switch change {
        case .deleteLink: return ["Cannot find device"]
        case .deleteRoute: return ["No such process"]
        default: return []
        }
    }

    /// The batch script: one line per change. Arguments with blanks are quoted; quotes,
    /// newlines and `#` (a comment to iproute2) cannot be expressed and are refused.
    public static func script(_ changes: [LinkChange]) throws -> String {
        try changes.map { change in
            try arguments(change).map { argument in
                guard !argument.isEmpty, !argument.contains(where: { "\"\n\r#\\".contains($0) }) else {
                    throw VICError(.invalidArgument, "cannot pass \"\(argument)\" to ip -batch")
                }
                return argument.contains(where: { $0 == " " || $0 == "\t" }) ? "\"\(argument)\"" : argument
            }.joined(separator: " ")
        }.joined(separator: "\n") + "\n"
    }

    /// The failed lines of a `-force -batch` run (1-based) with what iproute2 printed for each:
    /// its messages come first, then "Command failed -:N". Text after the last marker (a
    /// failure before the batch started, such as a missing namespace) is under line 0.
    public static func failures(standardError: String) -> [Int: String] {
        var result: [Int: String] = [:]
        var pending: [Substring] = []
        for line in standardError.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("Command failed "), let number = line.split(separator: ":").last.flatMap({ Int($0) }) {
                result[number] = pending.joined(separator: "; ")
                pending = []
            } else {
                pending.append(line)
            }
        }
        if !pending.isEmpty { result[0] = pending.joined(separator: "; ") }
        return result
    }

    /// The first failure that is not "already done", as an error naming its command; nil when
    /// the batch did everything. `status` is ip's exit status.
    public static func firstError(_ changes: [LinkChange], status: Int32, standardError: String) -> VICError? {
        guard status != 0 else { return nil }
        let failed = failures(standardError: standardError)
        for (index, change) in changes.enumerated() {
            guard let message = failed[index + 1] else { continue }
            if alreadyDone(change).contains(where: { message.contains($0) }) { continue }
            return VICError(.internal, "ip \(arguments(change).joined(separator: " ")): \(message)")
        }
        if let message = failed[0] { return VICError(.internal, "ip -batch: \(message)") }
        // A non-zero status with every failure tolerated is success; with no marker at all it is not.
        return failed.isEmpty ? VICError(.internal, "ip -batch failed (exit \(status))") : nil
    }
}
