/// What `crm import` creates.
public enum ImportEntity: String, CaseIterable, Sendable {
    case accounts, contacts, opportunities
}

/// The system a file was exported from. Each has its own header, value
/// codes and quirks.
public enum ImportSource: String, CaseIterable, Sendable {
    case salesforce, odoo, dolibarr, sirene, crm, generic
}

/// A field of the CRM that a source column can fill. The raw values are
/// the names used in mapping files and in `crm export` output.
public enum ImportField: String, CaseIterable, Sendable {
    case id, name, tradeName, legalForm, siren, siret, vat
    case street, street2, postalCode, city, country
    case phone, mobile, email, website
    case creationDate, customerSince, category, activityCode, iban, customerCode
    case active, status, supplier, annualRevenue, currency, employees
    case creditLimit, paymentTerm, paymentMethod, discount
    case note, tags, parent, owner, deleted
    case firstName, lastName, fullName, salutation, title, birthdate, optedOut
    case account, isCompany, addressType, diffusion
    case contact, stage, amount, probability, closeDate, closedOn, lossReason, lossNote, source

    /// Fields that only an opportunity import reads. In account and
    /// contact files a column of that name keeps its older meaning (a
    /// column "amount" is an annual revenue there).
    var isOpportunityOnly: Bool {
        switch self {
        case .contact, .stage, .amount, .probability, .closeDate, .closedOn, .lossReason, .lossNote, .source: return true
        default: return false
        }
    }
}

/// Which columns of a file fill which fields, and the source's rules.
struct ImportLayout {
    let source: ImportSource
    /// The field of each column, by column index; nil for ignored columns.
    let fields: [ImportField?]
    let header: [String]
    /// True for Dolibarr's template, whose parent column holds a name.
    var parentByName = false

    func column(of field: ImportField) -> String? {
        fields.firstIndex(of: field).map { header[$0] }
    }

    /// Detects the source from the header, or checks the declared one.
    static func detect(header: [String], entity: ImportEntity) -> ImportSource {
        let names = Set(header)
        if names.contains("siren") && names.contains("statutDiffusionUniteLegale") { return .sirene }
        if names.contains("Id") && names.contains("IsDeleted") { return .salesforce }
        if names.contains("id") && names.contains("is_company") || names.contains("parent_id/id") { return .odoo }
        if header.contains(where: { $0.hasSuffix(")") && $0.contains("(s.") }) { return .dolibarr }
        if names.contains("Nom") && (names.contains("ID professionnel 1") || names.contains("Code client")) {
            return .dolibarr
        }
        if names.contains("legalName") || names.contains("lastName") && names.contains("account") { return .crm }
        return .generic
    }

    /// Builds the layout of a header. `mapping` (from `--mapping`) takes
    /// precedence over the source's own column names.
    static func make(header: [String], source: ImportSource, mapping: ImportMapping?,
                     entity: ImportEntity = .accounts) -> ImportLayout {
        var parentByName = false
        let fields: [ImportField?] = header.map { name in
            if let mapped = mapping?.columns[name] { return mapped }
            if entity == .opportunities, let field = opportunityColumn(name, source: source) { return field }
            switch source {
            case .salesforce: return salesforceColumns[name]
            case .odoo: return odooColumns[name]
            case .sirene: return sireneColumns[name]
            case .dolibarr:
                if let technical = dolibarrTechnicalName(name) {
                    if technical == "s.parent" { parentByName = true }
                    return dolibarrTemplateColumns[technical]
                }
                return dolibarrExportColumns[name]
            case .crm, .generic:
                if let field = ImportField(rawValue: name), !field.isOpportunityOnly { return field }
                return genericColumn(name)
            }
        }
        if source == .generic, fields.contains(.parent) { parentByName = true }
        return ImportLayout(source: source, fields: fields, header: header, parentByName: parentByName)
    }

    /// The field of a column in an opportunity file: Salesforce's
    /// Opportunity object, the field names of `crm export`, or a common
    /// spelling. Nil lets the account columns decide.
    static func opportunityColumn(_ header: String, source: ImportSource) -> ImportField? {
        if source == .salesforce { return salesforceOpportunityColumns[header] }
        if let field = ImportField(rawValue: header), field.isOpportunityOnly { return field }
        return opportunityAliases[searchKey(header)]
    }

    static let salesforceOpportunityColumns: [String: ImportField] = [
        "StageName": .stage, "Amount": .amount, "Probability": .probability, "CloseDate": .closeDate,
        "LeadSource": .source, "ContactId": .contact,
    ]

    static let opportunityAliases: [String: ImportField] = {
        let table: [(ImportField, [String])] = [
            (.name, ["title", "opportunity", "opportunity name", "deal", "deal name", "affaire", "titre"]),
            (.account, ["account id", "company id", "societe", "compte", "client"]),
            (.stage, ["stage", "stage name", "etape", "phase", "statut"]),
            (.amount, ["amount", "montant", "value", "valeur", "deal value"]),
            (.probability, ["probability", "probability (%)", "probabilite"]),
            (.closeDate, ["close date", "expected close date", "closing date", "date de cloture",
                          "date de signature prevue"]),
            (.source, ["lead source", "origine", "source"]),
            (.note, ["description", "notes", "note", "commentaire"]),
        ]
        var result: [String: ImportField] = [:]
        for (field, spellings) in table {
            for spelling in spellings { result[searchKey(spelling)] = field }
        }
        return result
    }()

    /// `s.nom` from a Dolibarr template header such as `Nom du tiers* (s.nom)`.
    private static func dolibarrTechnicalName(_ header: String) -> String? {
        guard header.hasSuffix(")"), let open = header.lastIndex(of: "(") else { return nil }
        let inside = header[header.index(after: open)..<header.index(before: header.endIndex)]
        guard inside.hasPrefix("s.") else { return nil }
        return String(inside)
    }

    static let salesforceColumns: [String: ImportField] = [
        "Id": .id, "IsDeleted": .deleted, "Name": .name, "Type": .status, "ParentId": .parent,
        "BillingStreet": .street, "BillingCity": .city, "BillingPostalCode": .postalCode,
        "BillingCountry": .country, "BillingCountryCode": .country, "Phone": .phone, "Website": .website,
        "AccountNumber": .customerCode, "Industry": .category, "AnnualRevenue": .annualRevenue,
        "NumberOfEmployees": .employees, "Description": .note, "CurrencyIsoCode": .currency,
        "AccountId": .account, "Salutation": .salutation, "FirstName": .firstName, "LastName": .lastName,
        "MobilePhone": .mobile, "Email": .email, "Title": .title, "Birthdate": .birthdate,
        "HasOptedOutOfEmail": .optedOut,
    ]

    static let odooColumns: [String: ImportField] = [
        "id": .id, "name": .name, "is_company": .isCompany, "parent_id/id": .parent, "type": .addressType,
        "street": .street, "street2": .street2, "zip": .postalCode, "city": .city, "country_id/id": .country,
        "vat": .vat, "email": .email, "phone": .phone, "mobile": .mobile, "ref": .customerCode,
        "website": .website, "function": .title, "property_payment_term_id/id": .paymentTerm,
        "category_id/id": .tags, "bank_ids/acc_number": .iban, "comment": .note,
    ]

    static let sireneColumns: [String: ImportField] = [
        "siren": .siren, "statutDiffusionUniteLegale": .diffusion, "dateCreationUniteLegale": .creationDate,
        "categorieJuridiqueUniteLegale": .legalForm, "activitePrincipaleUniteLegale": .activityCode,
        "etatAdministratifUniteLegale": .active, "denominationUniteLegale": .name,
        "denominationUsuelle1UniteLegale": .tradeName, "nomUniteLegale": .lastName,
        "prenomUsuelUniteLegale": .firstName, "prenom1UniteLegale": .firstName,
    ]

    static let dolibarrExportColumns: [String: ImportField] = [
        "Id": .id, "Nom": .name, "Statut": .active, "Client": .status, "Fournisseur": .supplier,
        "Date création": .creationDate, "Code client": .customerCode, "Adresse": .street,
        "Code postal": .postalCode, "Ville": .city, "Pays": .country, "Code pays": .country,
        "Téléphone": .phone, "Email": .email, "ID professionnel 1": .siren, "ID professionnel 2": .siret,
        "Num TVA": .vat, "Type du tiers": .category, "Forme juridique": .legalForm,
        "Conditions de règlement": .paymentTerm, "Mode de règlement": .paymentMethod,
        "Encours max": .creditLimit, "Note privée": .note, "Note publique": .note, "Nom alternatif": .tradeName,
        "Url": .website, "IBAN": .iban,
    ]

    static let dolibarrTemplateColumns: [String: ImportField] = [
        "s.nom": .name, "s.name_alias": .tradeName, "s.parent": .parent, "s.status": .active,
        "s.code_client": .customerCode, "s.address": .street, "s.zip": .postalCode, "s.town": .city,
        "s.fk_pays": .country, "s.phone": .phone, "s.url": .website, "s.email": .email,
        "s.fk_typent": .category, "s.fk_forme_juridique": .legalForm, "s.siren": .siren, "s.siret": .siret,
        "s.tva_intra": .vat, "s.client": .status, "s.fournisseur": .supplier, "s.note_private": .note,
        "s.note_public": .note,
    ]

    /// Header names of hand-made and spreadsheet files, folded with
    /// `searchKey` and without a trailing unit in brackets (`CA annuel (€)`).
    static func genericColumn(_ header: String) -> ImportField? {
        var key = searchKey(header)
        if key.hasSuffix(")"), let open = key.lastIndex(of: "(") {
            key = String(key[..<open]).trimmingSpaces
        }
        return genericAliases[key]
    }

    static let genericAliases: [String: ImportField] = {
        let table: [(ImportField, [String])] = [
            (.id, ["id", "customer id", "external id", "identifiant", "source id"]),
            (.name, ["name", "nom", "company", "company name", "raison sociale", "societe", "entreprise",
                     "account name", "organisation", "organization", "denomination"]),
            (.tradeName, ["trade name", "nom commercial", "enseigne", "nom alternatif", "alias"]),
            (.legalForm, ["forme juridique", "legal form"]),
            (.siren, ["siren", "n° siren", "numero siren"]),
            (.siret, ["siret", "n° siret", "numero siret"]),
            (.vat, ["vat", "vat number", "tva", "num tva", "n° tva", "numero de tva", "tva intracommunautaire"]),
            (.street, ["adresse", "address", "street", "rue", "billing street"]),
            (.postalCode, ["code postal", "cp", "zip", "zip code", "postal code", "postcode"]),
            (.city, ["ville", "city", "town", "commune"]),
            (.country, ["pays", "country", "country code", "code pays"]),
            (.phone, ["telephone", "tel", "phone", "phone 1", "phone number"]),
            (.mobile, ["mobile", "portable", "phone 2", "mobile phone"]),
            (.email, ["email", "e-mail", "mail", "courriel", "adresse e-mail", "email address"]),
            (.website, ["website", "site web", "site", "url", "web"]),
            (.creationDate, ["date de creation", "creation date", "founded"]),
            (.customerSince, ["subscription date", "client depuis", "customer since"]),
            (.category, ["categorie", "category", "type", "industry", "secteur d'activite"]),
            (.iban, ["iban"]),
            (.customerCode, ["code client", "customer code", "account number"]),
            (.annualRevenue, ["ca annuel", "chiffre d'affaires", "annual revenue", "revenue", "amount", "montant"]),
            (.employees, ["effectif", "employees", "number of employees", "salaries"]),
            (.creditLimit, ["encours autorise", "encours max", "credit limit", "encours"]),
            (.paymentTerm, ["conditions de paiement", "conditions de reglement", "payment terms", "payment term"]),
            (.paymentMethod, ["mode de reglement", "mode de paiement", "payment method"]),
            (.discount, ["taux remise", "remise", "discount", "discount rate"]),
            (.note, ["notes", "note", "description", "commentaire", "comment", "remarques"]),
            (.tags, ["tags", "etiquettes", "labels"]),
            (.parent, ["parent", "maison mere", "parent company", "societe mere"]),
            (.owner, ["owner"]),
            (.firstName, ["first name", "prenom", "firstname"]),
            (.lastName, ["last name", "nom de famille", "lastname", "surname"]),
            (.fullName, ["contact", "contact name", "full name", "nom complet", "interlocuteur"]),
            (.salutation, ["civilite", "salutation"]),
            (.title, ["fonction", "title", "job title", "poste"]),
            (.birthdate, ["date de naissance", "birthdate", "birth date"]),
            (.account, ["account"]),
        ]
        var result: [String: ImportField] = [:]
        for (field, spellings) in table {
            for spelling in spellings { result[searchKey(spelling)] = field }
        }
        return result
    }()
}
