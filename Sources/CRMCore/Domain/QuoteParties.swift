/// The seller and customer identities printed on a quote. A sent quote
/// keeps the copy taken when it was sent, so later edits of the account or
/// of the company settings do not change a document the customer has.
public struct QuoteParties: Equatable, Sendable {
    /// Settings that describe the seller, in the order the document prints them.
    public static let sellerSettings = [
        "company.legalName", "company.legalForm", "company.capital", "company.address", "company.siret",
        "company.rcsCity", "company.vatNumber",
    ]

    public var sellerLegalName: String?
    public var sellerLegalForm: String?
    /// Share capital in major units of the euro, as typed in the setting.
    public var sellerCapital: String?
    /// Address lines separated by line breaks.
    public var sellerAddress: String?
    public var sellerSIRET: String?
    public var sellerRCSCity: String?
    public var sellerVATNumber: String?

    public var customerLegalName: String
    public var customerStreet: String?
    public var customerPostalCode: String?
    public var customerCity: String?
    public var customerCountry: String
    public var customerSIRET: String?
    public var customerVATNumber: String?
    /// French labels of the account's payment term and method, such as
    /// "30 jours fin de mois"; the code itself when it has no label.
    public var paymentTerm: String?
    public var paymentMethod: String?

    /// The parties as they are now: company settings and the account.
    static func current(_ database: Database, account: Account) throws(CRMError) -> QuoteParties {
        func setting(_ key: String) throws(CRMError) -> String? {
            switch try Settings.get(database, key: key) {
            case let .string(text)?: return text.isEmpty ? nil : text
            case let .integer(number)?: return String(number)
            default: return nil
            }
        }
        return QuoteParties(
            sellerLegalName: try setting("company.legalName"), sellerLegalForm: try setting("company.legalForm"),
            sellerCapital: try setting("company.capital"), sellerAddress: try setting("company.address"),
            sellerSIRET: try setting("company.siret"), sellerRCSCity: try setting("company.rcsCity"),
            sellerVATNumber: try setting("company.vatNumber"),
            customerLegalName: account.legalName, customerStreet: account.street,
            customerPostalCode: account.postalCode, customerCity: account.city, customerCountry: account.country,
            customerSIRET: account.siret, customerVATNumber: account.vatNumber,
            paymentTerm: try account.paymentTerm.map { (code) throws(CRMError) in
                try PaymentTerms.find(database, code: code)?.frenchLabel ?? code
            },
            paymentMethod: account.paymentMethod.map { PaymentMethod(rawValue: $0)?.frenchLabel ?? $0 })
    }

    /// The parties of a quote: the copy frozen at send time, or the current
    /// ones for a draft.
    static func of(_ quote: Quote, database: Database) throws(CRMError) -> QuoteParties {
        if let stored = quote.parties, let parties = QuoteParties(value: stored) { return parties }
        guard let account = try Accounts.load(database, id: quote.accountId) else {
            throw CRMError(.database, "quote \(quote.id) refers to account \(quote.accountId), which does not exist; "
                                     + "restore the database from a backup")
        }
        return try current(database, account: account)
    }

    private var fields: [(String, String?)] {
        [("sellerLegalName", sellerLegalName), ("sellerLegalForm", sellerLegalForm), ("sellerCapital", sellerCapital),
         ("sellerAddress", sellerAddress), ("sellerSIRET", sellerSIRET), ("sellerRCSCity", sellerRCSCity),
         ("sellerVATNumber", sellerVATNumber), ("customerLegalName", customerLegalName),
         ("customerStreet", customerStreet), ("customerPostalCode", customerPostalCode),
         ("customerCity", customerCity), ("customerCountry", customerCountry), ("customerSIRET", customerSIRET),
         ("customerVATNumber", customerVATNumber), ("paymentTerm", paymentTerm), ("paymentMethod", paymentMethod)]
    }

    var value: Value {
        .object(fields.map { ($0.0, $0.1.map(Value.string) ?? .null) })
    }

    init(sellerLegalName: String?, sellerLegalForm: String?, sellerCapital: String?, sellerAddress: String?,
         sellerSIRET: String?, sellerRCSCity: String?, sellerVATNumber: String?, customerLegalName: String,
         customerStreet: String?, customerPostalCode: String?, customerCity: String?, customerCountry: String,
         customerSIRET: String?, customerVATNumber: String?, paymentTerm: String?, paymentMethod: String?) {
        self.sellerLegalName = sellerLegalName
        self.sellerLegalForm = sellerLegalForm
        self.sellerCapital = sellerCapital
        self.sellerAddress = sellerAddress
        self.sellerSIRET = sellerSIRET
        self.sellerRCSCity = sellerRCSCity
        self.sellerVATNumber = sellerVATNumber
        self.customerLegalName = customerLegalName
        self.customerStreet = customerStreet
        self.customerPostalCode = customerPostalCode
        self.customerCity = customerCity
        self.customerCountry = customerCountry
        self.customerSIRET = customerSIRET
        self.customerVATNumber = customerVATNumber
        self.paymentTerm = paymentTerm
        self.paymentMethod = paymentMethod
    }

    /// Reads the stored copy; nil when it lacks the customer's name or country.
    init?(value: Value) {
        func text(_ key: String) -> String? { value[key]?.stringValue }
        guard let name = text("customerLegalName"), let country = text("customerCountry") else { return nil }
        self.init(sellerLegalName: text("sellerLegalName"), sellerLegalForm: text("sellerLegalForm"),
                  sellerCapital: text("sellerCapital"), sellerAddress: text("sellerAddress"),
                  sellerSIRET: text("sellerSIRET"), sellerRCSCity: text("sellerRCSCity"),
                  sellerVATNumber: text("sellerVATNumber"), customerLegalName: name,
                  customerStreet: text("customerStreet"), customerPostalCode: text("customerPostalCode"),
                  customerCity: text("customerCity"), customerCountry: country, customerSIRET: text("customerSIRET"),
                  customerVATNumber: text("customerVATNumber"), paymentTerm: text("paymentTerm"),
                  paymentMethod: text("paymentMethod"))
    }
}
