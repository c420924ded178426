import Foundation
import Testing
import VICCore
@testable import VICImage

@Suite struct ImageListFilterTests {
    static func image(_ id: String, tags: [String], digests: [String] = [], day: Int, labels: [String: String] = [:]) -> ImageRecord {
        ImageRecord(
            id: "sha256:" + id, repoTags: tags, repoDigests: digests, diffIDs: [], size: 1,
            created: Date(timeIntervalSince1970: Double(day) * 86400),
            configuration: ImageConfiguration(config: .init(Labels: labels), rootfs: .init(type: "layers", diff_ids: [])))
    }

    static let images = [
        image("aaa", tags: ["busybox:latest", "busybox:1.36"], digests: ["busybox@sha256:" + String(repeating: "1", count: 64)], day: 1),
        image("bbb", tags: ["example.com/team/app:v1"], day: 2, labels: ["tier": "web", "team": "a"]),
        image("ccc", tags: [], digests: ["alpine@sha256:" + String(repeating: "2", count: 64)], day: 3),
        image("ddd", tags: [], day: 4, labels: ["tier": "db"]),
    ]

    /// Filters → the IDs listed and, for each, the tags shown.
    static let table: [([String: [String]], [String])] = [
        ([:], ["aaa busybox:latest,busybox:1.36", "bbb example.com/team/app:v1", "ccc ", "ddd "]),
        (["reference": ["busybox"]], ["aaa busybox:latest,busybox:1.36"]),
        (["reference": ["busybox:1.*"]], ["aaa busybox:1.36"]),
        (["reference": ["busy*"]], ["aaa busybox:latest,busybox:1.36"]),
        (["reference": ["example.com/*/app"]], ["bbb example.com/team/app:v1"]),
        (["reference": ["*"]], ["aaa busybox:latest,busybox:1.36", "ccc "]),
        (["reference": ["alpine"]], ["ccc "]),
        (["reference": ["busybox:lates?", "alpine"]], ["aaa busybox:latest", "ccc "]),
        (["reference": ["nothing"]], []),
        (["dangling": ["true"]], ["ccc ", "ddd "]),
        (["dangling": ["false"]], ["aaa busybox:latest,busybox:1.36", "bbb example.com/team/app:v1", "ccc "]),
        (["label": ["tier"]], ["bbb example.com/team/app:v1", "ddd "]),
        (["label": ["tier=web"]], ["bbb example.com/team/app:v1"]),
        (["label": ["tier=web", "team=b"]], []),
        (["before": ["ccc"]], ["aaa busybox:latest,busybox:1.36", "bbb example.com/team/app:v1"]),
        (["since": ["busybox:1.36"]], ["bbb example.com/team/app:v1", "ccc ", "ddd "]),
        (["since": ["aaa"], "before": ["ddd"]], ["bbb example.com/team/app:v1", "ccc "]),
        (["dangling": ["1"], "label": ["tier=db"]], ["ddd "]),
    ]

    static func resolve(_ text: String) throws -> ImageRecord {
        guard let match = images.first(where: { $0.id.hasSuffix(text) || $0.repoTags.contains(text) }) else {
            throw VICError(.notFound, "No such image: \(text)")
        }
        return match
    }

    @Test(arguments: table)
    func filters(_ fields: [String: [String]], _ expected: [String]) throws {
        let filter = try ImageListFilter(fields, resolve: ImageListFilterTests.resolve)
        let listed = filter.apply(ImageListFilterTests.images).map { "\(ContentStore.hex($0.id)) \($0.repoTags.joined(separator: ","))" }
        #expect(listed == expected)
    }

    @Test func untilKeepsOlderImages() throws {
        let filter = try ImageListFilter([:], until: Date(timeIntervalSince1970: 2.5 * 86400), resolve: ImageListFilterTests.resolve)
        #expect(filter.apply(ImageListFilterTests.images).map(\.id) == ["sha256:aaa", "sha256:bbb"])
    }

    @Test(arguments: [
        (["color": ["red"]], "invalid filter 'color'"),
        (["dangling": ["maybe"]], "invalid filter 'dangling=maybe'"),
        (["before": ["nothing"]], "No such image: nothing"),
    ])
    func rejects(_ fields: [String: [String]], _ message: String) {
        let error = #expect(throws: VICError.self) { try ImageListFilter(fields, resolve: ImageListFilterTests.resolve) }
        #expect(error?.message == message)
    }

    @Test(arguments: [
        ("busybox", "busybox", true), ("busy*", "busybox", true), ("*", "library/busybox", false),
        ("*/*", "library/busybox", true), ("b?sybox", "busybox", true), ("[a-c]usybox", "busybox", true),
        ("[^a-c]usybox", "busybox", false), ("busybox\\*", "busybox*", true), ("bus", "busybox", false),
        ("*:1.*", "busybox:1.36", true), ("[", "[", false),
    ])
    func globs(_ pattern: String, _ text: String, _ matches: Bool) {
        #expect(Glob.matches(pattern, text) == matches)
    }
}
