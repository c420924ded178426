import Foundation

/// Real values about the machine vchd runs on, for `/info` and `/version`.
public struct HostFacts: Sendable, Equatable {
    /// Online processors.
    public var cpus: Int
    /// Physical memory in bytes.
    public var memoryBytes: Int64
    /// The kernel release, as `uname -r` prints it.
    public var kernelVersion: String
    /// Go's name for the machine ("amd64", "arm64"), else uname's.
    public var architecture: String

    /// Reads /proc and uname. Never fails: unknown values are 0 or "unknown".
    public static func read() -> HostFacts {
        var name = utsname()
        uname(&name)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
        }
        let machine = field(name.machine)
        return HostFacts(
            cpus: ProcessInfo.processInfo.activeProcessorCount,
            memoryBytes: Int64(ProcessInfo.processInfo.physicalMemory),
            kernelVersion: field(name.release),
            architecture: machine == "x86_64" ? "amd64" : machine == "aarch64" ? "arm64" : machine)
    }
}
