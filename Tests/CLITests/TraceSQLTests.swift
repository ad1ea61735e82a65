import Foundation
import XCTest

final class TraceSQLTests: XCTestCase {
    func testTraceWithoutDebugHidesValues() throws {
        let cli = try CLISandbox()
        cli.ok(["account", "add", "ACME"])
        let result = cli.run(["account", "list", "--trace-sql"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("ACME"), result.stdout)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, #"crm: sql: {"sql":"PRAGMA foreign_keys = ON","parameterCount":0}"#)
        XCTAssertTrue(lines.allSatisfy { $0.hasPrefix("crm: sql: {\"sql\":") }, result.stderr)
        XCTAssertTrue(lines.contains(#"crm: sql: {"sql":"SELECT id, name, role, login, active FROM users WHERE name = ?","parameterCount":1}"#),
                      result.stderr)
        XCTAssertFalse(result.stderr.contains("\"parameters\""), result.stderr)
        XCTAssertFalse(result.stderr.contains("ACME"), result.stderr)
    }

    func testTraceWithDebugShowsValues() throws {
        let cli = try CLISandbox()
        cli.ok(["account", "add", "ACME"])
        let result = cli.run(["account", "list", "--limit", "7", "--trace-sql", "--debug"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains(#"crm: sql: {"sql":"SELECT id, name, role, login, active FROM users WHERE name = ?","parameters":["admin"]}"#),
                      result.stderr)
        XCTAssertTrue(lines.contains { $0.contains("FROM accounts a") && $0.hasSuffix(#""parameters":[7,0]}"#) },
                      result.stderr)
    }

    func testNoTraceWithoutOption() throws {
        let cli = try CLISandbox()
        let result = cli.run(["account", "list"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "")
    }
}
