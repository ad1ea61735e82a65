import CRMCore
import Foundation
import XCTest

/// The 20,000-row SIRENE file, batched runs that resume, export round
/// trips and the migration that import adds.
final class ImportScaleTests: XCTestCase {
    static let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Runs scripts/gen_sirene.py into `folder` and returns the CSV path.
    func generateSirene(rows: Int, into folder: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", ImportScaleTests.projectRoot.appendingPathComponent("scripts/gen_sirene.py").path,
                             String(rows), folder.path]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return folder.appendingPathComponent("StockUniteLegale_\(rows).csv").path
    }

    func testSirene20000RowsTwice() throws {
        let test = try TestDatabase()
        let path = try generateSirene(rows: 20_000, into: test.folder)
        let expected = try String(contentsOf: ImportTests.fixtures.appendingPathComponent("StockUniteLegale_20000.expected.json"),
                                  encoding: .utf8)
        let generated = try String(contentsOfFile: test.folder.appendingPathComponent("StockUniteLegale_20000.expected.json").path,
                                   encoding: .utf8)
        XCTAssertEqual(generated, expected)

        let context = test.context(as: "admin", command: "import")
        let start = Date()
        let first = try Importer.run(context, path: path, options: ImportOptions(entity: .accounts))
        let seconds = Date().timeIntervalSince(start)
        XCTAssertLessThan(seconds, 30, "20,000 rows took \(seconds) s")
        XCTAssertEqual(first.rowsRead, 20_000)
        XCTAssertEqual(first.imported, 19_572)
        XCTAssertEqual(first.rejected, 428)
        XCTAssertEqual(first.counts(.rejected).map { "\($0.code) \($0.count)" },
                       ["duplicate_key 8", "invalid_siren 20", "non_diffusible_no_name 400"])
        XCTAssertEqual(try test.count("accounts"), 19_572)
        XCTAssertEqual(try test.database.scalar("SELECT count(*) FROM accounts WHERE active = 0").integer, 983)
        XCTAssertEqual(try test.database.scalar("SELECT count(*) FROM accounts WHERE legal_form = '1000'").integer, 1600)

        // The report lists each rejected row at its line: row i is on line i + 2.
        let rejectedLines = first.issues.filter { $0.severity == .rejected }.map(\.line)
        XCTAssertEqual(rejectedLines.count, 428)
        for line in rejectedLines {
            let row = line - 2
            XCTAssertTrue(row % 1000 == 999 || row % 2500 == 1234 || row % 50 == 13, "unexpected rejection at line \(line)")
        }
        let report = first.reportCSV(includeValues: false).split(separator: "\r\n")
        XCTAssertEqual(report.count, 429 + first.warnings)
        XCTAssertEqual(report[0], "line,severity,code,column,message")

        let second = try Importer.run(context, path: path, options: ImportOptions(entity: .accounts))
        XCTAssertEqual(second.imported, 0)
        XCTAssertEqual(second.updated, 0)
        XCTAssertEqual(second.unchanged, 19_572)
        XCTAssertEqual(second.rejected, 428)
        XCTAssertEqual(try test.count("accounts"), 19_572)
    }

    func testBatchedRunResumesAfterFailure() throws {
        let test = try TestDatabase()
        let path = try generateSirene(rows: 300, into: test.folder)
        test.host.failOn = "onAccountCreated"
        var options = ImportOptions(entity: .accounts)
        options.batchSize = 100
        // The host fails on the first event, so the first batch rolls back.
        XCTAssertThrowsError(try Importer.run(test.context(as: "admin"), path: path, options: options))
        XCTAssertEqual(try test.count("accounts"), 0)

        test.host.failOn = nil
        final class CountingHost: PluginHost {
            var created = 0
            var failAfter: Int?
            func fire(_ event: String, payload: Value, context: CRMContext) throws(CRMError) {
                created += 1
                if let failAfter, created > failAfter { throw CRMError(.plugin, "plugin test (test.lua:1): stop") }
            }
            func decide(_ rule: String, payload: Value, context: CRMContext) throws(CRMError) -> RuleOutcome? { nil }
        }
        let host = CountingHost()
        host.failAfter = 150
        let user = try XCTUnwrap(Users.find(test.database, name: "admin"))
        let context = CRMContext(database: test.database, clock: test.clock, actor: user, command: "import",
                                 makeHost: { () throws(CRMError) -> PluginHost in host })
        XCTAssertThrowsError(try Importer.run(context, path: path, options: options))
        let committed = try test.count("accounts")
        XCTAssertGreaterThan(committed, 0)
        XCTAssertLessThan(committed, 150)

        host.failAfter = nil
        let resumed = try Importer.run(context, path: path, options: options)
        XCTAssertNotNil(resumed.resumedAfterLine)
        XCTAssertEqual(try test.count("accounts"), Int64(resumed.imported))
        let single = try TestDatabase()
        let reference = try Importer.run(single.context(as: "admin"), path: path, options: ImportOptions(entity: .accounts))
        XCTAssertEqual(resumed.imported, reference.imported)
        XCTAssertEqual(resumed.rejected, reference.rejected)
        XCTAssertEqual(resumed.issues.map(\.line), reference.issues.map(\.line))
        XCTAssertGreaterThan(host.created, 0)
    }

    func testDryRunWritesNothing() throws {
        let test = try TestDatabase()
        var options = ImportOptions(entity: .accounts)
        options.dryRun = true
        let summary = try Importer.run(test.context(as: "admin"), path: ImportTests.fixture("StockUniteLegale_extract.csv"),
                                       options: options)
        XCTAssertEqual(summary.imported, 8)
        XCTAssertEqual(summary.rejected, 3)
        XCTAssertEqual(try test.count("accounts"), 0)
        XCTAssertEqual(try test.count("import_runs"), 0)
    }

    func testPossibleDuplicateRejectedWithoutSourceId() throws {
        let test = try TestDatabase()
        let file = test.folder.appendingPathComponent("dupes.csv")
        try "Raison sociale;Ville\nPyramid Construction Inc.;Paris\nPYRAMID  construction inc;PARIS\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let summary = try Importer.run(test.context(as: "admin"), path: file.path, options: ImportOptions(entity: .accounts))
        XCTAssertEqual(summary.imported, 1)
        XCTAssertEqual(summary.issues.map { "\($0.line) \($0.severity.rawValue) \($0.code)" },
                       ["3 rejected possible_duplicate"])
        var accept = ImportOptions(entity: .accounts)
        accept.acceptPossibleDuplicates = true
        let again = try Importer.run(test.context(as: "admin"), path: file.path, options: accept)
        XCTAssertEqual(again.imported, 2)
        XCTAssertEqual(again.counts(.warning).map(\.code), ["possible_duplicate"])
        XCTAssertEqual(try test.count("accounts"), 3)
    }

    func testExportReimportGivesSameAccounts() throws {
        let source = try TestDatabase()
        let admin = source.context(as: "admin")
        for name in ["Account.csv", "export_societe_1_fr_FR.csv", "res_partner.csv"] {
            _ = try Importer.run(admin, path: ImportTests.fixture(name), options: ImportOptions(entity: .accounts))
        }
        _ = try Importer.run(admin, path: ImportTests.fixture("Contact.csv"), options: ImportOptions(entity: .contacts))

        let target = try TestDatabase()
        for entity in [ExportEntity.accounts, .contacts] {
            var text = ""
            try Exporter.export(admin, entity: entity, format: .json) { (chunk: String) throws(CRMError) in text += chunk }
            let file = target.folder.appendingPathComponent("\(entity.rawValue).jsonl")
            try text.write(to: file, atomically: true, encoding: .utf8)
            var options = ImportOptions(entity: entity == .accounts ? .accounts : .contacts)
            options.source = .crm
            let summary = try Importer.run(target.context(as: "admin"), path: file.path, options: options)
            XCTAssertEqual(summary.rejected, 0, "\(summary.issues)")
        }
        let accounts = """
            SELECT a.legal_name, a.trade_name, a.legal_form, a.siren, a.siret, a.vat_number, a.street, a.postal_code,
                   a.city, a.country, a.status, a.currency, a.credit_limit, a.payment_term, a.payment_method,
                   a.creation_date, a.category, a.iban, a.active, a.customer_code, a.phone, a.email, a.website,
                   a.annual_revenue, a.employee_count, a.discount_percent, a.supplier, a.activity_code,
                   a.customer_since, p.legal_name, u.name,
                   (SELECT group_concat(label, '|') FROM account_labels l WHERE l.account_id = a.id),
                   (SELECT group_concat(text, '|') FROM notes n WHERE n.account_id = a.id),
                   (SELECT group_concat(iban, '|') FROM account_bank_accounts b WHERE b.account_id = a.id)
            FROM accounts a LEFT JOIN accounts p ON p.id = a.parent_id JOIN users u ON u.id = a.owner_id
            ORDER BY a.legal_name
            """
        let contacts = """
            SELECT c.first_name, c.last_name, c.salutation, c.role, c.email, c.phone, c.mobile, c.opted_out,
                   c.birthdate, a.legal_name
            FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id ORDER BY c.last_name, c.email
            """
        for (sql, width) in [(accounts, 34), (contacts, 10)] {
            let before = try source.database.query(sql).map { row in (0..<width).map { "\(row[$0])" } }
            let after = try target.database.query(sql).map { row in (0..<width).map { "\(row[$0])" } }
            XCTAssertFalse(before.isEmpty)
            XCTAssertEqual(before, after)
        }
        XCTAssertEqual(try target.count("accounts"), try source.count("accounts"))
        XCTAssertEqual(try target.count("contacts"), try source.count("contacts"))
    }

    func testEveryMigrationIsApplied() throws {
        let test = try TestDatabase()
        let applied = try test.database.query("SELECT number FROM schema_migrations ORDER BY number").compactMap { $0.int(0) }
        XCTAssertEqual(applied, Migrations.all.map { Int64($0.number) }.sorted())
        XCTAssertEqual(try test.database.scalar("PRAGMA user_version").integer, Int64(Migrations.all.count))
        // A contact imported without a known company has no account.
        try test.database.query("""
            INSERT INTO contacts (account_id, last_name, name_key, created_at, updated_at) VALUES (NULL, 'X', 'x', 'now', 'now')
            """)
        XCTAssertEqual(try test.count("contacts"), 1)
        XCTAssertEqual(try test.database.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'contacts_email'").integer, 1)
    }
}
