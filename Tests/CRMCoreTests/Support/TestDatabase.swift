import CRMCore
import Foundation
import XCTest

/// A plugin host written in Swift, for core tests that need events to fail
/// or to record what fired. Real Lua runs in PluginTests.
final class RecordingHost: PluginHost {
    var fired: [(String, Value)] = []
    var failOn: String?
    /// Result returned for each rule; a rule absent here gets no decision.
    var ruleResults: [String: Value] = [:]
    var asked: [String] = []

    func fire(_ event: String, payload: Value, context: CRMContext) throws(CRMError) {
        fired.append((event, payload))
        if event == failOn { throw CRMError(.plugin, "plugin test (test.lua:1): forced failure") }
    }

    func decide(_ rule: String, payload: Value, context: CRMContext) throws(CRMError) -> RuleOutcome? {
        asked.append(rule)
        if rule == failOn { throw CRMError(.plugin, "plugin test (test.lua:2): forced failure") }
        guard let result = ruleResults[rule] else { return nil }
        return RuleOutcome(rule: rule, result: result, plugin: "test-rules", pluginVersion: "1.0.0",
                           source: "file test.lua", location: "test.lua:3")
    }
}

/// A fresh SQLite file in a temporary folder, with an administrator, a
/// sales rep and a manager, and the clock fixed at 2026-03-02.
final class TestDatabase {
    let folder: URL
    let path: String
    let database: Database
    let clock = Clock.fixed(today: CivilDate(year: 2026, month: 3, day: 2)!)
    let host = RecordingHost()

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-core-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("crm.sqlite").path
        database = try Database.create(path: path)
        try Migrations.apply(to: database, now: clock.timestamp)
        try Users.createFirstAdministrator(database, name: "admin", login: nil, clock: clock)
        let admin = context(as: "admin")
        _ = try Users.add(admin, name: "alice", role: .sales, login: nil)
        _ = try Users.add(admin, name: "bob", role: .sales, login: nil)
        _ = try Users.add(admin, name: "maya", role: .manager, login: nil)
        _ = try Users.add(admin, name: "carl", role: .accounting, login: nil)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    func context(as name: String, command: String = "test") -> CRMContext {
        let user = try! Users.find(database, name: name)!
        return CRMContext(database: database, clock: clock, actor: user, command: command,
                          makeHost: { [host] () throws(CRMError) -> PluginHost in host })
    }

    func count(_ table: String) throws -> Int64 {
        try database.scalar("SELECT count(*) FROM \(table)").integer!
    }
}

/// Asserts that `body` throws a `CRMError` with exactly this kind and message.
func XCTAssertCRMError<T>(_ body: @autoclosure () throws -> T, kind: CRMError.Kind, _ message: String,
                          file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected the error: \(message)", file: file, line: line)
    } catch let error as CRMError {
        XCTAssertEqual(error.kind, kind, file: file, line: line)
        XCTAssertEqual(error.message, message, file: file, line: line)
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}
