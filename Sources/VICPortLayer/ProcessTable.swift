import Foundation
import VICCore

/// `ps` output cut down to a container's processes (`docker top`), as Docker's parsePSOutput:
/// the header's columns are the titles, the last column takes the rest of each line, and thread
/// lines (`-` as PID, from `ps m`) follow the process they belong to.
public struct ProcessTable: Sendable, Equatable {
    /// The column headers of `ps`, e.g. ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"].
    public var titles: [String]
    /// One row per process of the container, `titles.count` fields each.
    public var processes: [[String]]

    /// A table as given; rows are not checked against the titles.
    public init(titles: [String], processes: [[String]]) {
        self.titles = titles
        self.processes = processes
    }

    /// - Throws: `.internal` when the output has no PID column or a PID is not a number.
    public init(psOutput: String, pids: Set<Int32>) throws {
        let lines = psOutput.split(separator: "\n", omittingEmptySubsequences: false)
        titles = (lines.first ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
        guard let pidIndex = titles.firstIndex(of: "PID") else {
            throw VICError(.internal, "Couldn't find PID field in ps output")
        }
        processes = []
        var previousIncluded = false
        for line in lines.dropFirst() where !line.isEmpty {
            let fields = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard fields.count > pidIndex else { continue }
            if fields[pidIndex] == "-" {
                if previousIncluded { processes.append(Self.row(fields, columns: titles.count)) }
                continue
            }
            guard let pid = Int32(fields[pidIndex]) else {
                throw VICError(.internal, "Unexpected pid '\(fields[pidIndex])'")
            }
            previousIncluded = pids.contains(pid)
            if previousIncluded { processes.append(Self.row(fields, columns: titles.count)) }
        }
    }

    static func row(_ fields: [String], columns: Int) -> [String] {
        guard columns > 0, fields.count >= columns else { return fields }
        return Array(fields[..<(columns - 1)]) + [fields[(columns - 1)...].joined(separator: " ")]
    }
}
