import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// Online backups and restores through SQLite's backup API
/// (https://www.sqlite.org/backup.html). A backup copies a few pages at a
/// time and releases the source's read lock between steps, so other
/// commands keep running while it is taken.
public enum Backup {
    /// Pages copied per `sqlite3_backup_step`: 256 pages of 4 KiB is 1 MiB.
    public static let pagesPerStep: Int32 = 256
    /// Pause between steps that found the source busy, in milliseconds.
    static let busyPauseMilliseconds: Int32 = 20

    /// What a restore found in a backup file.
    public struct Summary: Equatable, Sendable {
        public let migrations: Int
        public let accounts: Int64
        public let pages: Int64
    }

    /// Writes a consistent copy of `database` to `path`, a new file readable
    /// by its owner only. The copy is written beside `path` under a
    /// temporary name and renamed into place once complete, so a failed
    /// backup never leaves a partial file at `path`.
    @discardableResult
    public static func write(_ database: Database, to path: String) throws(CRMError) -> Int64 {
        guard !Database.fileExists(path) else {
            throw CRMError.conflict("\(path) already exists; choose a new file name for the backup")
        }
        let temporary = temporaryPath(beside: path)
        do throws(CRMError) {
            let pages = try copy(from: database.handle, into: temporary, sourceName: "the database")
            try rename(temporary, over: path, replacing: false)
            return pages
        } catch {
            Database.removeFiles(at: temporary)
            throw error
        }
    }

    /// Checks that the file at `path` is an intact crm database that this
    /// program can open: SQLite's integrity check passes and its schema
    /// version is one this program knows.
    public static func inspect(path: String) throws(CRMError) -> Summary {
        guard Database.fileExists(path) else {
            throw CRMError.notFound("no backup file at \(path); check the path")
        }
        var pointer: OpaquePointer?
        let code = sqlite3_open_v2(path, &pointer, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
        defer { sqlite3_close_v2(pointer) }
        guard code == SQLITE_OK, let pointer else {
            throw CRMError.invalid("\(path) cannot be opened as a database; check that it is a crm backup")
        }
        func scalar(_ sql: String) -> (code: Int32, text: String?) {
            var statement: OpaquePointer?
            guard sqlite3_prepare_v2(pointer, sql, -1, &statement, nil) == SQLITE_OK else {
                return (sqlite3_errcode(pointer), nil)
            }
            defer { sqlite3_finalize(statement) }
            let step = sqlite3_step(statement)
            guard step == SQLITE_ROW else { return (step, nil) }
            return (SQLITE_OK, sqlite3_column_text(statement, 0).map { String(cString: $0) })
        }
        let integrity = scalar("PRAGMA integrity_check")
        guard integrity.code == SQLITE_OK else {
            throw CRMError.invalid("\(path) is not a database file (\(String(cString: sqlite3_errstr(integrity.code)))); "
                                   + "check that it is a crm backup")
        }
        guard integrity.text == "ok" else {
            throw CRMError.invalid("\(path) is damaged: SQLite's integrity check failed; use an older backup")
        }
        guard scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").text == "1",
              let version = scalar("PRAGMA user_version").text.flatMap({ Int($0) }), version >= 1 else {
            throw CRMError.invalid("\(path) is an SQLite database but not a crm database; check the file")
        }
        guard version <= Migrations.all.count else {
            throw CRMError.invalid("\(path) has \(version) schema migrations but this crm knows only "
                                   + "\(Migrations.all.count); restore it with a newer crm")
        }
        let accounts = Int64(scalar("SELECT count(*) FROM accounts").text ?? "") ?? 0
        let pages = Int64(scalar("PRAGMA page_count").text ?? "") ?? 0
        return Summary(migrations: version, accounts: accounts, pages: pages)
    }

    /// Replaces the database at `database.path` with the backup at `path`.
    /// The backup is checked, copied to a temporary file beside the
    /// database, checked again, and renamed over the database while this
    /// connection holds the exclusive lock, so no other command sees a
    /// partly restored file. Returns what the backup holds.
    public static func restore(_ database: Database, from path: String) throws(CRMError) -> Summary {
        let summary = try inspect(path: path)
        let temporary = temporaryPath(beside: database.path)
        var source: OpaquePointer?
        guard sqlite3_open_v2(path, &source, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK,
              let source else {
            sqlite3_close_v2(source)
            throw CRMError.invalid("\(path) cannot be opened as a database; check that it is a crm backup")
        }
        defer { sqlite3_close_v2(source) }
        do throws(CRMError) {
            try copy(from: source, into: temporary, sourceName: path)
            _ = try inspect(path: temporary)
            try takeExclusiveLock(database)
            try rename(temporary, over: database.path, replacing: true)
        } catch {
            Database.removeFiles(at: temporary)
            throw error
        }
        try? database.execute("ROLLBACK")
        return summary
    }

    /// Leaves WAL mode, which removes the `-wal` file, and takes the
    /// exclusive lock. A `-wal` file left beside the renamed file would be
    /// replayed into it. A command that opened the old file before the
    /// rename and tries to write afterwards gets SQLITE_READONLY_DBMOVED
    /// instead of writing into the replaced file.
    private static func takeExclusiveLock(_ database: Database) throws(CRMError) {
        do throws(CRMError) {
            try database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            let mode = try database.scalar("PRAGMA journal_mode = DELETE").text
            guard mode == "delete" else {
                throw CRMError(.database, "other crm commands are using the database; restore it when they finish")
            }
            try database.execute("BEGIN EXCLUSIVE")
        } catch {
            throw CRMError(.database, "other crm commands are using the database, so it cannot be replaced now; "
                                + "try again when they finish")
        }
    }

    /// Copies every page of `source` into a new file at `path`, created
    /// with mode 0600, then turns the copy into a single file without WAL.
    @discardableResult
    static func copy(from source: OpaquePointer, into path: String, sourceName: String) throws(CRMError) -> Int64 {
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CRMError(.io, "could not create \(path): \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        var target: OpaquePointer?
        guard sqlite3_open_v2(path, &target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK,
              let target else {
            sqlite3_close_v2(target)
            throw CRMError(.io, "could not open \(path) to write the copy")
        }
        defer { sqlite3_close_v2(target) }
        guard let backup = sqlite3_backup_init(target, "main", source, "main") else {
            throw CRMError(.database, "could not start copying \(sourceName): \(String(cString: sqlite3_errmsg(target)))")
        }
        var code: Int32
        repeat {
            code = sqlite3_backup_step(backup, pagesPerStep)
            if code == SQLITE_BUSY || code == SQLITE_LOCKED { sqlite3_sleep(busyPauseMilliseconds) }
        } while code == SQLITE_OK || code == SQLITE_BUSY || code == SQLITE_LOCKED
        let pages = Int64(sqlite3_backup_pagecount(backup))
        sqlite3_backup_finish(backup)
        guard code == SQLITE_DONE else {
            throw CRMError(.database, "copying \(sourceName) failed: \(String(cString: sqlite3_errstr(code)))")
        }
        guard sqlite3_exec(target, "PRAGMA journal_mode = DELETE", nil, nil, nil) == SQLITE_OK else {
            throw CRMError(.database, "could not finish the copy at \(path): \(String(cString: sqlite3_errmsg(target)))")
        }
        return pages
    }

    /// Flushes `temporary` to disk and renames it to `path`, then flushes
    /// the folder so the rename survives a power cut.
    private static func rename(_ temporary: String, over path: String, replacing: Bool) throws(CRMError) {
        let descriptor = open(temporary, O_RDONLY | O_CLOEXEC)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
        }
        if !replacing, Database.fileExists(path) {
            throw CRMError.conflict("\(path) already exists; choose a new file name for the backup")
        }
        guard Glibc.rename(temporary, path) == 0 else {
            throw CRMError(.io, "could not rename \(temporary) to \(path): \(String(cString: strerror(errno)))")
        }
        let folder = folderPath(of: path)
        let folderDescriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderDescriptor >= 0 {
            fsync(folderDescriptor)
            close(folderDescriptor)
        }
    }

    static func temporaryPath(beside path: String) -> String {
        "\(path).tmp-\(getpid())"
    }

    static func folderPath(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

extension Database {
    /// Makes the erased content of later writes unrecoverable: SQLite
    /// overwrites deleted content with zeros from now on, and a
    /// checkpoint with TRUNCATE after the commit empties the WAL file.
    public func enableSecureDelete() throws(CRMError) {
        try execute("PRAGMA secure_delete = ON")
    }

    /// Copies every committed page from the WAL file into the database and
    /// truncates the WAL to zero bytes. Returns false when another
    /// connection kept it from completing.
    @discardableResult
    public func checkpointTruncate() throws(CRMError) -> Bool {
        // Columns: busy flag, WAL frames, frames checkpointed.
        let row = try first("PRAGMA wal_checkpoint(TRUNCATE)")
        return row?.int(0) == 0
    }
}
