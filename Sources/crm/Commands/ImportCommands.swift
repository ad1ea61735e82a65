import CRMCore
#if canImport(Glibc)
import Glibc
#endif

private let importOptions: [OptionSpec] = [
    .value("--from", "SOURCE", "salesforce, odoo, dolibarr, sirene, crm or generic (default: detected from the header)"),
    .value("--mapping", "FILE", "JSON file mapping source columns to fields, with optional value maps"),
    .value("--owner", "USER", "Owner of the imported records (default: the acting user)"),
    .value("--locale", "LOCALE", "fr (1 234,56 and day-first dates) or en (1,234.56 and month-first dates)"),
    .value("--encoding", "NAME", "utf-8, windows-1252 or iso-8859-1 (default: detected)"),
    .value("--delimiter", "C", "Field delimiter: , ; or tab (default: detected from the header line)"),
    .flag("--accept-possible-duplicates", "Import rows that look like a stored account instead of rejecting them"),
    .flag("--dry-run", "Check and count everything, then roll back"),
    .value("--report", "FILE", "Write every rejected row and warning to this CSV file"),
    .value("--batch", "N", "Commit every N rows; running the same command again resumes after the last commit"),
]

private func importCommand(_ entity: ImportEntity) -> CommandSpec {
    CommandSpec(
        path: ["import", entity.rawValue], summary: "Import \(entity.rawValue) from a CSV export or a crm export",
        arguments: [ArgumentSpec(name: "FILE", help: "CSV file, or JSON lines written by `crm export --format json`")],
        options: importOptions,
        discussion: """
            The whole file is one transaction unless --batch is given: if anything fatal happens, nothing is
            kept. Rows that cannot be imported are rejected with a reason code and their line number; the
            summary counts them and --report lists them. Importing the same file twice adds nothing.
            Example:
              crm import accounts StockUniteLegale.csv --owner alice --report rejects.csv
            """,
        run: { (invocation) throws(CRMError) in try runImport(invocation, entity: entity) })
}

private func runImport(_ invocation: Invocation, entity: ImportEntity) throws(CRMError) {
    var options = ImportOptions(entity: entity)
    options.source = try invocation.oneOf("--from", as: ImportSource.self)
    options.locale = try invocation.oneOf("--locale", as: ImportLocale.self)
    options.encoding = try invocation.oneOf("--encoding", as: TextEncoding.self)
    options.owner = invocation.value("--owner")
    options.acceptPossibleDuplicates = invocation.flag("--accept-possible-duplicates")
    options.dryRun = invocation.flag("--dry-run")
    if invocation.value("--batch") != nil {
        options.batchSize = try invocation.integer("--batch", default: 1000, range: 1...1_000_000)
    }
    if let delimiter = invocation.value("--delimiter") {
        switch delimiter {
        case ",", ";": options.delimiter = UInt8(ascii: delimiter.unicodeScalars.first!)
        case "\t", "tab", "\\t": options.delimiter = UInt8(ascii: "\t")
        default: throw CRMError.usage("invalid --delimiter '\(delimiter)': expected , ; or tab")
        }
    }
    if let mapping = invocation.value("--mapping") { options.mapping = try ImportMapping.load(path: mapping) }

    let path = invocation.required("FILE")
    let progress = ProgressBar(enabled: isatty(STDERR_FILENO) == 1)
    let summary = try Importer.run(try invocation.context(), path: path, options: options,
                                   progress: { done, total in progress.update(done, total) })
    progress.finish()
    if let report = invocation.value("--report") {
        try FileSystem.writeText(summary.reportCSV(includeValues: invocation.environment.debug), to: report, mode: 0o600)
    }
    printSummary(summary, path: path, debug: invocation.environment.debug)
}

private func printSummary(_ summary: ImportSummary, path: String, debug: Bool) {
    var lines = ["\(summary.dryRun ? "Dry run of" : "Imported") \(path) (format \(summary.source.rawValue)"
                 + (summary.encoding.map { ", \($0.rawValue)" } ?? "") + "):"]
    if let resumed = summary.resumedAfterLine { lines.append("  resumed after line \(resumed)") }
    lines.append("  rows read:  \(summary.rowsRead)")
    lines.append("  imported:   \(summary.imported)")
    lines.append("  updated:    \(summary.updated)")
    lines.append("  unchanged:  \(summary.unchanged)")
    lines.append("  skipped:    \(summary.skipped)" + codes(summary.counts(.skipped)))
    lines.append("  rejected:   \(summary.rejected)" + codes(summary.counts(.rejected)))
    lines.append("  warnings:   \(summary.warnings)" + codes(summary.counts(.warning)))
    for issue in summary.issues.filter({ $0.severity == .rejected }).prefix(20) {
        var text = "  line \(issue.line): \(issue.code)" + (issue.column.map { " (\($0))" } ?? "") + ": \(issue.message)"
        if debug, let detail = issue.detail { text += " [value: \(detail)]" }
        lines.append(text)
    }
    if summary.rejected > 20 { lines.append("  ... see --report FILE for every rejected row") }
    if summary.dryRun { lines.append("Nothing was written (--dry-run).") }
    Output.line(lines.joined(separator: "\n"))
}

private func codes(_ counts: [(code: String, count: Int)]) -> String {
    counts.isEmpty ? "" : " (" + counts.map { "\($0.code) \($0.count)" }.joined(separator: ", ") + ")"
}

/// A one-line progress bar on stderr, drawn only on a terminal and only
/// for files larger than 1 MiB, at most once per percent.
final class ProgressBar: @unchecked Sendable {
    private let enabled: Bool
    private var lastPercent = -1
    private var drawn = false

    init(enabled: Bool) { self.enabled = enabled }

    func update(_ done: Int, _ total: Int) {
        guard enabled, total > 1 << 20 else { return }
        let percent = min(100, done * 100 / max(total, 1))
        guard percent != lastPercent else { return }
        lastPercent = percent
        drawn = true
        let width = 40
        let filled = percent * width / 100
        writeStandardError("\r[" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
                        + "] \(percent)%")
    }

    func finish() {
        if drawn { writeStandardError("\n") }
    }
}

private func writeStandardError(_ text: String) {
    var bytes = Array(text.utf8)
    _ = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

let importCommands: [CommandSpec] = ImportEntity.allCases.map(importCommand)

let exportCommands: [CommandSpec] = [
    CommandSpec(
        path: ["export"], summary: "Export accounts, contacts, opportunities, activities or quotes",
        arguments: [ArgumentSpec(name: "ENTITY", help: "accounts, contacts, opportunities, activities or quotes")],
        options: [
            .value("--format", "FORMAT", "csv (UTF-8, RFC 4180; the default) or json (one object per line)"),
            .value("--output", "FILE", "Write to this file instead of standard output"),
        ],
        access: .read,
        discussion: """
            The JSON-lines form of accounts, contacts and opportunities imports back without loss with
            `crm import ENTITY FILE --from crm`; import the accounts (and contacts) before their
            opportunities. Activities and quotes are export-only. A quote's CSV form has one row per
            quote line; its JSON form has one object per quote with a "lines" list.
            Only the records you may see are exported.
            """,
        run: { (invocation) throws(CRMError) in
            guard let entity = ExportEntity(rawValue: invocation.required("ENTITY")) else {
                throw CRMError.usage("invalid ENTITY '\(invocation.required("ENTITY"))': expected accounts, contacts, "
                                     + "opportunities, activities or quotes")
            }
            let format = try invocation.oneOf("--format", as: ExportFormat.self) ?? .csv
            // NOTE: the export is built in memory before it is written; a
            // streaming writer matters only for databases of millions of rows.
            var output = ""
            let count = try Exporter.export(try invocation.context(), entity: entity, format: format) {
                (chunk: String) throws(CRMError) in output += chunk
            }
            if let path = invocation.value("--output") {
                try FileSystem.writeText(output, to: path, mode: 0o600)
                Output.error("Exported \(count) \(entity.rawValue) to \(path).")
            } else {
                print(output, terminator: "")
            }
        }),
]
