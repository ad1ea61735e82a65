import CRMCore
import XCTest

final class ShapeValidationTests: XCTestCase {
    private func message(_ value: Value, _ shape: Shape, path: String = "result") -> String? {
        do {
            _ = try validate(value, against: shape, path: path)
            return nil
        } catch {
            return error.message
        }
    }

    private var solvency: Shape { Catalogue.hook(named: "solvency")!.result! }
    private var followUps: Shape { Catalogue.hook(named: "followUps")!.result! }

    func testScalarsAcceptTheirType() throws {
        XCTAssertEqual(try validate(.string("x"), against: .string, path: "result"), .string("x"))
        XCTAssertEqual(try validate(.integer(30), against: .integer, path: "result"), .integer(30))
        XCTAssertEqual(try validate(.bool(false), against: .boolean, path: "result"), .bool(false))
        XCTAssertEqual(try validate(.string("2024-02-29"), against: .date, path: "result"), .string("2024-02-29"))
        XCTAssertEqual(try validate(.float(1.5), against: .any, path: "result"), .float(1.5))
    }

    func testIntegerRejectsFloats() {
        XCTAssertEqual(message(.float(30.0), .integer), "result must be an integer, got float")
        XCTAssertEqual(message(.float(.nan), .integer), "result must be an integer, got float")
        XCTAssertEqual(message(.string("30"), .integer), "result must be an integer, got string")
    }

    func testMoneyRules() throws {
        XCTAssertEqual(try validate(.integer(1_000_000_000_000_000), against: .money, path: "result"),
                       .integer(1_000_000_000_000_000))
        XCTAssertEqual(try validate(.integer(-1_000_000_000_000_000), against: .money, path: "result"),
                       .integer(-1_000_000_000_000_000))
        XCTAssertEqual(message(.integer(1_000_000_000_000_001), .money),
                       "result must be an amount between -10^15 and 10^15 minor units")
        XCTAssertEqual(message(.integer(.min), .money),
                       "result must be an amount between -10^15 and 10^15 minor units")
        XCTAssertEqual(message(.float(12_500.0), .money), "result must be an integer amount in minor units, got float")
    }

    func testDateMustBeRealDay() {
        XCTAssertEqual(message(.string("2025-02-29"), .date), "result must be a real calendar day written YYYY-MM-DD")
        XCTAssertEqual(message(.string("2025-2-1"), .date), "result must be a real calendar day written YYYY-MM-DD")
        XCTAssertEqual(message(.integer(20_250_201), .date),
                       "result must be a date string (YYYY-MM-DD), got integer")
    }

    func testOneOfListsOptions() {
        let decision = Shape.oneOf(["approve", "review", "reject"])

        XCTAssertEqual(message(.string("accept"), decision), "result must be one of approve, review, reject")
        XCTAssertEqual(message(.bool(true), decision), "result must be one of approve, review, reject, got boolean")
    }

    func testShorthandBecomesRecord() throws {
        XCTAssertEqual(try validate(.string("approve"), against: solvency, path: "result"),
                       .object([("decision", .string("approve"))]))
        XCTAssertEqual(message(.string("maybe"), solvency), "result.decision must be one of approve, review, reject")
    }

    func testRecordIsNormalised() throws {
        let value: Value = .object([("reason", .string("long-standing customer")), ("creditLimit", .integer(500_000)),
                                    ("decision", .string("approve"))])

        XCTAssertEqual(try validate(value, against: solvency, path: "result"), .object([
            ("decision", .string("approve")), ("creditLimit", .integer(500_000)),
            ("reason", .string("long-standing customer")),
        ]))
    }

    func testRecordRejectsMissingAndUnknownFields() {
        XCTAssertEqual(message(.object([("reason", .string("x"))]), solvency), "result.decision is missing")
        XCTAssertEqual(message(.object([("decision", .string("review")), ("foo", .integer(1))]), solvency),
                       "result has an unknown field 'foo'")
        XCTAssertEqual(message(.object([("decision", .string("review")), ("creditLimit", .float(1))]), solvency),
                       "result.creditLimit must be an integer amount in minor units, got float")
        XCTAssertEqual(message(.array([.string("approve")]), solvency),
                       "result must be a table with named fields, got list")
    }

    func testListElementsHavePaths() throws {
        let item: Value = .object([("inDays", .integer(2)), ("businessDays", .bool(true)), ("kind", .string("call")),
                                   ("subject", .string("Call back"))])

        XCTAssertEqual(try validate(.array([item]), against: followUps, path: "result"), .array([item]))
        XCTAssertEqual(try validate(.object([]), against: followUps, path: "result"), .array([]))
        XCTAssertEqual(message(.array([item, .object([("inDays", .float(1.0))])]), followUps),
                       "result[2].inDays must be an integer, got float")
        XCTAssertEqual(message(.array([.object([("inDays", .integer(1)), ("businessDays", .bool(false)),
                                                ("kind", .string("visit")), ("subject", .string("x"))])]), followUps),
                       "result[1].kind must be one of call, meeting, e-mail, task, note")
        XCTAssertEqual(message(.object([("inDays", .integer(1))]), followUps),
                       "result must be a list, got table with named fields")
    }

    func testEmptyTableFitsRecord() throws {
        let optional = Shape.record([Field("note", .string, optional: true, "A note")])

        XCTAssertEqual(try validate(.array([]), against: optional, path: "result"), .object([]))
    }
}
