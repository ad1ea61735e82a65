@testable import CRMCore
import XCTest

final class VATNumberTests: XCTestCase {
    private let rule = "an EU VAT number is a country prefix such as FR or EL followed by the national number"

    func testFrenchKeyOfRealSIRENs() throws {
        let expected = [
            "732829320": "FR44732829320",
            "016750697": "FR89016750697",
            "303265045": "FR40303265045",
            "054501754": "FR37054501754",
        ]
        for (digits, vat) in expected {
            let siren = try SIREN.parse(digits).get()
            XCTAssertEqual(VATNumber(french: siren).text, vat, digits)
            XCTAssertEqual(VATNumber.parse(vat).value?.text, vat, vat)
        }
    }

    func testFrenchKeyFormula() throws {
        // 732829320 mod 97 = 43, and (12 + 3 × 43) mod 97 = 141 mod 97 = 44.
        let siren = try SIREN.parse("732829320").get()
        XCTAssertEqual(732_829_320 % 97, 43)
        XCTAssertEqual(VATNumber.frenchKey(for: siren), 44)
    }

    func testFrenchKeyBelowTenHasLeadingZero() throws {
        let siren = try SIREN.parse("100000306").get()
        XCTAssertEqual(VATNumber.frenchKey(for: siren), 9)
        XCTAssertEqual(VATNumber(french: siren).text, "FR09100000306")
        XCTAssertEqual(VATNumber.parse("FR09100000306").value?.nationalNumber, "09100000306")
        XCTAssertEqual(VATNumber.parse("FR9100000306").failure?.problem,
                       .badFormat(expected: "FR followed by a 2-character key and the 9-digit SIREN"))
    }

    func testSeparatorsAndCaseAreNormalised() {
        let vat = VATNumber.parse(" fr 44 732.829.320 ").value
        XCTAssertEqual(vat?.text, "FR44732829320")
        XCTAssertEqual(vat?.prefix, "FR")
        XCTAssertEqual(vat?.nationalNumber, "44732829320")
        XCTAssertEqual(vat?.country.code, "FR")
        XCTAssertEqual(VATNumber.parse("FR-44-732-829-320").value?.text, "FR44732829320")
    }

    func testWrongFrenchKeyIsRejected() {
        XCTAssertEqual(VATNumber.parse("FR45732829320").failure?.problem, .badCheckKey(.frenchVATKey))
        XCTAssertEqual(VATNumber.parse("FR43732829320").failure?.problem, .badCheckKey(.frenchVATKey))
        XCTAssertEqual(
            VATNumber.parse("FR45732829320").failure?.message,
            "invalid VAT number: the 2-digit key does not match the SIREN (\(rule))"
        )
    }

    func testFrenchSIRENMustPassLuhn() {
        // 732829321 fails Luhn. 47 is the key its digits would give, so
        // only the Luhn check can reject this number.
        let key = (12 + 3 * (732_829_321 % 97)) % 97
        XCTAssertEqual(key, 47)
        XCTAssertEqual(VATNumber.parse("FR47732829321").failure?.problem, .badCheckKey(.sirenLuhn))
        XCTAssertEqual(
            VATNumber.parse("FR47732829321").failure?.message,
            "invalid VAT number: the SIREN part fails its Luhn check (\(rule))"
        )
    }

    func testFrenchLetterKeyIsCheckedForLayoutOnly() {
        XCTAssertEqual(VATNumber.parse("FRA1732829320").value?.nationalNumber, "A1732829320")
        XCTAssertEqual(VATNumber.parse("FRXX123456789").value?.text, "FRXX123456789")
    }

    func testGreeceUsesEL() {
        let vat = VATNumber.parse("EL123456789").value
        XCTAssertEqual(vat?.prefix, "EL")
        XCTAssertEqual(vat?.country.code, "GR")
        XCTAssertEqual(VATNumber.parse("GR123456789").failure?.problem, .wrongPrefix(expected: "EL", actual: "GR"))
        XCTAssertEqual(
            VATNumber.parse("GR123456789").failure?.message,
            "invalid VAT number: the prefix is EL, not GR (\(rule))"
        )
    }

    func testEveryMemberStateHasAFormat() {
        let prefixes = CountryCode.euMemberCodes.map { $0 == "GR" ? "EL" : $0 }
        XCTAssertEqual(Set(VATNumber.formats.keys), Set(prefixes))
        XCTAssertEqual(VATNumber.formats.count, 27)
    }

    func testNationalLayouts() {
        let valid = [
            "ATU12345678", "BE0123456789", "BE1234567890", "BG123456789", "BG1234567890",
            "CY12345678X", "CZ12345678", "CZ123456789", "CZ1234567890", "DE123456789",
            "DK12345678", "EE123456789", "EL123456789", "ESA1234567B", "ESA12345678",
            "ES12345678Z", "FI12345678", "HR12345678901", "HU12345678", "IE1234567T",
            "IE1234567WA", "IE1X23456Y", "IE1+23456Y", "IT12345678901", "LT123456789",
            "LT123456789012", "LU12345678", "LV12345678901", "MT12345678", "NL123456789B01",
            "PL1234567890", "PT123456789", "RO12", "RO1234567890", "SE123456789001",
            "SI12345678", "SK1234567890",
        ]
        for text in valid {
            XCTAssertEqual(VATNumber.parse(text).value?.text, text, text)
        }
    }

    func testNationalLayoutMismatches() {
        let invalid = [
            "AT12345678": "AT followed by U and 8 digits",
            "BE2123456789": "BE followed by 10 digits starting with 0 or 1",
            "BE123456789": "BE followed by 10 digits starting with 0 or 1",
            "CY123456789": "CY followed by 8 digits and a letter",
            "CZ1234567": "CZ followed by 8, 9 or 10 digits",
            "DE12345678": "DE followed by 9 digits",
            "DE1234567890": "DE followed by 9 digits",
            "ES123456789": "ES followed by 9 characters: 7 digits between a first and a last character, "
                + "at least one of them a letter",
            "IE12345678": "IE followed by 7 digits and 1 or 2 letters",
            "LT1234567890": "LT followed by 9 or 12 digits",
            "NL123456789A01": "NL followed by 9 digits, B and 2 digits",
            "RO1": "RO followed by 2 to 10 digits",
            "RO12345678901": "RO followed by 2 to 10 digits",
            "SE123456789012": "SE followed by 12 digits ending in 01",
            "SK123456789": "SK followed by 10 digits",
        ]
        for (text, expected) in invalid {
            XCTAssertEqual(VATNumber.parse(text).failure?.problem, .badFormat(expected: expected), text)
        }
        XCTAssertEqual(
            VATNumber.parse("DE12345678").failure?.message,
            "invalid VAT number: expected DE followed by 9 digits (\(rule))"
        )
    }

    func testCountriesOutsideTheEU() {
        XCTAssertEqual(VATNumber.parse("GB123456789").failure?.problem, .unsupportedCountry("GB"))
        XCTAssertEqual(VATNumber.parse("CHE123456789").failure?.problem, .unsupportedCountry("CH"))
        XCTAssertEqual(VATNumber.parse("ZZ123456789").failure?.problem, .unknownCountry("ZZ"))
        XCTAssertEqual(VATNumber.parse("XI123456789").failure?.problem, .unknownCountry("XI"))
        XCTAssertEqual(
            VATNumber.parse("US123456789").failure?.message,
            "invalid VAT number: US is not an EU member state (\(rule))"
        )
        XCTAssertEqual(
            VATNumber.parse("ZZ123456789").failure?.message,
            "invalid VAT number: \"ZZ\" is not an ISO 3166-1 country code (\(rule))"
        )
    }

    func testMalformedInput() {
        XCTAssertEqual(VATNumber.parse("").failure?.problem, .empty)
        XCTAssertEqual(VATNumber.parse(" . ").failure?.problem, .empty)
        XCTAssertEqual(VATNumber.parse("F").failure?.problem, .badFormat(expected: "a 2-letter country prefix"))
        XCTAssertEqual(VATNumber.parse("44732829320").failure?.problem,
                       .badFormat(expected: "a 2-letter country prefix"))
        XCTAssertEqual(VATNumber.parse("DE12345678!").failure?.problem, .notAlphanumeric)
        XCTAssertEqual(VATNumber.parse("DE12345678É").failure?.problem, .notAlphanumeric)
    }
}
