import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// A value bound to or read from an SQL statement.
public enum SQLValue: Equatable, Sendable {
    case null
    case integer(Int64)
    case text(String)
    case real(Double)

    public var integer: Int64? { if case let .integer(v) = self { return v }; return nil }
    public var text: String? { if case let .text(v) = self { return v }; return nil }
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(nilLiteral: ()) { self = .null }
}

/// Converts Swift values into bound parameters.
public protocol SQLBindable { var sqlValue: SQLValue { get } }
extension String: SQLBindable { public var sqlValue: SQLValue { .text(self) } }
extension Int64: SQLBindable { public var sqlValue: SQLValue { .integer(self) } }
extension Int: SQLBindable { public var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Bool: SQLBindable { public var sqlValue: SQLValue { .integer(self ? 1 : 0) } }
extension SQLValue: SQLBindable { public var sqlValue: SQLValue { self } }
extension Optional: SQLBindable where Wrapped: SQLBindable {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

/// One row of a result, read by column index.
public struct Row {
    let values: [SQLValue]

    public subscript(index: Int) -> SQLValue { values[index] }
    public func int(_ index: Int) -> Int64? { values[index].integer }
    public func string(_ index: Int) -> String? { values[index].text }
    public func bool(_ index: Int) -> Bool { (values[index].integer ?? 0) != 0 }
}

/// A prepared statement. Owned by the `Database` that prepared it and
/// finalized in `deinit`.
public final class Statement {
    let handle: OpaquePointer
    let sql: String

    init(handle: OpaquePointer, sql: String) {
        self.handle = handle
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    func bind(_ parameters: [SQLValue]) throws(CRMError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in parameters.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null: code = sqlite3_bind_null(handle, index)
            case let .integer(number): code = sqlite3_bind_int64(handle, index, number)
            case let .real(number): code = sqlite3_bind_double(handle, index, number)
            case let .text(text): code = sqlite3_bind_text(handle, index, text, -1, crm_sqlite_transient())
            }
            guard code == SQLITE_OK else {
                throw CRMError(.database, "could not bind parameter \(index): \(String(cString: sqlite3_errstr(code)))")
            }
        }
    }

    func readRow() -> Row {
        let count = sqlite3_column_count(handle)
        var values: [SQLValue] = []
        values.reserveCapacity(Int(count))
        for column in 0..<count {
            switch sqlite3_column_type(handle, column) {
            case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(handle, column)))
            case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(handle, column)))
            case SQLITE_NULL: values.append(.null)
            default:
                if let text = sqlite3_column_text(handle, column) {
                    values.append(.text(String(cString: text)))
                } else {
                    values.append(.null)
                }
            }
        }
        return Row(values: values)
    }
}

/// The SQLite connection of one command. Foreign keys are on, the journal
/// is in WAL mode, and a busy timeout lets concurrent `crm` processes wait
/// for each other instead of failing with "database is locked".
public final class Database {
    let handle: OpaquePointer
    public let path: String
    private var statements: [String: Statement] = [:]
    /// Nesting depth of `transaction`; only the outermost one commits.
    private var transactionDepth = 0
    /// Called after every statement runs; used by the crash-test harness and
    /// by `--trace-sql`.
    public var traceStatement: ((String) -> Void)?
    /// Called after every statement runs, with the values bound to it;
    /// `--trace-sql` prints both. Set it through `init(path:trace:)` to see
    /// the connection's own PRAGMA statements too.
    public var traceBoundStatement: ((String, [SQLValue]) -> Void)?

    /// Busy timeout: long enough for another command's write transaction,
    /// including its plugins' wall-clock limit, to finish.
    public static let busyTimeoutMilliseconds: Int32 = 15_000

    /// Opens an existing database file read-write. Use `create` for a new one.
    /// `trace` becomes `traceBoundStatement` before the first statement runs.
    public init(path: String, trace: ((String, [SQLValue]) -> Void)? = nil) throws(CRMError) {
        var pointer: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &pointer, flags, nil)
        guard code == SQLITE_OK, let pointer else {
            let reason = pointer.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close(pointer)
            throw CRMError(.database, "could not open the database at \(path): \(reason)")
        }
        handle = pointer
        self.path = path
        traceBoundStatement = trace
        sqlite3_busy_timeout(handle, Database.busyTimeoutMilliseconds)
        sqlite3_extended_result_codes(handle, 1)
        try execute("PRAGMA foreign_keys = ON")
        try execute("PRAGMA journal_mode = WAL")
        try execute("PRAGMA synchronous = NORMAL")
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Creates a new database file readable and writable by its owner only,
    /// creating missing parent folders with mode 0700.
    public static func create(path: String) throws(CRMError) -> Database {
        try makeParentDirectories(of: path)
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST {
                throw CRMError(.conflict, "a database already exists at \(path); use it, or choose another path with --db")
            }
            throw CRMError(.io, "could not create \(path): \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        return try Database(path: path)
    }

    private static func makeParentDirectories(of path: String) throws(CRMError) {
        var components = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
        guard !components.isEmpty else { return }
        var current = path.hasPrefix("/") ? "" : "."
        if path.hasPrefix("/") { components = components.dropFirst() }
        for component in components where !component.isEmpty {
            current += "/" + component
            if mkdir(current, 0o700) != 0, errno != EEXIST {
                throw CRMError(.io, "could not create the folder \(current): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Tells whether a file exists at a path.
    public static func fileExists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    private func error(_ code: Int32, sql: String) -> CRMError {
        let message = String(cString: sqlite3_errmsg(handle))
        if code & 0xFF == SQLITE_BUSY || code & 0xFF == SQLITE_LOCKED {
            return CRMError(.database, "the database stayed busy for \(Database.busyTimeoutMilliseconds / 1000) s; "
                                + "another crm command is writing, try again")
        }
        // SQLITE_READONLY_DBMOVED, a composed macro that Swift does not import.
        if code == SQLITE_READONLY | (4 << 8) {
            return CRMError(.database, "the database file \(path) was replaced while this command ran "
                                + "(a restore); run the command again")
        }
        if code & 0xFF == SQLITE_CORRUPT || code & 0xFF == SQLITE_NOTADB {
            return CRMError(.database, "the database file \(path) is damaged (\(message)); restore it from a backup")
        }
        return CRMError(.database, "database error: \(message)", detail: sql)
    }

    /// Prepares a statement, or reuses the one prepared earlier for the same SQL.
    func prepare(_ sql: String) throws(CRMError) -> Statement {
        if let cached = statements[sql] { return cached }
        var pointer: OpaquePointer?
        let code = sqlite3_prepare_v2(handle, sql, -1, &pointer, nil)
        guard code == SQLITE_OK, let pointer else { throw error(code, sql: sql) }
        let statement = Statement(handle: pointer, sql: sql)
        statements[sql] = statement
        return statement
    }

    /// Runs statements that take no parameters and return no rows.
    public func execute(_ sql: String) throws(CRMError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        if code != SQLITE_OK {
            let failure = error(code, sql: sql)
            sqlite3_free(message)
            throw failure
        }
        traceStatement?(sql)
        traceBoundStatement?(sql, [])
    }

    /// Runs one statement with bound parameters and returns every row.
    @discardableResult
    public func query(_ sql: String, _ parameters: [SQLBindable] = []) throws(CRMError) -> [Row] {
        let statement = try prepare(sql)
        let values = parameters.map(\.sqlValue)
        try statement.bind(values)
        defer { sqlite3_reset(statement.handle) }
        var rows: [Row] = []
        while true {
            let code = sqlite3_step(statement.handle)
            if code == SQLITE_ROW { rows.append(statement.readRow()); continue }
            if code == SQLITE_DONE { break }
            throw error(code, sql: sql)
        }
        traceStatement?(sql)
        traceBoundStatement?(sql, values)
        return rows
    }

    /// Runs a statement and returns its first row, if any.
    public func first(_ sql: String, _ parameters: [SQLBindable] = []) throws(CRMError) -> Row? {
        try query(sql, parameters).first
    }

    /// Runs a statement and returns the first column of its first row.
    public func scalar(_ sql: String, _ parameters: [SQLBindable] = []) throws(CRMError) -> SQLValue {
        try first(sql, parameters)?[0] ?? .null
    }

    /// Runs a change and returns the id of the inserted row.
    @discardableResult
    public func insert(_ sql: String, _ parameters: [SQLBindable]) throws(CRMError) -> Int64 {
        try query(sql, parameters)
        return sqlite3_last_insert_rowid(handle)
    }

    /// Number of rows changed by the last statement.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// Runs `body` in a write transaction, started with BEGIN IMMEDIATE so
    /// that concurrent writers queue on the busy timeout rather than fail on
    /// a lock upgrade. An error thrown by `body` rolls everything back.
    /// Nested calls join the outer transaction.
    /// With `dryRun`, everything runs and is then rolled back.
    public func transaction<T>(dryRun: Bool = false, _ body: () throws(CRMError) -> T) throws(CRMError) -> T {
        if transactionDepth > 0 {
            transactionDepth += 1
            defer { transactionDepth -= 1 }
            return try body()
        }
        try execute("BEGIN IMMEDIATE")
        transactionDepth = 1
        do {
            let result = try body()
            transactionDepth = 0
            try execute(dryRun ? "ROLLBACK" : "COMMIT")
            return result
        } catch {
            transactionDepth = 0
            try? execute("ROLLBACK")
            throw error
        }
    }

    public var isInTransaction: Bool { transactionDepth > 0 }

    /// True while SQLite itself has a transaction open on this connection,
    /// including right after `BEGIN` and before `COMMIT` returns.
    public var isInsideSQLiteTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Runs a savepoint inside the current transaction; an error rolls back
    /// only what `body` wrote.
    public func savepoint<T>(_ name: String, _ body: () throws(CRMError) -> T) throws(CRMError) -> T {
        try execute("SAVEPOINT \(name)")
        do {
            let result = try body()
            try execute("RELEASE \(name)")
            return result
        } catch {
            try? execute("ROLLBACK TO \(name)")
            try? execute("RELEASE \(name)")
            throw error
        }
    }
}

extension Database {
    /// Deletes a database file and its WAL and shared-memory files, after a
    /// failed `init`.
    public static func removeFiles(at path: String) {
        for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
    }
}
