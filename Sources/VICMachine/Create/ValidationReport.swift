/// What validation found: every problem at once (each one line naming its flag), plus warnings
/// and informational lines. Problems block the create; warnings do not.
public struct ValidationReport: Sendable, Equatable {
    public var problems: [String] = []
    public var warnings: [String] = []
    public var notes: [String] = []

    public init() {}

    public var isValid: Bool { problems.isEmpty }

    mutating func fail(_ flag: String, _ message: String) {
        problems.append(flag.isEmpty ? message : "\(flag): \(message)")
    }

    mutating func warn(_ message: String) { warnings.append(message) }
    mutating func note(_ message: String) { notes.append(message) }
}
