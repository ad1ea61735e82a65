@testable import CRMCore
import Foundation
import XCTest

private func date(_ text: String) -> CivilDate {
    guard let date = CivilDate(parsing: text) else { preconditionFailure("bad date in a test: \(text)") }
    return date
}

private func term(_ code: String) -> PaymentTerm {
    guard let term = PaymentTerm.bundled(code: code) else { preconditionFailure("no bundled term \(code)") }
    return term
}

final class PaymentTermFixtureTests: XCTestCase {
    /// One row of payment_terms_cases.csv.
    private struct Case {
        let id: String
        let invoiceDate: String
        let termCode: String
        let expectedReadingA: String
        let expectedReadingB: String
    }

    /// The bundled codes that implement each fixture code, for reading A
    /// and reading B. Terms with one reading use the same code twice.
    private let codes: [String: (readingA: String, readingB: String)] = [
        "30J_FDM": ("30EOM", "30EOM-B"),
        "45J_FDM": ("45EOM", "45EOM-B"),
        "1M_FDM": ("NEXT-EOM", "NEXT-EOM"),
        "COMPTANT": ("RECEIPT", "RECEIPT"),
        "30J_NET": ("NET30", "NET30"),
        "60J_DATE_FACTURE": ("NET60", "NET60"),
    ]

    private func loadCases() throws -> [Case] {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .appendingPathComponent("Fixtures/payment_terms_cases.csv")
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        let header = lines.removeFirst()
        XCTAssertEqual(
            header,
            "case_id,invoice_date,term_code,term_label,expected_due_rule_A,expected_due_rule_B,why"
        )
        return lines.map { line in
            let fields = Self.csvFields(line)
            return Case(id: fields[0], invoiceDate: fields[1], termCode: fields[2],
                        expectedReadingA: fields[4], expectedReadingB: fields[5])
        }
    }

    /// Splits one CSV line, honouring double-quoted fields with commas and
    /// doubled quotes.
    private static func csvFields(_ line: String) -> [String] {
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var characters = line.makeIterator()
        while let character = characters.next() {
            switch (character, inQuotes) {
            case ("\"", false) where field.isEmpty:
                inQuotes = true
            case ("\"", true):
                inQuotes = false
            case ("\"", false):
                field.append("\"")
                inQuotes = true
            case (",", false):
                fields.append(field)
                field = ""
            default:
                field.append(character)
            }
        }
        fields.append(field)
        return fields
    }

    func testEveryFixtureCase() throws {
        let cases = try loadCases()
        XCTAssertEqual(cases.count, 13)

        var checked = 0
        for row in cases {
            guard let pair = codes[row.termCode] else {
                XCTFail("\(row.id): no bundled term for \(row.termCode)")
                continue
            }
            guard let invoiceDate = CivilDate(parsing: row.invoiceDate) else {
                XCTAssertEqual(row.id, "PT15")
                XCTAssertEqual(row.expectedReadingA, "REJECT:invalid date", row.id)
                XCTAssertEqual(row.expectedReadingB, "REJECT:invalid date", row.id)
                continue
            }
            XCTAssertEqual(term(pair.readingA).dueDate(from: invoiceDate)?.description,
                           row.expectedReadingA, "\(row.id) \(pair.readingA)")
            XCTAssertEqual(term(pair.readingB).dueDate(from: invoiceDate)?.description,
                           row.expectedReadingB, "\(row.id) \(pair.readingB)")
            checked += 1
        }
        XCTAssertEqual(checked, 12)
    }

    func testInvalidInvoiceDateIsRejected() {
        XCTAssertNil(CivilDate(parsing: "2023-02-29"))
    }

    func testCSVFieldsWithQuotes() {
        XCTAssertEqual(Self.csvFields("a,\"b, c\",d"), ["a", "b, c", "d"])
        XCTAssertEqual(Self.csvFields("a,\"say \"\"hi\"\"\","), ["a", "say \"hi\"", ""])
    }
}

final class PaymentTermDueDateTests: XCTestCase {
    func testReadingsOfThirtyDaysEndOfMonth() {
        XCTAssertEqual(term("30EOM").dueDate(from: date("2024-01-29")), date("2024-02-29"))
        XCTAssertEqual(term("30EOM-B").dueDate(from: date("2024-01-29")), date("2024-03-01"))
        // 2025-01-15 + 45 days = 2025-03-01, so the end of March.
        XCTAssertEqual(term("45EOM").dueDate(from: date("2025-01-15")), date("2025-03-31"))
        XCTAssertEqual(term("45EOM-B").dueDate(from: date("2025-01-15")), date("2025-03-17"))
    }

    func testEndOfNextMonth() {
        XCTAssertEqual(term("NEXT-EOM").dueDate(from: date("2020-06-11")), date("2020-07-31"))
        XCTAssertEqual(term("NEXT-EOM").dueDate(from: date("2024-01-31")), date("2024-02-29"))
        XCTAssertEqual(term("NEXT-EOM").dueDate(from: date("2024-12-01")), date("2025-01-31"))
    }

    func testNetAndReceipt() {
        XCTAssertEqual(term("RECEIPT").dueDate(from: date("2025-03-15")), date("2025-03-15"))
        XCTAssertEqual(term("NET30").dueDate(from: date("2025-03-15")), date("2025-04-14"))
        XCTAssertEqual(term("NET45").dueDate(from: date("2025-03-15")), date("2025-04-29"))
        XCTAssertEqual(term("NET60").dueDate(from: date("2025-11-30")), date("2026-01-29"))
    }

    func testEndOfMonthThenDay() {
        let tenth = term("30EOM10")
        // 2025-01-15 + 30 days = 2025-02-14, end of month 2025-02-28, then the 10th.
        XCTAssertEqual(tenth.dueDate(from: date("2025-01-15")), date("2025-03-10"))
        XCTAssertEqual(tenth.dueDate(from: date("2025-01-31")), date("2025-04-10"))
        XCTAssertEqual(tenth.dueDate(from: date("2024-12-15")), date("2025-02-10"))
        XCTAssertEqual(tenth.dueDate(from: date("2024-11-30")), date("2025-01-10"))
    }

    func testDayMissingFromMonthBecomesLastDay() {
        let thirtyFirst = PaymentTerm.Kind.daysThenEndOfMonthThenDay(days: 0, day: 31)
        XCTAssertEqual(thirtyFirst.dueDate(from: date("2025-01-15")), date("2025-02-28"))
        XCTAssertEqual(thirtyFirst.dueDate(from: date("2024-01-15")), date("2024-02-29"))
        XCTAssertEqual(thirtyFirst.dueDate(from: date("2025-02-15")), date("2025-03-31"))
        XCTAssertEqual(thirtyFirst.dueDate(from: date("2025-03-15")), date("2025-04-30"))
    }

    func testDatesBeyondYear9999() {
        XCTAssertEqual(term("RECEIPT").dueDate(from: date("9999-12-31")), date("9999-12-31"))
        XCTAssertNil(term("NET30").dueDate(from: date("9999-12-15")))
        XCTAssertNil(term("30EOM").dueDate(from: date("9999-12-15")))
        XCTAssertNil(term("30EOM-B").dueDate(from: date("9999-12-01")))
        XCTAssertNil(term("NEXT-EOM").dueDate(from: date("9999-12-01")))
        XCTAssertNil(term("30EOM10").dueDate(from: date("9999-11-15")))
        XCTAssertEqual(term("NEXT-EOM").dueDate(from: date("9999-11-30")), date("9999-12-31"))
    }
}

final class PaymentTermLegalLimitTests: XCTestCase {
    func testLimitIsTheLatestAllowedReading() {
        // 2025-01-31: +60 days = 2025-04-01, later than 2025-03-31 (reading A)
        // and 2025-03-17 (reading B).
        XCTAssertEqual(PaymentTerm.Kind.frenchLegalLimit(for: date("2025-01-31")), date("2025-04-01"))
        // 2025-02-01: end of February + 45 days = 2025-04-14 is the latest.
        XCTAssertEqual(PaymentTerm.Kind.frenchLegalLimit(for: date("2025-02-01")), date("2025-04-14"))
        // 2025-02-14: +45 days = 2025-03-31, already an end of month.
        XCTAssertEqual(PaymentTerm.Kind.frenchLegalLimit(for: date("2025-02-14")), date("2025-04-15"))
    }

    func testBundledTermsWithinTheLimit() {
        for code in ["RECEIPT", "NET30", "NET45", "NET60", "30EOM", "45EOM", "30EOM-B", "45EOM-B", "NEXT-EOM"] {
            XCTAssertNil(term(code).legalLimitWarning, code)
        }
    }

    func testTermOnTheTenthExceeds() {
        XCTAssertEqual(
            term("30EOM10").legalLimitWarning,
            "term 30EOM10 can exceed the French legal maximum of 60 days from the invoice date (45 days end of month)"
        )
        // 2023-01-30 + 30 days = 2023-03-01, so it is due on 10 April, past the
        // limit of 31 March.
        XCTAssertEqual(PaymentTerm.Kind.daysThenEndOfMonthThenDay(days: 30, day: 10)
            .firstInvoiceDateExceedingFrenchLimit(), date("2023-01-30"))
    }

    func testNinetyDaysNetExceeds() {
        let net90 = PaymentTerm(code: "NET90", englishLabel: "90 days net", frenchLabel: "90 jours net",
                                kind: .net(days: 90))
        XCTAssertEqual(
            net90.legalLimitWarning,
            "term NET90 can exceed the French legal maximum of 60 days from the invoice date (45 days end of month)"
        )
    }

    func testOneDayPastEachLimitExceeds() {
        // 2023-01-30: +60 days and reading A both give 2023-03-31.
        XCTAssertEqual(PaymentTerm.Kind.net(days: 61).firstInvoiceDateExceedingFrenchLimit(), date("2023-01-30"))
        XCTAssertNotNil(PaymentTerm.Kind.daysThenEndOfMonth(days: 46).firstInvoiceDateExceedingFrenchLimit())
        XCTAssertNotNil(PaymentTerm.Kind.endOfMonthThenDays(days: 46).firstInvoiceDateExceedingFrenchLimit())
        XCTAssertNil(PaymentTerm.Kind.net(days: 0).firstInvoiceDateExceedingFrenchLimit())
        XCTAssertNil(PaymentTerm.Kind.daysThenEndOfMonthThenDay(days: 0, day: 31)
            .firstInvoiceDateExceedingFrenchLimit())
    }
}

final class PaymentTermDefinitionTests: XCTestCase {
    private let forms = "receipt, net:DAYS, eom-a:DAYS, eom-b:DAYS, eom-day:DAYS:DAY, next-eom"

    private func kind(_ text: String) -> PaymentTerm.Kind? {
        PaymentTerm.Kind.parse(definition: text).value
    }

    private func error(_ text: String) -> PaymentTermDefinitionError? {
        PaymentTerm.Kind.parse(definition: text).failure
    }

    func testEveryForm() {
        XCTAssertEqual(kind("receipt"), .onReceipt)
        XCTAssertEqual(kind("net:30"), .net(days: 30))
        XCTAssertEqual(kind("eom-a:45"), .daysThenEndOfMonth(days: 45))
        XCTAssertEqual(kind("eom-b:30"), .endOfMonthThenDays(days: 30))
        XCTAssertEqual(kind("eom-day:30:10"), .daysThenEndOfMonthThenDay(days: 30, day: 10))
        XCTAssertEqual(kind("next-eom"), .endOfNextMonth)
    }

    func testCaseAndSurroundingSpaces() {
        XCTAssertEqual(kind("  NET:30 "), .net(days: 30))
        XCTAssertEqual(kind("Next-EOM"), .endOfNextMonth)
        XCTAssertEqual(kind("net:007"), .net(days: 7))
    }

    func testBounds() {
        XCTAssertEqual(kind("net:0"), .net(days: 0))
        XCTAssertEqual(kind("net:365"), .net(days: 365))
        XCTAssertEqual(kind("eom-day:0:1"), .daysThenEndOfMonthThenDay(days: 0, day: 1))
        XCTAssertEqual(kind("eom-day:0:31"), .daysThenEndOfMonthThenDay(days: 0, day: 31))
    }

    func testDefinitionRoundTrips() {
        for term in PaymentTerm.bundled {
            XCTAssertEqual(kind(term.kind.definition), term.kind, term.code)
        }
        XCTAssertEqual(PaymentTerm.Kind.daysThenEndOfMonthThenDay(days: 30, day: 10).definition, "eom-day:30:10")
        XCTAssertEqual(PaymentTerm.Kind.onReceipt.definition, "receipt")
    }

    func testEmptyDefinition() {
        XCTAssertEqual(error(""), .empty)
        XCTAssertEqual(error("  "), .empty)
        XCTAssertEqual(error("")?.message, "empty payment-term definition: expected one of \(forms)")
    }

    func testUnknownKind() {
        XCTAssertEqual(error("weekly:3"), .unknownKind(name: "weekly", definition: "weekly:3"))
        XCTAssertEqual(error("net30"), .unknownKind(name: "net30", definition: "net30"))
        XCTAssertEqual(
            error(" Weekly:3 ")?.message,
            "unknown payment-term kind \"Weekly\" in \"Weekly:3\": expected one of \(forms)"
        )
    }

    func testWrongNumberCount() {
        XCTAssertEqual(error("net"), .wrongNumberCount(kind: "net", expected: 1, definition: "net"))
        XCTAssertEqual(error("net:30:10"), .wrongNumberCount(kind: "net", expected: 1, definition: "net:30:10"))
        XCTAssertEqual(error("net:30:"), .wrongNumberCount(kind: "net", expected: 1, definition: "net:30:"))
        XCTAssertEqual(
            error("net")?.message,
            "invalid payment-term definition \"net\": net takes 1 number, as in net:DAYS"
        )
        XCTAssertEqual(
            error("receipt:5")?.message,
            "invalid payment-term definition \"receipt:5\": receipt takes no number, as in receipt"
        )
        XCTAssertEqual(
            error("eom-day:30")?.message,
            "invalid payment-term definition \"eom-day:30\": eom-day takes 2 numbers, as in eom-day:DAYS:DAY"
        )
        XCTAssertEqual(
            error("NEXT-EOM:1")?.message,
            "invalid payment-term definition \"NEXT-EOM:1\": next-eom takes no number, as in next-eom"
        )
    }

    func testInvalidDays() {
        for text in ["abc", "366", "-1", "+30", "", " 30", "3.5", "٣٠", "1000"] {
            let definition = "net:\(text)"
            XCTAssertEqual(error(definition), .invalidDays(text: text, definition: definition), definition)
        }
        XCTAssertEqual(
            error("net:abc")?.message,
            "invalid number of days \"abc\" in \"net:abc\": expected a whole number from 0 to 365"
        )
        XCTAssertEqual(error("eom-day:x:10"), .invalidDays(text: "x", definition: "eom-day:x:10"))
    }

    func testInvalidDayOfMonth() {
        XCTAssertEqual(error("eom-day:30:0"), .invalidDayOfMonth(text: "0", definition: "eom-day:30:0"))
        XCTAssertEqual(error("eom-day:30:32"), .invalidDayOfMonth(text: "32", definition: "eom-day:30:32"))
        XCTAssertEqual(
            error("eom-day:30:0")?.message,
            "invalid day of month \"0\" in \"eom-day:30:0\": expected a whole number from 1 to 31"
        )
    }

    func testDefineCustomTerm() {
        let custom = PaymentTerm.define(code: "EOM15", englishLabel: "15 days end of month",
                                        frenchLabel: "15 jours fin de mois", definition: "eom-a:15").value
        XCTAssertEqual(custom?.code, "EOM15")
        XCTAssertEqual(custom?.kind, .daysThenEndOfMonth(days: 15))
        XCTAssertEqual(custom?.frenchLabel, "15 jours fin de mois")
        XCTAssertEqual(custom?.dueDate(from: date("2025-01-20")), date("2025-02-28"))

        let englishOnly = PaymentTerm.define(code: "NET_10", englishLabel: "10 days", definition: "net:10").value
        XCTAssertEqual(englishOnly?.frenchLabel, "10 days")
    }

    func testDefineRejectsBadCodes() {
        for code in ["", "net30", "NET 30", "NÉT30", String(repeating: "A", count: 33)] {
            let result = PaymentTerm.define(code: code, englishLabel: "x", definition: "net:30")
            XCTAssertEqual(result.failure, .invalidCode(code), code)
        }
        XCTAssertNotNil(PaymentTerm.define(code: String(repeating: "A", count: 32), englishLabel: "x",
                                           definition: "net:30").value)
        XCTAssertEqual(
            PaymentTerm.define(code: "net30", englishLabel: "x", definition: "net:30").failure?.message,
            "invalid payment-term code \"net30\": expected 1 to 32 upper-case letters, digits, '-' or '_'"
        )
    }

    func testDefineReportsDefinitionErrors() {
        let result = PaymentTerm.define(code: "BAD", englishLabel: "x", definition: "net:400")
        XCTAssertEqual(result.failure, .invalidDays(text: "400", definition: "net:400"))
        XCTAssertEqual(result.failure?.crmError.kind, .invalid)
    }
}

final class BundledPaymentTermTests: XCTestCase {
    func testCodesAndKinds() {
        XCTAssertEqual(PaymentTerm.bundled.map(\.code), [
            "RECEIPT", "NET30", "NET45", "NET60", "30EOM", "45EOM", "30EOM-B", "45EOM-B", "NEXT-EOM", "30EOM10",
        ])
        XCTAssertEqual(PaymentTerm.bundled.map(\.kind.definition), [
            "receipt", "net:30", "net:45", "net:60", "eom-a:30", "eom-a:45", "eom-b:30", "eom-b:45",
            "next-eom", "eom-day:30:10",
        ])
    }

    func testLabels() {
        XCTAssertEqual(term("30EOM").frenchLabel, "30 jours fin de mois")
        XCTAssertEqual(term("30EOM").englishLabel, "30 days end of month")
        XCTAssertEqual(term("30EOM10").frenchLabel, "30 jours fin de mois le 10")
        XCTAssertEqual(term("RECEIPT").frenchLabel, "Paiement à réception")
        for term in PaymentTerm.bundled {
            XCTAssertFalse(term.englishLabel.isEmpty, term.code)
            XCTAssertFalse(term.frenchLabel.isEmpty, term.code)
        }
    }

    func testLookupByCode() {
        XCTAssertEqual(PaymentTerm.bundled(code: "30eom-b")?.kind, .endOfMonthThenDays(days: 30))
        XCTAssertNil(PaymentTerm.bundled(code: "NET90"))
    }

    func testFrenchLabelMapsToReadingA() {
        XCTAssertEqual(PaymentTerm.bundled(label: "30 jours fin de mois")?.code, "30EOM")
        XCTAssertEqual(PaymentTerm.bundled(label: " 30  JOURS FIN DE MOIS ")?.code, "30EOM")
        XCTAssertEqual(PaymentTerm.bundled(label: "45 jours fin de mois")?.code, "45EOM")
        XCTAssertEqual(PaymentTerm.bundled(label: "30 jours fin de mois le 10")?.code, "30EOM10")
        XCTAssertEqual(PaymentTerm.bundled(label: "Paiement a reception")?.code, "RECEIPT")
        XCTAssertEqual(PaymentTerm.bundled(label: "end of the following month")?.code, "NEXT-EOM")
        XCTAssertNil(PaymentTerm.bundled(label: "90 jours net"))
    }

    func testBundledCodesAreValidDefinitions() {
        for term in PaymentTerm.bundled {
            let defined = PaymentTerm.define(code: term.code, englishLabel: term.englishLabel,
                                             frenchLabel: term.frenchLabel, definition: term.kind.definition)
            XCTAssertEqual(defined.value, term, term.code)
        }
    }
}

final class PaymentMethodTests: XCTestCase {
    func testCodes() {
        XCTAssertEqual(PaymentMethod.allCases.map(\.code), ["TRANSFER", "SEPA_DD", "CHEQUE", "CARD", "LCR", "CASH"])
    }

    func testOnlyDirectDebitRequiresIBAN() {
        for method in PaymentMethod.allCases {
            XCTAssertEqual(method.requiresIBAN, method == .sepaDirectDebit, method.code)
        }
    }

    func testLabels() {
        XCTAssertEqual(PaymentMethod.sepaDirectDebit.englishLabel, "SEPA direct debit")
        XCTAssertEqual(PaymentMethod.sepaDirectDebit.frenchLabel, "Prélèvement SEPA")
        XCTAssertEqual(PaymentMethod.billOfExchange.englishLabel, "Bill of exchange (LCR)")
        XCTAssertEqual(PaymentMethod.billOfExchange.frenchLabel, "Lettre de change relevé (LCR)")
        XCTAssertEqual(PaymentMethod.cheque.frenchLabel, "Chèque")
        XCTAssertEqual(PaymentMethod.transfer.frenchLabel, "Virement")
    }

    func testParse() {
        XCTAssertEqual(PaymentMethod.parse("SEPA_DD").value, .sepaDirectDebit)
        XCTAssertEqual(PaymentMethod.parse(" lcr ").value, .billOfExchange)
        XCTAssertEqual(
            PaymentMethod.parse("PAYPAL").failure,
            .invalid("unknown payment method \"PAYPAL\": expected one of TRANSFER, SEPA_DD, CHEQUE, CARD, LCR, CASH")
        )
    }
}
