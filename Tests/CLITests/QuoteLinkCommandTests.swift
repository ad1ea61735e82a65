import Foundation
import XCTest

/// Quotes made for opportunities and the import and export of deals, run
/// through the built binary with the bundled plugins.
final class QuoteLinkCommandTests: XCTestCase {
    private func sandbox() throws -> CLISandbox {
        let cli = try CLISandbox()
        cli.ok(["user", "add", "alice", "--role", "sales"])
        cli.ok(["user", "add", "bob", "--role", "sales"])
        cli.ok(["account", "add", "ATELIER LUMIERE", "--owner", "alice"])
        cli.ok(["opportunity", "add", "--account", "1", "--title", "Showroom", "--amount", "5000.00",
                "--close-date", "2026-05-29"], as: "alice")
        return cli
    }

    func testQuoteForOpportunityFromSendToWin() throws {
        let cli = try sandbox()
        XCTAssertEqual(cli.ok(["quote", "new", "--opportunity", "1"], as: "alice"),
                       "Created quote DRAFT-000001 (draft) for opportunity 1 of account 1 in EUR.\n")
        cli.ok(["quote", "line", "add", "1", "--description", "Luminaires", "--qty", "4", "--unit-price", "125",
                "--vat", "20"], as: "alice")
        cli.ok(["quote", "send", "1"], as: "alice")
        XCTAssertEqual(cli.sql("SELECT id, due_date, subject, quote_id, policy FROM activities ORDER BY id"), """
            1|2026-03-04|Call back about the new opportunity||default-followups
            2|2026-03-05|Call about the quote sent 3 business days ago|1|default-followups
            3|2026-03-16|Call again: the quote is still open|1|default-followups
            """)
        let accepted = cli.run(["quote", "accept", "Q-2026-00001"], as: "alice", extra: ["CRM_TODAY": "2026-03-10"])
        XCTAssertEqual(accepted.status, 0, accepted.stderr)
        XCTAssertEqual(cli.sql("SELECT s.code, o.closed_on FROM opportunities o JOIN stages s ON s.id = o.stage_id"),
                       "WON|2026-03-10")
        XCTAssertEqual(cli.sql("SELECT id, status, cancel_reason FROM activities ORDER BY id"),
                       "1|cancelled|opportunity won\n2|cancelled|quote accepted\n3|cancelled|quote accepted")
        let timeline = cli.ok(["timeline", "account", "1"], as: "alice")
        XCTAssertTrue(timeline.contains("quote DRAFT-000001 sent as Q-2026-00001"), timeline)
        XCTAssertTrue(timeline.contains("quote Q-2026-00001 accepted"), timeline)
    }

    func testQuoteNewErrors() throws {
        let cli = try sandbox()
        let missing = cli.run(["quote", "new"], as: "alice")
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.hasPrefix("crm: error: missing --account or --opportunity: name what the quote is for\n"),
                      missing.stderr)
        let other = cli.run(["quote", "new", "--opportunity", "1"], as: "bob")
        XCTAssertEqual(other.status, 1)
        XCTAssertEqual(other.stderr, "crm: error: opportunity 1 not found (or not yours to see); see `crm opportunity list`\n")
        cli.ok(["account", "edit", "1", "--currency", "USD"])
        let currency = cli.run(["quote", "new", "--opportunity", "1"], as: "alice")
        XCTAssertEqual(currency.status, 1)
        XCTAssertEqual(currency.stderr, "crm: error: opportunity 1 is in EUR but account 1 uses USD; choose the quote's "
                       + "currency with --currency EUR or --currency USD\n")
        XCTAssertEqual(cli.ok(["quote", "new", "--opportunity", "1", "--currency", "EUR"], as: "alice"),
                       "Created quote DRAFT-000001 (draft) for opportunity 1 of account 1 in EUR.\n")
    }

    func testImportAndExportOpportunities() throws {
        let cli = try CLISandbox()
        let fixtures = ImportCommandTests.fixtures
        cli.ok(["import", "accounts", fixtures.appendingPathComponent("Account.csv").path])
        let path = fixtures.appendingPathComponent("Opportunity.csv").path
        XCTAssertEqual(cli.ok(["import", "opportunities", path]), """
            Imported \(path) (format salesforce):
              rows read:  7
              imported:   5
              updated:    0
              unchanged:  0
              skipped:    1 (deleted_in_source 1)
              rejected:   1 (invalid_date 1)
              warnings:   3 (unknown_stage 3)
              line 4: invalid_date (CloseDate): the close date does not exist or is not a date; correct it and import the row again

            """)
        let exported = cli.folder.appendingPathComponent("deals.jsonl").path
        let accounts = cli.folder.appendingPathComponent("accounts.jsonl").path
        cli.ok(["export", "accounts", "--format", "json", "--output", accounts])
        let result = cli.run(["export", "opportunities", "--format", "json", "--output", exported])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stderr, "Exported 5 opportunities to \(exported).\n")

        let target = try CLISandbox()
        target.ok(["import", "accounts", accounts, "--from", "crm"])
        XCTAssertTrue(target.ok(["import", "opportunities", exported, "--from", "crm"]).contains("  imported:   5\n"))
        XCTAssertEqual(target.sql("SELECT title, coalesce(amount, 'null'), closed_on FROM opportunities ORDER BY id"), """
            Edge Emergency Generator|7500000|
            Burlington Textiles Weaving Plant Generator|23500000|2026-03-31
            United Oil Office Portable Generators|12500000|
            GenePoint Lab Generators|6000000|2026-05-15
            United Oil Installations|null|
            """)
        let csv = target.ok(["export", "quotes"])
        XCTAssertEqual(csv, "id,reference,number,status,account,opportunity,currency,globalDiscount,issueDate,validUntil,"
                       + "totalExcludingTax,totalTax,totalIncludingTax,declineReason,createdBy,createdAt,line,"
                       + "description,quantity,unit,unitPrice,discount,vatRate,net\r\n")
        let bad = target.run(["export", "deals"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.hasPrefix("crm: error: invalid ENTITY 'deals': expected accounts, contacts, "
                                           + "opportunities, activities or quotes\n"), bad.stderr)
    }
}
