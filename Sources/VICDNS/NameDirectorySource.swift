/// Where the DNS server gets its `NameDirectory`: the appliance's container records, a fixed
/// snapshot in tests.
///
/// Two ways in, so the common case never suspends: `currentDirectory()` returns a snapshot
/// that is known to be up to date without waiting (the UDP receive thread answers container
/// names with it, synchronously), and `directory()` builds one when that returns nil.
public protocol NameDirectorySource: Sendable {
    /// The current snapshot if it can be had at once (cached and not stale); nil when it must
    /// be rebuilt through `directory()`. Never blocks for long: it may take a short lock.
    func currentDirectory() -> NameDirectory?

    /// The current snapshot, rebuilt if needed.
    func directory() async -> NameDirectory
}

/// A fixed snapshot is its own source.
extension NameDirectory: NameDirectorySource {
    /// Itself.
    public func currentDirectory() -> NameDirectory? { self }

    /// Itself.
    public func directory() async -> NameDirectory { self }
}
