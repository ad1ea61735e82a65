/// An account read from one row, checked and ready to store.
struct AccountDraft {
    var line: Int
    var externalId: String?
    var legalName: String
    var columns: [AccountColumn: SQLValue] = [:]
    var tags: [String] = []
    var notes: [String] = []
    var ibans: [String] = []
    var parentReference: String?
    var generateCustomerCode = false
    /// A person named on the same row (spreadsheets of customers).
    var contact: ContactDraft?
    var ownerId: Int64?

    var siren: String? { columns[.siren]?.text }
    var city: String? { columns[.city]?.text }
}

/// A contact read from one row.
struct ContactDraft {
    var line: Int
    var externalId: String?
    var columns: [ContactColumn: SQLValue] = [:]
    var accountReference: String?
    var ownerId: Int64?
    var email: String? { columns[.email]?.text }
}

/// A delivery or invoicing address of a company (Odoo child partners).
struct AddressDraft {
    var line: Int
    var externalId: String?
    var kind: String
    var label: String
    var street: String?
    var postalCode: String?
    var city: String?
    var country: String?
    var parentReference: String?
}

/// The account columns an import writes, in the order of its one INSERT.
enum AccountColumn: String, CaseIterable {
    case legalName = "legal_name", tradeName = "trade_name", legalForm = "legal_form"
    case siren, siret, vatNumber = "vat_number", street, postalCode = "postal_code", city, country
    case status, currency, creditLimit = "credit_limit", paymentTerm = "payment_term"
    case paymentMethod = "payment_method", creationDate = "creation_date", category, iban, active
    case customerCode = "customer_code", phone, email, website, annualRevenue = "annual_revenue"
    case employeeCount = "employee_count", discountPercent = "discount_percent", supplier
    case activityCode = "activity_code", customerSince = "customer_since"

    /// The name used in reports, exports and mapping files.
    var field: ImportField {
        switch self {
        case .legalName: return .name
        case .tradeName: return .tradeName
        case .legalForm: return .legalForm
        case .siren: return .siren
        case .siret: return .siret
        case .vatNumber: return .vat
        case .street: return .street
        case .postalCode: return .postalCode
        case .city: return .city
        case .country: return .country
        case .status: return .status
        case .currency: return .currency
        case .creditLimit: return .creditLimit
        case .paymentTerm: return .paymentTerm
        case .paymentMethod: return .paymentMethod
        case .creationDate: return .creationDate
        case .category: return .category
        case .iban: return .iban
        case .active: return .active
        case .customerCode: return .customerCode
        case .phone: return .phone
        case .email: return .email
        case .website: return .website
        case .annualRevenue: return .annualRevenue
        case .employeeCount: return .employees
        case .discountPercent: return .discount
        case .supplier: return .supplier
        case .activityCode: return .activityCode
        case .customerSince: return .customerSince
        }
    }

    /// Column defaults when a row leaves the value out.
    var defaultValue: SQLValue {
        switch self {
        case .country: return "FR"
        case .status: return "prospect"
        case .currency: return "EUR"
        case .active: return 1
        case .supplier: return 0
        default: return .null
        }
    }
}

/// The contact columns an import writes.
enum ContactColumn: String, CaseIterable {
    case firstName = "first_name", lastName = "last_name", salutation, role, email, phone, mobile
    case optedOut = "opted_out", birthdate

    var field: ImportField {
        switch self {
        case .firstName: return .firstName
        case .lastName: return .lastName
        case .salutation: return .salutation
        case .role: return .title
        case .email: return .email
        case .phone: return .phone
        case .mobile: return .mobile
        case .optedOut: return .optedOut
        case .birthdate: return .birthdate
        }
    }
}
