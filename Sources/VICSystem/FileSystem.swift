import Foundation
import CVICSystem
import Glibc

/// File-system calls Swift's Glibc module does not export.
public enum FileSystem {
    /// Sets an extended attribute on `path` itself (not a link's target). Returns 0 or -1/errno.
    @discardableResult
    public static func setAttribute(_ path: String, name: String, value: [UInt8]) -> Int32 {
        value.withUnsafeBytes { cvic_lsetxattr(path, name, $0.baseAddress, $0.count) }
    }

    /// A device number from its major and minor parts.
    public static func device(major: UInt32, minor: UInt32) -> dev_t { cvic_makedev(major, minor) }

    /// The value of an extended attribute of `path` itself, or nil.
    public static func attribute(_ path: String, name: String) -> [UInt8]? {
        var value = [UInt8](repeating: 0, count: 4096)
        let n = value.withUnsafeMutableBytes { cvic_lgetxattr(path, name, $0.baseAddress, $0.count) }
        return n < 0 ? nil : Array(value[0..<n])
    }

    /// The whole of a kernel file (/proc, /sys, cgroup files), read until end of file.
    /// Foundation's `String(contentsOfFile:)` trusts the size procfs reports and so returns only
    /// the first page of /proc/self/mounts; this does not. nil when it cannot be opened.
    public static func readKernelFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { break }
            data += chunk[0..<n]
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads `fd` (a pipe, say) until its end or an error, keeping at most the first `limit`
    /// bytes: a writer on the other end is never left blocked on a full pipe. Blocks; leaves
    /// `fd` open.
    public static func drain(_ fd: Int32, keeping limit: Int = 0) -> [UInt8] {
        var kept: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return kept }
            if kept.count < limit { kept += chunk[..<min(count, limit - kept.count)] }
        }
    }

    /// Bytes of the regular files under `path`, not following links, each hard-linked file
    /// counted once (busybox's hundreds of applet links are one file); 0 when it does not exist.
    public static func regularFileBytes(under path: String) -> Int64 {
        var total: Int64 = 0
        guard let walker = FileManager.default.enumerator(atPath: path) else { return 0 }
        var linked: Set<ino_t> = []
        while let name = walker.nextObject() as? String {
            var info = stat()
            guard lstat("\(path)/\(name)", &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            if info.st_nlink > 1 && !linked.insert(info.st_ino).inserted { continue }
            total += Int64(info.st_size)
        }
        return total
    }

    /// Writes all of `bytes` to `fd`, through short writes and EINTR.
    /// - Throws: `errnoError(operation)` when a write fails (EIO if one writes nothing).
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, operation: @autoclosure () -> String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                if n == 0 { errno = EIO }
                throw errnoError(operation())
            }
            offset += n
        }
    }

    /// Moves the entry `name` of the directory `from` to the same name in `into`, unless a file
    /// of that name is there already (renameat2's RENAME_NOREPLACE); links are moved, never
    /// followed. Returns whether it moved.
    public static func moveWithoutReplacing(_ name: String, from: Int32, into: Int32) -> Bool {
        cvic_rename_noreplace(from, name, into, name) == 0
    }

    /// Writes a kernel control file (/proc/sys, cgroup files) in place: these cannot be renamed.
    public static func writeControl(_ path: String, _ value: String) throws {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw errnoError("open \(path)") }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            throw errnoError("write \(path)")
        }
    }
}
