import Foundation
import Glibc
import Testing
@testable import VICEngineAPI

/// `docker cp`'s path stat header and the names GNU tar is given.
@Suite struct ContainerPathStatTests {
    @Test func baseIsGoFilepathBase() {
        #expect(ContainerPathStat.base("/etc/hosts") == "hosts")
        #expect(ContainerPathStat.base("/etc/") == "etc")
        #expect(ContainerPathStat.base("/etc/.") == ".")
        #expect(ContainerPathStat.base("/") == "/")
        #expect(ContainerPathStat.base("") == ".")
    }

    @Test func onlyATrailingSeparatorOrDotFollowsTheLastComponent() {
        #expect(ContainerPathStat.followsLast("/data/"))
        #expect(ContainerPathStat.followsLast("/data/."))
        #expect(!ContainerPathStat.followsLast("/data/link"))
        #expect(!ContainerPathStat.followsLast("/data/.hidden"))
    }

    @Test func modesAreGoFileModes() {
        #expect(ContainerPathStat.goFileMode(S_IFDIR | 0o755) == 1 << 31 | 0o755)
        #expect(ContainerPathStat.goFileMode(S_IFLNK | 0o777) == 1 << 27 | 0o777)
        #expect(ContainerPathStat.goFileMode(S_IFREG | 0o4755) == 1 << 23 | 0o755)
        #expect(ContainerPathStat.goFileMode(S_IFCHR | 0o666) == 1 << 26 | 1 << 21 | 0o666)
        #expect(ContainerPathStat.goFileMode(S_IFDIR | 0o1777) == 1 << 31 | 1 << 20 | 0o777)
    }

    @Test func headerIsBase64JSON() throws {
        let stat = ContainerPathStat(name: "hosts", size: 12, mode: 0o644, mtime: "2026-11-29T12:00:00Z", linkTarget: "")
        let decoded = try #require(Data(base64Encoded: try stat.headerValue()))
        #expect(try JSONDecoder().decode(ContainerPathStat.self, from: decoded) == stat)
        let object = try #require(try JSONSerialization.jsonObject(with: decoded) as? [String: Any])
        #expect(Set(object.keys) == ["name", "size", "mode", "mtime", "linkTarget"])
    }

    @Test func transformTextIsEscapedForSed() {
        #expect(TarStream.escapeForTransform("a.b,c") == #"a\.b\,c"#)
        #expect(TarStream.escapeReplacement("x&y,z\\") == #"x\&y\,z\\"#)
    }
}
