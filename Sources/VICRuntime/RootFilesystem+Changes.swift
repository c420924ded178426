import Foundation
import Glibc
import VICCore
import VICSystem

/// One line of `docker diff`: a path inside the container and what happened to it.
public struct FileChange: Sendable, Equatable {
    /// Docker's kinds: 0 modified (C), 1 added (A), 2 deleted (D).
    public enum Kind: Int, Sendable {
        case modified = 0, added = 1, deleted = 2
    }

    /// Absolute inside the container.
    public var path: String
    public var kind: Kind

    public init(_ path: String, _ kind: Kind) {
        self.path = path
        self.kind = kind
    }
}

extension RootFilesystem {
    /// What the container changed, as dockerd's overlay driver reports it: a walk of the upper
    /// directory in lexical order, where a whiteout (a 0/0 character device) or an opaque
    /// directory is a deletion, a path that a layer also has is a modification (a directory
    /// only when its size, mode or time differ), anything else an addition, and the parent of
    /// an addition or deletion is listed as modified. Reads only; nothing need be mounted.
    ///
    /// `ignoring` names the runtime's mount points for the files vic bind-mounts (dockerd keeps
    /// those in an init layer, so `docker diff` never shows them): they are skipped, and so is a
    /// directory that holds nothing else the container changed.
    public func changes(ignoring ignored: Set<String> = []) -> [FileChange] {
        let upper = "\(directory)/upper"
        var changes: [FileChange] = []
        var changedDirectories: Set<String> = []
        // Only a directory that holds an ignored path can hold nothing but ignored paths.
        let ignoredParents = Set(ignored.map { ($0 as NSString).deletingLastPathComponent })
        walk(upper, "") { path, info in
            if ignored.contains(path) { return }
            if ignoredParents.contains(path), info.st_mode & S_IFMT == S_IFDIR, holdsOnlyIgnored(upper + path, path, ignored) { return }
            var kind = FileChange.Kind.added
            if RootFilesystem.isDeletion(upper + path, info) {
                kind = .deleted
            } else if let lower = lowerStatus(path) {
                let bothDirectories = info.st_mode & S_IFMT == S_IFDIR && lower.st_mode & S_IFMT == S_IFDIR
                if bothDirectories && info.st_size == lower.st_size && info.st_mode == lower.st_mode
                    && info.st_mtim.tv_sec == lower.st_mtim.tv_sec && info.st_mtim.tv_nsec == lower.st_mtim.tv_nsec {
                    return  // copied up for a child's sake; the child's parent line covers it
                }
                kind = .modified
            }
            changes.append(FileChange(path, kind))
            if info.st_mode & S_IFMT == S_IFDIR { changedDirectories.insert(path) }
            if kind != .modified {
                let parent = (path as NSString).deletingLastPathComponent
                if parent != "/" && !changedDirectories.contains(parent) {
                    changes.append(FileChange(parent, .modified))
                    changedDirectories.insert(parent)
                }
            }
        }
        return changes
    }

    /// Bytes of regular files in the upper directory, each hard-linked file once: what the
    /// container wrote (`SizeRw`).
    public func upperSize() -> Int64 { FileSystem.regularFileBytes(under: "\(directory)/upper") }

    /// Whether a directory's entries are all ignored mount points (and there is one at least).
    func holdsOnlyIgnored(_ host: String, _ path: String, _ ignored: Set<String>) -> Bool {
        guard lowerStatus(path) != nil else { return false }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: host)) ?? []
        return !names.isEmpty && names.allSatisfy { ignored.contains(path + "/" + $0) }
    }

    /// stat(2) of `path` in the topmost layer that has it (links followed, as Go's os.Stat).
    func lowerStatus(_ path: String) -> stat? {
        for layer in layers.reversed() {
            var info = stat()
            if stat(layer + path, &info) == 0 { return info }
        }
        return nil
    }

    /// A whiteout, or a directory marked opaque.
    static func isDeletion(_ host: String, _ info: stat) -> Bool {
        switch info.st_mode & S_IFMT {
        case S_IFCHR: return info.st_rdev == 0
        case S_IFDIR: return FileSystem.attribute(host, name: "trusted.overlay.opaque") == Array("y".utf8)
        default: return false
        }
    }

    /// Every entry under `root` + `relative`, depth first, names sorted, not following links.
    func walk(_ root: String, _ relative: String, _ visit: (String, stat) -> Void) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: root + relative)) ?? []).sorted()
        for name in names {
            let path = relative + "/" + name
            var info = stat()
            guard lstat(root + path, &info) == 0 else { continue }
            visit(path, info)
            if info.st_mode & S_IFMT == S_IFDIR { walk(root, path, visit) }
        }
    }
}
