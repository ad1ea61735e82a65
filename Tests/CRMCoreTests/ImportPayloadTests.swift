import CRMCore
import XCTest

/// The onAccountCreated payload that an import builds from the inserted
/// values must equal the stored account as plugins see it.
final class ImportPayloadTests: XCTestCase {
    private func checkPayloads(_ file: String, source: ImportSource? = nil, expected: Int,
                               imported: Int? = nil, sector: String? = nil) throws {
        let test = try TestDatabase()
        if let sector {
            _ = try Sectors.add(test.context(as: "admin"), code: sector, name: "Sector \(sector)", parent: nil)
            test.host.ruleResults["sectorFor"] = .string(sector)
        }
        var options = ImportOptions(entity: .accounts)
        options.source = source
        let summary = try Importer.run(test.context(as: "admin", command: "import"),
                                       path: ImportTests.fixture(file), options: options)
        let created = test.host.fired.filter { $0.0 == "onAccountCreated" }.map(\.1)
        XCTAssertEqual(created.count, expected, file)
        XCTAssertEqual(summary.imported, imported ?? expected, file)
        for payload in created {
            let id = try XCTUnwrap(payload["id"]?.integerValue)
            let stored = try XCTUnwrap(Accounts.load(test.database, id: id))
            XCTAssertEqual(JSON.encode(payload), JSON.encode(stored.pluginValue), "\(file) account \(id)")
            XCTAssertEqual(payload["sector"], sector.map(Value.string) ?? .null, "\(file) account \(id)")
        }
        XCTAssertEqual(try test.database.scalar("""
            SELECT count(*) FROM audit_log WHERE entity = 'account' AND action = 'create'
            """).integer, Int64(expected), file)
        XCTAssertEqual(try test.database.scalar("SELECT count(*) FROM audit_log WHERE entity = 'note'").integer, 0, file)
    }

    func testPayloadsEqualStoredAccounts() throws {
        try checkPayloads("Account.csv", expected: 10)
        try checkPayloads("res_partner.csv", expected: 3, imported: 6)
        try checkPayloads("import_societe_template_fr.csv", expected: 3)
        try checkPayloads("export_societe_1_fr_FR.csv", expected: 4)
        try checkPayloads("StockUniteLegale_extract.csv", expected: 8)
        try checkPayloads("Account.csv", expected: 10, sector: "IDF")
    }
}
