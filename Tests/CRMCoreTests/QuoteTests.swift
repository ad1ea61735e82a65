import CRMCore
import Foundation
import XCTest

/// A plugin host whose quoteNumber rule returns fixed results, one per call.
private final class NumberingHost: PluginHost {
    var numbers: [Value]
    var fired: [String] = []

    init(numbers: [Value]) { self.numbers = numbers }

    func fire(_ event: String, payload: Value, context: CRMContext) throws(CRMError) { fired.append(event) }

    func decide(_ rule: String, payload: Value, context: CRMContext) throws(CRMError) -> RuleOutcome? {
        guard rule == "quoteNumber", !numbers.isEmpty else { return nil }
        return RuleOutcome(rule: rule, result: numbers.removeFirst(), plugin: "acme-numbers", pluginVersion: "2.0",
                           source: "pack acme@2.0 numbers.lua", location: "acme/numbers.lua:4")
    }
}

/// Splits one CSV line with double-quoted fields that may contain commas.
private func csvFields(_ line: String) -> [String] {
    var fields: [String] = []
    var current = ""
    var quoted = false
    for character in line {
        if character == "\"" { quoted.toggle() } else if character == ",", !quoted {
            fields.append(current)
            current = ""
        } else {
            current.append(character)
        }
    }
    fields.append(current)
    return fields
}

private func csvRows(_ name: String) throws -> [[String: String]] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
    let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
    let header = csvFields(lines[0])
    return lines.dropFirst().map { line in
        Dictionary(uniqueKeysWithValues: zip(header, csvFields(line)))
    }
}

final class QuoteTests: XCTestCase {
    private func decimal(_ text: String) -> ExactDecimal {
        guard case let .success(value) = ExactDecimal.parse(text, maximumDecimals: 10) else {
            preconditionFailure("bad decimal \(text)")
        }
        return value
    }

    private func addAccount(_ test: TestDatabase, owner: String = "alice", currency: String = "EUR") throws -> Int64 {
        try Accounts.add(test.context(as: "admin"), legalName: "ATELIER LUMIERE",
                         fields: [.owner: owner, .currency: currency]).id
    }

    private func draftWithLine(_ test: TestDatabase, as user: String = "alice") throws -> Quote {
        let account = try addAccount(test)
        let quote = try Quotes.create(test.context(as: user), accountId: account)
        return try Quotes.addLine(test.context(as: user), key: quote.reference, QuoteLineChange(
            description: "Conseil", quantity: "2", unitPrice: "412.50", vatRate: "20"))
    }

    private func numberingContext(_ test: TestDatabase, _ host: NumberingHost) -> CRMContext {
        CRMContext(database: test.database, clock: test.clock, actor: try! Users.find(test.database, name: "alice")!,
                   command: "quote send", makeHost: { () throws(CRMError) -> PluginHost in host })
    }

    // MARK: Exact decimals

    func testDecimalRoundingTiesAwayFromZero() {
        XCTAssertEqual(decimal("2.5").roundedMinorUnits(decimals: 0), 3)
        XCTAssertEqual(decimal("-2.5").roundedMinorUnits(decimals: 0), -3)
        XCTAssertEqual(decimal("2.4999").roundedMinorUnits(decimals: 0), 2)
        XCTAssertEqual(decimal("-0.005").roundedMinorUnits(decimals: 2), -1)
        XCTAssertEqual(decimal("-0.0049").roundedMinorUnits(decimals: 2), 0)
        XCTAssertEqual(decimal("1.5").roundedMinorUnits(decimals: 3), 1500)
        XCTAssertEqual(decimal("2.50"), decimal("2.5"))
        XCTAssertEqual(decimal("2.50").hashValue, decimal("2.5").hashValue)
        XCTAssertEqual(decimal("-0.120").description, "-0.12")
        XCTAssertEqual(decimal("20.000").description, "20")
        XCTAssertTrue(decimal("99.99") < decimal("100"))
        XCTAssertTrue(decimal("-1.5") < decimal("-1.25"))
    }

    func testDecimalParseRejectsBadText() {
        XCTAssertEqual(ExactDecimal.parse("1.2345", maximumDecimals: 3), .failure(.tooManyDecimals(allowed: 3)))
        XCTAssertEqual(ExactDecimal.parse("1e5", maximumDecimals: 3), .failure(.notANumber))
        XCTAssertEqual(ExactDecimal.parse(".5", maximumDecimals: 3), .failure(.notANumber))
        XCTAssertEqual(ExactDecimal.parse("5.", maximumDecimals: 3), .failure(.notANumber))
        XCTAssertEqual(ExactDecimal.parse("1,5", maximumDecimals: 3), .failure(.notANumber))
        XCTAssertEqual(ExactDecimal.parse("1234567890123456789", maximumDecimals: 3), .failure(.outOfRange))
    }

    func testDecimalOverflowIsReported() {
        let large = ExactDecimal(mantissa: Int128(Int64.max) * 1_000_000_000, scale: 0)
        XCTAssertNil(large.multiplied(by: large))
        XCTAssertNil(ExactDecimal(mantissa: Int128(Int64.max), scale: 0).roundedMinorUnits(decimals: 2))
        XCTAssertThrowsError(try QuoteCalculator.lineNet(quantity: decimal("999999999999999999"),
                                                         unitPrice: decimal("999999999999999999"),
                                                         discount: .zero, currency: .euro))
    }

    // MARK: Totals

    /// Every case of the fixtures, through the calculator and through stored quotes.
    func testFixtureTotalsAreExact() throws {
        let lines = try csvRows("quote_lines_vat.csv")
        let expected = try csvRows("quote_totals_expected.csv")
        XCTAssertEqual(expected.count, 6)
        let test = try TestDatabase()
        _ = try VATRates.add(test.context(as: "admin"), rate: "22")
        for row in expected {
            let id = row["quote_id"]!
            let currency = try XCTUnwrap(Currency(code: row["currency"]!))
            let quoteLines = lines.filter { $0["quote_id"] == id }
            var nets: [(net: Int64, vatRate: ExactDecimal)] = []
            for line in quoteLines {
                let net = try QuoteCalculator.lineNet(quantity: decimal(line["qty"]!),
                                                      unitPrice: decimal(line["unit_price_ht"]!),
                                                      discount: decimal(line["line_discount_pct"]!), currency: currency)
                XCTAssertEqual(Money(minor: net, currency: currency).decimalString, line["line_total_ht"], "\(id) line")
                nets.append((net, decimal(line["vat_rate_pct"]!)))
            }
            let globalDiscount = decimal(quoteLines[0]["global_discount_pct"]!)
            let totals = try QuoteCalculator.totals(lines: nets, globalDiscount: globalDiscount, currency: currency)
            let money = { (minor: Int64) in Money(minor: minor, currency: currency).decimalString }
            XCTAssertEqual(money(totals.excludingTax), row["total_ht"], id)
            XCTAssertEqual(money(totals.tax), row["total_vat_per_rate"], id)
            XCTAssertEqual(money(totals.includingTax), row["total_ttc_per_rate"], id)
            let detail = totals.vat.map { "\($0.rate)%: base \(money($0.base)) vat \(money($0.tax))" }
                .joined(separator: " / ")
            XCTAssertEqual(detail, row["vat_detail_per_rate"], id)

            // The same quote built through the workflow gives the same stored totals.
            let account = try addAccount(test, currency: currency.code)
            let quote = try Quotes.create(test.context(as: "alice"), accountId: account)
            for line in quoteLines {
                _ = try Quotes.addLine(test.context(as: "alice"), key: quote.reference, QuoteLineChange(
                    description: line["description"], quantity: line["qty"], unitPrice: line["unit_price_ht"],
                    discount: line["line_discount_pct"], vatRate: line["vat_rate_pct"]))
            }
            let stored = try Quotes.setDiscount(test.context(as: "alice"), key: quote.reference,
                                                percent: quoteLines[0]["global_discount_pct"]!)
            XCTAssertEqual(money(stored.totalExcludingTax), row["total_ht"], id)
            XCTAssertEqual(money(stored.totalTax), row["total_vat_per_rate"], id)
            XCTAssertEqual(money(stored.totalIncludingTax), row["total_ttc_per_rate"], id)
            XCTAssertEqual(try stored.totals(), totals, id)
        }
    }

    func testNegativeRebateLineRoundsAwayFromZero() throws {
        let net = try QuoteCalculator.lineNet(quantity: decimal("1"), unitPrice: decimal("-0.125"), discount: .zero,
                                              currency: .euro)
        XCTAssertEqual(net, -13)
    }

    // MARK: Input checks

    func testBadLineValuesNameTheField() throws {
        let test = try TestDatabase()
        let quote = try draftWithLine(test)
        let alice = test.context(as: "alice")
        func add(_ change: QuoteLineChange) throws -> Quote { try Quotes.addLine(alice, key: quote.reference, change) }
        let base = QuoteLineChange(description: "Conseil", quantity: "1", unitPrice: "10", vatRate: "20")
        var change = base
        change.quantity = "-2"
        XCTAssertCRMError(try add(change), kind: .invalid, "invalid --qty '-2': the quantity must be greater than 0")
        change = base
        change.quantity = "1.2345"
        XCTAssertCRMError(try add(change), kind: .invalid, "invalid --qty '1.2345': use at most 3 decimals")
        change = base
        change.discount = "100.5"
        XCTAssertCRMError(try add(change), kind: .invalid, "invalid --discount '100.5': a percent must be from 0 to 100")
        change = base
        change.unitPrice = "1.23456"
        XCTAssertCRMError(try add(change), kind: .invalid, "invalid --unit-price '1.23456': use at most 4 decimals")
        change = base
        change.vatRate = "7"
        XCTAssertCRMError(try add(change), kind: .invalid,
                          "invalid --vat '7': 7% is not a managed VAT rate (managed: 20, 10, 8.5, 5.5, 2.1, 0); "
                          + "an admin adds it with `crm vat add 7`")
        change = base
        change.description = "   "
        XCTAssertCRMError(try add(change), kind: .invalid, "invalid --description: it must not be empty")
        XCTAssertEqual(try Quotes.get(alice, key: quote.reference).lines.count, 1)
    }

    func testCopyNeedsCurrencyWhenAccountChanged() throws {
        let test = try TestDatabase()
        let quote = try draftWithLine(test)
        try Accounts.edit(test.context(as: "admin"), id: quote.accountId, fields: [.currency: "USD"])
        XCTAssertCRMError(try Quotes.copy(test.context(as: "alice"), key: quote.reference), kind: .invalid,
                          "quote DRAFT-000001 is in EUR but account 1 now uses USD; choose the copy's currency with "
                          + "--currency USD or --currency EUR")
        let copy = try Quotes.copy(test.context(as: "alice"), key: quote.reference, currency: "USD")
        XCTAssertEqual(copy.currency.code, "USD")
        XCTAssertEqual(copy.copiedFrom, quote.id)
        XCTAssertEqual(copy.totalExcludingTax, 82_500)
    }

    func testRepCannotQuoteAnotherRepsAccount() throws {
        let test = try TestDatabase()
        let account = try addAccount(test, owner: "alice")
        XCTAssertCRMError(try Quotes.create(test.context(as: "bob"), accountId: account), kind: .notFound,
                          "account 1 not found (or not yours to see); see `crm account list`")
        XCTAssertCRMError(try Quotes.create(test.context(as: "carl"), accountId: account), kind: .permission,
                          "permission denied: to create a quote you need the sales or manager or admin role "
                          + "(carl is accounting)")
        let quote = try Quotes.create(test.context(as: "admin"), accountId: account)
        XCTAssertCRMError(try Quotes.get(test.context(as: "bob"), key: quote.reference), kind: .notFound,
                          "quote 'DRAFT-000001' not found (or not yours to see); name it by its id, its DRAFT- "
                          + "reference or its number, as `crm quote list` shows")
    }

    // MARK: Numbering and lifecycle

    func testSendNumbersFreezesAndFires() throws {
        let test = try TestDatabase()
        let first = try draftWithLine(test)
        let sent = try Quotes.send(test.context(as: "alice"), key: first.reference)
        XCTAssertEqual(sent.number, "Q-2026-00001")
        XCTAssertEqual(sent.status, .sent)
        XCTAssertEqual(sent.issueDate?.description, "2026-03-02")
        XCTAssertEqual(sent.validUntil?.description, "2026-04-01")
        XCTAssertEqual(test.host.fired.map(\.0).filter { $0.hasPrefix("onQuote") }, ["onQuoteCreated", "onQuoteSent"])
        XCTAssertEqual(test.host.fired.last?.1["number"], .string("Q-2026-00001"))
        XCTAssertCRMError(try Quotes.addLine(test.context(as: "alice"), key: "Q-2026-00001", QuoteLineChange(
            description: "X", quantity: "1", unitPrice: "1", vatRate: "20")), kind: .conflict,
            "quote Q-2026-00001 is sent and can no longer change; copy it with `crm quote copy Q-2026-00001` "
            + "and change the copy")
        XCTAssertEqual(try Quotes.get(test.context(as: "alice"), key: "1").number, "Q-2026-00001")
        let second = try Quotes.copy(test.context(as: "alice"), key: "Q-2026-00001")
        XCTAssertEqual(try Quotes.send(test.context(as: "alice"), key: String(second.id)).number, "Q-2026-00002")
        XCTAssertEqual(try test.database.scalar("SELECT next_value FROM sequences WHERE name = 'quote-2026'"), .integer(3))
    }

    func testFailedSendGivesTheNumberBack() throws {
        let test = try TestDatabase()
        let quote = try draftWithLine(test)
        test.host.failOn = "onQuoteSent"
        XCTAssertCRMError(try Quotes.send(test.context(as: "alice"), key: quote.reference), kind: .plugin,
                          "plugin test (test.lua:1): forced failure")
        XCTAssertEqual(try Quotes.get(test.context(as: "alice"), key: quote.reference).status, .draft)
        XCTAssertEqual(try Sequences.peek(test.database, name: "quote-2026"), 1)
        test.host.failOn = nil
        XCTAssertEqual(try Quotes.send(test.context(as: "alice"), key: quote.reference).number, "Q-2026-00001")
    }

    func testRuleNumberIsCheckedAndNamesThePlugin() throws {
        let test = try TestDatabase()
        let quote = try draftWithLine(test)
        let longNumber = String(repeating: "A", count: 41)
        let host = NumberingHost(numbers: [.string(""), .string(longNumber), .string("Q\n1"), .integer(7),
                                           .string("ACME-2026-1")])
        let context = numberingContext(test, host)
        let prefix = "plugin acme-numbers (acme/numbers.lua:4): "
        XCTAssertCRMError(try Quotes.send(context, key: quote.reference), kind: .plugin,
                          prefix + "quoteNumber returned an invalid quote number: it is empty")
        XCTAssertCRMError(try Quotes.send(context, key: quote.reference), kind: .plugin,
                          prefix + "quoteNumber returned an invalid quote number: it is 41 characters long; the maximum is 40")
        XCTAssertCRMError(try Quotes.send(context, key: quote.reference), kind: .plugin,
                          prefix + "quoteNumber returned an invalid quote number: 'Q\\n1' contains a control character")
        XCTAssertCRMError(try Quotes.send(context, key: quote.reference), kind: .plugin,
                          prefix + "quoteNumber returned a value of type integer; it must return the quote number as a string")
        XCTAssertEqual(try Quotes.send(context, key: quote.reference).number, "ACME-2026-1")
        XCTAssertEqual(try test.count("decisions"), 1)

        let copy = try Quotes.copy(test.context(as: "alice"), key: "ACME-2026-1")
        host.numbers = [.string("ACME-2026-1")]
        XCTAssertCRMError(try Quotes.send(context, key: copy.reference), kind: .plugin,
                          prefix + "quoteNumber returned 'ACME-2026-1', which quote 1 already has; a quote number "
                          + "must be unique, so check the rule's format and sequence")
        XCTAssertEqual(try Sequences.peek(test.database, name: "quote-2026"), 2)
    }

    func testAcceptDeclineAndExpiry() throws {
        let test = try TestDatabase()
        let quote = try draftWithLine(test)
        XCTAssertCRMError(try Quotes.accept(test.context(as: "alice"), key: quote.reference), kind: .conflict,
                          "quote DRAFT-000001 is a draft and cannot be accepted before it is sent; send it with "
                          + "`crm quote send DRAFT-000001`")
        _ = try Quotes.send(test.context(as: "alice"), key: quote.reference)
        let accepted = try Quotes.accept(test.context(as: "alice"), key: "Q-2026-00001")
        XCTAssertEqual(accepted.status, .accepted)
        XCTAssertCRMError(try Quotes.decline(test.context(as: "alice"), key: "Q-2026-00001", reason: "Too dear"),
                          kind: .conflict, "quote Q-2026-00001 is already accepted")

        let second = try Quotes.copy(test.context(as: "alice"), key: "Q-2026-00001")
        _ = try Quotes.send(test.context(as: "alice"), key: second.reference)
        let declined = try Quotes.decline(test.context(as: "alice"), key: "Q-2026-00002", reason: " Budget cut ")
        XCTAssertEqual(declined.declineReason, "Budget cut")
        XCTAssertEqual(test.host.fired.last?.1["reason"], .string("Budget cut"))

        let third = try Quotes.copy(test.context(as: "alice"), key: "Q-2026-00001")
        _ = try Quotes.send(test.context(as: "alice"), key: third.reference)
        let later = Clock.fixed(today: CivilDate(year: 2026, month: 4, day: 2)!)
        let lateContext = CRMContext(database: test.database, clock: later,
                                     actor: try Users.find(test.database, name: "alice")!, command: "quote accept")
        XCTAssertCRMError(try Quotes.accept(lateContext, key: "Q-2026-00003"), kind: .conflict,
                          "quote Q-2026-00003 was valid until 2026-04-01 and can no longer be accepted; copy it "
                          + "with `crm quote copy Q-2026-00003` and send the copy")
        XCTAssertEqual(try Quotes.expire(test.context(as: "alice")).count, 0)
        let expired = try Quotes.expire(lateContext)
        XCTAssertEqual(expired.map(\.label), ["Q-2026-00003"])
        XCTAssertEqual(expired.first?.status, .expired)
        XCTAssertEqual(try Quotes.expire(lateContext).count, 0)
    }

    func testValiditySettingIsChecked() throws {
        let test = try TestDatabase()
        let quote = try draftWithLine(test)
        try Settings.set(test.context(as: "admin"), key: "quote.validityDays", value: .integer(45))
        XCTAssertEqual(try Quotes.send(test.context(as: "alice"), key: quote.reference).validUntil?.description,
                       "2026-04-16")
        XCTAssertCRMError(try Settings.set(test.context(as: "admin"), key: "quote.validityDays", value: .string("soon")),
                          kind: .invalid, "invalid value for quote.validityDays: expected a whole number of days from "
                          + "1 to 3650, such as 30")
        // A value stored before the check existed is still reported where it is read.
        try test.database.query("UPDATE settings SET value = '\"soon\"' WHERE key = 'quote.validityDays'")
        let copy = try Quotes.copy(test.context(as: "alice"), key: quote.reference)
        XCTAssertCRMError(try Quotes.send(test.context(as: "alice"), key: copy.reference), kind: .invalid,
                          "the setting quote.validityDays must be a whole number of days from 1 to 3650; fix it "
                          + "with `crm setting set quote.validityDays 30`")
    }

    func testLineEditAndRemoveRenumber() throws {
        let test = try TestDatabase()
        let quote = try draftWithLine(test)
        let alice = test.context(as: "alice")
        _ = try Quotes.addLine(alice, key: quote.reference, QuoteLineChange(
            description: "Formation", quantity: "3", unitPrice: "99.99", discount: "5", vatRate: "10"))
        _ = try Quotes.addLine(alice, key: quote.reference, QuoteLineChange(
            description: "Livre", quantity: "1", unit: "pièce", unitPrice: "20", vatRate: "5.5"))
        let edited = try Quotes.editLine(alice, key: quote.reference, line: 3, QuoteLineChange(quantity: "2"))
        XCTAssertEqual(edited.lines[2].net, 4_000)
        XCTAssertEqual(edited.lines[2].unit, "pièce")
        let removed = try Quotes.removeLine(alice, key: quote.reference, line: 1)
        XCTAssertEqual(removed.lines.map(\.position), [1, 2])
        XCTAssertEqual(removed.lines.map(\.description), ["Formation", "Livre"])
        XCTAssertEqual(removed.totalExcludingTax, 28_497 + 4_000)
        XCTAssertCRMError(try Quotes.removeLine(alice, key: quote.reference, line: 3), kind: .notFound,
                          "quote DRAFT-000001 has no line 3; its lines are 1 to 2")
        XCTAssertCRMError(try VATRates.remove(test.context(as: "admin"), rate: "5.5"), kind: .conflict,
                          "the VAT rate 5.5% is used by the draft quotes DRAFT-000001; change their lines first")
    }

    // MARK: Documents

    func testFrenchFormatting() {
        XCTAssertEqual(FrenchFormat.money(652_781, .euro), "6\u{202F}527,81\u{00A0}€")
        XCTAssertEqual(FrenchFormat.money(-41_214, .euro), "-412,14\u{00A0}€")
        XCTAssertEqual(FrenchFormat.money(1_240, Currency(code: "JPY")!), "1\u{202F}240\u{00A0}JPY")
        XCTAssertEqual(FrenchFormat.money(30_375, Currency(code: "KWD")!), "30,375\u{00A0}KWD")
        XCTAssertEqual(FrenchFormat.money(123_456_789_00, .euro), "123\u{202F}456\u{202F}789,00\u{00A0}€")
        XCTAssertEqual(FrenchFormat.price(decimal("0.1234"), .euro), "0,1234\u{00A0}€")
        XCTAssertEqual(FrenchFormat.percent(decimal("5.5")), "5,5\u{202F}%")
        XCTAssertEqual(FrenchFormat.date(CivilDate(year: 2026, month: 3, day: 2)!), "02/03/2026")
    }

    func testHTMLIsEscapedAndComplete() throws {
        let test = try TestDatabase()
        let account = try Accounts.add(test.context(as: "admin"), legalName: "<Dupont & Fils>",
                                       fields: [.owner: "alice", .street: "1 rue de l'Œuvre", .postalCode: "75011",
                                                .city: "Paris"])
        try Settings.set(test.context(as: "admin"), key: "company.legalName", value: .string("Lumière \"SAS\""))
        let quote = try Quotes.create(test.context(as: "alice"), accountId: account.id)
        _ = try Quotes.addLine(test.context(as: "alice"), key: quote.reference, QuoteLineChange(
            description: "Main-d'œuvre <b>", quantity: "16", unitPrice: "348.35", discount: "4", vatRate: "20"))
        let html = QuoteHTML.render(try QuoteDocument.build(test.context(as: "alice"), key: quote.reference))
        XCTAssertTrue(html.contains("<strong>&lt;Dupont &amp; Fils&gt;</strong>"))
        XCTAssertTrue(html.contains("Lumière &quot;SAS&quot;"))
        XCTAssertTrue(html.contains("Main-d&#39;œuvre &lt;b&gt;"))
        XCTAssertTrue(html.contains("1 rue de l&#39;Œuvre<br>"))
        XCTAssertTrue(html.contains("<td class=\"amount\">5\u{202F}350,66\u{00A0}€</td>"))
        XCTAssertTrue(html.contains("<tr><td>Total TTC</td><td class=\"amount\">6\u{202F}420,79\u{00A0}€</td></tr>"))
        XCTAssertTrue(html.contains("Devis provisoire N° DRAFT-000001"))
        XCTAssertTrue(html.contains("Valable jusqu’au : 01/04/2026"))
        XCTAssertTrue(html.contains("<strong>Bon pour accord</strong>"))
        XCTAssertFalse(html.contains("<b>"))
    }
}
