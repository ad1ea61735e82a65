import Foundation
import XCTest

/// The hostile plugin files run through the real command line: exit status,
/// the one-line error and what stays in the database are checked for real.
final class HostilePluginTests: XCTestCase {
    static let fixtures = CLISandbox.projectRoot.appendingPathComponent("Tests/PluginTests/Fixtures/hostile")

    /// A sandbox with account 1 and the hostile files copied into its folder.
    private func sandbox() throws -> CLISandbox {
        let cli = try CLISandbox()
        cli.ok(["account", "add", "ACME GMBH"])
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path) where name.hasSuffix(".lua") {
            try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent(name),
                                             to: cli.folder.appendingPathComponent(name))
        }
        return cli
    }

    private let opportunity = #"{"id": 1, "accountId": 1, "amount": 125000}"#
    private let opening = #"{"id": 1, "accountId": 1, "requestedCreditLimit": 5000000}"#

    /// Runs one handler through `crm plugin run` and checks the failure line,
    /// the exit status, the time taken and that no note was kept.
    private func assertFails(_ cli: CLISandbox, _ file: String, hook: String, payload: String, _ message: String,
                             line: UInt = #line) {
        let started = Date()
        let result = cli.run(["plugin", "run", file, "--hook", hook, "--payload", payload])
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(result.status, 1, line: line)
        XCTAssertEqual(result.stderr, "crm: error: \(message)\n", line: line)
        XCTAssertEqual(result.stdout, "", line: line)
        XCTAssertLessThan(elapsed, 2, "the command must end within 2 s", line: line)
        XCTAssertEqual(cli.sql("SELECT count(*) FROM notes"), "0", line: line)
        XCTAssertEqual(cli.sql("SELECT count(*) FROM decisions"), "0", line: line)
    }

    func testEscapeAttemptsFailAtTheirLine() throws {
        let cli = try sandbox()
        cli.environment["DATABASE_URL"] = "postgres://secret-value@example.invalid/db"
        assertFails(cli, "01-io-open-file.lua", hook: "onOpportunityWon", payload: opportunity,
                    "plugin hostile-io-open-file (01-io-open-file.lua:7): global 'io' is not available in the plugin sandbox")
        assertFails(cli, "02-os-execute-getenv.lua", hook: "onOpportunityWon", payload: opportunity,
                    "plugin hostile-os-execute-getenv (02-os-execute-getenv.lua:7): os.getenv is not available in the plugin sandbox")
        assertFails(cli, "03-os-exit-zero.lua", hook: "solvency", payload: opening,
                    "plugin hostile-os-exit-zero (03-os-exit-zero.lua:7): os.exit is not available in the plugin sandbox")
        assertFails(cli, "04-require-native-module.lua", hook: "onOpportunityWon", payload: opportunity,
                    "plugin hostile-require-native-module (04-require-native-module.lua:7): global 'require' is not available in the plugin sandbox")
        assertFails(cli, "04-require-native-module.lua", hook: "onAccountOpeningRequested", payload: opening,
                    "plugin hostile-require-native-module (04-require-native-module.lua:12): global 'package' is not available in the plugin sandbox")
        assertFails(cli, "05-load-binary-chunk.lua", hook: "onOpportunityWon", payload: opportunity,
                    "plugin hostile-load-binary-chunk (05-load-binary-chunk.lua:7): string.dump is not available in the plugin sandbox")
        assertFails(cli, "05-load-binary-chunk.lua", hook: "solvency", payload: opening,
                    "plugin hostile-load-binary-chunk (05-load-binary-chunk.lua:14): attempt to load a binary chunk (mode is 't')")
        assertFails(cli, "06-debug-library.lua", hook: "onOpportunityWon", payload: opportunity,
                    "plugin hostile-debug-library (06-debug-library.lua:7): global 'debug' is not available in the plugin sandbox")
        assertFails(cli, "06-debug-library.lua", hook: "onAccountOpeningRequested", payload: opening,
                    "plugin hostile-debug-library (06-debug-library.lua:12): global 'debug' is not available in the plugin sandbox")
        for marker in ["hostile-io-marker.txt", "hostile-os-marker.txt", "hostile-loadlib-marker.txt"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: cli.folder.appendingPathComponent(marker).path), marker)
        }
    }

    func testEnvironmentNeverReachesOutput() throws {
        let cli = try sandbox()
        let secret = "postgres://secret-value@example.invalid/db"
        let result = cli.run(["plugin", "run", "02-os-execute-getenv.lua", "--hook", "onOpportunityWon", "--payload", opportunity],
                             extra: ["DATABASE_URL": secret])
        XCTAssertEqual(result.status, 1)
        XCTAssertFalse(result.stderr.contains("secret-value"))
        XCTAssertFalse(result.stderr.contains(cli.folder.path))
        XCTAssertFalse(result.stdout.contains("secret-value"))
    }

    func testStringMetatablePoisonStaysInItsPlugin() throws {
        let cli = try sandbox()
        let folder = cli.folder.appendingPathComponent("strings")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["08-string-metatable-poison.lua", "09-string-metatable-victim.lua"] {
            try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let result = cli.run(["plugin", "run", "strings", "--hook", "onOpportunityWon", "--payload", opportunity])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "plugin hostile-string-metatable-poison: poison attempted\n"
                                      + "plugin hostile-string-metatable-victim: ACME GMBH owes 12\n")
    }

    func testRunawayCodeIsStoppedAndCaughtLimitsStaySpent() throws {
        let cli = try sandbox()
        assertFails(cli, "11-infinite-loop.lua", hook: "onOpportunityWon", payload: opportunity,
                    "plugin hostile-infinite-loop (11-infinite-loop.lua:9): exceeded the instruction budget of 50000000 instructions")
        assertFails(cli, "12-pcall-swallow-loop.lua", hook: "onOpportunityWon", payload: opportunity,
                    "plugin hostile-pcall-swallow-loop (12-pcall-swallow-loop.lua:9): exceeded the instruction budget of 50000000 instructions")
        assertFails(cli, "13-caught-limit-then-approve.lua", hook: "solvency", payload: opening,
                    "plugin hostile-caught-limit-then-approve (13-caught-limit-then-approve.lua:8): exceeded the instruction budget of 50000000 instructions")
        assertFails(cli, "13-caught-limit-then-approve.lua", hook: "onAccountOpeningRequested", payload: opening,
                    "plugin hostile-caught-limit-then-approve (13-caught-limit-then-approve.lua:14): global 'coroutine' is not available in the plugin sandbox")
        assertFails(cli, "16-gc-finalizer-loop.lua", hook: "onOpportunityWon", payload: opportunity,
                    "plugin hostile-gc-finalizer-loop (16-gc-finalizer-loop.lua:7): setmetatable: metatables with a __gc field are not allowed in the plugin sandbox")
        assertFails(cli, "17-pattern-backtracking.lua", hook: "solvency", payload: opening,
                    "plugin hostile-pattern-backtracking (17-pattern-backtracking.lua:9): string.find: pattern has 12 repetition items (* + - ?); the maximum is 8")
        assertFails(cli, "17-pattern-backtracking.lua", hook: "onOpportunityWon", payload: opportunity,
                    "plugin hostile-pattern-backtracking (17-pattern-backtracking.lua:15): string.find: subject of 200000 bytes is longer than the 65536-byte maximum for pattern functions")
        assertFails(cli, "23-deep-lua-recursion.lua", hook: "onOpportunityWon", payload: opportunity,
                    "plugin hostile-deep-lua-recursion (23-deep-lua-recursion.lua:7): exceeded the memory limit of 32 MiB")
    }

    func testMemoryBombsFailAndStaySpent() throws {
        let cli = try sandbox()
        assertFails(cli, "19-string-rep-bomb.lua", hook: "onOpportunityWon", payload: opportunity,
                    "plugin hostile-string-rep-bomb (19-string-rep-bomb.lua:7): exceeded the memory limit of 32 MiB")
        assertFails(cli, "19-string-rep-bomb.lua", hook: "onAccountOpeningRequested", payload: opening,
                    "plugin hostile-string-rep-bomb (19-string-rep-bomb.lua): exceeded the memory limit of 32 MiB (line unknown)")
        assertFails(cli, "21-memory-error-swallow.lua", hook: "solvency", payload: opening,
                    "plugin hostile-memory-error-swallow (21-memory-error-swallow.lua:8): exceeded the memory limit of 32 MiB")
    }

    func testValuesAreCheckedExactly() throws {
        let cli = try sandbox()
        assertFails(cli, "31-money-non-integer.lua", hook: "followUps", payload: #"{"event": "sweep", "opportunityId": 1}"#,
                    "plugin hostile-money-non-integer (31-money-non-integer.lua:14): result[1].inDays must be an integer, got float")
        assertFails(cli, "33-numeric-string-coercion.lua", hook: "onOpportunityWon", payload: opportunity,
                    "plugin hostile-numeric-string-coercion (33-numeric-string-coercion.lua:11): bad argument #2 to 'crm.setCreditLimit' (integer expected, got string)")
        XCTAssertEqual(cli.sql("SELECT count(*) FROM accounts WHERE credit_limit IS NOT NULL"), "0")
    }

    func testWritesBeforeAFailureAreRolledBack() throws {
        let cli = try sandbox()
        assertFails(cli, "37-db-write-rollback.lua", hook: "onOpportunityWon", payload: opportunity,
                    "plugin hostile-db-write-rollback (37-db-write-rollback.lua:9): failing after two writes")
        assertFails(cli, "37-db-write-rollback.lua", hook: "onAccountOpeningRequested", payload: opening,
                    "plugin hostile-db-write-rollback (37-db-write-rollback.lua:14): exceeded the instruction budget of 50000000 instructions")
        assertFails(cli, "37-db-write-rollback.lua", hook: "solvency", payload: opening,
                    "plugin hostile-db-write-rollback (37-db-write-rollback.lua:18): crm.addNote writes to the database and is not available in rules")
        XCTAssertEqual(cli.sql("SELECT count(*) FROM audit_log WHERE entity = 'note'"), "0")
        XCTAssertEqual(cli.sql("SELECT count(*) FROM sqlite_master WHERE name = 'accounts'"), "1")
    }

    func testSyntaxErrorNamesTheFileAndLine() throws {
        let cli = try sandbox()
        assertFails(cli, "39-syntax-error.lua", hook: "onOpportunityWon", payload: opportunity,
                    "plugin 39-syntax-error.lua (39-syntax-error.lua:8): unexpected symbol near 'end'")
        let check = cli.run(["plugin", "check", "39-syntax-error.lua"], as: "admin")
        XCTAssertEqual(check.status, 1)
        XCTAssertEqual(check.stderr, "39-syntax-error.lua:8: unexpected symbol near 'end'\n"
                                     + "crm: error: 1 problem found in 39-syntax-error.lua\n")
    }

    // MARK: Through the commands that fire the hooks

    /// Installs a pack made of hostile files, with hook names replaced so
    /// the handlers run from other commands; line numbers do not change.
    private func installPack(_ cli: CLISandbox, _ files: [String], renaming: [String: String] = [:]) throws -> RunResult {
        let folder = cli.folder.appendingPathComponent("pack-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in files {
            var text = try String(contentsOf: Self.fixtures.appendingPathComponent(file), encoding: .utf8)
            for (old, new) in renaming { text = text.replacingOccurrences(of: "P.\(old)(", with: "P.\(new)(") }
            try text.write(to: folder.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        let list = files.map { "\"\($0)\"" }.joined(separator: ", ")
        try "return { name = \"hostile\", version = \"1.0.0\", plugins = { \(list) } }\n"
            .write(to: folder.appendingPathComponent("pack.lua"), atomically: true, encoding: .utf8)
        return cli.run(["pack", "install", folder.path])
    }

    func testAccountAddRollsBackWhenItsHookFails() throws {
        for (file, message) in [
            ("01-io-open-file.lua", "plugin hostile-io-open-file (hostile/01-io-open-file.lua:7): global 'io' is not available in the plugin sandbox"),
            ("11-infinite-loop.lua", "plugin hostile-infinite-loop (hostile/11-infinite-loop.lua:9): exceeded the instruction budget of 50000000 instructions"),
            ("37-db-write-rollback.lua", "plugin hostile-db-write-rollback (hostile/37-db-write-rollback.lua:9): failing after two writes"),
        ] {
            let cli = try CLISandbox()
            let installed = try installPack(cli, [file], renaming: ["onOpportunityWon": "onAccountCreated"])
            XCTAssertEqual(installed.status, 0, installed.stderr)
            let result = cli.run(["account", "add", "ACME GMBH", "--siren", "732829320"])
            XCTAssertEqual(result.status, 1)
            XCTAssertEqual(result.stderr, "crm: error: \(message)\n")
            XCTAssertEqual(cli.sql("SELECT count(*) FROM accounts"), "0")
            XCTAssertEqual(cli.sql("SELECT count(*) FROM notes"), "0")
            XCTAssertEqual(cli.sql("SELECT count(*) FROM audit_log WHERE entity IN ('account', 'note')"), "0")
        }
    }

    /// A complete prospect, ready for an opening request.
    private func prospect(_ cli: CLISandbox) {
        cli.ok(["account", "add", "ATELIER LUMIERE", "--siren", "732829320", "--street", "12 rue de la Forge",
                "--postal-code", "75011", "--city", "Paris", "--creation-date", "2015-06-01"])
        cli.ok(["contact", "add", "--account", "1", "--last-name", "Martin", "--email", "claire.martin@example.fr"])
    }

    func testOpeningRequestFailsClosedOnHostileRules() throws {
        for (file, message) in [
            ("03-os-exit-zero.lua", "plugin hostile-os-exit-zero (hostile/03-os-exit-zero.lua:7): os.exit is not available in the plugin sandbox"),
            ("13-caught-limit-then-approve.lua", "plugin hostile-caught-limit-then-approve (hostile/13-caught-limit-then-approve.lua:8): exceeded the instruction budget of 50000000 instructions"),
            ("17-pattern-backtracking.lua", "plugin hostile-pattern-backtracking (hostile/17-pattern-backtracking.lua:9): string.find: pattern has 12 repetition items (* + - ?); the maximum is 8"),
            ("21-memory-error-swallow.lua", "plugin hostile-memory-error-swallow (hostile/21-memory-error-swallow.lua:8): exceeded the memory limit of 32 MiB"),
            ("37-db-write-rollback.lua", "plugin hostile-db-write-rollback (hostile/37-db-write-rollback.lua:18): crm.addNote writes to the database and is not available in rules"),
        ] {
            let cli = try CLISandbox()
            prospect(cli)
            let renamed = file.hasPrefix("17") ? ["onOpportunityWon": "onAccountUpdated"] : [:]
            let installed = try installPack(cli, [file], renaming: renamed)
            XCTAssertEqual(installed.status, 0, installed.stderr)
            let result = cli.run(["opening", "request", "1"])
            XCTAssertEqual(result.status, 1, file)
            XCTAssertEqual(result.stderr, "crm: error: \(message)\n")
            XCTAssertEqual(cli.sql("SELECT count(*) FROM opening_requests"), "0")
            XCTAssertEqual(cli.sql("SELECT count(*) FROM decisions"), "0")
            XCTAssertEqual(cli.sql("SELECT count(*) FROM notifications"), "0")
            XCTAssertEqual(cli.sql("SELECT status FROM accounts WHERE id = 1"), "prospect")
        }
    }

    func testOpeningRequestedHookFailuresRollBack() throws {
        for (file, message) in [
            ("06-debug-library.lua", "plugin hostile-debug-library (hostile/06-debug-library.lua:12): global 'debug' is not available in the plugin sandbox"),
            ("19-string-rep-bomb.lua", "plugin hostile-string-rep-bomb (hostile/19-string-rep-bomb.lua): exceeded the memory limit of 32 MiB (line unknown)"),
        ] {
            let cli = try CLISandbox()
            prospect(cli)
            let installed = try installPack(cli, [file], renaming: ["onOpportunityWon": "onAccountArchived"])
            XCTAssertEqual(installed.status, 1, "an unknown hook name must be refused")
            let clean = try installPack(cli, [file], renaming: ["onOpportunityWon": "onAccountUpdated"])
            XCTAssertEqual(clean.status, 0, clean.stderr)
            let result = cli.run(["opening", "request", "1"])
            XCTAssertEqual(result.status, 1)
            XCTAssertEqual(result.stderr, "crm: error: \(message)\n")
            XCTAssertEqual(cli.sql("SELECT count(*) FROM opening_requests"), "0")
            XCTAssertEqual(cli.sql("SELECT count(*) FROM notes"), "0")
            XCTAssertEqual(cli.sql("SELECT count(*) FROM notifications"), "0")
        }
    }

    func testSyntaxErrorRejectsThePackInstall() throws {
        let cli = try CLISandbox()
        let result = try installPack(cli, ["39-syntax-error.lua"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "crm: error: pack hostile 1.0.0 has problems:\nhostile/39-syntax-error.lua:8: unexpected symbol near 'end'\n")
        XCTAssertEqual(cli.sql("SELECT count(*) FROM packs"), "0")
        XCTAssertEqual(cli.ok(["plugin", "list"]).contains("hostile"), false)
    }
}
