import Foundation
import XCTest

/// Every read and write path against every role: alice and bob are sales
/// reps, mia manages alice's sector NORD, carl is an accountant. Alice's
/// records carry the marker ALPHA and bob's BRAVO, so any output that
/// shows a marker to someone outside its scope is a leak.
final class AccessMatrixTests: XCTestCase {
    private static let users = ["alice", "bob", "mia", "carl", "admin"]

    /// Who may see alice's account 1 (ALPHA) and bob's account 2 (BRAVO).
    private static let sees: [String: Set<String>] = [
        "alice": ["ALPHA"], "bob": ["BRAVO"], "mia": ["ALPHA"], "carl": ["ALPHA", "BRAVO"], "admin": ["ALPHA", "BRAVO"],
    ]

    private func makeSandbox() throws -> CLISandbox {
        let cli = try CLISandbox()
        cli.ok(["user", "add", "alice", "--role", "sales"])
        cli.ok(["user", "add", "bob", "--role", "sales"])
        cli.ok(["user", "add", "mia", "--role", "manager"])
        cli.ok(["user", "add", "carl", "--role", "accounting"])
        cli.ok(["sector", "add", "NORD", "--name", "Nord"])
        cli.ok(["sector", "add", "SUD", "--name", "Sud"])
        cli.ok(["sector", "set-manager", "NORD", "mia"])
        for (index, (owner, marker, sector)) in [("alice", "ALPHA", "NORD"), ("bob", "BRAVO", "SUD")].enumerated() {
            let id = String(index + 1)
            cli.ok(["account", "add", "\(marker) INDUSTRIE", "--sector", sector, "--siren", index == 0 ? "732829320" : "552032534",
                    "--street", "1 rue Haute", "--postal-code", "59000", "--city", "Lille"], as: owner)
            cli.ok(["contact", "add", "--account", id, "--last-name", "\(marker)-Martin", "--email",
                    "\(marker.lowercased())@example.fr"], as: owner)
            cli.ok(["opportunity", "add", "--account", id, "--title", "\(marker) deal", "--amount", "5000",
                    "--close-date", "2026-06-30"], as: owner)
            cli.ok(["quote", "new", "--account", id], as: owner)
            cli.ok(["quote", "line", "add", id, "--description", "\(marker) service", "--qty", "1", "--unit-price",
                    "100", "--vat", "20"], as: owner)
            cli.ok(["note", "add", id, "\(marker) note"], as: owner)
            cli.ok(["activity", "log", "call", "--account", id, "--subject", "\(marker) call"], as: owner)
        }
        return cli
    }

    func testReadPathsShowOnlyVisibleRecords() throws {
        let cli = try makeSandbox()
        let listings: [[String]] = [
            ["account", "list"], ["contact", "list"], ["opportunity", "list"], ["activity", "list"],
            ["search", "industrie"], ["search", "martin"], ["export", "accounts"], ["export", "contacts"],
            ["export", "accounts", "--format", "json"],
        ]
        for user in AccessMatrixTests.users {
            let visible = AccessMatrixTests.sees[user]!
            for arguments in listings {
                let result = cli.run(arguments, as: user)
                XCTAssertEqual(result.status, 0, "\(user): crm \(arguments.joined(separator: " ")): \(result.stderr)")
                for marker in ["ALPHA", "BRAVO"] {
                    let shown = result.stdout.uppercased().contains(marker)
                    XCTAssertEqual(shown, visible.contains(marker),
                                   "\(user): crm \(arguments.joined(separator: " ")) shows \(marker): \(shown)")
                }
            }
            let quotes = cli.run(["quote", "list"], as: user).stdout
            XCTAssertEqual(quotes.contains("DRAFT-000001"), visible.contains("ALPHA"), "\(user): crm quote list")
            XCTAssertEqual(quotes.contains("DRAFT-000002"), visible.contains("BRAVO"), "\(user): crm quote list")
            for (id, marker) in [("1", "ALPHA"), ("2", "BRAVO")] {
                let paths: [[String]] = [
                    ["account", "show", id], ["contact", "show", id], ["opportunity", "show", id], ["quote", "show", id],
                    ["note", "list", id], ["timeline", "account", id], ["history", "account", id],
                ]
                for arguments in paths {
                    let result = cli.run(arguments, as: user)
                    let label = "\(user): crm \(arguments.joined(separator: " "))"
                    if visible.contains(marker) {
                        XCTAssertEqual(result.status, 0, "\(label): \(result.stderr)")
                    } else {
                        XCTAssertEqual(result.status, 1, label)
                        XCTAssertTrue(result.stderr.contains("not found (or not yours to see)"), "\(label): \(result.stderr)")
                        XCTAssertFalse(result.stdout.uppercased().contains(marker), label)
                        XCTAssertFalse(result.stderr.uppercased().contains(marker), label)
                    }
                }
            }
        }
    }

    func testWritePathsFollowOwnershipAndRoles() throws {
        let cli = try makeSandbox()
        // Writes on alice's records: alice, her manager and the admin may make them.
        let writes: [[String]] = [
            ["account", "edit", "1", "--city", "Lille"], ["contact", "edit", "1", "--phone", "0320000000"],
            ["note", "add", "1", "Rappeler"], ["activity", "log", "note", "--account", "1", "--subject", "Suivi"],
            ["quote", "line", "add", "1", "--description", "Extra", "--qty", "1", "--unit-price", "10", "--vat", "20"],
            ["opportunity", "edit", "1", "--probability", "40"],
        ]
        let writers: Set<String> = ["alice", "mia", "admin"]
        for user in AccessMatrixTests.users {
            for arguments in writes {
                let before = cli.sql("SELECT count(*) FROM audit_log")
                let result = cli.run(arguments, as: user)
                let label = "\(user): crm \(arguments.joined(separator: " "))"
                if writers.contains(user) {
                    XCTAssertEqual(result.status, 0, "\(label): \(result.stderr)")
                } else {
                    XCTAssertEqual(result.status, 1, label)
                    XCTAssertTrue(result.stderr.contains("not found (or not yours to see)")
                                  || result.stderr.contains("permission denied"), "\(label): \(result.stderr)")
                    XCTAssertEqual(cli.sql("SELECT count(*) FROM audit_log"), before, "\(label) wrote an audit row")
                }
            }
        }
    }

    func testRoleOnlyCommandsNameTheRoleNeeded() throws {
        let cli = try makeSandbox()
        cli.ok(["opening", "request", "1"], as: "alice")
        let folder = cli.folder.appendingPathComponent("pack")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "return { name = \"p\", version = \"1.0.0\", api = 1, plugins = { \"p.lua\" } }"
            .write(to: folder.appendingPathComponent("pack.lua"), atomically: true, encoding: .utf8)
        try "return { name = \"p\", version = \"1.0.0\" }"
            .write(to: folder.appendingPathComponent("p.lua"), atomically: true, encoding: .utf8)
        let commands: [(arguments: [String], roles: String, allowed: Set<String>)] = [
            (["opening", "approve", "1", "--term", "45EOM", "--method", "TRANSFER"], "accounting or admin", ["carl"]),
            (["pack", "install", folder.path], "admin", ["admin"]),
            (["setting", "set", "quote.validityDays", "45"], "admin", ["admin"]),
            (["user", "add", "zoe", "--role", "sales"], "admin", ["admin"]),
            (["db", "backup", "backup.sqlite"], "admin", ["admin"]),
            (["db", "restore", "backup.sqlite"], "admin", []),
            (["contact", "export-personal-data", "1"], "admin", ["admin"]),
            (["contact", "erase", "2", "--yes"], "admin", ["admin"]),
        ]
        for command in commands {
            for user in AccessMatrixTests.users where user != "admin" || command.allowed.contains("admin") {
                let result = cli.run(command.arguments, as: user)
                let label = "\(user): crm \(command.arguments.joined(separator: " "))"
                if command.allowed.contains(user) {
                    XCTAssertEqual(result.status, 0, "\(label): \(result.stderr)")
                } else {
                    XCTAssertEqual(result.status, 1, label)
                    let role = user == "mia" ? "manager" : user == "carl" ? "accounting" : "sales"
                    XCTAssertTrue(result.stderr.hasPrefix("crm: error: permission denied: to "), "\(label): \(result.stderr)")
                    XCTAssertTrue(result.stderr.contains(" you need the \(command.roles) role (\(user) is \(role))"),
                                  "\(label): \(result.stderr)")
                }
            }
        }
    }

    /// A hook runs with the rights of the user whose command fired it, so
    /// the read functions of the plugin API see what that user sees.
    func testPluginReadsFollowTheActingUser() throws {
        let cli = try makeSandbox()
        let folder = cli.folder.appendingPathComponent("peek")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "return { name = \"peek\", version = \"1.0.0\", api = 1, plugins = { \"peek.lua\" } }"
            .write(to: folder.appendingPathComponent("pack.lua"), atomically: true, encoding: .utf8)
        try """
            local P = { name = "peek", version = "1.0.0" }
            function P.onAccountCreated(account, crm)
              local other = crm.getAccount(1)
              crm.addNote(account.id, "peek " .. tostring(other ~= nil) .. " " .. #crm.getNotes(1) .. " "
                .. #crm.getContacts(1) .. " " .. tostring(crm.getOpportunity(1) ~= nil) .. " "
                .. tostring(crm.getQuote(1) ~= nil))
            end
            return P
            """.write(to: folder.appendingPathComponent("peek.lua"), atomically: true, encoding: .utf8)
        cli.ok(["pack", "install", folder.path])
        let expected = ["alice": "peek true 1 1 true true", "bob": "peek false 0 0 false false",
                        "mia": "peek true 1 1 true true", "admin": "peek true 1 1 true true"]
        for (user, note) in expected.sorted(by: { $0.key < $1.key }) {
            let added = cli.ok(["account", "add", "NEW \(user.uppercased())"], as: user)
            let id = added.split(separator: " ")[2]
            XCTAssertEqual(cli.sql("SELECT text FROM notes WHERE account_id = \(id)"), note, user)
        }
        let refused = cli.run(["account", "add", "NEW BOB 2"], as: "bob")
        XCTAssertEqual(refused.status, 0, refused.stderr)
        try """
            local P = { name = "peek", version = "1.0.1" }
            function P.onAccountCreated(account, crm) crm.addNote(1, "written by another rep's hook") end
            return P
            """.write(to: folder.appendingPathComponent("peek.lua"), atomically: true, encoding: .utf8)
        try "return { name = \"peek\", version = \"1.0.1\", api = 1, plugins = { \"peek.lua\" } }"
            .write(to: folder.appendingPathComponent("pack.lua"), atomically: true, encoding: .utf8)
        cli.ok(["pack", "install", folder.path])
        let write = cli.run(["account", "add", "NEW BOB 3"], as: "bob")
        XCTAssertEqual(write.status, 1)
        XCTAssertTrue(write.stderr.contains("crm.addNote: account 1 does not exist or the acting user may not see it"),
                      write.stderr)
        XCTAssertEqual(cli.sql("SELECT count(*) FROM accounts WHERE legal_name = 'NEW BOB 3'"), "0")
        XCTAssertEqual(cli.sql("SELECT count(*) FROM notes WHERE text = 'written by another rep''s hook'"), "0")
    }
}
