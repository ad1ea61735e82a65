import Foundation
import XCTest

final class DatabaseCommandTests: XCTestCase {
    private func makeSandbox() throws -> CLISandbox {
        let cli = try CLISandbox()
        cli.ok(["account", "add", "ATELIER LUMIERE", "--siren", "732829320"])
        cli.ok(["quote", "new", "--account", "1"])
        cli.ok(["quote", "line", "add", "1", "--description", "Conseil", "--qty", "3", "--unit-price", "412.50",
                "--vat", "20"])
        cli.ok(["quote", "send", "1"])
        return cli
    }

    func testCheckReportsEachViolationByEntityAndId() throws {
        let cli = try makeSandbox()
        XCTAssertEqual(cli.ok(["db", "check"]), "No problems found.\n")
        _ = cli.sql("""
            UPDATE quotes SET total_tax = total_tax + 1 WHERE id = 1;
            UPDATE accounts SET status = 'customer' WHERE id = 1;
            UPDATE sequences SET next_value = 1;
            UPDATE quote_lines SET net = 1 WHERE quote_id = 1;
            """)
        let result = cli.run(["db", "check"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, """
            account 1: is a customer without an approved opening and was not imported
            quote 1: line 1 has a stored net that differs from its quantity, unit price and discount
            quote 1: stored totals differ from its lines
            sequence: quote-2026 would issue 1 next, but quote numbers up to 1 are already issued

            """)
        XCTAssertEqual(result.stderr, "crm: error: the database has 4 problem(s); restore it from a backup with "
                       + "`crm db restore FILE`, or repair the records listed\n")
        XCTAssertFalse(result.stdout.contains("ATELIER"))
    }

    func testCheckFindsAMissingParentRow() throws {
        let cli = try makeSandbox()
        _ = cli.sql("PRAGMA foreign_keys = OFF; DELETE FROM accounts WHERE id = 1;")
        let result = cli.run(["db", "check", "--json"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, """
            [
              {
                "entity": "quotes",
                "id": 1,
                "problem": "refers to a row of accounts that does not exist"
              }
            ]

            """)
    }

    func testBackupAndRestoreRoundTrip() throws {
        let cli = try makeSandbox()
        XCTAssertEqual(cli.ok(["db", "backup", "copy.sqlite"]).hasPrefix("Wrote a backup of "), true)
        let path = cli.folder.appendingPathComponent("copy.sqlite").path
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + "-wal"))
        let again = cli.run(["db", "backup", "copy.sqlite"])
        XCTAssertEqual(again.status, 1)
        XCTAssertEqual(again.stderr, "crm: error: copy.sqlite already exists; choose a new file name for the backup\n")

        cli.ok(["account", "add", "ADDED AFTER THE BACKUP"])
        XCTAssertEqual(cli.sql("SELECT count(*) FROM accounts"), "2")
        XCTAssertEqual(cli.ok(["db", "restore", "copy.sqlite"]),
                       "Restored the database from copy.sqlite: 1 accounts, schema version \(migrationCount(cli)).\n")
        XCTAssertEqual(cli.sql("SELECT count(*) FROM accounts"), "1")
        XCTAssertEqual(cli.sql("SELECT number FROM quotes"), "Q-2026-00001")
        XCTAssertEqual(cli.ok(["db", "check"]), "No problems found.\n")
        cli.ok(["account", "add", "ADDED AFTER THE RESTORE"])
        XCTAssertEqual(cli.sql("SELECT count(*) FROM accounts"), "2")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: cli.folder.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
    }

    func testRestoreRejectsFilesThatAreNotCrmBackups() throws {
        let cli = try makeSandbox()
        let before = cli.sql("SELECT count(*) FROM accounts")
        try Data("name,city\nACME,Paris\n".utf8).write(to: cli.folder.appendingPathComponent("text.csv"))
        _ = Process.run("/usr/bin/sqlite3", [cli.folder.appendingPathComponent("other.sqlite").path,
                                             "CREATE TABLE t (x); INSERT INTO t VALUES (1);"])
        let cases: [(file: String, message: String)] = [
            ("text.csv", "crm: error: text.csv is not a database file (file is not a database); check that it is a crm backup\n"),
            ("other.sqlite", "crm: error: other.sqlite is an SQLite database but not a crm database; check the file\n"),
            ("missing.sqlite", "crm: error: no backup file at missing.sqlite; check the path\n"),
        ]
        for item in cases {
            let result = cli.run(["db", "restore", item.file])
            XCTAssertEqual(result.status, 1, item.file)
            XCTAssertEqual(result.stderr, item.message)
        }
        cli.ok(["db", "backup", "good.sqlite"])
        let damaged = cli.folder.appendingPathComponent("good.sqlite")
        var bytes = try Data(contentsOf: damaged)
        for offset in stride(from: 4096 * 3, to: min(bytes.count, 4096 * 12), by: 7) { bytes[offset] ^= 0x5A }
        try bytes.write(to: damaged)
        let result = cli.run(["db", "restore", "good.sqlite"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasPrefix("crm: error: good.sqlite "), result.stderr)
        XCTAssertEqual(cli.sql("SELECT count(*) FROM accounts"), before)
        XCTAssertEqual(cli.ok(["db", "check"]), "No problems found.\n")
    }

    /// Values read from a file or the database stay out of error messages
    /// unless --debug asks for them.
    func testErrorsKeepCustomerDataForDebug() throws {
        let cli = try makeSandbox()
        cli.ok(["contact", "add", "--account", "1", "--last-name", "Martin", "--email", "claire.martin@example.fr"])
        let duplicate = ["contact", "add", "--account", "1", "--last-name", "Other", "--email", "claire.martin@example.fr"]
        let plain = cli.run(duplicate)
        XCTAssertEqual(plain.status, 1)
        XCTAssertFalse(plain.stderr.contains("Martin"), plain.stderr)
        try Data("name,siren\nSECRET CUSTOMER SA,123\n".utf8).write(to: cli.folder.appendingPathComponent("bad.csv"))
        let report = cli.run(["import", "accounts", "bad.csv", "--report", "rejects.csv"])
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertFalse(report.stdout.contains("SECRET") || report.stderr.contains("SECRET"), report.stdout + report.stderr)
        let rejects = try String(contentsOf: cli.folder.appendingPathComponent("rejects.csv"), encoding: .utf8)
        XCTAssertFalse(rejects.contains("SECRET"), rejects)
        _ = cli.sql("UPDATE settings SET value = value")
        _ = cli.sql("INSERT INTO settings (key, value, updated_at) VALUES ('quote.validityDays', '\"Jean Dupont\"', 'x')")
        cli.ok(["quote", "new", "--account", "1"])
        cli.ok(["quote", "line", "add", "2", "--description", "X", "--qty", "1", "--unit-price", "1", "--vat", "20"])
        let send = cli.run(["quote", "send", "2"])
        XCTAssertEqual(send.status, 1)
        XCTAssertFalse(send.stderr.contains("Dupont"), send.stderr)
    }

    private func migrationCount(_ cli: CLISandbox) -> String {
        cli.sql("PRAGMA user_version")
    }
}

private extension Process {
    static func run(_ tool: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        try? process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
