import CRMCore
#if canImport(Glibc)
import Glibc
#endif

/// Writes results: aligned tables on a terminal, tab-separated text when
/// piped, JSON with `--json`. Messages go to stderr.
enum Output {
    static let isTerminal = isatty(STDOUT_FILENO) == 1
    nonisolated(unsafe) static var useColour = isTerminal

    static func line(_ text: String = "") {
        print(text)
    }

    static func error(_ text: String) {
        FileSystem.writeStandardError(text)
    }

    static func json(_ value: Value) {
        print(JSON.encode(value, pretty: true))
    }

    /// Prints rows under headers. Cells are single-line: line breaks and tabs
    /// inside a value are shown as spaces.
    static func table(_ headers: [String], _ rows: [[String]]) {
        let clean = rows.map { $0.map { cell in String(cell.map { $0 == "\n" || $0 == "\t" || $0 == "\r" ? " " : $0 }) } }
        guard isTerminal else {
            print(headers.joined(separator: "\t"))
            for row in clean { print(row.joined(separator: "\t")) }
            return
        }
        var widths = headers.map(\.count)
        for row in clean { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        func render(_ cells: [String]) -> String {
            var text = ""
            for (index, cell) in cells.enumerated() {
                let last = index == cells.count - 1
                text += last ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 2)
            }
            return text
        }
        let header = render(headers)
        print(useColour ? "\u{1B}[1m\(header)\u{1B}[0m" : header)
        for row in clean { print(render(row)) }
    }

    /// Prints `label: value` pairs for one record.
    static func record(_ pairs: [(String, String?)]) {
        let width = (pairs.map(\.0.count).max() ?? 0) + 1
        for (label, value) in pairs {
            guard let value else { continue }
            let indented = value.split(separator: "\n", omittingEmptySubsequences: false)
                .joined(separator: "\n" + String(repeating: " ", count: width + 1))
            print(label + ":" + String(repeating: " ", count: width - label.count) + indented)
        }
    }
}
