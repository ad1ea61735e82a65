import CRMCore
import Foundation
import XCTest

final class StoreTests: XCTestCase {
    func testMigrationsFromEmptyFile() throws {
        let test = try TestDatabase()
        XCTAssertEqual(try test.database.scalar("PRAGMA user_version").integer, Int64(Migrations.all.count))
        XCTAssertEqual(try test.count("schema_migrations"), Int64(Migrations.all.count))
        XCTAssertEqual(try test.database.scalar("PRAGMA journal_mode").text, "wal")
        XCTAssertEqual(try test.database.scalar("PRAGMA foreign_keys").integer, 1)
    }

    func testReopeningKeepsDataAndSchema() throws {
        let test = try TestDatabase()
        let reopened = try Database(path: test.path)
        try Migrations.apply(to: reopened, now: test.clock.timestamp)
        XCTAssertEqual(try reopened.scalar("SELECT count(*) FROM schema_migrations").integer, Int64(Migrations.all.count))
        XCTAssertEqual(try reopened.scalar("SELECT count(*) FROM users").integer, 5)
    }

    func testDatabaseFileIsOwnerOnly() throws {
        let test = try TestDatabase()
        let attributes = try FileManager.default.attributesOfItem(atPath: test.path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
    }

    func testNewerSchemaIsRefused() throws {
        let test = try TestDatabase()
        try test.database.execute("PRAGMA user_version = 999")
        XCTAssertCRMError(try Migrations.apply(to: test.database, now: "x"), kind: .database,
                          "the database has 999 schema migrations but this crm knows only \(Migrations.all.count); use a newer crm")
    }

    func testCreateRefusesExistingFile() throws {
        let test = try TestDatabase()
        XCTAssertCRMError(try Database.create(path: test.path), kind: .conflict,
                          "a database already exists at \(test.path); use it, or choose another path with --db")
    }
}

final class CivilDateTests: XCTestCase {
    func testArithmeticStaysInRange() {
        let date = CivilDate(year: 2024, month: 1, day: 31)!
        XCTAssertEqual(date.adding(days: 29)?.description, "2024-02-29")
        XCTAssertEqual(date.adding(months: 1)?.description, "2024-02-29")
        XCTAssertEqual(date.adding(months: 13)?.description, "2025-02-28")
        XCTAssertEqual(date.adding(months: -1)?.description, "2023-12-31")
        XCTAssertNil(date.adding(days: Int.max))
        XCTAssertNil(date.adding(months: Int.max))
        XCTAssertNil(CivilDate(year: 9999, month: 12, day: 31)!.adding(days: 1))
        XCTAssertNil(CivilDate(dayNumber: Int.min))
        XCTAssertEqual(CivilDate(dayNumber: 0)?.description, "1970-01-01")
        XCTAssertEqual(CivilDate(year: 2026, month: 3, day: 2)!.weekday, 1)
    }

    func testStrictParsing() {
        XCTAssertNil(CivilDate(parsing: "2023-02-29"))
        XCTAssertNil(CivilDate(parsing: "2025-04-31"))
        XCTAssertNil(CivilDate(parsing: "2025-4-30"))
        XCTAssertEqual(CivilDate(parsing: "2024-02-29")?.description, "2024-02-29")
    }
}

final class SettingsTests: XCTestCase {
    func testCommandLineValuesKeepTheirTypes() {
        XCTAssertEqual(Settings.parseValue("45"), .integer(45))
        XCTAssertEqual(Settings.parseValue("true"), .bool(true))
        XCTAssertEqual(Settings.parseValue("\"45\""), .string("45"))
        XCTAssertEqual(Settings.parseValue("15000.00"), .string("15000.00"))
        XCTAssertEqual(Settings.parseValue("1e3"), .string("1e3"))
        XCTAssertEqual(Settings.parseValue("30EOM"), .string("30EOM"))
        XCTAssertEqual(Settings.parseValue(#"{"DE": {"term": "NET30"}}"#),
                       .object([("DE", .object([("term", .string("NET30"))]))]))
    }

    func testSetAndRemoveAreAudited() throws {
        let test = try TestDatabase()
        try Settings.set(test.context(as: "admin"), key: "solvency.maxAutoCredit", value: .string("15000.00"))
        XCTAssertEqual(try Settings.get(test.database, key: "solvency.maxAutoCredit"), .string("15000.00"))
        XCTAssertCRMError(try Settings.set(test.context(as: "alice"), key: "x", value: .null), kind: .permission,
                          "permission denied: to change a setting you need the admin role (alice is sales)")
        XCTAssertCRMError(try Settings.set(test.context(as: "admin"), key: "bad key", value: .null), kind: .usage,
                          "invalid setting key 'bad key': use ASCII letters, digits, '.', '_' or '-', such as solvency.maxCredit")
        try Settings.remove(test.context(as: "admin"), key: "solvency.maxAutoCredit")
        XCTAssertNil(try Settings.get(test.database, key: "solvency.maxAutoCredit"))
        XCTAssertEqual(try test.database.scalar("SELECT count(*) FROM audit_log WHERE entity = 'setting'").integer, 2)
    }
}

final class DecimalTextTests: XCTestCase {
    func testPercentOfRoundsHalfUp() throws {
        XCTAssertEqual(try PluginAPI.percentOf(12_345, "5.5"), 679)
        XCTAssertEqual(try PluginAPI.percentOf(-12_345, "5.5"), -679)
        XCTAssertEqual(try PluginAPI.percentOf(10_000, "-2.25"), -225)
        XCTAssertEqual(try PluginAPI.percentOf(1, "50"), 1)
        for bad in ["+5", ".5", "5.", "5.12345", "1e2", "5,5", ""] {
            XCTAssertThrowsError(try PluginAPI.percentOf(100, bad), bad)
        }
    }

    func testMoneyAndExactDecimalShareTheLexicalRules() {
        let euro = Currency.euro
        XCTAssertEqual(try Money.parse("+12.5", currency: euro).get().minor, 1250)
        XCTAssertEqual(try Money.parse("-0.01", currency: euro).get().minor, -1)
        XCTAssertEqual(Money.parse("12.", currency: euro), .failure(.notANumber))
        XCTAssertEqual(Money.parse(".5", currency: euro), .failure(.notANumber))
        XCTAssertEqual(Money.parse("1.234", currency: euro), .failure(.tooManyDecimals(allowed: 2)))
        XCTAssertEqual(Money.parse("0000000000000000001", currency: euro), .failure(.outOfRange))
        XCTAssertEqual(try ExactDecimal.parse("-3.125", maximumDecimals: 3).get().description, "-3.125")
        XCTAssertEqual(ExactDecimal.parse("1 000", maximumDecimals: 3), .failure(.notANumber))
    }
}
