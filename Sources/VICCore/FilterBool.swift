/// Docker's boolean filters (`dangling`, `all`), read one way everywhere: "true"/"1" and
/// "false"/"0", in any case. A key that is absent is nil.
public enum FilterBool {
    /// The value of the boolean filter `key` given `values`; throws `.invalidArgument` with
    /// Docker's words for anything else, and when both true and false are given.
    public static func parse(_ key: String, _ values: [String]) throws(VICError) -> Bool? {
        var seen: Set<Bool> = []
        for value in values.sorted() {
            switch value.lowercased() {
            case "true", "1": seen.insert(true)
            case "false", "0": seen.insert(false)
            default: throw VICError(.invalidArgument, "invalid filter '\(key)=\(value)'")
            }
        }
        guard seen.count <= 1 else {
            throw VICError(.invalidArgument, "got more than one value for filter key \"\(key)\"")
        }
        return seen.first
    }
}
