@testable import CRMCore
import XCTest

final class IBANTests: XCTestCase {
    private let rule = "an IBAN is a country code, 2 check digits and the national account number"
    private let examples = ["FR7630006000011234567890189", "DE89370400440532013000", "GB82WEST12345698765432"]

    func testRealIBANsAreValid() {
        for text in examples {
            XCTAssertEqual(IBAN.parse(text).value?.electronicForm, text, text)
        }
    }

    func testParts() {
        let iban = IBAN.parse("GB82WEST12345698765432").value
        XCTAssertEqual(iban?.countryCode, "GB")
        XCTAssertEqual(iban?.checkDigits, "82")
        XCTAssertEqual(iban?.bban, "WEST12345698765432")
        XCTAssertEqual(iban?.description, "GB82WEST12345698765432")
    }

    func testFormattedInGroupsOfFour() {
        XCTAssertEqual(IBAN.parse(examples[0]).value?.formatted, "FR76 3000 6000 0112 3456 7890 189")
        XCTAssertEqual(IBAN.parse(examples[1]).value?.formatted, "DE89 3704 0044 0532 0130 00")
        XCTAssertEqual(IBAN.parse(examples[2]).value?.formatted, "GB82 WEST 1234 5698 7654 32")
    }

    func testGroupedHandlesPartialInput() {
        XCTAssertEqual(IBAN.grouped(""), "")
        XCTAssertEqual(IBAN.grouped("FR7"), "FR7")
        XCTAssertEqual(IBAN.grouped("FR76"), "FR76")
        XCTAssertEqual(IBAN.grouped("FR763"), "FR76 3")
    }

    func testSpacesAndLowerCaseAreNormalised() {
        let iban = IBAN.parse(" fr76 3000 6000 0112 3456 7890 189 ").value
        XCTAssertEqual(iban?.electronicForm, "FR7630006000011234567890189")
        XCTAssertEqual(IBAN.parse("gb82 west 1234 5698 7654 32").value?.electronicForm, "GB82WEST12345698765432")
    }

    func testRemainderIsComputedPiecewise() {
        // With check digits 00 the remainder is 98 - 76 = 22.
        XCTAssertEqual(IBAN.remainderModulo97(Array("FR0030006000011234567890189".utf8)), 22)
        XCTAssertEqual(IBAN.remainderModulo97(Array("GB00WEST12345698765432".utf8)), 16)
        for text in examples {
            XCTAssertEqual(IBAN.remainderModulo97(Array(text.utf8)), 1, text)
        }
    }

    func testEverySingleCharacterChangeIsRejected() {
        for text in examples {
            let characters = Array(text)
            for position in 2..<characters.count {
                let alphabet = characters[position].isNumber ? "0123456789" : "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                for replacement in alphabet where replacement != characters[position] {
                    var changed = characters
                    changed[position] = replacement
                    let mutated = String(changed)
                    XCTAssertEqual(IBAN.parse(mutated).failure?.problem, .badCheckKey(.ibanMod97), mutated)
                }
            }
        }
    }

    func testEveryAdjacentDigitSwapIsRejected() {
        for text in examples {
            let characters = Array(text)
            for position in 2..<(characters.count - 1) {
                let pair = (characters[position], characters[position + 1])
                guard pair.0 != pair.1, pair.0.isNumber, pair.1.isNumber else { continue }
                var swapped = characters
                swapped.swapAt(position, position + 1)
                let mutated = String(swapped)
                XCTAssertEqual(IBAN.parse(mutated).failure?.problem, .badCheckKey(.ibanMod97), mutated)
            }
        }
    }

    func testCheckDigitsOutOfRange() {
        // Constructed numbers whose right check digits are 97, 98 and 02.
        // 00, 01 and 99 leave the same remainder, yet are never issued.
        XCTAssertEqual(IBAN.parse("FR9730006000011234567890005").value?.checkDigits, "97")
        XCTAssertEqual(IBAN.parse("FR9830006000011234567890084").value?.checkDigits, "98")
        XCTAssertEqual(IBAN.parse("FR0230006000011234567890066").value?.checkDigits, "02")
        XCTAssertEqual(IBAN.remainderModulo97(Array("FR0030006000011234567890005".utf8)), 1)
        XCTAssertEqual(IBAN.parse("FR0030006000011234567890005").failure?.problem, .badCheckKey(.ibanMod97))
        XCTAssertEqual(IBAN.parse("FR0130006000011234567890084").failure?.problem, .badCheckKey(.ibanMod97))
        XCTAssertEqual(IBAN.parse("FR9930006000011234567890066").failure?.problem, .badCheckKey(.ibanMod97))
        XCTAssertEqual(IBAN.parse("FR0030006000011234567890189").failure?.problem, .badCheckKey(.ibanMod97))
        XCTAssertEqual(IBAN.parse("FR0130006000011234567890189").failure?.problem, .badCheckKey(.ibanMod97))
        XCTAssertEqual(IBAN.parse("FR9930006000011234567890189").failure?.problem, .badCheckKey(.ibanMod97))
        XCTAssertEqual(
            IBAN.parse("FR7730006000011234567890189").failure?.message,
            "invalid IBAN: the check digits do not match (\(rule))"
        )
    }

    func testWrongLengthForCountry() {
        XCTAssertEqual(IBAN.parse("FR763000600001123456789018").failure?.problem,
                       .wrongLength(expected: 27, actual: 26))
        XCTAssertEqual(IBAN.parse("DE893704004405320130001").failure?.problem,
                       .wrongLength(expected: 22, actual: 23))
        XCTAssertEqual(
            IBAN.parse("FR763000600001123456789018").failure?.message,
            "invalid IBAN: expected 27 characters for this country, got 26 (\(rule))"
        )
    }

    func testUnknownAndUnsupportedCountries() {
        XCTAssertEqual(IBAN.parse("ZZ7630006000011234567890189").failure?.problem, .unknownCountry("ZZ"))
        XCTAssertEqual(IBAN.parse("US7630006000011234567890189").failure?.problem, .unsupportedCountry("US"))
        XCTAssertEqual(
            IBAN.parse("US7630006000011234567890189").failure?.message,
            "invalid IBAN: no IBAN format is known for US (\(rule))"
        )
    }

    func testMalformedInput() {
        XCTAssertEqual(IBAN.parse("").failure?.problem, .empty)
        XCTAssertEqual(IBAN.parse("FR76-3000-6000").failure?.problem, .notAlphanumeric)
        XCTAssertEqual(IBAN.parse("FR76 3000 6000 0112 3456 7890 18É").failure?.problem, .notAlphanumeric)
        let layout = IdentifierProblem.badFormat(expected: "2 letters of the country code, then 2 check digits")
        XCTAssertEqual(IBAN.parse("7630006000011234567890189FR").failure?.problem, layout)
        XCTAssertEqual(IBAN.parse("FRA630006000011234567890189").failure?.problem, layout)
        XCTAssertEqual(IBAN.parse("FR7").failure?.problem, layout)
    }

    func testLengthsOfSEPACountries() {
        let expected = [
            "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22,
            "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23, "GR": 27,
            "HR": 21, "HU": 28, "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20,
            "LV": 21, "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24,
            "SE": 24, "SI": 19, "SK": 24, "SM": 27, "VA": 22,
        ]
        for (country, length) in expected {
            XCTAssertEqual(IBAN.lengths[country], length, country)
        }
        for country in CountryCode.euMemberCodes {
            XCTAssertNotNil(IBAN.lengths[country], country)
        }
    }
}
