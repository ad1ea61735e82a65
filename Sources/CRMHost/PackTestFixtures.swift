import CRMCore

/// The data every `crm pack test` run starts from: users of each role,
/// three sectors and four accounts with one contact each. Creation dates
/// are counted back from the run date, so ages do not change with it.
enum PackTestFixtures {
    struct AccountFixture {
        let key: String
        let legalName: String
        let fields: [AccountField: String]
        let yearsOld: Int
        let monthsOld: Int
        let flags: [String]
        let contact: [ContactField: String]
    }

    static let accounts: [AccountFixture] = [
        AccountFixture(key: "established", legalName: "Durand Équipements SA",
                       fields: [.siren: "402123459", .street: "12 rue Oberkampf", .postalCode: "75011", .city: "Paris",
                                .country: "FR", .owner: "alice", .sector: "IDF",
                                .iban: "FR7630006000011234567890189"],
                       yearsOld: 12, monthsOld: 0, flags: [],
                       contact: [.firstName: "Claire", .lastName: "Durand", .email: "claire.durand@example.test",
                                 .role: "Purchasing manager"]),
        AccountFixture(key: "young", legalName: "Jeune Pousse SAS",
                       fields: [.siren: "512345679", .street: "3 quai Perrache", .postalCode: "69003", .city: "Lyon",
                                .country: "FR", .owner: "bob", .sector: "ARA"],
                       yearsOld: 1, monthsOld: 2, flags: [],
                       contact: [.firstName: "Hugo", .lastName: "Petit", .email: "hugo.petit@example.test",
                                 .role: "Founder"]),
        AccountFixture(key: "badPayer", legalName: "Mauvais Payeur SARL",
                       fields: [.siren: "623456787", .street: "8 avenue Alsace-Lorraine", .postalCode: "38000",
                                .city: "Grenoble", .country: "FR", .owner: "alice", .sector: "ARA"],
                       yearsOld: 8, monthsOld: 0, flags: ["bad-payer"],
                       contact: [.firstName: "Paul", .lastName: "Morel", .email: "paul.morel@example.test",
                                 .role: "Accountant"]),
        AccountFixture(key: "foreign", legalName: "Nordic Tools AB",
                       fields: [.street: "Kungsgatan 5", .postalCode: "111 43", .city: "Stockholm", .country: "SE",
                                .owner: "bob", .sector: "EXPORT"],
                       yearsOld: 20, monthsOld: 0, flags: [],
                       contact: [.firstName: "Ingrid", .lastName: "Berg", .email: "ingrid.berg@example.test",
                                 .role: "Buyer"]),
    ]

    /// Creates the fixtures and returns them as test files see them in `test.fixtures`.
    static func create(_ context: CRMContext) throws(CRMError) -> Value {
        try context.database.transaction { () throws(CRMError) -> Value in
            _ = try Users.add(context, name: "compta", role: .accounting, login: nil)
            _ = try Users.add(context, name: "marc", role: .manager, login: nil)
            _ = try Users.add(context, name: "alice", role: .sales, login: nil)
            _ = try Users.add(context, name: "bob", role: .sales, login: nil)
            let sectors = [("IDF", "Île-de-France"), ("ARA", "Auvergne-Rhône-Alpes"), ("EXPORT", "Export")]
            for (code, name) in sectors {
                _ = try Sectors.add(context, code: code, name: name, parent: nil)
            }
            var ids: [(String, Value)] = []
            for fixture in accounts {
                var fields = fixture.fields
                let created = context.clock.today.adding(months: -(fixture.yearsOld * 12 + fixture.monthsOld))!
                fields[.creationDate] = created.description
                let account = try Accounts.add(context, legalName: fixture.legalName, fields: fields,
                                               flags: fixture.flags)
                _ = try Contacts.add(context, account: account.id, fields: fixture.contact)
                ids.append((fixture.key, .integer(account.id)))
            }
            let users: Value = .object([("admin", .string("admin")), ("accounting", .string("compta")),
                                        ("manager", .string("marc")),
                                        ("sales", .array([.string("alice"), .string("bob")]))])
            return .object([("users", users), ("sectors", .array(sectors.map { .string($0.0) })),
                            ("accounts", .object(ids)), ("today", .string(context.clock.today.description))])
        }
    }
}
