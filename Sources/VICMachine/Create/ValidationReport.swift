/// What validation found: every problem at once (each one line naming its flag), plus warnings
/// and informational lines. Problems block the create; warnings do not.
public struct ValidationReport: Sendable, Equatable {
    /// Blocking errors, each "--flag: message".
    public var problems: [String] = []
    /// Things the create proceeds despite, printed as WARN.
    public var warnings: [String] = []
    /// Decisions worth telling the user (a port group created, a default used).
    public var notes: [String] = []

    /// An empty report.
    public init() {}

    /// Whether there are no problems, so a plan can be built.
    public var isValid: Bool { problems.isEmpty }

    mutating func fail(_ flag: String, _ message: String) {
        problems.append(flag.isEmpty ? message : "\(flag): \(message)")
    }

    mutating func warn(_ message: String) { warnings.append(message) }
    mutating func note(_ message: String) { notes.append(message) }
}
