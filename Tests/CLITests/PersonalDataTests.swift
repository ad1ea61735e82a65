import Foundation
import XCTest

final class PersonalDataTests: XCTestCase {
    private static let email = "claire.martin@example.fr"

    /// A contact whose e-mail and phone were copied into an activity, a
    /// note, a deal and the audit log.
    private func makeSandbox() throws -> CLISandbox {
        let cli = try CLISandbox()
        cli.ok(["account", "add", "ATELIER LUMIERE", "--siren", "732829320"])
        cli.ok(["contact", "add", "--account", "1", "--first-name", "Claire", "--last-name", "Martin", "--email",
                PersonalDataTests.email, "--phone", "01 23 45 67 89"])
        cli.ok(["contact", "edit", "1", "--phone", "01 98 76 54 32"])
        cli.ok(["contact", "add", "--account", "1", "--last-name", "Durand", "--email", "paul.durand@example.fr"])
        cli.ok(["activity", "log", "e-mail", "--contact", "1", "--subject", "Brochure sent to claire.martin@example.fr"])
        cli.ok(["note", "add", "1", "Claire Martin prefers calls; write to CLAIRE.MARTIN@EXAMPLE.FR otherwise"])
        cli.ok(["note", "add", "1", "Delivery on Mondays"])
        cli.ok(["opportunity", "add", "--account", "1", "--title", "Showroom", "--amount", "5000",
                "--close-date", "2026-06-30", "--contact", "1"])
        return cli
    }

    func testExportListsEverythingHeld() throws {
        let cli = try makeSandbox()
        let output = cli.ok(["contact", "export-personal-data", "1"])
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let contact = try XCTUnwrap(document["contact"] as? [String: Any])
        XCTAssertEqual(contact["email"] as? String, PersonalDataTests.email)
        XCTAssertEqual(contact["firstName"] as? String, "Claire")
        XCTAssertEqual(contact["lastName"] as? String, "Martin")
        XCTAssertEqual(contact["phone"] as? String, "01 98 76 54 32")
        XCTAssertEqual(contact["accountId"] as? Int, 1)
        let activities = try XCTUnwrap(document["activities"] as? [[String: Any]])
        // The second activity is the follow-up the bundled policy plans for a new deal.
        XCTAssertEqual(activities.map { $0["subject"] as? String },
                       ["Brochure sent to claire.martin@example.fr", "Call back about the new opportunity"])
        let notes = try XCTUnwrap(document["notes"] as? [[String: Any]])
        XCTAssertEqual(notes.map { $0["id"] as? Int }, [1])
        let deals = try XCTUnwrap(document["opportunities"] as? [[String: Any]])
        XCTAssertEqual(deals.map { $0["title"] as? String }, ["Showroom"])
        let audit = try XCTUnwrap(document["auditLog"] as? [[String: Any]])
        XCTAssertEqual(audit.map { $0["action"] as? String }, ["create", "update"])
        XCTAssertEqual(audit.last?["old"] as? String, "01 23 45 67 89")
        XCTAssertEqual(cli.sql("""
            SELECT action || '|' || coalesce(old_value, '-') || '|' || coalesce(new_value, '-')
            FROM audit_log WHERE entity = 'contact' ORDER BY id DESC LIMIT 1
            """), "export-personal-data|-|-")
    }

    func testEraseRemovesTheBytesFromTheFileAndWAL() throws {
        let cli = try makeSandbox()
        let refused = cli.run(["contact", "erase", "1"])
        XCTAssertEqual(refused.status, 2)
        XCTAssertEqual(cli.sql("SELECT count(*) FROM contacts"), "2")
        let output = cli.ok(["contact", "erase", "1", "--yes"])
        XCTAssertEqual(output, "Erased contact 1: unlinked 2 activities and 1 deal links, anonymised 2 audit rows, "
                       + "replaced 3 other values.\n")
        XCTAssertEqual(cli.sql("SELECT id FROM contacts"), "2")
        XCTAssertEqual(cli.sql("SELECT coalesce(contact_id, '-') || '|' || subject FROM activities ORDER BY id"),
                       "-|Brochure sent to [erased]\n-|Call back about the new opportunity")
        XCTAssertEqual(cli.sql("SELECT text FROM notes ORDER BY id"),
                       "[erased] prefers calls; write to [erased] otherwise\nDelivery on Mondays")
        XCTAssertEqual(cli.sql("SELECT coalesce(contact_id, '-') || '|' || title FROM opportunities"), "-|Showroom")
        XCTAssertEqual(cli.sql("""
            SELECT group_concat(action || ':' || coalesce(old_value, '-') || ':' || coalesce(new_value, '-'), ' ')
            FROM (SELECT * FROM audit_log WHERE entity = 'contact' AND entity_id = 1 ORDER BY id)
            """), "create:-:- update:[erased]:[erased] erase:-:-")
        XCTAssertEqual(cli.sql("SELECT email FROM contacts WHERE id = 2"), "paul.durand@example.fr")
        for suffix in ["", "-wal"] {
            let path = cli.databasePath + suffix
            guard let bytes = FileManager.default.contents(atPath: path) else { continue }
            for needle in [PersonalDataTests.email, "CLAIRE.MARTIN@EXAMPLE.FR", "01 23 45 67 89", "01 98 76 54 32"] {
                XCTAssertNil(bytes.range(of: Data(needle.utf8)), "\(needle) is still in crm.sqlite\(suffix)")
            }
            if suffix.isEmpty {
                XCTAssertNotNil(bytes.range(of: Data("paul.durand@example.fr".utf8)), "the other contact's e-mail is gone")
            }
        }
        let check = cli.run(["db", "check"])
        XCTAssertEqual(check.stdout, "No problems found.\n", check.stderr)
        let again = cli.run(["contact", "export-personal-data", "1"])
        XCTAssertEqual(again.status, 1)
        XCTAssertEqual(again.stderr, "crm: error: contact 1 not found; see `crm contact list`\n")
    }
}
