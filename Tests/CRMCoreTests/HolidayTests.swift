import CRMCore
import XCTest

final class HolidayTests: XCTestCase {
    func testEasterBasedFrenchHolidays() throws {
        XCTAssertEqual(Holidays.easterSunday(year: 2024)?.description, "2024-03-31")
        XCTAssertEqual(Holidays.easterSunday(year: 2025)?.description, "2025-04-20")
        XCTAssertEqual(Holidays.easterSunday(year: 2026)?.description, "2026-04-05")
        let expected: [Int: [String]] = [
            2024: ["2024-01-01", "2024-04-01", "2024-05-01", "2024-05-08", "2024-05-09", "2024-05-20", "2024-07-14",
                   "2024-08-15", "2024-11-01", "2024-11-11", "2024-12-25"],
            2025: ["2025-01-01", "2025-04-21", "2025-05-01", "2025-05-08", "2025-05-29", "2025-06-09", "2025-07-14",
                   "2025-08-15", "2025-11-01", "2025-11-11", "2025-12-25"],
            2026: ["2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14", "2026-05-25", "2026-07-14",
                   "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25"],
        ]
        for (year, days) in expected {
            XCTAssertEqual(Holidays.french(year: year)?.map(\.day.description), days, "year \(year)")
        }
        XCTAssertEqual(Holidays.french(year: 2025)?.map(\.name)[4], "Ascension")
        XCTAssertNil(Holidays.french(year: 1500))
    }

    func testLoadAddsOnlyMissingDays() throws {
        let test = try TestDatabase()
        let admin = test.context(as: "admin")
        _ = try Holidays.add(admin, day: "2026-05-14", name: "Company Ascension")
        XCTAssertEqual(try Holidays.loadFrench(admin, year: 2026).count, 10)
        XCTAssertEqual(try Holidays.loadFrench(admin, year: 2026).count, 0)
        let list = try Holidays.list(test.database, year: 2026)
        XCTAssertEqual(list.count, 11)
        XCTAssertEqual(list[4].name, "Company Ascension")
        XCTAssertCRMError(try Holidays.add(admin, day: "2026-05-14", name: "Again"), kind: .conflict,
                          "2026-05-14 is already a holiday; see `crm holiday list`")
        XCTAssertCRMError(try Holidays.loadFrench(test.context(as: "alice"), year: 2027), kind: .permission,
                          "permission denied: to add holidays you need the admin role (alice is sales)")
    }

    func testDueDatesRollToBusinessDays() throws {
        let test = try TestDatabase()
        let admin = test.context(as: "admin")
        _ = try Holidays.loadFrench(admin, year: 2026)
        _ = try Holidays.loadFrench(admin, year: 2027)
        func due(_ base: String, _ days: Int, business: Bool) throws -> String {
            try FollowUps.dueDate(from: CivilDate(parsing: base)!, inDays: days, businessDays: business,
                                  database: test.database).description
        }
        // Friday + 1 calendar day is Saturday: moved to Monday.
        XCTAssertEqual(try due("2026-03-06", 1, business: false), "2026-03-09")
        // Friday + 2 business days skips the weekend.
        XCTAssertEqual(try due("2026-03-06", 2, business: true), "2026-03-10")
        // Easter Monday 2026-04-06 is a holiday.
        XCTAssertEqual(try due("2026-04-03", 1, business: true), "2026-04-07")
        XCTAssertEqual(try due("2026-04-02", 4, business: false), "2026-04-07")
        // Across the year end: 1 January 2027 is a Friday holiday, then a weekend.
        XCTAssertEqual(try due("2026-12-31", 1, business: true), "2027-01-04")
        XCTAssertEqual(try due("2026-12-24", 1, business: false), "2026-12-28")
        XCTAssertEqual(try due("2026-12-30", 2, business: false), "2027-01-04")
        // Zero days on a Sunday is the next business day.
        XCTAssertEqual(try due("2026-03-08", 0, business: true), "2026-03-09")
        XCTAssertEqual(try due("2026-03-09", 0, business: false), "2026-03-09")
    }
}
