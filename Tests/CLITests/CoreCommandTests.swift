import Foundation
import XCTest

final class CoreCommandTests: XCTestCase {
    func testFirstSession() throws {
        let cli = try CLISandbox()
        cli.ok(["user", "add", "alice", "--role", "sales"])
        cli.ok(["sector", "add", "IDF", "--name", "Île-de-France"])
        XCTAssertEqual(cli.ok(["account", "add", "ATELIER LUMIERE", "--siren", "732829320", "--country", "FR",
                               "--owner", "alice", "--sector", "IDF"]), "Added account 1 (prospect).\n")
        XCTAssertEqual(cli.ok(["contact", "add", "--account", "1", "--first-name", "Claire", "--last-name", "Martin",
                               "--email", "claire.martin@example.fr"]), "Added contact 1 to account 1.\n")
        let accounts = try XCTUnwrap(cli.json(["account", "list"]) as? [[String: Any]])
        XCTAssertEqual(accounts.count, 1)
        XCTAssertEqual(accounts[0]["siren"] as? String, "732829320")
        XCTAssertEqual(accounts[0]["legalName"] as? String, "ATELIER LUMIERE")
        XCTAssertEqual(accounts[0]["owner"] as? String, "alice")
        XCTAssertEqual(accounts[0]["sector"] as? String, "IDF")
        XCTAssertEqual(accounts[0]["status"] as? String, "prospect")

        let history = cli.ok(["history", "account", "1"])
        XCTAssertEqual(history, """
            WHEN\tWHO\tWHAT\tCHANGE\tCOMMAND
            2026-03-02T12:00:00Z\tadmin\taccount 1\tcreate\taccount add
            2026-03-02T12:00:00Z\tadmin\tcontact 1\tcreate\tcontact add

            """)

        let bad = cli.run(["account", "add", "BAD KEY SARL", "--siren", "732829321", "--country", "FR", "--owner", "alice"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertEqual(bad.stdout, "")
        XCTAssertEqual(bad.stderr, "crm: error: --siren: invalid SIREN: the Luhn check key does not match "
                                   + "(a SIREN has 9 digits with a Luhn key)\n")
        XCTAssertEqual(cli.sql("SELECT count(*) FROM accounts"), "1")
    }

    func testInitSaysWhereAndIsOwnerOnly() throws {
        let cli = try CLISandbox(initialise: false)
        let result = cli.run(["init", "--admin", "root-admin"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdout, """
            Created the database at \(cli.databasePath) (readable by its owner only).
            The administrator is root-admin; act as them with --as root-admin or CRM_USER=root-admin.

            """)
        let attributes = try FileManager.default.attributesOfItem(atPath: cli.databasePath)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let again = cli.run(["init", "--admin", "other"])
        XCTAssertEqual(again.status, 1)
        XCTAssertEqual(again.stderr, "crm: error: a database already exists at \(cli.databasePath); use it, or choose another path with --db\n")
    }

    func testDefaultPathFollowsXDG() throws {
        let cli = try CLISandbox(initialise: false)
        cli.environment.removeValue(forKey: "CRM_DB")
        cli.environment["XDG_DATA_HOME"] = cli.folder.appendingPathComponent("data").path
        let result = cli.run(["init", "--admin", "admin"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: cli.folder.appendingPathComponent("data/crm/crm.sqlite").path))
    }

    func testMissingDatabaseSaysToRunInit() throws {
        let cli = try CLISandbox(initialise: false)
        let result = cli.run(["account", "list"], as: "admin")
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "crm: error: no database at \(cli.databasePath); create one with `crm init --admin NAME` "
                                      + "(or choose another with --db or CRM_DB)\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.databasePath))
    }

    func testActingUserErrors() throws {
        let cli = try CLISandbox()
        cli.environment.removeValue(forKey: "CRM_USER")
        let missing = cli.run(["account", "list"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.hasPrefix("crm: error: no acting user: pass --as NAME or set CRM_USER"), missing.stderr)
        let unknown = cli.run(["account", "list", "--as", "ghost"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.stderr, "crm: error: unknown user 'ghost' in --as; see `crm user list`\n")
        cli.ok(["user", "add", "alice", "--role", "sales"], as: "admin")
        cli.ok(["user", "disable", "alice"], as: "admin")
        let disabled = cli.run(["account", "list"], as: "alice")
        XCTAssertEqual(disabled.status, 1)
        XCTAssertEqual(disabled.stderr, "crm: error: the user 'alice' is disabled and can no longer act\n")
        XCTAssertEqual(cli.ok(["user", "list"], as: "admin"), "NAME\tROLE\tLOGIN\tSTATE\nadmin\tadmin\t\tactive\nalice\tsales\t\tdisabled\n")
    }

    func testBoundLoginCannotActAsAnotherUser() throws {
        let cli = try CLISandbox()
        let login = String(cString: getpwuid(geteuid())!.pointee.pw_name)
        cli.ok(["user", "add", "alice", "--role", "sales"])
        let refused = cli.run(["user", "add", "bob", "--role", "sales", "--login", login])
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.stderr, "crm: error: binding your own login '\(login)' to a sales user would make every "
                                       + "command you run from it act as that user, so no admin could act from it again; "
                                       + "run this from the user's own login, or bind it to an admin\n")
        // Bound as if from bob's own login, which this test runs under.
        cli.ok(["user", "add", "bob", "--role", "sales"])
        XCTAssertEqual(cli.sql("UPDATE users SET login = '\(login)' WHERE name = 'bob'; SELECT changes()"), "1")
        let actingAsAlice = cli.run(["account", "list", "--as", "alice"])
        XCTAssertEqual(actingAsAlice.status, 1)
        XCTAssertEqual(actingAsAlice.stderr, "crm: error: your login '\(login)' is bound to the user 'bob', who cannot act as 'alice': "
                                       + "acting as another user needs the admin role\n")
        XCTAssertEqual(cli.ok(["account", "add", "BOB SARL"], as: "bob"), "Added account 1 (prospect).\n")
        let accounts = try XCTUnwrap(cli.json(["account", "list"], as: "bob") as? [[String: Any]])
        XCTAssertEqual(accounts.first?["owner"] as? String, "bob")
    }

    func testUsageErrorsExitTwoAndNameTheArgument() throws {
        let cli = try CLISandbox()
        let unknownOption = cli.run(["account", "list", "--ownr", "alice"])
        XCTAssertEqual(unknownOption.status, 2)
        XCTAssertEqual(unknownOption.stderr, """
            crm: error: unknown option '--ownr' for `crm account list`; did you mean --owner?
            Usage: crm account list [options]
            See `crm account list --help`.

            """)
        let unknownCommand = cli.run(["acount", "list"])
        XCTAssertEqual(unknownCommand.status, 2)
        XCTAssertEqual(unknownCommand.stderr, "crm: error: unknown command 'acount'; run `crm --help` to see the commands\nSee `crm --help`.\n")
        let missingValue = cli.run(["user", "add", "zoe", "--role"])
        XCTAssertEqual(missingValue.status, 2)
        XCTAssertTrue(missingValue.stderr.hasPrefix("crm: error: missing value for --role: expected --role ROLE\n"))
        let badRole = cli.run(["user", "add", "zoe", "--role", "boss"])
        XCTAssertEqual(badRole.status, 2)
        XCTAssertTrue(badRole.stderr.hasPrefix("crm: error: invalid --role 'boss': expected one of sales, accounting, manager, admin\n"))
        let badDate = cli.run(["account", "list", "--today", "2026-02-30"])
        XCTAssertEqual(badDate.status, 2)
        XCTAssertTrue(badDate.stderr.hasPrefix("crm: error: invalid --today '2026-02-30': expected a date that exists, as YYYY-MM-DD\n"))
        let control = cli.run(["account", "add", "Bad\u{1B}[31mName"])
        XCTAssertEqual(control.status, 2)
        XCTAssertTrue(control.stderr.hasPrefix("crm: error: NAME contains a control character; remove it\n"))
        XCTAssertEqual(cli.sql("SELECT count(*) FROM accounts"), "0")
    }

    func testHelpTextOfUserAdd() throws {
        let cli = try CLISandbox()
        XCTAssertEqual(cli.ok(["user", "add", "--help"]), """
            Add a user with a role

            Usage: crm user add NAME [options]

            Arguments:
              NAME           User name: ASCII letters, digits, '.', '_' or '-'

            Options:
              --role ROLE    sales, accounting, manager or admin (required)
              --login LOGIN  Bind the user to this operating-system login
              --db PATH      Database file (default: $CRM_DB, then $XDG_DATA_HOME/crm/crm.sqlite)
              --as NAME      Act as this user (default: $CRM_USER; a bound login acts as its own user)
              --today DATE   Business date YYYY-MM-DD for this command (default: $CRM_TODAY, then the system
                             date)
              --debug        Show customer data in error messages and the SQL behind database errors
              --trace-sql    Print each SQL statement the command runs to stderr, with its values under --debug
              --help         Show this help

            """)
    }

    func testEveryCommandHasHelp() throws {
        let cli = try CLISandbox()
        let root = cli.ok(["--help"])
        for group in ["account", "contact", "sector", "user", "note", "setting", "history"] {
            XCTAssertTrue(root.contains("  \(group) "), "\(group) missing from crm --help")
            let help = cli.ok([group, "--help"])
            for line in help.split(separator: "\n") where line.hasPrefix("  ") {
                let verb = line.split(separator: " ").first.map(String.init) ?? ""
                let result = cli.run([group, verb, "--help"])
                XCTAssertEqual(result.status, 0, "crm \(group) \(verb) --help failed")
                XCTAssertTrue(result.stdout.contains("Usage: crm \(group) \(verb)"), result.stdout)
            }
        }
    }

    func testAccountShowEditArchiveAndJSON() throws {
        let cli = try CLISandbox()
        cli.ok(["user", "add", "alice", "--role", "sales"])
        cli.ok(["account", "add", "Pyramide Construction", "--siren", "303265045", "--street", "12 rue des Lilas\\nBâtiment B",
                "--postal-code", "75011", "--city", "Paris", "--tag", "btp"], as: "alice")
        cli.ok(["account", "edit", "1", "--city", "Lyon", "--postal-code", "69002"], as: "alice")
        cli.ok(["account", "edit", "1", "--add-flag", "bad-payer"], as: "admin")
        let account = try XCTUnwrap(cli.json(["account", "show", "1"], as: "alice") as? [String: Any])
        let address = try XCTUnwrap(account["address"] as? [String: Any])
        XCTAssertEqual(address["street"] as? String, "12 rue des Lilas\nBâtiment B")
        XCTAssertEqual(address["city"] as? String, "Lyon")
        XCTAssertEqual(account["flags"] as? [String], ["bad-payer"])
        XCTAssertEqual(account["tags"] as? [String], ["btp"])
        cli.ok(["account", "edit", "1", "--credit-limit", "5000.00"])
        let limited = try XCTUnwrap(cli.json(["account", "show", "1"]) as? [String: Any])
        XCTAssertEqual(limited["creditLimit"] as? [String: String], ["amount": "5000.00", "currency": "EUR"])
        XCTAssertEqual(cli.ok(["account", "archive", "1"], as: "alice"), "Archived account 1.\n")
        XCTAssertEqual(cli.ok(["account", "list"], as: "alice"), "ID\tNAME\tSTATUS\tSIREN\tCITY\tOWNER\tSECTOR\n")
        XCTAssertTrue(cli.ok(["account", "list", "--archived"], as: "alice").contains("prospect (archived)"))
        let edited = cli.run(["account", "edit", "1", "--city", "Nice"], as: "alice")
        XCTAssertEqual(edited.status, 1)
        XCTAssertEqual(edited.stderr, "crm: error: account 1 is archived and can no longer be changed\n")
    }

    func testListFiltersSortAndPage() throws {
        let cli = try CLISandbox()
        cli.ok(["user", "add", "alice", "--role", "sales"])
        for name in ["Zinc Toiture", "Électricité Générale", "Atelier Lumière", "eole energie"] {
            cli.ok(["account", "add", name], as: "alice")
        }
        cli.ok(["account", "add", "Admin Owned"])
        XCTAssertEqual(cli.ok(["account", "list", "--name", "e"], as: "alice").split(separator: "\n").count, 3)
        let page = cli.ok(["account", "list", "--limit", "2", "--offset", "1"], as: "alice")
        XCTAssertEqual(page.split(separator: "\n").dropFirst().map { $0.split(separator: "\t")[1] }, ["Électricité Générale", "eole energie"])
        let byId = cli.ok(["account", "list", "--sort", "id", "--owner", "alice"])
        XCTAssertEqual(byId.split(separator: "\n").dropFirst().map { $0.split(separator: "\t")[0] }, ["1", "2", "3", "4"])
        let badLimit = cli.run(["account", "list", "--limit", "0"])
        XCTAssertEqual(badLimit.status, 2)
        XCTAssertTrue(badLimit.stderr.hasPrefix("crm: error: invalid --limit '0': expected a whole number from 1 to 10000\n"))
    }

    func testSectorsContactsSearchMergeAndReassign() throws {
        let cli = try CLISandbox()
        cli.ok(["user", "add", "alice", "--role", "sales"])
        cli.ok(["user", "add", "bob", "--role", "sales"])
        cli.ok(["user", "add", "maya", "--role", "manager"])
        cli.ok(["sector", "add", "FR", "--name", "France"])
        cli.ok(["sector", "add", "IDF", "--name", "Île-de-France", "--parent", "FR"])
        cli.ok(["sector", "set-manager", "FR", "maya"])
        cli.ok(["sector", "assign-rep", "IDF", "alice"])
        XCTAssertEqual(cli.ok(["sector", "list"]), "CODE\tNAME\tMANAGER\tREPS\nFR\tFrance\tmaya\t\n  IDF\tÎle-de-France\t\talice\n")
        cli.ok(["account", "add", "Brasserie du Môle", "--sector", "IDF"], as: "alice")
        cli.ok(["account", "add", "Brasserie du Mole"], as: "alice")
        cli.ok(["contact", "add", "--account", "1", "--last-name", "Dubœuf", "--email", "h.duboeuf@example.fr",
                "--phone", "01 23 45 67 89"], as: "alice")
        XCTAssertEqual(cli.ok(["search", "duboeuf"], as: "maya"), "KIND\tID\tACCOUNT\tNAME\tMATCHED\ncontact\t1\t1\tDubœuf\tname\n")
        XCTAssertEqual(cli.ok(["search", "mole"], as: "bob"), "KIND\tID\tACCOUNT\tNAME\tMATCHED\n")
        XCTAssertEqual(cli.ok(["account", "merge", "1", "2"], as: "admin"), "Merged account 2 into account 1; account 2 is archived.\n")
        XCTAssertEqual(cli.ok(["account", "reassign", "--from", "alice", "--to", "bob"]), "Reassigned 1 account, 0 open opportunities and 0 planned activities to bob.\n")
        let contacts = try XCTUnwrap(cli.json(["contact", "list", "--account", "1"], as: "bob") as? [[String: Any]])
        XCTAssertEqual(contacts.first?["email"] as? String, "h.duboeuf@example.fr")
        let refused = cli.run(["sector", "add", "X", "--name", "X"], as: "alice")
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.stderr, "crm: error: permission denied: to add a sector you need the admin role (alice is sales)\n")
    }

    func testTwoProcessesAddingFiveHundredAccountsEach() throws {
        let cli = try CLISandbox()
        cli.ok(["user", "add", "alice", "--role", "sales"])
        let script = """
            for i in $(seq 1 500); do "$CRM" account add "Company $1-$i" --as alice >/dev/null || echo "failed $1-$i" >&2; done
            """
        var processes: [(Process, Pipe)] = []
        for worker in ["a", "b"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", script, "worker", worker]
            var environment = cli.environment
            environment["CRM"] = CLISandbox.binary
            process.environment = environment
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            processes.append((process, errors))
        }
        for (process, errors) in processes {
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(text, "")
            XCTAssertEqual(process.terminationStatus, 0)
        }
        XCTAssertEqual(cli.sql("SELECT count(*) FROM accounts"), "1000")
        XCTAssertEqual(cli.sql("SELECT count(*) FROM audit_log WHERE entity = 'account'"), "1000")
    }
}
