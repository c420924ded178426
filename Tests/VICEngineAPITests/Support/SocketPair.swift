#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A connected pair of Unix stream sockets: the server gets one end as a hijack target, the
/// test talks through the other.
struct SocketPair {
    struct Failure: Error {
        var step: String
        var code: Int32
    }

    /// The end handed to the server, which owns and closes it.
    let serverEnd: Int32
    /// The end the test keeps.
    let testEnd: Int32
    /// The kernel's identity of `serverEnd`, to check later that nothing holds it open.
    let serverInode: UInt64

    init() throws {
        var descriptors: [Int32] = [-1, -1]
        #if canImport(Glibc)
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
        let type = SOCK_STREAM
        #endif
        guard socketpair(AF_UNIX, type, 0, &descriptors) == 0 else { throw Failure(step: "socketpair", code: errno) }
        serverEnd = descriptors[0]
        testEnd = descriptors[1]
        serverInode = try Self.inode(of: descriptors[0])
    }

    static func inode(of descriptor: Int32) throws -> UInt64 {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Failure(step: "fstat", code: errno) }
        return UInt64(status.st_ino)
    }

    /// Whether any descriptor of this process refers to the inode (`socket:[N]` or `pipe:[N]`).
    static func isOpen(inode: UInt64) -> Bool {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return entries.contains { entry in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + entry)
            else { return false }
            return target.hasSuffix(":[\(inode)]")
        }
    }
}
