/// One rejected, skipped or warned row of an import, located by its line
/// in the file and the column concerned. `message` never holds values from
/// the file; `detail` does, and is shown only with `--debug`.
public struct ImportIssue: Equatable, Sendable {
    public enum Severity: String, Sendable { case rejected, skipped, warning }

    public let line: Int
    public let severity: Severity
    /// A stable reason code such as `invalid_siren` or `duplicate_key`.
    public let code: String
    public let column: String?
    public let message: String
    public let detail: String?

    public init(line: Int, severity: Severity, code: String, column: String?, message: String, detail: String? = nil) {
        self.line = line
        self.severity = severity
        self.code = code
        self.column = column
        self.message = message
        self.detail = detail
    }
}

/// What an import did, row by row.
public struct ImportSummary: Sendable {
    public var source: ImportSource
    public var encoding: TextEncoding?
    public var delimiter: UInt8?
    public var rowsRead = 0
    public var imported = 0
    /// Rows whose source id was already stored and whose values changed.
    public var updated = 0
    /// Rows whose source id was already stored with the same values.
    public var unchanged = 0
    /// Rows deleted in the source (`deleted_in_source`).
    public var skipped = 0
    public var rejected = 0
    public var warnings = 0
    public var issues: [ImportIssue] = []
    /// The line after which a batched run resumed, when it did.
    public var resumedAfterLine: Int?
    public var dryRun = false

    /// Counts of issues by severity and code, sorted by code.
    public func counts(_ severity: ImportIssue.Severity) -> [(code: String, count: Int)] {
        var result: [String: Int] = [:]
        for issue in issues where issue.severity == severity { result[issue.code, default: 0] += 1 }
        return result.sorted { $0.key < $1.key }.map { (code: $0.key, count: $0.value) }
    }

    /// The report file: one CSV row per issue, in line order. The `value`
    /// column holds the offending value only when `includeValues` is true.
    public func reportCSV(includeValues: Bool) -> String {
        var text = "line,severity,code,column,message" + (includeValues ? ",value" : "") + "\r\n"
        for issue in issues.sorted(by: { ($0.line, $0.severity.rawValue) < ($1.line, $1.severity.rawValue) }) {
            var cells = [String(issue.line), issue.severity.rawValue, issue.code, issue.column ?? "", issue.message]
            if includeValues { cells.append(issue.detail ?? "") }
            text += cells.map(CSVWriter.quoted).joined(separator: ",") + "\r\n"
        }
        return text
    }
}
