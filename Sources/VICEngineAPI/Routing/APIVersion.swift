/// A Docker API version such as `1.45`, as in the `/v1.45/...` path prefix.
///
/// Compared like Docker's `versions.Compare`: dot-separated numbers, piece by piece, a missing
/// or non-numeric piece counting as 0 (so `1` < `1.24` and `1.45` == `1.45.0`).
struct APIVersion: Sendable, Comparable, CustomStringConvertible {
    let description: String
    let components: [Int]

    init(_ text: String) {
        description = text
        components = text.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
    }

    static func == (lhs: APIVersion, rhs: APIVersion) -> Bool { compare(lhs, rhs) == 0 }

    static func < (lhs: APIVersion, rhs: APIVersion) -> Bool { compare(lhs, rhs) < 0 }

    private static func compare(_ lhs: APIVersion, _ rhs: APIVersion) -> Int {
        for index in 0..<max(lhs.components.count, rhs.components.count) {
            let left = index < lhs.components.count ? lhs.components[index] : 0
            let right = index < rhs.components.count ? rhs.components[index] : 0
            if left != right { return left < right ? -1 : 1 }
        }
        return 0
    }

    static let current = APIVersion(EngineBuild.apiVersion)
    static let minimum = APIVersion(EngineBuild.minimumAPIVersion)

    /// Splits `/v1.45/info` into the version and `/info`, the way Docker's router matches
    /// `/v{version:[0-9.]+}`. Any other path comes back unchanged with no version.
    static func strippingPrefix(_ path: String) -> (version: APIVersion?, path: String) {
        guard path.hasPrefix("/v") else { return (nil, path) }
        let afterV = path.dropFirst(2)
        let end = afterV.firstIndex(of: "/") ?? afterV.endIndex
        let candidate = afterV[afterV.startIndex..<end]
        guard !candidate.isEmpty, candidate.allSatisfy({ $0 == "." || ("0"..."9").contains($0) }) else {
            return (nil, path)
        }
        let rest = String(afterV[end...])
        return (APIVersion(String(candidate)), rest.isEmpty ? "/" : rest)
    }
}
