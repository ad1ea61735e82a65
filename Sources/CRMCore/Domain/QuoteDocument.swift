/// French number, money and date formatting for customer documents:
/// `6 527,81 €` with a narrow no-break space (U+202F) between thousands,
/// a comma before decimals and a no-break space (U+00A0) before the symbol.
public enum FrenchFormat {
    public static let thousandsSeparator = "\u{202F}"
    public static let symbolSeparator = "\u{00A0}"

    /// Digits of a non-negative integer, grouped by three.
    static func grouped(_ digits: String) -> String {
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result += thousandsSeparator }
            result.append(digit)
        }
        return result
    }

    /// A decimal with at least `minimumDecimals` digits after the comma.
    public static func number(_ value: ExactDecimal, minimumDecimals: Int = 0) -> String {
        let plain = value.description
        let negative = plain.hasPrefix("-")
        let body = negative ? String(plain.dropFirst()) : plain
        let parts = body.split(separator: ".", maxSplits: 1)
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        if fraction.count < minimumDecimals { fraction += String(repeating: "0", count: minimumDecimals - fraction.count) }
        return (negative ? "-" : "") + grouped(String(parts[0])) + (fraction.isEmpty ? "" : "," + fraction)
    }

    public static func symbol(_ currency: Currency) -> String {
        switch currency.code {
        case "EUR": return "€"
        case "GBP": return "£"
        default: return currency.code
        }
    }

    /// An amount in minor units with its currency: `6 527,81 €`, `1 240 JPY`.
    public static func money(_ minor: Int64, _ currency: Currency) -> String {
        number(ExactDecimal.minorUnits(minor, exponent: currency.exponent), minimumDecimals: currency.exponent)
            + symbolSeparator + symbol(currency)
    }

    /// A unit price: the currency's decimals, or more when the price has them.
    public static func price(_ value: ExactDecimal, _ currency: Currency) -> String {
        number(value, minimumDecimals: currency.exponent) + symbolSeparator + symbol(currency)
    }

    public static func percent(_ value: ExactDecimal) -> String {
        number(value) + thousandsSeparator + "%"
    }

    /// `02/03/2026`.
    public static func date(_ date: CivilDate) -> String {
        let text = date.description
        return "\(text.suffix(2))/\(text.dropFirst(5).prefix(2))/\(text.prefix(4))"
    }
}

/// Everything a rendered quote shows, already formatted in French. The PDF
/// and HTML renderers only lay it out, so both show the same content.
public struct QuoteDocument: Sendable {
    public struct Line: Sendable {
        public let position: String
        public let description: String
        public let quantity: String
        public let unit: String
        public let unitPrice: String
        public let discount: String
        public let vatRate: String
        public let net: String
    }

    public struct VATRow: Sendable {
        public let rate: String
        public let base: String
        public let tax: String
    }

    /// `Devis` or `Devis provisoire`.
    public let title: String
    /// `N° Q-2026-00001` or the provisional reference.
    public let number: String
    public let date: String
    public let validUntil: String
    /// Seller name, then the lines under it.
    public let sellerName: String
    public let sellerLines: [String]
    public let customerName: String
    public let customerLines: [String]
    public let lines: [Line]
    /// Sum of the line nets and the global discount, when there is one.
    public let subtotalBeforeDiscount: String?
    public let globalDiscount: (label: String, amount: String)?
    public let vat: [VATRow]
    public let totalExcludingTax: String
    public let totalTax: String
    public let totalIncludingTax: String
    public let paymentTerm: String?
    public let paymentMethod: String?

    public static let lineHeaders = ["N°", "Désignation", "Qté", "Unité", "P.U. HT", "Remise", "TVA", "Montant HT"]
    public static let vatHeaders = ["Taux de TVA", "Base HT", "Montant TVA"]
    public static let acceptanceTitle = "Bon pour accord"
    public static let acceptanceNote = "Date, cachet et signature du client, précédés de la mention manuscrite "
        + "« Bon pour accord »"
    public static let acceptanceFields = ["Date :", "Signature :"]

    /// Builds the document of a quote the actor may see. A draft shows the
    /// date of today and the validity it would get if sent today.
    public static func build(_ context: CRMContext, key: String) throws(CRMError) -> QuoteDocument {
        let quote = try Quotes.get(context, key: key)
        let parties = try QuoteParties.of(quote, database: context.database)
        let issueDate = quote.issueDate ?? context.clock.today
        var validUntil = quote.validUntil
        if validUntil == nil {
            validUntil = issueDate.adding(days: Int(try Quotes.validityDays(context.database)))
        }
        return try QuoteDocument(quote: quote, parties: parties, issueDate: issueDate, validUntil: validUntil!)
    }

    init(quote: Quote, parties: QuoteParties, issueDate: CivilDate, validUntil: CivilDate) throws(CRMError) {
        let currency = quote.currency
        let totals = try quote.totals()
        title = quote.status == .draft ? "Devis provisoire" : "Devis"
        number = "N° " + quote.label
        date = FrenchFormat.date(issueDate)
        self.validUntil = FrenchFormat.date(validUntil)
        sellerName = parties.sellerLegalName ?? "Raison sociale non renseignée"
        sellerLines = QuoteDocument.sellerLines(parties)
        customerName = parties.customerLegalName
        customerLines = QuoteDocument.customerLines(parties)
        lines = quote.lines.map { line in
            Line(position: String(line.position), description: line.description,
                 quantity: FrenchFormat.number(line.quantity), unit: line.unit ?? "",
                 unitPrice: FrenchFormat.price(line.unitPrice, currency),
                 discount: line.discount.isZero ? "" : FrenchFormat.percent(line.discount),
                 vatRate: FrenchFormat.percent(line.vatRate), net: FrenchFormat.money(line.net, currency))
        }
        if quote.globalDiscount.isZero {
            subtotalBeforeDiscount = nil
            globalDiscount = nil
        } else {
            let sum = quote.lines.reduce(Int64(0)) { $0 + $1.net }
            subtotalBeforeDiscount = FrenchFormat.money(sum, currency)
            globalDiscount = ("Remise globale " + FrenchFormat.percent(quote.globalDiscount),
                              FrenchFormat.money(totals.excludingTax - sum, currency))
        }
        vat = totals.vat.map {
            VATRow(rate: FrenchFormat.percent($0.rate), base: FrenchFormat.money($0.base, currency),
                   tax: FrenchFormat.money($0.tax, currency))
        }
        totalExcludingTax = FrenchFormat.money(totals.excludingTax, currency)
        totalTax = FrenchFormat.money(totals.tax, currency)
        totalIncludingTax = FrenchFormat.money(totals.includingTax, currency)
        paymentTerm = parties.paymentTerm
        paymentMethod = parties.paymentMethod
    }

    static func sellerLines(_ parties: QuoteParties) -> [String] {
        var result: [String] = []
        let capital = parties.sellerCapital.map { (text: String) -> String in
            if case let .success(value) = ExactDecimal.parse(text, maximumDecimals: 2) {
                return FrenchFormat.price(value, .euro)
            }
            return text
        }
        switch (parties.sellerLegalForm, capital) {
        case let (form?, capital?): result.append("\(form) au capital de \(capital)")
        case let (form?, nil): result.append(form)
        case let (nil, capital?): result.append("Capital social : \(capital)")
        case (nil, nil): break
        }
        if let address = parties.sellerAddress {
            result += address.split(separator: "\n").map(String.init)
        }
        if let siret = parties.sellerSIRET { result.append("SIRET : \(siret)") }
        if let city = parties.sellerRCSCity {
            let siren = parties.sellerSIRET.map { " " + String($0.filter(\.isNumber).prefix(9)) } ?? ""
            result.append("RCS \(city)\(siren)")
        }
        if let vat = parties.sellerVATNumber { result.append("N° TVA intracommunautaire : \(vat)") }
        return result
    }

    static func customerLines(_ parties: QuoteParties) -> [String] {
        var result: [String] = []
        if let street = parties.customerStreet { result += street.split(separator: "\n").map(String.init) }
        let town = [parties.customerPostalCode, parties.customerCity].compactMap { $0 }.joined(separator: " ")
        if !town.isEmpty { result.append(town) }
        if parties.customerCountry != "FR" { result.append(parties.customerCountry) }
        if let siret = parties.customerSIRET { result.append("SIRET : \(siret)") }
        if let vat = parties.customerVATNumber { result.append("N° TVA : \(vat)") }
        return result
    }
}
