import Foundation
import XCTest

/// Overlong values, control characters, invalid UTF-8, SQL fragments and
/// path traversal in the arguments of many commands: each gets an error
/// message on stderr and a failure status, and the database is unchanged.
final class HostileArgumentTests: XCTestCase {
    private static let overlong = String(repeating: "A", count: 100_000)
    private static let control = "ACME\u{1B}[31m\u{07}"
    private static let injection = "1; DROP TABLE accounts; --"
    private static let traversal = "../../../../../../etc/shadow"

    private static var cases: [[String]] {
        let overlong = HostileArgumentTests.overlong
        let control = HostileArgumentTests.control
        let injection = HostileArgumentTests.injection
        let traversal = HostileArgumentTests.traversal
        return [
            ["account", "add", overlong], ["account", "add", control], ["account", "add", "ACME", "--siren", injection],
            ["account", "add", "ACME", "--city", overlong], ["account", "add", "ACME", "--owner", injection],
            ["account", "show", injection], ["account", "show", overlong], ["account", "edit", "1", "--city", control],
            ["account", "edit", injection, "--city", "Paris"], ["account", "list", "--limit", injection],
            ["contact", "add", "--account", "1", "--last-name", overlong],
            ["contact", "add", "--account", "1", "--last-name", "Martin", "--email", injection],
            ["contact", "add", "--account", injection, "--last-name", "Martin"],
            ["note", "add", "1", overlong], ["note", "add", injection, "text"],
            ["opportunity", "add", "--account", "1", "--title", control, "--amount", "10", "--close-date", "2026-06-30"],
            ["opportunity", "add", "--account", "1", "--title", "Deal", "--amount", injection, "--close-date", "2026-06-30"],
            ["opportunity", "add", "--account", "1", "--title", "Deal", "--amount", "10", "--close-date", "2026-02-30"],
            ["activity", "log", "call", "--account", "1", "--subject", overlong],
            ["activity", "log", injection, "--account", "1", "--subject", "x"],
            ["quote", "new", "--account", injection], ["quote", "show", injection],
            ["quote", "line", "add", "1", "--description", "x", "--qty", "1e9999", "--unit-price", "1", "--vat", "20"],
            ["quote", "line", "add", "1", "--description", "x", "--qty", "1", "--unit-price", "NaN", "--vat", "20"],
            ["quote", "line", "add", "1", "--description", control, "--qty", "1", "--unit-price", "1", "--vat", "20"],
            ["opening", "approve", injection], ["opening", "request", "1", "--credit-limit", "-5"],
            ["setting", "set", injection, "1"], ["sector", "add", control, "--name", "x"],
            ["user", "add", "../admin", "--role", "sales"], ["user", "add", "bob", "--role", injection],
            ["import", "accounts", traversal], ["import", "accounts", "/etc"], ["import", "accounts", "missing.csv"],
            ["import", "accounts", "data.csv", "--mapping", traversal],
            ["pack", "install", traversal], ["pack", "install", "/"],
            ["db", "restore", traversal], ["db", "restore", "/etc/passwd"], ["db", "backup", "/proc/version"],
            ["export", "accounts", "--output", "/proc/version"], ["export", injection],
            ["contact", "export-personal-data", injection], ["contact", "erase", injection, "--yes"],
            ["search", overlong], ["timeline", "account", injection], ["account", "list", "--today", "2026-13-45"],
            ["account", "list", "--sort", injection],
        ]
    }

    func testHostileArgumentsFailCleanlyAndChangeNothing() throws {
        let cli = try CLISandbox()
        cli.ok(["account", "add", "ATELIER LUMIERE", "--siren", "732829320"])
        cli.ok(["quote", "new", "--account", "1"])
        try Data("name,city\nACME,Paris\n".utf8).write(to: cli.folder.appendingPathComponent("data.csv"))
        let before = dump(cli)
        for arguments in HostileArgumentTests.cases {
            let label = arguments.map { $0.count > 40 ? String($0.prefix(12)) + "...(\($0.count))" : $0 }
                .joined(separator: " ")
            let result = cli.run(arguments)
            XCTAssertTrue([1, 2].contains(result.status), "\(label): status \(result.status) \(result.stdout)")
            XCTAssertTrue(result.stderr.hasPrefix("crm: error: "), "\(label): \(result.stderr.prefix(300))")
            XCTAssertLessThan(result.stderr.count, 2_000, "\(label): the message repeats the whole value")
            XCTAssertFalse(result.stderr.contains("\u{1B}"), "\(label): a raw escape character reached the terminal")
            XCTAssertFalse(result.stderr.contains("database error"), "\(label): \(result.stderr)")
            XCTAssertEqual(dump(cli), before, "\(label) changed the database")
        }
    }

    /// Invalid UTF-8 cannot be passed through Foundation's `Process`, so
    /// the shell writes the bytes.
    func testInvalidUTF8ArgumentsAreRejected() throws {
        let cli = try CLISandbox()
        cli.ok(["account", "add", "ATELIER LUMIERE"])
        let before = dump(cli)
        let script = """
            "$CRM_BIN" account add "$(printf 'AC\\377\\376ME')" 2>errors-1; echo $? > status-1
            "$CRM_BIN" account edit 1 --city "$(printf 'Par\\300is')" 2>errors-2; echo $? > status-2
            "$CRM_BIN" note add 1 "$(printf '\\355\\240\\200')" 2>errors-3; echo $? > status-3
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        var environment = cli.environment
        environment["CRM_BIN"] = CLISandbox.binary
        process.environment = environment
        process.currentDirectoryURL = cli.folder
        try process.run()
        process.waitUntilExit()
        for index in 1...3 {
            let status = try String(contentsOf: cli.folder.appendingPathComponent("status-\(index)"), encoding: .utf8)
            let errors = try String(contentsOf: cli.folder.appendingPathComponent("errors-\(index)"), encoding: .utf8)
            XCTAssertEqual(status, "2\n", "case \(index): \(errors)")
            XCTAssertTrue(errors.contains(" is not valid UTF-8 text; "), "case \(index): \(errors)")
            XCTAssertTrue(errors.hasPrefix("crm: error: "), "case \(index): \(errors)")
        }
        XCTAssertEqual(dump(cli), before)
    }

    private func dump(_ cli: CLISandbox) -> String {
        cli.sql(".dump")
    }
}
