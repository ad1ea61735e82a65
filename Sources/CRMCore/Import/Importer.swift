#if canImport(Glibc)
import Glibc
#endif

/// Options of one `crm import` run.
public struct ImportOptions: Sendable {
    public var entity: ImportEntity
    public var source: ImportSource?
    public var mapping: ImportMapping?
    /// Owner of the created records; the acting user when nil.
    public var owner: String?
    public var locale: ImportLocale?
    public var encoding: TextEncoding?
    public var delimiter: UInt8?
    public var acceptPossibleDuplicates = false
    public var dryRun = false
    /// Commit every `batchSize` rows, and resume an interrupted run.
    public var batchSize: Int?

    public init(entity: ImportEntity) { self.entity = entity }
}

/// Imports a CSV export (or a `crm export` JSON-lines file) into the CRM.
///
/// Every row goes through the same checks, and every created account fires
/// `onAccountCreated` like an account added by hand. Without `batchSize`
/// the whole file is one transaction: a fatal error keeps nothing.
public enum Importer {
    public static func run(_ context: CRMContext, path: String, options: ImportOptions,
                           progress: ((Int, Int) -> Void)? = nil) throws(CRMError) -> ImportSummary {
        try context.require(.sales, .manager, .admin, to: "import records")
        guard FileSystem.isRegularFile(path) else {
            throw CRMError(.io, "cannot read \(path): no such file")
        }
        let run = try ImportRun(context: context, path: path, options: options)
        run.progress = progress
        return try run.execute()
    }

    /// FNV-1a 64-bit hash of a file's bytes, read in chunks: the key under
    /// which a batched run's progress is kept. It detects a changed file,
    /// not a forged one.
    static func checksum(path: String) throws(CRMError) -> String {
        guard let file = fopen(path, "rb") else {
            throw CRMError(.io, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            for index in 0..<count {
                hash = (hash ^ UInt64(buffer[index])) &* 0x100_0000_01b3
            }
            if count < buffer.count { break }
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// The state of one import while it runs.
final class ImportRun {
    let context: CRMContext
    let database: Database
    let path: String
    let options: ImportOptions
    var progress: ((Int, Int) -> Void)?

    var summary: ImportSummary
    var layout: ImportLayout!
    var locale: ImportLocale = .en
    var dateOrder: ImportDate.Order = .dayFirst
    var ownerId: Int64
    var runId: Int64 = 0
    var resumeAfterLine = 0
    var checksum = ""

    /// Keys of rows seen earlier in this file.
    var seenExternalIds: Set<String> = []
    var seenSirens: Set<String> = []
    var seenEmails: Set<String> = []
    var seenCustomerCodes: Set<String> = []
    /// Stored and imported accounts by name identity key and city, for
    /// near-duplicate detection.
    var identities: [String: [(id: Int64, siren: String?)]] = [:]
    /// The last account created, which Odoo continuation rows extend.
    var lastAccountId: Int64?
    var lastAccountLine = 0
    var ownerIdsByName: [String: Int64?] = [:]
    var ownerNamesById: [Int64: String] = [:]
    let canSetTerms: Bool

    init(context: CRMContext, path: String, options: ImportOptions) throws(CRMError) {
        self.context = context
        database = context.database
        self.path = path
        self.options = options
        summary = ImportSummary(source: options.source ?? .generic)
        summary.dryRun = options.dryRun
        ownerId = context.actor.id
        canSetTerms = context.actor.role == .admin
        if let owner = options.owner {
            let user = try Users.require(database, name: owner, option: "--owner")
            guard user.active else { throw CRMError.invalid("the user '\(owner)' in --owner is disabled") }
            guard user.role != .accounting else {
                throw CRMError.invalid("'\(owner)' in --owner has the accounting role; an owner is a sales rep, "
                                       + "a manager or an admin")
            }
            if user.id != context.actor.id { try Accounts.requireOwnerAssignable(context, ownerId: user.id) }
            ownerId = user.id
        }
    }

    // MARK: Running

    func execute() throws(CRMError) -> ImportSummary {
        if try isJSONLines() {
            let lines = try JSONLinesReader(path: path)
            layout = ImportLayout(source: .crm, fields: ImportField.allCases, header: ImportField.allCases.map(\.rawValue))
            summary.source = .crm
            checksum = try Importer.checksum(path: path)
            // NOTE: JSON-lines files always import in one transaction; --batch
            // applies to CSV files only.
            try runInOneTransaction { () throws(CRMError) -> Bool in try self.processNextJSON(lines) }
            return summary
        }
        let reader = try CSVReader(path: path, encoding: options.encoding, delimiter: options.delimiter)
        let source = options.source ?? ImportLayout.detect(header: reader.header, entity: options.entity)
        layout = ImportLayout.make(header: reader.header, source: source, mapping: options.mapping,
                                   entity: options.entity)
        summary.source = source
        summary.delimiter = reader.delimiter
        locale = options.locale ?? (source == .generic && reader.delimiter == UInt8(ascii: ";") ? .fr : .en)
        dateOrder = options.locale == .en ? .monthFirst : .dayFirst
        try checkRequiredColumns()
        checksum = try Importer.checksum(path: path)

        let step = { () throws(CRMError) -> Bool in try self.processNext(reader) }
        if options.dryRun || options.batchSize == nil {
            try runInOneTransaction(step)
        } else {
            try runInBatches(step, size: options.batchSize!)
        }
        summary.encoding = reader.encoding
        return summary
    }

    private func checkRequiredColumns() throws(CRMError) {
        switch options.entity {
        case .accounts:
            guard layout.fields.contains(.name) || layout.fields.contains(.lastName) else {
                throw CRMError.invalid("\(path): no column gives the account name (detected format: "
                                       + "\(layout.source.rawValue)); name it with --mapping, such as "
                                       + "{\"columns\": {\"Raison sociale\": \"name\"}}")
            }
        case .contacts:
            guard layout.fields.contains(.lastName) || layout.fields.contains(.fullName)
                    || layout.fields.contains(.name) else {
                throw CRMError.invalid("\(path): no column gives the contact's last name (detected format: "
                                       + "\(layout.source.rawValue)); map one with --mapping")
            }
        case .opportunities:
            let missing = [(ImportField.name, "the title"), (.account, "the account"), (.closeDate, "the close date")]
                .filter { !layout.fields.contains($0.0) }.map(\.1)
            guard missing.isEmpty else {
                throw CRMError.invalid("\(path): no column gives \(missing.joined(separator: ", ")) of an opportunity "
                                       + "(detected format: \(layout.source.rawValue)); map the columns with "
                                       + "--mapping, such as {\"columns\": {\"Deal\": \"name\"}}")
            }
        }
    }

    /// Runs the whole file in one transaction; a dry run rolls it back by
    /// throwing this marker error once everything succeeded.
    private func runInOneTransaction(_ step: () throws(CRMError) -> Bool) throws(CRMError) {
        do {
            try database.transaction { () throws(CRMError) in
                try startRun()
                while try step() {}
                try finishRun()
                if options.dryRun { throw CRMError(.conflict, ImportRun.dryRunMarker) }
            }
        } catch {
            if options.dryRun, error.message == ImportRun.dryRunMarker { return }
            throw error
        }
    }

    static let dryRunMarker = "dry run finished; rolling back"

    private func runInBatches(_ step: () throws(CRMError) -> Bool, size: Int) throws(CRMError) {
        try database.transaction { () throws(CRMError) in try startRun() }
        var finished = false
        while !finished {
            try database.transaction { () throws(CRMError) in
                var rows = 0
                while rows < size {
                    guard try step() else {
                        finished = true
                        break
                    }
                    rows += 1
                }
                if finished { try finishRun() } else { try saveProgress(line: lastProcessedLine) }
            }
        }
    }

    var lastProcessedLine = 0

    /// Finds an unfinished batched run of the same file to resume, or
    /// records a new run.
    private func startRun() throws(CRMError) {
        let now = context.clock.timestamp
        if options.batchSize != nil, !options.dryRun,
           let row = try database.first("""
               SELECT id, last_line, rows_read, imported, updated, unchanged, skipped, rejected, warnings
               FROM import_runs WHERE checksum = ? AND entity = ? AND status = 'running' ORDER BY id DESC LIMIT 1
               """, [checksum, options.entity.rawValue]) {
            runId = row.int(0)!
            resumeAfterLine = Int(row.int(1)!)
            summary.resumedAfterLine = resumeAfterLine
            summary.rowsRead = Int(row.int(2)!)
            summary.imported = Int(row.int(3)!)
            summary.updated = Int(row.int(4)!)
            summary.unchanged = Int(row.int(5)!)
            summary.skipped = Int(row.int(6)!)
            summary.rejected = Int(row.int(7)!)
            summary.warnings = Int(row.int(8)!)
            summary.issues = try database.query("""
                SELECT line, severity, code, column_name, message FROM import_issues WHERE run_id = ? ORDER BY rowid
                """, [runId]).map {
                ImportIssue(line: Int($0.int(0)!), severity: ImportIssue.Severity(rawValue: $0.string(1)!)!,
                            code: $0.string(2)!, column: $0.string(3), message: $0.string(4)!)
            }
        } else {
            runId = try database.insert("""
                INSERT INTO import_runs (checksum, entity, source, status, user_id, started_at)
                VALUES (?, ?, ?, 'running', ?, ?)
                """, [checksum, options.entity.rawValue, summary.source.rawValue, context.actor.id, now])
        }
        try loadIdentities()
    }

    private func saveProgress(line: Int) throws(CRMError) {
        try database.query("""
            UPDATE import_runs SET last_line = ?, rows_read = ?, imported = ?, updated = ?, unchanged = ?,
                skipped = ?, rejected = ?, warnings = ? WHERE id = ?
            """, [line, summary.rowsRead, summary.imported, summary.updated, summary.unchanged, summary.skipped,
                  summary.rejected, summary.warnings, runId])
    }

    private func finishRun() throws(CRMError) {
        try resolvePendingLinks()
        try saveProgress(line: lastProcessedLine)
        try database.query("UPDATE import_runs SET status = 'done', finished_at = ? WHERE id = ?",
                           [context.clock.timestamp, runId])
        try database.query("DELETE FROM import_pending_links WHERE run_id = ?", [runId])
    }

    /// Reads and handles the next row; false at the end of the file.
    private func processNext(_ reader: CSVReader) throws(CRMError) -> Bool {
        guard let item = try reader.next() else { return false }
        progress?(reader.bytesRead, reader.fileSize)
        switch item {
        case let .record(record):
            lastProcessedLine = record.lastLine
            if record.line <= resumeAfterLine {
                rememberKeys(record)
                return true
            }
            try handle(record)
        case let .unterminatedQuote(line, lastLine):
            lastProcessedLine = lastLine
            guard line > resumeAfterLine else { return true }
            summary.rowsRead += 1
            try reject(line: line, code: "unterminated_quote", column: nil,
                       "a quoted field opened on this line is never closed; lines \(line) to \(lastLine) "
                       + "were dropped; close the quote and import again")
        case let .invalidEncoding(line, lastLine, column):
            lastProcessedLine = lastLine
            guard line > resumeAfterLine else { return true }
            summary.rowsRead += 1
            try reject(line: line, code: "invalid_encoding", column: header(column),
                       "the field is not valid \(reader.encoding?.rawValue ?? "text"); declare the file's "
                       + "encoding with --encoding")
        case let .fieldTooLong(line, lastLine, column):
            lastProcessedLine = lastLine
            guard line > resumeAfterLine else { return true }
            summary.rowsRead += 1
            try reject(line: line, code: "field_too_long", column: header(column),
                       "the field is longer than \(CSVReader.maximumFieldBytes / 1024) KiB; a quote is probably "
                       + "not closed")
        }
        return true
    }

    func header(_ column: Int) -> String? {
        column < layout.header.count ? layout.header[column] : nil
    }

    // MARK: Issues

    func log(_ issue: ImportIssue) throws(CRMError) {
        summary.issues.append(issue)
        switch issue.severity {
        case .rejected: summary.rejected += 1
        case .skipped: summary.skipped += 1
        case .warning: summary.warnings += 1
        }
        try database.query("""
            INSERT INTO import_issues (run_id, line, severity, code, column_name, message) VALUES (?, ?, ?, ?, ?, ?)
            """, [runId, issue.line, issue.severity.rawValue, issue.code, issue.column, issue.message])
    }

    func reject(line: Int, code: String, column: String?, _ message: String, detail: String? = nil) throws(CRMError) {
        try log(ImportIssue(line: line, severity: .rejected, code: code, column: column, message: message,
                               detail: detail))
    }

    func warn(line: Int, code: String, field: ImportField?, _ message: String, detail: String? = nil) throws(CRMError) {
        try log(ImportIssue(line: line, severity: .warning, code: code, column: field.flatMap(layout.column),
                               message: message, detail: detail))
    }

    func reject(line: Int, code: String, field: ImportField?, _ message: String, detail: String? = nil) throws(CRMError) {
        try reject(line: line, code: code, column: field.flatMap(layout.column), message, detail: detail)
    }
}
