import CRMCore
import XCTest

final class CountryCodeTests: XCTestCase {
    func testListHasEveryAssignedCode() {
        XCTAssertEqual(CountryCode.allCodes.count, 249)
        XCTAssertEqual(Set(CountryCode.allCodes).count, 249)
        XCTAssertEqual(CountryCode.allCodes, CountryCode.allCodes.sorted())
        XCTAssertEqual(CountryCode.allCodes.first, "AD")
        XCTAssertEqual(CountryCode.allCodes.last, "ZW")
        for code in CountryCode.allCodes {
            XCTAssertEqual(code.utf8.count, 2, code)
            XCTAssertTrue(code.utf8.allSatisfy { (65...90).contains($0) }, code)
        }
    }

    func testParseNormalises() {
        XCTAssertEqual(CountryCode.parse("FR").value?.code, "FR")
        XCTAssertEqual(CountryCode.parse(" fr ").value?.code, "FR")
        XCTAssertEqual(CountryCode("de")?.code, "DE")
        XCTAssertEqual(CountryCode("AX")?.description, "AX")
    }

    func testCodesThatAreNotAssigned() {
        for code in ["XK", "EL", "UK", "ZZ", "EU", "AA"] {
            XCTAssertEqual(CountryCode.parse(code).failure?.problem, .unknownCountry(code), code)
            XCTAssertNil(CountryCode(code), code)
        }
        XCTAssertEqual(
            CountryCode.parse("ZZ").failure?.message,
            "invalid country code: \"ZZ\" is not an ISO 3166-1 country code "
                + "(a country code is 2 letters from ISO 3166-1, such as FR)"
        )
    }

    func testMalformedCodes() {
        XCTAssertEqual(CountryCode.parse("").failure?.problem, .empty)
        XCTAssertEqual(CountryCode.parse("FRA").failure?.problem, .wrongLength(expected: 2, actual: 3))
        XCTAssertEqual(CountryCode.parse("F").failure?.problem, .wrongLength(expected: 2, actual: 1))
        XCTAssertEqual(CountryCode.parse("F1").failure?.problem, .badFormat(expected: "2 letters"))
        XCTAssertEqual(CountryCode.parse("É").failure?.problem, .badFormat(expected: "2 letters"))
        XCTAssertEqual(CountryCode.parse("ÉS").failure?.problem, .badFormat(expected: "2 letters"))
    }

    func testEUMembers() {
        let members = [
            "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
            "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
        ]
        XCTAssertEqual(CountryCode.euMemberCodes, members)
        for code in CountryCode.allCodes {
            XCTAssertEqual(CountryCode(code)?.isEUMember, members.contains(code), code)
        }
        for code in ["GB", "CH", "NO", "IS", "LI", "TR", "MC", "GF", "RE"] {
            XCTAssertEqual(CountryCode(code)?.isEUMember, false, code)
        }
    }
}
