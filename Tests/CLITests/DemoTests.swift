import Foundation
import XCTest

/// Runs the `make demo` walkthrough with the binary under test and checks
/// its key outputs exactly, so the demo cannot rot.
final class DemoTests: XCTestCase {
    func testWalkthroughRunsToTheEnd() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let script = CLISandbox.projectRoot.appendingPathComponent("scripts/demo.sh").path
        process.arguments = [script, CLISandbox.binary]
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "CRM_TODAY": "2026-03-02"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, String(text.suffix(2000)))

        /// Asserts that the command's output starts with the given lines.
        func assertOutput(of command: String, _ expected: String, line: UInt = #line) {
            guard let range = text.range(of: "\n$ crm \(command)\n") else {
                return XCTFail("the demo did not run `crm \(command)`", line: line)
            }
            XCTAssertTrue(text[range.upperBound...].hasPrefix(expected),
                          "crm \(command) printed:\n\(text[range.upperBound...].prefix(600))", line: line)
        }

        assertOutput(of: "import accounts \(CLISandbox.projectRoot.path)/examples/data/StockUniteLegale_extract.csv --owner alice",
                     "Imported ")
        XCTAssertTrue(text.contains("  imported:   8\n"))
        assertOutput(of: "account show 4", "Account:           4\nLegal name:        ATELIER LUMIERE\n")
        XCTAssertTrue(text.contains("Sector:            IDF\n"))
        assertOutput(of: "quote send 1", "Sent quote DEV-IDF-2026-0001 (was DRAFT-000001); valid until 2026-04-01.\n")
        XCTAssertTrue(text.contains("""
            Total excluding tax: 6455.25 EUR
            VAT:                 1099.05 EUR
            Total including tax: 7554.30 EUR
            """))
        XCTAssertTrue(text.contains("20%\t4556.20 EUR\t911.24 EUR\n10%\t1852.50 EUR\t185.25 EUR\n5.5%\t46.55 EUR\t2.56 EUR\n"))
        XCTAssertTrue(text.contains("(PDF of quote DEV-IDF-2026-0001).\n"))
        XCTAssertTrue(text.contains("""
            1\t2026-03-04\tcall\tCall back about the new opportunity\topportunity 6\talice\tdefault-followups
            3\t2026-03-05\tcall\tCall about quote DEV-IDF-2026-0001\topportunity 6\talice\tindustrial-followups
            """))
        assertOutput(of: "inbox", "ID\tWHEN\tFROM\tSUBJECT\tREAD\n1\t2026-03-02T12:00:00Z\talice\tAccount opening requested: account 4 (request 1)\tno\n")
        XCTAssertTrue(text.contains("Solvency:         approve, credit limit 15000.00 EUR (company created 10 years ago, "
                                    + "credit 15000.00 EUR within 20000.00 EUR) [plugin industrial-solvency 1.0.0, decision 5]\n"))
        assertOutput(of: "opening approve 1", "Approved request 1: account 4 is a customer with 45EOM and LCR.\n")
        assertOutput(of: "term due 45EOM", "2026-04-30\n")
        assertOutput(of: "note list 4", "ID\tWHEN\tBY\tTEXT\n6\t2026-03-02T12:00:00Z\tplugin industrial-won\t"
                                        + "Deal won: Showroom lighting; delivery kick-off planned on 2026-03-09\n")
        XCTAssertTrue(text.contains("Stage:          WON (won)\n"))
        assertOutput(of: "objective report --period 2026-Q1", """
            ID\tFOR\tPERIOD\tMETRIC\tTARGET\tACTUAL\tATTAINMENT\tGAP\tFORECAST\tDAYS LEFT
            2\tsector IDF\t2026-Q1\trevenue EUR\t60000.00 EUR\t24000.00 EUR\t40.0%\t36000.00 EUR\t24000.00 EUR\t30
            1\trep alice\t2026-Q1\trevenue EUR\t30000.00 EUR\t24000.00 EUR\t80.0%\t6000.00 EUR\t24000.00 EUR\t30

            """)
        assertOutput(of: "db check", "No problems found.\n")
    }
}
