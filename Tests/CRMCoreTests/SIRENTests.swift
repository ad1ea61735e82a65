import CRMCore
import XCTest

final class SIRENTests: XCTestCase {
    func testRealSIRENsAreValid() {
        for digits in ["732829320", "016750697", "303265045", "054501754"] {
            XCTAssertEqual(SIREN.parse(digits).value?.digits, digits, digits)
        }
    }

    func testLeadingZeroIsKept() {
        let siren = SIREN.parse("016750697").value
        XCTAssertEqual(siren?.digits, "016750697")
        XCTAssertEqual(siren?.description, "016750697")
        XCTAssertEqual(siren?.formatted, "016 750 697")
    }

    func testSpacesAreRemoved() {
        XCTAssertEqual(SIREN.parse("732 829 320").value?.digits, "732829320")
        XCTAssertEqual(SIREN.parse(" 732\t829 320 ").value?.digits, "732829320")
        XCTAssertEqual(SIREN.parse("732\u{00A0}829\u{202F}320").value?.digits, "732829320")
    }

    func testFormattedGroupsOfThree() {
        XCTAssertEqual(SIREN.parse("732829320").value?.formatted, "732 829 320")
    }

    func testWrongLuhnKeyIsRejected() {
        XCTAssertEqual(SIREN.parse("732829321").failure?.problem, .badCheckKey(.luhn))
        XCTAssertEqual(SIREN.parse("099999999").failure?.problem, .badCheckKey(.luhn))
    }

    func testWrongKeyMessage() {
        XCTAssertEqual(
            SIREN.parse("732829321").failure?.message,
            "invalid SIREN: the Luhn check key does not match (a SIREN has 9 digits with a Luhn key)"
        )
        XCTAssertEqual(SIREN.parse("732829321").failure?.kind, .siren)
        XCTAssertEqual(SIREN.parse("732829321").failure?.crmError.kind, .invalid)
    }

    func testEverySingleDigitChangeIsRejected() {
        let digits = Array("732829320")
        for position in digits.indices {
            for replacement in "0123456789" where replacement != digits[position] {
                var changed = digits
                changed[position] = replacement
                let text = String(changed)
                XCTAssertEqual(SIREN.parse(text).failure?.problem, .badCheckKey(.luhn), text)
            }
        }
    }

    func testEveryAdjacentSwapIsRejected() {
        // Luhn misses only the swap of 0 and 9, which this number lacks.
        let digits = Array("732829320")
        for position in 0..<(digits.count - 1) {
            var swapped = digits
            swapped.swapAt(position, position + 1)
            let text = String(swapped)
            XCTAssertEqual(SIREN.parse(text).failure?.problem, .badCheckKey(.luhn), text)
        }
    }

    func testWrongLengthIsRejected() {
        XCTAssertEqual(SIREN.parse("73282932").failure?.problem, .wrongLength(expected: 9, actual: 8))
        XCTAssertEqual(SIREN.parse("7328293200").failure?.problem, .wrongLength(expected: 9, actual: 10))
        XCTAssertEqual(
            SIREN.parse("73282932").failure?.message,
            "invalid SIREN: expected 9 digits, got 8 (a SIREN has 9 digits with a Luhn key)"
        )
    }

    func testNonDigitsAreRejected() {
        XCTAssertEqual(SIREN.parse("73282932O").failure?.problem, .notDigits)
        XCTAssertEqual(SIREN.parse("-732829320").failure?.problem, .notDigits)
        XCTAssertEqual(SIREN.parse("732.829.320").failure?.problem, .notDigits)
        // Arabic-Indic digits are digits to Unicode, but not SIREN digits.
        XCTAssertEqual(SIREN.parse("٧٣٢٨٢٩٣٢٠").failure?.problem, .notDigits)
        XCTAssertEqual(
            SIREN.parse("73282932O").failure?.message,
            "invalid SIREN: only digits are allowed (a SIREN has 9 digits with a Luhn key)"
        )
    }

    func testEmptyIsRejected() {
        XCTAssertEqual(SIREN.parse("").failure?.problem, .empty)
        XCTAssertEqual(SIREN.parse("   ").failure?.problem, .empty)
        XCTAssertEqual(
            SIREN.parse("").failure?.message,
            "invalid SIREN: the value is empty (a SIREN has 9 digits with a Luhn key)"
        )
    }
}

final class SIRETTests: XCTestCase {
    func testValidSIRETSplitsIntoSIRENAndNIC() {
        let siret = SIRET.parse("73282932000074").value
        XCTAssertEqual(siret?.digits, "73282932000074")
        XCTAssertEqual(siret?.siren.digits, "732829320")
        XCTAssertEqual(siret?.nic, "00074")
        XCTAssertEqual(siret?.formatted, "732 829 320 00074")
        XCTAssertEqual(siret?.description, "73282932000074")
    }

    func testEveryLuhnValidNICIsAccepted() {
        // The Luhn-valid SIRETs of SIREN 732829320 with an NIC below 100.
        let valid = ["00009", "00017", "00025", "00033", "00041", "00058", "00066", "00074", "00082", "00090"]
        for nic in 0..<100 {
            let text = "732829320" + String(repeating: "0", count: nic < 10 ? 4 : 3) + String(nic)
            let isValid = SIRET.parse(text).value != nil
            XCTAssertEqual(isValid, valid.contains(String(text.suffix(5))), text)
        }
    }

    func testSIRETEndingIn00015IsRejected() {
        // Its Luhn sum is 48, not a multiple of 10.
        XCTAssertEqual(SIRET.parse("73282932000015").failure?.problem, .badCheckKey(.luhn))
        XCTAssertEqual(
            SIRET.parse("73282932000015").failure?.message,
            "invalid SIRET: the Luhn check key does not match "
                + "(a SIRET has 14 digits, the SIREN then a 5-digit establishment number, with a Luhn key)"
        )
    }

    func testSpacesAreRemoved() {
        XCTAssertEqual(SIRET.parse("732 829 320 00074").value?.digits, "73282932000074")
    }

    func testInvalidSIRENPartIsRejected() {
        // The 14 digits pass Luhn, but the SIREN 732829321 does not.
        XCTAssertEqual(SIRET.parse("73282932100007").failure?.problem, .badCheckKey(.sirenLuhn))
        XCTAssertEqual(
            SIRET.parse("73282932100007").failure?.message,
            "invalid SIRET: the SIREN part fails its Luhn check "
                + "(a SIRET has 14 digits, the SIREN then a 5-digit establishment number, with a Luhn key)"
        )
    }

    func testLaPosteDigitSumRule() {
        // Digit sum 15: valid for La Poste although Luhn fails.
        XCTAssertEqual(SIRET.parse("35600000000001").value?.digits, "35600000000001")
        XCTAssertEqual(SIRET.parse("35600000000010").value?.digits, "35600000000010")
        // Luhn passes but the digit sum is 18.
        XCTAssertEqual(SIRET.parse("35600000000014").failure?.problem, .badCheckKey(.laPosteDigitSum))
        XCTAssertEqual(
            SIRET.parse("35600000000014").failure?.message,
            "invalid SIRET: the digit sum is not divisible by 5, which La Poste SIRETs (starting 356000000) require "
                + "(a SIRET has 14 digits, the SIREN then a 5-digit establishment number, with a Luhn key)"
        )
    }

    func testLaPosteHeadOfficeUsesLuhn() {
        // Digit sum 26, but the head office follows the Luhn rule.
        XCTAssertEqual(SIRET.parse("35600000000048").value?.siren.digits, "356000000")
    }

    func testWrongLengthAndNonDigits() {
        XCTAssertEqual(SIRET.parse("7328293200007").failure?.problem, .wrongLength(expected: 14, actual: 13))
        XCTAssertEqual(SIRET.parse("732829320000740").failure?.problem, .wrongLength(expected: 14, actual: 15))
        XCTAssertEqual(SIRET.parse("7328293200007A").failure?.problem, .notDigits)
        XCTAssertEqual(SIRET.parse(" ").failure?.problem, .empty)
    }
}
