import CRMCore
import XCTest

final class OpeningTests: XCTestCase {
    /// A complete French prospect owned by alice, with a contact.
    private func completeAccount(_ test: TestDatabase) throws -> Account {
        let account = try Accounts.add(test.context(as: "alice"), legalName: "ATELIER LUMIERE",
                                       fields: [.siren: "732829320", .street: "12 rue de la Forge", .postalCode: "75011",
                                                .city: "Paris", .creationDate: "2015-06-01"])
        _ = try Contacts.add(test.context(as: "alice"), account: account.id,
                             fields: [.lastName: "Martin", .email: "claire.martin@example.fr"])
        return account
    }

    private func advise(_ test: TestDatabase) {
        test.host.ruleResults["solvency"] = .object([("decision", .string("approve")), ("creditLimit", .integer(500_000)),
                                                     ("reason", .string("established company"))])
        test.host.ruleResults["paymentTerms"] = .object([("term", .string("30EOM")), ("method", .string("TRANSFER"))])
    }

    func testEveryMissingRequirementIsListed() throws {
        let test = try TestDatabase()
        let account = try Accounts.add(test.context(as: "alice"), legalName: "NO DATA SARL", fields: [:])
        XCTAssertCRMError(try Openings.request(test.context(as: "alice"), account: account.id, creditLimit: nil, note: nil),
                          kind: .invalid, "account \(account.id) cannot be opened yet; missing: "
                          + "a valid SIREN or SIRET for a French company (--siren or --siret); "
                          + "a billing address with street, postal code and city (--street, --postal-code, --city); "
                          + "at least one contact with an e-mail (crm contact add --account \(account.id) --email ...)")
        XCTAssertEqual(try test.count("opening_requests"), 0)
        XCTAssertEqual(try test.count("notifications"), 0)
    }

    func testEUCompanyNeedsVATNumber() throws {
        let test = try TestDatabase()
        let account = try Accounts.add(test.context(as: "alice"), legalName: "Müller GmbH",
                                       fields: [.country: "DE", .street: "Hauptstraße 1", .postalCode: "10115", .city: "Berlin"])
        _ = try Contacts.add(test.context(as: "alice"), account: account.id, fields: [.lastName: "Müller", .email: "m@example.de"])
        XCTAssertCRMError(try Openings.request(test.context(as: "alice"), account: account.id, creditLimit: nil, note: nil),
                          kind: .invalid, "account \(account.id) cannot be opened yet; missing: "
                          + "a valid VAT number for an EU company outside France (--vat)")
    }

    func testRequestStoresAdviceAndAlertsAccounting() throws {
        let test = try TestDatabase()
        advise(test)
        let account = try completeAccount(test)
        _ = try Users.add(test.context(as: "admin"), name: "dora", role: .accounting, login: nil)
        let request = try Openings.request(test.context(as: "alice"), account: account.id, creditLimit: "5000", note: "new client")
        XCTAssertEqual(request.status, .pending)
        XCTAssertEqual(request.requestedCreditLimit, 500_000)
        XCTAssertEqual(test.host.asked, ["sectorFor", "solvency", "paymentTerms"])
        XCTAssertEqual(test.host.fired.last?.0, "onAccountOpeningRequested")
        XCTAssertEqual(test.host.fired.last?.1["account"]?["siren"], .string("732829320"))
        let decisions = try Openings.decisions(test.context(as: "carl"), id: request.id)
        XCTAssertEqual(decisions.map(\.rule), ["solvency", "paymentTerms"])
        XCTAssertEqual(decisions[0].reason, "established company")
        XCTAssertEqual(decisions[0].plugin, "test-rules")
        XCTAssertEqual(try Notifications.inbox(test.context(as: "carl"), includeRead: false).map(\.subject),
                       ["Account opening requested: account \(account.id) (request \(request.id))"])
        XCTAssertEqual(try Notifications.inbox(test.context(as: "dora"), includeRead: false).count, 1)
        XCTAssertEqual(try Notifications.inbox(test.context(as: "alice"), includeRead: false).count, 0)
    }

    func testSecondRequestNamesTheFirst() throws {
        let test = try TestDatabase()
        let account = try completeAccount(test)
        let first = try Openings.request(test.context(as: "alice"), account: account.id, creditLimit: nil, note: nil)
        XCTAssertCRMError(try Openings.request(test.context(as: "alice"), account: account.id, creditLimit: nil, note: nil),
                          kind: .conflict, "account \(account.id) already has an open opening request (request \(first.id)); "
                          + "see `crm opening review \(first.id)`")
    }

    func testFailingRuleLeavesNoRequestNorAlert() throws {
        let test = try TestDatabase()
        let account = try completeAccount(test)
        test.host.failOn = "solvency"
        XCTAssertCRMError(try Openings.request(test.context(as: "alice"), account: account.id, creditLimit: nil, note: nil),
                          kind: .plugin, "plugin test (test.lua:2): forced failure")
        XCTAssertEqual(try test.count("opening_requests"), 0)
        XCTAssertEqual(try test.count("notifications"), 0)
        XCTAssertEqual(try test.count("decisions"), 0)
    }

    func testUnknownTermOrMethodFromRuleIsRejected() throws {
        let test = try TestDatabase()
        let account = try completeAccount(test)
        test.host.ruleResults["paymentTerms"] = .object([("term", .string("NET999")), ("method", .string("TRANSFER"))])
        XCTAssertCRMError(try Openings.request(test.context(as: "alice"), account: account.id, creditLimit: nil, note: nil),
                          kind: .plugin, "plugin test-rules (test.lua:3): result.term 'NET999' is not a payment term of "
                          + "this database; see `crm term list`")
        test.host.ruleResults["paymentTerms"] = .object([("term", .string("NET30")), ("method", .string("BITCOIN"))])
        XCTAssertCRMError(try Openings.request(test.context(as: "alice"), account: account.id, creditLimit: nil, note: nil),
                          kind: .plugin, "plugin test-rules (test.lua:3): result.method 'BITCOIN' is not a payment method; "
                          + "expected one of TRANSFER, SEPA_DD, CHEQUE, CARD, LCR, CASH")
        XCTAssertEqual(try test.count("opening_requests"), 0)
    }

    func testApprovalMakesACustomerWithOverride() throws {
        let test = try TestDatabase()
        advise(test)
        let account = try completeAccount(test)
        let request = try Openings.request(test.context(as: "alice"), account: account.id, creditLimit: nil, note: nil)
        XCTAssertCRMError(try Openings.approve(test.context(as: "alice"), id: request.id, term: nil, method: nil, creditLimit: nil),
                          kind: .permission, "permission denied: to approve an account opening you need the accounting or "
                          + "admin role (alice is sales)")
        let warnings = try Openings.approve(test.context(as: "carl"), id: request.id, term: "45EOM", method: "LCR",
                                            creditLimit: nil)
        XCTAssertEqual(warnings, [])
        let customer = try Accounts.get(test.context(as: "alice"), id: account.id)
        XCTAssertEqual(customer.status, .customer)
        XCTAssertEqual(customer.paymentTerm, "45EOM")
        XCTAssertEqual(customer.paymentMethod, "LCR")
        XCTAssertEqual(customer.creditLimit, 500_000)
        XCTAssertEqual(test.host.fired.last?.0, "onAccountOpened")
        XCTAssertEqual(try Notifications.inbox(test.context(as: "alice"), includeRead: false).map(\.subject),
                       ["Account opening approved: account \(account.id) (request \(request.id))"])
        XCTAssertCRMError(try Openings.approve(test.context(as: "admin"), id: request.id, term: nil, method: nil, creditLimit: nil),
                          kind: .conflict, "request \(request.id) was already approved by carl on 2026-03-02")
        XCTAssertCRMError(try Openings.reject(test.context(as: "admin"), id: request.id, reason: "late"),
                          kind: .conflict, "request \(request.id) was already approved by carl on 2026-03-02")
    }

    func testApprovalUsesTheProposalAndWarnsAboutLegalLimit() throws {
        let test = try TestDatabase()
        advise(test)
        let account = try completeAccount(test)
        let request = try Openings.request(test.context(as: "alice"), account: account.id, creditLimit: nil, note: nil)
        let warnings = try Openings.approve(test.context(as: "carl"), id: request.id, term: "30EOM10", method: nil,
                                            creditLimit: "12000.50")
        XCTAssertEqual(warnings.count, 1)
        let customer = try Accounts.get(test.context(as: "carl"), id: account.id)
        XCTAssertEqual(customer.paymentTerm, "30EOM10")
        XCTAssertEqual(customer.paymentMethod, "TRANSFER")
        XCTAssertEqual(customer.creditLimit, 1_200_050)
    }

    func testDirectDebitNeedsIBAN() throws {
        let test = try TestDatabase()
        let account = try completeAccount(test)
        let request = try Openings.request(test.context(as: "alice"), account: account.id, creditLimit: nil, note: nil)
        XCTAssertCRMError(try Openings.approve(test.context(as: "carl"), id: request.id, term: "NET30", method: "SEPA_DD",
                                               creditLimit: nil),
                          kind: .invalid, "SEPA_DD needs an IBAN on account \(account.id); add one with "
                          + "`crm account edit \(account.id) --iban ...` or choose another --method")
        XCTAssertCRMError(try Openings.approve(test.context(as: "carl"), id: request.id, term: nil, method: nil, creditLimit: nil),
                          kind: .usage, "no payment term was proposed for request \(request.id); pass --term CODE (see `crm term list`)")
        XCTAssertEqual(try Accounts.get(test.context(as: "carl"), id: account.id).status, .prospect)
    }

    func testRejectionTellsTheRep() throws {
        let test = try TestDatabase()
        let account = try completeAccount(test)
        let request = try Openings.request(test.context(as: "alice"), account: account.id, creditLimit: nil, note: nil)
        try Openings.reject(test.context(as: "carl"), id: request.id, reason: "unpaid invoices at another supplier")
        let inbox = try Notifications.inbox(test.context(as: "alice"), includeRead: false)
        XCTAssertEqual(inbox.first?.body, "Reason: unpaid invoices at another supplier")
        XCTAssertEqual(test.host.fired.last?.0, "onAccountOpeningRejected")
        XCTAssertEqual(test.host.fired.last?.1["reason"], .string("unpaid invoices at another supplier"))
        XCTAssertEqual(try Accounts.get(test.context(as: "alice"), id: account.id).status, .prospect)
        let again = try Openings.request(test.context(as: "alice"), account: account.id, creditLimit: nil, note: nil)
        XCTAssertEqual(again.status, .pending)
    }

    func testBindingRecommendationDecidesAtOnce() throws {
        let test = try TestDatabase()
        advise(test)
        try Settings.set(test.context(as: "admin"), key: Openings.bindingSetting, value: .bool(true))
        let account = try completeAccount(test)
        let request = try Openings.request(test.context(as: "alice"), account: account.id, creditLimit: nil, note: nil)
        XCTAssertEqual(request.status, .approved)
        XCTAssertEqual(request.decider, "plugin test-rules")
        XCTAssertEqual(try Accounts.get(test.context(as: "alice"), id: account.id).paymentTerm, "30EOM")
    }

    func testReviewRecommendationStaysPendingEvenWhenBinding() throws {
        let test = try TestDatabase()
        advise(test)
        test.host.ruleResults["solvency"] = .object([("decision", .string("review")), ("reason", .string("young company"))])
        try Settings.set(test.context(as: "admin"), key: Openings.bindingSetting, value: .bool(true))
        let account = try completeAccount(test)
        let request = try Openings.request(test.context(as: "alice"), account: account.id, creditLimit: nil, note: nil)
        XCTAssertEqual(request.status, .pending)
        let rechecked = try Openings.recheck(test.context(as: "carl"), id: request.id)
        XCTAssertEqual(try Openings.decisions(test.context(as: "carl"), id: rechecked.id).count, 4)
        XCTAssertNotEqual(rechecked.solvencyDecisionId, request.solvencyDecisionId)
    }

    func testPaymentTermAdministration() throws {
        let test = try TestDatabase()
        XCTAssertEqual(try PaymentTerms.all(test.database).count, 10)
        let warning = try PaymentTerms.add(test.context(as: "admin"), code: "NET90", label: "90 days net", frenchLabel: nil,
                                           definition: "net:90")
        XCTAssertNotNil(warning)
        XCTAssertEqual(try PaymentTerms.dueDate(test.database, code: "NET90", from: CivilDate(parsing: "2026-01-31")!).description,
                       "2026-05-01")
        XCTAssertCRMError(try PaymentTerms.add(test.context(as: "alice"), code: "X", label: "x", frenchLabel: nil, definition: "net:1"),
                          kind: .permission, "permission denied: to add a payment term you need the admin role (alice is sales)")
        XCTAssertCRMError(try PaymentTerms.add(test.context(as: "admin"), code: "NET90", label: "x", frenchLabel: nil, definition: "net:90"),
                          kind: .conflict, "a payment term with code 'NET90' already exists; see `crm term show NET90`")
    }
}
