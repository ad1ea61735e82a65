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
