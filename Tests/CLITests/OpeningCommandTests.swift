import Foundation
import XCTest

final class OpeningCommandTests: XCTestCase {
    func testTermDueExamples() throws {
        let cli = try CLISandbox()
        XCTAssertEqual(cli.ok(["term", "due", "30EOM", "--from", "2024-01-29"]), "2024-02-29\n")
        XCTAssertEqual(cli.ok(["term", "due", "30EOM-B", "--from", "2024-01-29"]), "2024-03-01\n")
        XCTAssertEqual(cli.ok(["term", "due", "NEXT-EOM", "--from", "2020-06-11"]), "2020-07-31\n")
        let invalid = cli.run(["term", "due", "NET30", "--from", "2023-02-29"])
        XCTAssertEqual(invalid.status, 1)
        XCTAssertEqual(invalid.stderr, "crm: error: invalid --from '2023-02-29': expected a date that exists, as YYYY-MM-DD\n")
        let unknown = cli.run(["term", "due", "NET999"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.stderr, "crm: error: unknown payment term 'NET999' in CODE; see `crm term list`\n")
    }

    func testTermAddWarnsAboutTheLegalMaximum() throws {
        let cli = try CLISandbox()
        let result = cli.run(["term", "add", "NET90", "--label", "90 days net", "--definition", "net:90"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "Added payment term NET90.\n")
        XCTAssertTrue(result.stderr.hasPrefix("crm: warning: "), result.stderr)
        XCTAssertTrue(result.stderr.contains("60 days"), result.stderr)
        XCTAssertEqual(cli.ok(["term", "due", "NET90", "--from", "2026-01-31"]), "2026-05-01\n")
    }

    func testTwoAccountantsApprovingAtOnce() throws {
        let cli = try CLISandbox()
        cli.ok(["user", "add", "alice", "--role", "sales"])
        cli.ok(["user", "add", "carl", "--role", "accounting"])
        cli.ok(["user", "add", "dora", "--role", "accounting"])
        cli.ok(["account", "add", "ATELIER LUMIERE", "--siren", "732829320", "--street", "12 rue de la Forge",
                "--postal-code", "75011", "--city", "Paris"], as: "alice")
        cli.ok(["contact", "add", "--account", "1", "--last-name", "Martin", "--email", "claire.martin@example.fr"], as: "alice")
        cli.ok(["opening", "request", "1"], as: "alice")
        let approve = ["opening", "approve", "1", "--term", "45EOM", "--method", "LCR"]
        let results = cli.runConcurrently([(approve, "carl"), (approve, "dora")])
        XCTAssertEqual(results.map(\.status).sorted(), [0, 1])
        let loser = try XCTUnwrap(results.first { $0.status == 1 })
        let winner = try XCTUnwrap(results.first { $0.status == 0 })
        XCTAssertEqual(winner.stdout, "Approved request 1: account 1 is a customer with 45EOM and LCR.\n")
        let winnerName = cli.sql("SELECT u.name FROM opening_requests r JOIN users u ON u.id = r.decided_by")
        XCTAssertTrue(["carl", "dora"].contains(winnerName))
        XCTAssertEqual(loser.stderr, "crm: error: request 1 was already approved by \(winnerName) on 2026-03-02\n")
        XCTAssertEqual(cli.sql("SELECT count(*) FROM audit_log WHERE entity = 'opening' AND action = 'approve'"), "1")
        XCTAssertEqual(cli.sql("SELECT count(*) FROM notifications WHERE subject LIKE 'Account opening approved%'"), "1")
    }
}
