/// One line of a quote. Quantities, prices and percents are exact decimals;
/// `net` is the line's rounded net amount in minor units.
public struct QuoteLine: Equatable, Sendable {
    /// 1-based position on the quote; lines are renumbered when one is removed.
    public let position: Int
    public let description: String
    public let quantity: ExactDecimal
    public let unit: String?
    public let unitPrice: ExactDecimal
    /// Line discount in percent, 0 to 100.
    public let discount: ExactDecimal
    /// VAT rate in percent.
    public let vatRate: ExactDecimal
    public let net: Int64

    func jsonValue(currency: Currency) -> Value {
        var object = ObjectBuilder()
        object.set("line", Int64(position))
        object.set("description", description)
        object.set("quantity", quantity.description)
        object.set("unit", unit)
        object.set("unitPrice", unitPrice.description)
        object.set("discount", discount.description)
        object.set("vatRate", vatRate.description)
        object.set("net", Money(minor: net, currency: currency).jsonValue)
        return object.value
    }
}

/// A quote ("devis"): a draft with a provisional reference until it is
/// sent, then a numbered, frozen document that is accepted, declined or
/// expires.
public struct Quote: Equatable, Sendable {
    public enum Status: String, CaseIterable, Sendable {
        case draft, sent, accepted, declined, expired
    }

    public let id: Int64
    public let accountId: Int64
    public let opportunityId: Int64?
    /// The final number, set when the quote is sent.
    public let number: String?
    public let status: Status
    public let currency: Currency
    /// Global discount in percent, applied to each VAT rate's base.
    public let globalDiscount: ExactDecimal
    public let totalExcludingTax: Int64
    public let totalTax: Int64
    public let totalIncludingTax: Int64
    /// The send date.
    public let issueDate: CivilDate?
    /// The last day on which the quote can be accepted.
    public let validUntil: CivilDate?
    /// Seller and customer identities frozen at send time, as JSON.
    let parties: Value?
    public let declineReason: String?
    public let copiedFrom: Int64?
    public let createdBy: String
    public let createdAt: String
    public let updatedAt: String
    public let closedAt: String?
    public var lines: [QuoteLine] = []

    /// The provisional reference, `DRAFT-000042`; it stays valid after sending.
    public var reference: String { Quote.reference(id: id) }

    /// The number once sent, otherwise the provisional reference.
    public var label: String { number ?? reference }

    public static func reference(id: Int64) -> String {
        let digits = String(id)
        return "DRAFT-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    static let select = """
        SELECT q.id, q.account_id, q.opportunity_id, q.number, q.status, q.currency, q.global_discount,
               q.total_excluding_tax, q.total_tax, q.total_including_tax, q.issue_date, q.valid_until, q.parties,
               q.decline_reason, q.copied_from, u.name, q.created_at, q.updated_at, q.closed_at
        FROM quotes q JOIN users u ON u.id = q.created_by JOIN accounts a ON a.id = q.account_id
        """

    init(row: Row) {
        id = row.int(0)!
        accountId = row.int(1)!
        opportunityId = row.int(2)
        number = row.string(3)
        status = Status(rawValue: row.string(4)!) ?? .draft
        currency = Currency(code: row.string(5)!) ?? .euro
        globalDiscount = Quote.storedDecimal(row.string(6))
        totalExcludingTax = row.int(7)!
        totalTax = row.int(8)!
        totalIncludingTax = row.int(9)!
        issueDate = row.string(10).flatMap { CivilDate(parsing: $0) }
        validUntil = row.string(11).flatMap { CivilDate(parsing: $0) }
        parties = row.string(12).flatMap { try? JSON.decode($0) }
        declineReason = row.string(13)
        copiedFrom = row.int(14)
        createdBy = row.string(15)!
        createdAt = row.string(16)!
        updatedAt = row.string(17)!
        closedAt = row.string(18)
    }

    /// Reads a decimal the core stored itself; a damaged value traps,
    /// because nothing but this code writes these columns.
    static func storedDecimal(_ text: String?) -> ExactDecimal {
        guard let text, case let .success(value) = ExactDecimal.parse(text, maximumDecimals: 10) else {
            preconditionFailure("a quote column holds an invalid decimal")
        }
        return value
    }

    /// Recomputes the VAT breakdown from the lines.
    public func totals() throws(CRMError) -> QuoteTotals {
        try QuoteCalculator.totals(lines: lines.map { ($0.net, $0.vatRate) }, globalDiscount: globalDiscount,
                                   currency: currency)
    }

    /// The quote as event hooks and rules receive it: money as minor units.
    public var pluginValue: Value {
        var object = ObjectBuilder()
        object.set("id", id)
        object.set("accountId", accountId)
        object.set("opportunityId", opportunityId)
        object.set("reference", reference)
        object.set("number", number)
        object.set("status", status.rawValue)
        object.set("totalExcludingTax", totalExcludingTax)
        object.set("totalTax", totalTax)
        object.set("totalIncludingTax", totalIncludingTax)
        object.set("currency", currency.code)
        object.set("issueDate", issueDate?.description)
        object.set("validUntil", validUntil?.description)
        return object.value
    }

    /// The quote as `--json` prints it, with lines, VAT per rate and totals.
    public func jsonValue() throws(CRMError) -> Value {
        let totals = try totals()
        let money = { (minor: Int64) in Money(minor: minor, currency: currency).jsonValue }
        var object = ObjectBuilder()
        object.set("id", id)
        object.set("reference", reference)
        object.set("number", number)
        object.set("status", status.rawValue)
        object.set("accountId", accountId)
        object.set("opportunityId", opportunityId)
        object.set("currency", currency.code)
        object.set("globalDiscount", globalDiscount.description)
        object.set("issueDate", issueDate?.description)
        object.set("validUntil", validUntil?.description)
        object.set("lines", .array(lines.map { $0.jsonValue(currency: currency) }))
        object.set("vat", .array(totals.vat.map {
            .object([("rate", .string($0.rate.description)), ("base", money($0.base)), ("tax", money($0.tax))])
        }))
        object.set("totalExcludingTax", money(totals.excludingTax))
        object.set("totalTax", money(totals.tax))
        object.set("totalIncludingTax", money(totals.includingTax))
        object.set("declineReason", declineReason)
        object.set("copiedFrom", copiedFrom)
        object.set("createdBy", createdBy)
        object.set("createdAt", createdAt)
        object.set("updatedAt", updatedAt)
        object.set("closedAt", closedAt)
        return object.value
    }
}

/// What `crm quote line add` and `line edit` set; nil leaves a field as it is.
public struct QuoteLineChange: Sendable {
    public var description: String?
    public var quantity: String?
    public var unit: String?
    public var unitPrice: String?
    public var discount: String?
    public var vatRate: String?

    public init(description: String? = nil, quantity: String? = nil, unit: String? = nil, unitPrice: String? = nil,
                discount: String? = nil, vatRate: String? = nil) {
        self.description = description
        self.quantity = quantity
        self.unit = unit
        self.unitPrice = unitPrice
        self.discount = discount
        self.vatRate = vatRate
    }

    public var isEmpty: Bool {
        description == nil && quantity == nil && unit == nil && unitPrice == nil && discount == nil && vatRate == nil
    }
}
