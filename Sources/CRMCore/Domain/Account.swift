/// A company the sales team works with: a prospect until accounting
/// approves its opening, then a customer.
public struct Account: Equatable, Sendable {
    public enum Status: String, Sendable { case prospect, customer }

    public let id: Int64
    public var legalName: String
    public var tradeName: String?
    public var legalForm: String?
    public var siren: String?
    public var siret: String?
    public var vatNumber: String?
    public var street: String?
    public var postalCode: String?
    public var city: String?
    public var country: String
    public var ownerId: Int64
    public var ownerName: String
    public var sectorId: Int64?
    public var sectorCode: String?
    public var sectorManual: Bool
    public var status: Status
    public var currency: Currency
    public var creditLimit: Int64?
    public var paymentTerm: String?
    public var paymentMethod: String?
    public var creationDate: String?
    public var category: String?
    public var parentId: Int64?
    public var iban: String?
    public var active: Bool
    public var customerCode: String?
    public var archivedAt: String?
    public var mergedInto: Int64?
    public var createdAt: String
    public var updatedAt: String
    public var tags: [String] = []
    public var flags: [String] = []

    static let select = """
        SELECT a.id, a.legal_name, a.trade_name, a.legal_form, a.siren, a.siret, a.vat_number, a.street,
               a.postal_code, a.city, a.country, a.owner_id, u.name, a.sector_id, s.code, a.sector_manual,
               a.status, a.currency, a.credit_limit, a.payment_term, a.payment_method, a.creation_date,
               a.category, a.parent_id, a.iban, a.active, a.customer_code, a.archived_at, a.merged_into,
               a.created_at, a.updated_at,
               (SELECT group_concat(l.kind || ':' || l.label, char(10)) FROM account_labels l WHERE l.account_id = a.id)
        FROM accounts a JOIN users u ON u.id = a.owner_id LEFT JOIN sectors s ON s.id = a.sector_id
        """

    init(row: Row) {
        id = row.int(0)!
        legalName = row.string(1)!
        tradeName = row.string(2)
        legalForm = row.string(3)
        siren = row.string(4)
        siret = row.string(5)
        vatNumber = row.string(6)
        street = row.string(7)
        postalCode = row.string(8)
        city = row.string(9)
        country = row.string(10)!
        ownerId = row.int(11)!
        ownerName = row.string(12)!
        sectorId = row.int(13)
        sectorCode = row.string(14)
        sectorManual = row.bool(15)
        status = Status(rawValue: row.string(16)!) ?? .prospect
        currency = Currency(code: row.string(17)!) ?? .euro
        creditLimit = row.int(18)
        paymentTerm = row.string(19)
        paymentMethod = row.string(20)
        creationDate = row.string(21)
        category = row.string(22)
        parentId = row.int(23)
        iban = row.string(24)
        active = row.bool(25)
        customerCode = row.string(26)
        archivedAt = row.string(27)
        mergedInto = row.int(28)
        createdAt = row.string(29)!
        updatedAt = row.string(30)!
        // Tags and flags come as `kind:label` lines in one column, so loading
        // an account is one query; a row built by hand may leave it out.
        if row.values.count > 31, let labels = row.string(31) {
            // Splitting UTF-8 bytes avoids grapheme breaking, which made this the slowest part of a load.
            for line in labels.utf8.split(separator: UInt8(ascii: "\n")) {
                guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
                let label = String(decoding: line[line.index(after: colon)...], as: UTF8.self)
                if line[..<colon].elementsEqual("tag".utf8) { tags.append(label) } else { flags.append(label) }
            }
            tags.sort { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
            flags.sort { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        }
    }

    private func fields(money: (Int64) -> Value) -> ObjectBuilder {
        var object = ObjectBuilder()
        object.set("id", id)
        object.set("legalName", legalName)
        object.set("tradeName", tradeName)
        object.set("status", status.rawValue)
        object.set("active", active)
        object.set("legalForm", legalForm)
        object.set("siren", siren)
        object.set("siret", siret)
        object.set("vatNumber", vatNumber)
        object.set("country", country)
        object.set("address", .object([("street", street.map(Value.string) ?? .null),
                                       ("postalCode", postalCode.map(Value.string) ?? .null),
                                       ("city", city.map(Value.string) ?? .null)]))
        object.set("owner", ownerName)
        object.set("sector", sectorCode)
        object.set("currency", currency.code)
        object.set("creditLimit", creditLimit.map(money) ?? .null)
        object.set("paymentTerm", paymentTerm)
        object.set("paymentMethod", paymentMethod)
        object.set("creationDate", creationDate)
        object.set("category", category)
        object.set("flags", .array(flags.map(Value.string)))
        object.set("tags", .array(tags.map(Value.string)))
        object.set("customerCode", customerCode)
        object.set("createdAt", createdAt)
        return object
    }

    /// The account as plugins receive it: money as integer minor units.
    public var pluginValue: Value {
        var object = fields(money: Value.integer)
        // Plugins learn whether an IBAN is on file, never the IBAN itself.
        object.set("hasIban", iban != nil)
        return object.value
    }

    /// The account as `--json` prints it: money as a decimal string with its currency.
    public var jsonValue: Value {
        var object = fields { Money(minor: $0, currency: currency).jsonValue }
        object.set("sectorAssignedByHand", sectorManual)
        object.set("parentId", parentId)
        object.set("iban", iban)
        object.set("archivedAt", archivedAt)
        object.set("mergedInto", mergedInto)
        object.set("updatedAt", updatedAt)
        return object.value
    }
}
