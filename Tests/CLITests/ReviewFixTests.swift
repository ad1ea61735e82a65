import Foundation
import XCTest

/// Cases a new user ran into: each checks the corrected behaviour.
final class ReviewFixTests: XCTestCase {
    private func sandbox() throws -> CLISandbox {
        let cli = try CLISandbox()
        cli.ok(["user", "add", "alice", "--role", "sales"])
        cli.ok(["user", "add", "bob", "--role", "sales"])
        cli.ok(["user", "add", "maya", "--role", "manager"])
        cli.ok(["user", "add", "claire", "--role", "accounting"])
        cli.ok(["sector", "add", "IDF", "--name", "Ile-de-France"])
        cli.ok(["sector", "set-manager", "IDF", "maya"])
        cli.ok(["account", "add", "ALICE SARL", "--siren", "732829320", "--sector", "IDF"], as: "alice")
        cli.ok(["account", "add", "BOB SARL", "--siren", "303265045"], as: "bob")
        return cli
    }

    func testDigitOnlyQuoteNumberIsRejected() throws {
        let cli = try sandbox()
        let folder = cli.folder.appendingPathComponent("digits")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "local P = { name = \"digits\", version = \"1.0.0\" }\nfunction P.quoteNumber(p, crm) return \"1\" end\nreturn P\n"
            .write(to: folder.appendingPathComponent("digits.lua"), atomically: true, encoding: .utf8)
        try #"return { name = "digits", version = "1.0.0", plugins = { "digits.lua" } }"#
            .write(to: folder.appendingPathComponent("pack.lua"), atomically: true, encoding: .utf8)
        cli.ok(["pack", "install", folder.path])
        cli.ok(["quote", "new", "--account", "1"], as: "alice")
        cli.ok(["quote", "line", "add", "1", "--description", "x", "--qty", "1", "--unit-price", "10", "--vat", "20"], as: "alice")
        let result = cli.run(["quote", "send", "1"], as: "alice")
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "crm: error: plugin digits (digits/digits.lua:2): quoteNumber returned an invalid quote "
                                      + "number: '1' has only digits, so it could be taken for a quote id; add a prefix such as Q-\n")
        XCTAssertEqual(cli.sql("SELECT status FROM quotes"), "draft")
    }

    func testCurrencyChangeNeedsTheCreditLimitAgain() throws {
        let cli = try sandbox()
        cli.ok(["account", "edit", "1", "--credit-limit", "5000"], as: "claire")
        let refused = cli.run(["account", "edit", "1", "--currency", "JPY"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.stderr, "crm: error: account 1 has a credit limit of 5000.00 EUR; give --credit-limit with "
                                       + "--currency so the limit is stated in JPY\n")
        cli.ok(["account", "edit", "1", "--currency", "JPY", "--credit-limit", "700000"])
        XCTAssertEqual(cli.sql("SELECT currency || ' ' || credit_limit FROM accounts WHERE id = 1"), "JPY 700000")
    }

    func testAccountingSetsCreditLimitsOnly() throws {
        let cli = try sandbox()
        XCTAssertEqual(cli.ok(["account", "edit", "2", "--credit-limit", "1500.50"], as: "claire"), "Updated account 2.\n")
        let refused = cli.run(["account", "edit", "2", "--city", "Lyon"], as: "claire")
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.stderr, "crm: error: permission denied: accounting may change only the credit limit and the "
                                       + "flags of an account; ask its owner or a manager for the rest\n")
        cli.ok(["account", "edit", "2", "--add-flag", "bad-payer"], as: "claire")
        let cleared = cli.run(["account", "edit", "2", "--remove-flag", "bad-payer"], as: "bob")
        XCTAssertEqual(cleared.status, 1)
        XCTAssertEqual(cleared.stderr, "crm: error: permission denied: to change an account's flags you need the accounting or "
                                       + "manager or admin role (bob is sales)\n")
        XCTAssertEqual(cli.sql("SELECT label FROM account_labels WHERE account_id = 2"), "bad-payer")
    }

    func testEditWithNothingToChangeIsAUsageError() throws {
        let cli = try sandbox()
        let result = cli.run(["account", "edit", "1"], as: "alice")
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.hasPrefix("crm: error: nothing to change: give at least one option, such as --city\n"))
    }

    func testDuplicateSIRENDoesNotNameAHiddenAccount() throws {
        let cli = try sandbox()
        let result = cli.run(["account", "add", "COPY", "--siren", "303265045"], as: "alice")
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "crm: error: an account with SIREN 303265045 already exists and belongs to another rep; "
                                      + "ask a manager to reassign or merge it\n")
    }

    func testDecisionsFollowTheAccountsScope() throws {
        let cli = try sandbox()
        cli.ok(["quote", "new", "--account", "2"], as: "bob")
        cli.ok(["quote", "line", "add", "1", "--description", "x", "--qty", "1", "--unit-price", "10", "--vat", "20"], as: "bob")
        cli.ok(["quote", "send", "1"], as: "bob")
        let decision = cli.sql("SELECT max(id) FROM decisions WHERE entity = 'quote'")
        XCTAssertFalse(decision.isEmpty)
        let hidden = cli.run(["decision", "show", decision], as: "alice")
        XCTAssertEqual(hidden.status, 1)
        XCTAssertEqual(hidden.stderr, "crm: error: decision \(decision) not found (or not yours to see); "
                                      + "see `crm rules explain --account ID`\n")
        XCTAssertEqual(cli.run(["decision", "show", decision], as: "bob").status, 0)
    }

    func testManagerAllStaysInTheirSectors() throws {
        let cli = try sandbox()
        cli.ok(["opportunity", "add", "--account", "1", "--title", "In IDF", "--amount", "100", "--close-date", "2026-06-30"], as: "alice")
        cli.ok(["opportunity", "add", "--account", "2", "--title", "Elsewhere", "--amount", "100", "--close-date", "2026-06-30"], as: "bob")
        for arguments in [["opportunity", "list"], ["opportunity", "list", "--all"]] {
            let listed = cli.ok(arguments, as: "maya")
            XCTAssertTrue(listed.contains("In IDF"))
            XCTAssertFalse(listed.contains("Elsewhere"))
        }
        XCTAssertTrue(cli.ok(["opportunity", "list"], as: "claire").contains("Elsewhere"))
    }

    func testGlobalOptionsBeforeTheCommand() throws {
        let cli = try sandbox()
        XCTAssertTrue(cli.ok(["--as", "alice", "account", "list"]).contains("ALICE SARL"))
        let unknown = cli.run(["--bogus", "account", "list"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.hasPrefix("crm: error: unknown option '--bogus' before the command"))
        XCTAssertEqual(cli.ok(["--version"]), "crm 0.1.0 (host API 1)\n")
    }

    func testCoreSettingsAreCheckedWhenSet() throws {
        let cli = try sandbox()
        for (key, value, message) in [
            ("timezone.offset", "Europe/Paris", "expected a fixed offset from -12:00 to +14:00, such as +01:00, or Z for UTC"),
            ("quote.validityDays", "abc", "expected a whole number of days from 1 to 3650, such as 30"),
            ("followups.quietDays", "1.5", "expected a whole number of days from 1 to 3650, such as 30"),
            ("opening.bindingRecommendations", "yes", "expected true or false"),
        ] {
            let result = cli.run(["setting", "set", key, value])
            XCTAssertEqual(result.status, 1, key)
            XCTAssertEqual(result.stderr, "crm: error: invalid value for \(key): \(message)\n")
        }
        cli.ok(["setting", "set", "company.capital", "50000"])
        XCTAssertEqual(cli.sql("SELECT value FROM settings WHERE key = 'company.capital'"), "\"50000\"")
        XCTAssertEqual(cli.sql("SELECT count(*) FROM settings"), "1")
    }

    func testHostileTextIsRejectedOrNeutralised() throws {
        let cli = try sandbox()
        let bidi = cli.run(["account", "edit", "1", "--city", "Par\u{202E}is"], as: "alice")
        XCTAssertEqual(bidi.status, 2)
        XCTAssertTrue(bidi.stderr.hasPrefix("crm: error: --city contains the bidirectional control character U+202E; remove it\n"))
        cli.ok(["account", "add", "=HYPERLINK(\"http://example.invalid\",\"x\")"], as: "alice")
        let export = cli.ok(["export", "accounts", "--format", "csv"])
        XCTAssertTrue(export.contains("\"'=HYPERLINK(\"\"http://example.invalid\"\",\"\"x\"\")\""), export)
    }

    func testUnknownUserFromTheEnvironmentIsNamed() throws {
        let cli = try sandbox()
        let result = cli.run(["account", "list"], as: "nobody")
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "crm: error: unknown user 'nobody' in CRM_USER; see `crm user list`\n")
    }

    func testTermShowPrintsJSON() throws {
        let cli = try sandbox()
        let term = try XCTUnwrap(cli.json(["term", "show", "30EOM"]) as? [String: Any])
        XCTAssertEqual(term["definition"] as? String, "eom-a:30")
        let examples = try XCTUnwrap(term["examples"] as? [[String: Any]])
        XCTAssertEqual(examples.first?["dueDate"] as? String, "2026-04-30")
    }
}

final class UserAdministrationTests: XCTestCase {
    func testEnableEditAndUnbind() throws {
        let cli = try CLISandbox()
        cli.ok(["user", "add", "alice", "--role", "sales"])
        cli.ok(["user", "disable", "alice"])
        XCTAssertEqual(cli.ok(["user", "enable", "alice"]), "Enabled user alice.\n")
        XCTAssertEqual(cli.run(["account", "list"], as: "alice").status, 0)
        XCTAssertEqual(cli.ok(["user", "edit", "alice", "--role", "manager", "--login", "alice-login"]),
                       "Updated user alice (manager, login alice-login).\n")
        XCTAssertEqual(cli.ok(["user", "edit", "alice", "--login", ""]), "Updated user alice (manager).\n")
        XCTAssertEqual(cli.sql("SELECT role || '|' || coalesce(login, 'none') FROM users WHERE name = 'alice'"), "manager|none")
        let demote = cli.run(["user", "edit", "admin", "--role", "sales"])
        XCTAssertEqual(demote.status, 1)
        XCTAssertEqual(demote.stderr, "crm: error: you cannot take the admin role from yourself; ask another administrator\n")
        XCTAssertEqual(cli.sql("SELECT count(*) FROM audit_log WHERE entity = 'user' AND action = 'update'"), "5")
    }
}

final class ImportOwnerMappingTests: XCTestCase {
    func testMappedOwnerColumnNamesTheOwner() throws {
        let cli = try CLISandbox()
        cli.ok(["user", "add", "alice", "--role", "sales"])
        try "Raison sociale,Ville,Commercial\nAlpha SARL,Nantes,Hugo Berthier\nBeta SARL,Lyon,Nobody\n"
            .write(to: cli.folder.appendingPathComponent("a.csv"), atomically: true, encoding: .utf8)
        try #"{"columns": {"Raison sociale": "name", "Ville": "city", "Commercial": "owner"}, "values": {"owner": {"Hugo Berthier": "alice"}}}"#
            .write(to: cli.folder.appendingPathComponent("map.json"), atomically: true, encoding: .utf8)
        let result = cli.run(["import", "accounts", "a.csv", "--mapping", "map.json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("  warnings:   1 (unknown_owner 1)\n"), result.stdout)
        XCTAssertEqual(cli.sql("SELECT a.legal_name || '|' || u.name FROM accounts a JOIN users u ON u.id = a.owner_id ORDER BY a.id"),
                       "Alpha SARL|alice\nBeta SARL|admin")
    }
}

final class PluginErrorPrefixTests: XCTestCase {
    func testAPIErrorsNameTheFunctionOnce() throws {
        let cli = try CLISandbox()
        cli.ok(["account", "add", "ACME"])
        try "local P = { name = \"missing\", version = \"1.0.0\" }\nfunction P.onAccountCreated(a, crm)\n  crm.addNote(999, \"x\")\nend\nreturn P\n"
            .write(to: cli.folder.appendingPathComponent("missing.lua"), atomically: true, encoding: .utf8)
        let result = cli.run(["plugin", "run", "missing.lua", "--hook", "onAccountCreated", "--payload", #"{"id": 1}"#])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "crm: error: plugin missing (missing.lua:3): crm.addNote: account 999 does not exist or the acting user may not see it\n")
    }
}

final class UnlinkedContactTests: XCTestCase {
    func testImportedContactsWithoutCompanyCanBeFoundAndLinked() throws {
        let cli = try CLISandbox()
        cli.ok(["user", "add", "alice", "--role", "sales"])
        cli.ok(["account", "add", "GARNIER ROY"], as: "alice")
        let file = CLISandbox.projectRoot.appendingPathComponent("Tests/CRMCoreTests/Fixtures/import/customers-100_layout.csv")
        cli.ok(["import", "contacts", file.path])
        let listed = cli.ok(["contact", "list"])
        XCTAssertTrue(listed.contains("1\t-\tMaëlle Quentin\t"), listed)
        XCTAssertEqual(cli.ok(["search", "quentin"]), "KIND\tID\tACCOUNT\tNAME\tMATCHED\ncontact\t1\t-\tMaëlle Quentin\tname\n")
        XCTAssertEqual(cli.ok(["contact", "list"], as: "alice"), "ID\tACCOUNT\tNAME\tROLE\tEMAIL\tPHONE\n")
        let planned = cli.run(["activity", "log", "call", "--subject", "Hello", "--contact", "1"])
        XCTAssertEqual(planned.status, 1)
        XCTAssertEqual(planned.stderr, "crm: error: contact 1 belongs to no account; link it first with "
                                       + "`crm contact link 1 --account ID`\n")
        let refused = cli.run(["contact", "link", "1", "--account", "1"], as: "alice")
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.hasPrefix("crm: error: contact 1 not found (or not yours to see)"), refused.stderr)
        XCTAssertEqual(cli.ok(["contact", "link", "1", "--account", "1"]), "Contact 1 now belongs to account 1.\n")
        XCTAssertTrue(cli.ok(["contact", "list"], as: "alice").contains("1\t1\tMaëlle Quentin\t"))
        XCTAssertEqual(cli.sql("SELECT field || '|' || coalesce(old_value, '-') || '|' || new_value FROM audit_log WHERE entity = 'contact' AND action = 'update'"),
                       "account|-|1")
    }
}

final class QuoteSellerWarningTests: XCTestCase {
    func testSendWarnsWhenTheSellerIsUnknown() throws {
        let cli = try CLISandbox()
        cli.ok(["account", "add", "ACME"])
        for _ in 0..<2 {
            cli.ok(["quote", "new", "--account", "1"])
            let id = cli.sql("SELECT max(id) FROM quotes")
            cli.ok(["quote", "line", "add", id, "--description", "x", "--qty", "1", "--unit-price", "10", "--vat", "20"])
        }
        let bare = cli.run(["quote", "send", "1"])
        XCTAssertEqual(bare.status, 0)
        XCTAssertEqual(bare.stderr, "crm: warning: the quote's document lacks the seller's company.legalName, "
                                    + "company.address, company.siret; set them with `crm setting set company.legalName "
                                    + "\"...\"` and send later quotes with them\n")
        cli.ok(["setting", "set", "company.legalName", "Durand & Fils Distribution"])
        cli.ok(["setting", "set", "company.address", "8 rue des Entrepôts"])
        cli.ok(["setting", "set", "company.siret", "12345678200010"])
        XCTAssertEqual(cli.run(["quote", "send", "2"]).stderr, "")
    }
}
