import CRMCore
import XCTest

final class ContactTests: XCTestCase {
    func testDuplicateEmailIgnoresCase() throws {
        let test = try TestDatabase()
        let account = try Accounts.add(test.context(as: "alice"), legalName: "A", fields: [:])
        let first = try Contacts.add(test.context(as: "alice"), account: account.id,
                                     fields: [.firstName: "Claire", .lastName: "Martin", .email: "Claire.Martin@Example.FR"])
        XCTAssertEqual(first.email, "Claire.Martin@example.fr")
        XCTAssertCRMError(try Contacts.add(test.context(as: "alice"), account: account.id,
                                           fields: [.lastName: "Martin", .email: "claire.martin@example.fr"]),
                          kind: .conflict, "account \(account.id) already has a contact with the e-mail 'claire.martin@example.fr' "
                          + "(contact \(first.id)); e-mails are unique per account, whatever their case")
        let other = try Accounts.add(test.context(as: "alice"), legalName: "B", fields: [:])
        XCTAssertNoThrow(try Contacts.add(test.context(as: "alice"), account: other.id,
                                          fields: [.lastName: "Martin", .email: "claire.martin@example.fr"]))
    }

    func testBadEmailIsRejected() throws {
        let test = try TestDatabase()
        let account = try Accounts.add(test.context(as: "alice"), legalName: "A", fields: [:])
        XCTAssertCRMError(try Contacts.add(test.context(as: "alice"), account: account.id,
                                           fields: [.lastName: "Wójcik", .email: "not-an-email"]),
                          kind: .invalid, "invalid --email 'not-an-email': expected an address such as name@example.com")
        XCTAssertEqual(try test.count("contacts"), 0)
    }

    func testSearchFindsByNameEmailPhoneAndSIREN() throws {
        let test = try TestDatabase()
        let account = try Accounts.add(test.context(as: "alice"), legalName: "Brasserie du Môle", fields: [.siren: "303265045"])
        _ = try Contacts.add(test.context(as: "alice"), account: account.id,
                             fields: [.firstName: "Hélène", .lastName: "Dubœuf", .email: "h.duboeuf@example.fr", .phone: "+33 1 23 45 67 89"])
        let context = test.context(as: "alice")
        XCTAssertEqual(try Search.run(context, text: "mole", limit: 10).map(\.kind), ["account"])
        XCTAssertEqual(try Search.run(context, text: "HELENE", limit: 10).map(\.name), ["Hélène Dubœuf"])
        XCTAssertEqual(try Search.run(context, text: "duboeuf", limit: 10).map(\.matched), ["name"])
        XCTAssertEqual(try Search.run(context, text: "h.duboeuf@", limit: 10).map(\.matched), ["e-mail"])
        XCTAssertEqual(try Search.run(context, text: "45 67 89", limit: 10).map(\.matched), ["phone"])
        XCTAssertEqual(try Search.run(context, text: "303265", limit: 10).map(\.matched), ["SIREN/SIRET"])
        XCTAssertEqual(try Search.run(test.context(as: "bob"), text: "mole", limit: 10).count, 0)
    }
}
