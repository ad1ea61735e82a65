import Foundation
import XCTest

final class ImportCommandTests: XCTestCase {
    static let fixtures = CLISandbox.projectRoot.appendingPathComponent("Tests/CRMCoreTests/Fixtures/import")

    func testImportReportAndExport() throws {
        let cli = try CLISandbox()
        let report = cli.folder.appendingPathComponent("report.csv").path
        let output = cli.ok(["import", "accounts", ImportCommandTests.fixtures.appendingPathComponent("StockUniteLegale_extract.csv").path,
                             "--report", report])
        XCTAssertTrue(output.contains("  imported:   8\n"), output)
        XCTAssertTrue(output.contains("  rejected:   3 (duplicate_key 1, invalid_siren 1, non_diffusible_no_name 1)\n"), output)
        let reportText = try String(contentsOfFile: report, encoding: .utf8)
        XCTAssertTrue(reportText.hasPrefix("line,severity,code,column,message\r\n6,warning,invalid_date,dateCreationUniteLegale,"), reportText)
        XCTAssertEqual(reportText.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count, 7)

        let exported = cli.ok(["export", "accounts", "--format", "csv"])
        let lines = exported.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        XCTAssertEqual(lines.count, 9)
        XCTAssertTrue(lines[0].hasPrefix("id,name,tradeName,legalForm,siren,"), lines[0])

        let bad = cli.run(["import", "accounts", "missing.csv"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertEqual(bad.stderr, "crm: error: cannot read missing.csv: no such file\n")
    }
}
