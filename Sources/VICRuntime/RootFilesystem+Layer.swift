import Foundation
import Glibc
import VICCore
import VICSystem

extension RootFilesystem {
    /// Writes the container's changes as an OCI layer, a plain tar at `path` (`docker commit`):
    /// the upper directory's entries, with overlayfs's whiteouts (0/0 character devices) as
    /// `.wh.NAME` files and its opaque directories marked by `.wh..wh..opq`, as the image layer
    /// format has them. The paths in `excluding` (the runtime's mount points for the bound /etc
    /// files) are left out. GNU tar writes it from lists of names, numeric owners, hard links
    /// kept. Reads only; nothing need be mounted. Throws `.internal` when tar fails.
    public func writeLayer(to path: String, excluding excluded: Set<String>) async throws {
        let upper = "\(directory)/upper"
        let scratch = "\(directory)/.layer-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: scratch + "/whiteouts", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        var members: [String] = []
        var markers: [String] = []
        walk(upper, "") { relative, info in
            if excluded.contains(relative) { return }
            let host = upper + relative
            if info.st_mode & S_IFMT == S_IFCHR && info.st_rdev == 0 {
                let parent = (relative as NSString).deletingLastPathComponent
                markers.append((parent == "/" ? "" : parent) + "/.wh." + (relative as NSString).lastPathComponent)
                return
            }
            members.append(relative)
            if info.st_mode & S_IFMT == S_IFDIR && RootFilesystem.isDeletion(host, info) {
                markers.append(relative + "/.wh..wh..opq")
            }
        }
        for marker in markers {
            let file = scratch + "/whiteouts" + marker
            try FileManager.default.createDirectory(
                atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: file, contents: nil) else {
                throw VICError(.internal, "commit: cannot make the whiteout \(marker)")
            }
        }
        // NUL-separated lists of "./path" names, read verbatim: any byte may be in a name.
        func list(_ names: [String], _ file: String) throws {
            let data = Data(names.map { "." + $0 + "\0" }.joined().utf8)
            guard FileManager.default.createFile(atPath: file, contents: data) else {
                throw VICError(.internal, "commit: cannot write \(file)")
            }
        }
        try list(members, scratch + "/members")
        try list(markers, scratch + "/markers")
        let result = try await Command.run("/usr/bin/tar", [
            "--numeric-owner", "--no-recursion", "--null", "--verbatim-files-from", "-cf", path,
            "-C", upper, "-T", scratch + "/members", "-C", scratch + "/whiteouts", "-T", scratch + "/markers",
        ])
        // tar exits 1 when a file changed while it was read (a running container): still whole.
        guard result.status == 0 || result.status == 1 else {
            throw VICError(.internal, "commit: tar failed: \(result.standardError.trimmingWhitespace())")
        }
    }
}
