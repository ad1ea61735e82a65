import CRMCore
import XCTest

final class AccountTests: XCTestCase {
    private func addAtelier(_ test: TestDatabase) throws -> Account {
        try Accounts.add(test.context(as: "admin"), legalName: "ATELIER LUMIERE",
                         fields: [.siren: "732829320", .country: "FR", .owner: "alice"])
    }

    func testAddStoresSIRENAsTextAndAudits() throws {
        let test = try TestDatabase()
        let account = try Accounts.add(test.context(as: "alice"), legalName: "ETS J VIRLY S A",
                                       fields: [.siren: "016 750 697", .postalCode: "01000", .city: "Bourg"])
        XCTAssertEqual(account.siren, "016750697")
        XCTAssertEqual(account.status, .prospect)
        XCTAssertEqual(account.ownerName, "alice")
        XCTAssertEqual(account.country, "FR")
        XCTAssertEqual(account.createdAt, "2026-03-02T12:00:00Z")
        XCTAssertEqual(test.host.fired.map(\.0), ["onAccountCreated"])
        XCTAssertEqual(test.host.fired[0].1["siren"], .string("016750697"))
        let history = try History.account(test.context(as: "alice"), id: account.id)
        XCTAssertEqual(history.count, 1)
        XCTAssertEqual(history[0].user, "alice")
        XCTAssertEqual(history[0].action, "create")
    }

    func testSIRETFillsSIREN() throws {
        let test = try TestDatabase()
        let account = try Accounts.add(test.context(as: "alice"), legalName: "A", fields: [.siret: "73282932000017"])
        XCTAssertEqual(account.siren, "732829320")
        XCTAssertCRMError(try Accounts.add(test.context(as: "alice"), legalName: "B",
                                           fields: [.siren: "016750697", .siret: "73282932000017"]),
                          kind: .invalid, "the SIRET does not belong to the SIREN: a SIRET starts with the company's 9-digit SIREN")
    }

    func testBadSIRENKeyIsRejectedAndNothingWritten() throws {
        let test = try TestDatabase()
        let auditBefore = try test.count("audit_log")
        XCTAssertCRMError(try Accounts.add(test.context(as: "admin"), legalName: "BAD KEY SARL",
                                           fields: [.siren: "732829321", .owner: "alice"]),
                          kind: .invalid,
                          "--siren: invalid SIREN: the Luhn check key does not match (a SIREN has 9 digits with a Luhn key)")
        XCTAssertEqual(try test.count("accounts"), 0)
        XCTAssertEqual(try test.count("audit_log"), auditBefore)
    }

    func testBadVATKeyIsRejected() throws {
        let test = try TestDatabase()
        XCTAssertCRMError(try Accounts.add(test.context(as: "alice"), legalName: "A", fields: [.vatNumber: "FR45732829320"]),
                          kind: .invalid, "--vat: invalid VAT number: the 2-digit key does not match the SIREN "
                                          + "(an EU VAT number is a country prefix such as FR or EL followed by the national number)")
        let account = try Accounts.add(test.context(as: "alice"), legalName: "A", fields: [.vatNumber: "FR44 732 829 320"])
        XCTAssertEqual(account.vatNumber, "FR44732829320")
    }

    func testBadIBANKeyIsRejected() throws {
        let test = try TestDatabase()
        XCTAssertCRMError(try Accounts.add(test.context(as: "alice"), legalName: "A",
                                           fields: [.iban: "FR7630006000011234567890188"]),
                          kind: .invalid, "--iban: invalid IBAN: the check digits do not match "
                                          + "(an IBAN is a country code, 2 check digits and the national account number)")
        let account = try Accounts.add(test.context(as: "alice"), legalName: "A",
                                       fields: [.iban: "fr76 3000 6000 0112 3456 7890 189"])
        XCTAssertEqual(account.iban, "FR7630006000011234567890189")
    }

    func testUnknownOwnerAndSector() throws {
        let test = try TestDatabase()
        XCTAssertCRMError(try Accounts.add(test.context(as: "admin"), legalName: "A", fields: [.owner: "zoe"]),
                          kind: .notFound, "unknown user 'zoe' in --owner; see `crm user list`")
        XCTAssertCRMError(try Accounts.add(test.context(as: "admin"), legalName: "A", fields: [.sector: "NOPE"]),
                          kind: .notFound, "unknown sector 'NOPE' in --sector; see `crm sector list`")
        XCTAssertEqual(try test.count("accounts"), 0)
    }

    func testDuplicateSIRENNamesTheExistingAccount() throws {
        let test = try TestDatabase()
        let first = try addAtelier(test)
        XCTAssertCRMError(try addAtelier(test), kind: .conflict,
                          "an account with SIREN 732829320 already exists (account \(first.id)); "
                          + "edit that one, or merge them with `crm account merge`")
    }

    func testSalesRepCannotGiveAccountsAway() throws {
        let test = try TestDatabase()
        XCTAssertCRMError(try Accounts.add(test.context(as: "alice"), legalName: "A", fields: [.owner: "bob"]),
                          kind: .permission, "permission denied: a sales rep can own only their own accounts; "
                                             + "leave out --owner or ask a manager")
    }

    func testSalesRepSeesOnlyOwnAccounts() throws {
        let test = try TestDatabase()
        let atelier = try addAtelier(test)
        _ = try Accounts.add(test.context(as: "bob"), legalName: "BOB SARL", fields: [:])
        XCTAssertEqual(try Accounts.list(test.context(as: "alice"), filter: AccountFilter()).map(\.legalName), ["ATELIER LUMIERE"])
        XCTAssertEqual(try Accounts.list(test.context(as: "admin"), filter: AccountFilter()).count, 2)
        XCTAssertCRMError(try Accounts.get(test.context(as: "bob"), id: atelier.id), kind: .notFound,
                          "account \(atelier.id) not found (or not yours to see); see `crm account list`")
    }

    func testNamePrefixIgnoresCaseAndAccents() throws {
        let test = try TestDatabase()
        _ = try Accounts.add(test.context(as: "alice"), legalName: "Électricité Générale", fields: [:])
        _ = try Accounts.add(test.context(as: "alice"), legalName: "Eole", fields: [.tradeName: "Œuvre Commune"])
        var filter = AccountFilter()
        filter.namePrefix = "ELEC"
        XCTAssertEqual(try Accounts.list(test.context(as: "alice"), filter: filter).map(\.legalName), ["Électricité Générale"])
        filter.namePrefix = "oeuvre"
        XCTAssertEqual(try Accounts.list(test.context(as: "alice"), filter: filter).map(\.legalName), ["Eole"])
        filter.namePrefix = "e"
        XCTAssertEqual(try Accounts.list(test.context(as: "alice"), filter: filter).count, 2)
    }

    func testEditWritesOneAuditRowPerField() throws {
        let test = try TestDatabase()
        let account = try addAtelier(test)
        try Accounts.edit(test.context(as: "alice", command: "account edit"), id: account.id,
                          fields: [.city: "Paris", .postalCode: "75011"], addTags: ["vip"])
        let updates = try History.account(test.context(as: "alice"), id: account.id).filter { $0.action == "update" }
        XCTAssertEqual(updates.map(\.field), ["postal-code", "city", "tag"])
        XCTAssertEqual(updates.map(\.newValue), ["75011", "Paris", "vip"])
        XCTAssertEqual(updates.map(\.command), ["account edit", "account edit", "account edit"])
        XCTAssertEqual(test.host.fired.last?.0, "onAccountUpdated")
        XCTAssertEqual(test.host.fired.last?.1["changed"], .array([.string("postal-code"), .string("city"), .string("tags")]))
    }

    func testCreditLimitNeedsAccountingAndChecksDecimals() throws {
        let test = try TestDatabase()
        let account = try addAtelier(test)
        XCTAssertCRMError(try Accounts.edit(test.context(as: "alice"), id: account.id, fields: [.creditLimit: "5000"]),
                          kind: .permission, "permission denied: to set a credit limit you need the accounting or admin role (alice is sales)")
        XCTAssertCRMError(try Accounts.edit(test.context(as: "admin"), id: account.id, fields: [.creditLimit: "5000.001"]),
                          kind: .invalid, "invalid --credit-limit '5000.001': EUR amounts have at most 2 decimals")
        let edited = try Accounts.edit(test.context(as: "admin"), id: account.id, fields: [.creditLimit: "5000.5"])
        XCTAssertEqual(edited.creditLimit, 500_050)
        XCTAssertEqual(edited.jsonValue["creditLimit"], .object([("amount", .string("5000.50")), ("currency", .string("EUR"))]))
    }

    func testFailingHookRollsBackEveryRow() throws {
        let test = try TestDatabase()
        test.host.failOn = "onAccountCreated"
        let auditBefore = try test.count("audit_log")
        XCTAssertCRMError(try Accounts.add(test.context(as: "alice"), legalName: "A", fields: [.siren: "732829320"],
                                           tags: ["one", "two"]),
                          kind: .plugin, "plugin test (test.lua:1): forced failure")
        XCTAssertEqual(try test.count("accounts"), 0)
        XCTAssertEqual(try test.count("account_labels"), 0)
        XCTAssertEqual(try test.count("audit_log"), auditBefore)
    }

    func testMergeMovesContactsNotesAndHistory() throws {
        let test = try TestDatabase()
        let keep = try addAtelier(test)
        let drop = try Accounts.add(test.context(as: "alice"), legalName: "Atelier Lumière", fields: [.city: "Paris"],
                                    tags: ["lighting"])
        _ = try Contacts.add(test.context(as: "alice"), account: keep.id, fields: [.lastName: "Martin", .email: "c.martin@example.fr"])
        let twin = try Contacts.add(test.context(as: "alice"), account: drop.id, fields: [.lastName: "Martin", .email: "C.Martin@example.fr"])
        let other = try Contacts.add(test.context(as: "alice"), account: drop.id, fields: [.lastName: "Roy"])
        try Notes.add(test.context(as: "alice"), account: drop.id, text: "met at a fair")
        try Accounts.merge(test.context(as: "admin"), keep: keep.id, drop: drop.id)
        let kept = try Accounts.get(test.context(as: "admin"), id: keep.id)
        XCTAssertEqual(kept.city, "Paris")
        XCTAssertEqual(kept.tags, ["lighting"])
        let contacts = try Contacts.list(test.context(as: "admin"), account: keep.id, limit: 10, offset: 0)
        XCTAssertEqual(contacts.map(\.lastName).sorted(), ["Martin", "Roy"])
        XCTAssertTrue(contacts.contains { $0.id == other.id })
        XCTAssertFalse(contacts.contains { $0.id == twin.id })
        XCTAssertEqual(try Notes.list(test.context(as: "admin"), account: keep.id).map(\.text), ["met at a fair"])
        let dropped = try Accounts.get(test.context(as: "admin"), id: drop.id)
        XCTAssertNotNil(dropped.archivedAt)
        XCTAssertEqual(dropped.mergedInto, keep.id)
        let history = try History.account(test.context(as: "admin"), id: keep.id)
        XCTAssertTrue(history.contains { $0.action == "merge" && $0.oldValue == "account \(drop.id)" })
        XCTAssertTrue(history.contains { $0.entity == "note" })
    }

    func testMergeNeedsManagerOrAdmin() throws {
        let test = try TestDatabase()
        let one = try addAtelier(test)
        let two = try Accounts.add(test.context(as: "alice"), legalName: "B", fields: [:])
        XCTAssertCRMError(try Accounts.merge(test.context(as: "alice"), keep: one.id, drop: two.id), kind: .permission,
                          "permission denied: to merge accounts you need the manager or admin role (alice is sales)")
    }

    func testReassignMovesAccountsAndAudits() throws {
        let test = try TestDatabase()
        _ = try addAtelier(test)
        _ = try Accounts.add(test.context(as: "alice"), legalName: "B", fields: [:])
        _ = try Accounts.add(test.context(as: "bob"), legalName: "C", fields: [:])
        let moved = try Accounts.reassign(test.context(as: "admin"), from: "alice", to: "bob")
        XCTAssertEqual(moved.accounts, 2)
        XCTAssertEqual(moved.opportunities, 0)
        XCTAssertEqual(moved.activities, 0)
        var filter = AccountFilter()
        filter.owner = "bob"
        XCTAssertEqual(try Accounts.list(test.context(as: "admin"), filter: filter).count, 3)
        XCTAssertEqual(try test.database.scalar("SELECT count(*) FROM audit_log WHERE field = 'owner' AND old_value = 'alice' AND new_value = 'bob'").integer, 2)
    }

    func testParentCycleIsRejected() throws {
        let test = try TestDatabase()
        let parent = try addAtelier(test)
        let child = try Accounts.add(test.context(as: "admin"), legalName: "Child", fields: [.parent: String(parent.id), .owner: "alice"])
        XCTAssertCRMError(try Accounts.edit(test.context(as: "admin"), id: parent.id, fields: [.parent: String(child.id)]),
                          kind: .invalid, "--parent \(child.id) would make account \(parent.id) its own ancestor")
    }
}
