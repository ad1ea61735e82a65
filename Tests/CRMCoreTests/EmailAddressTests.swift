import CRMCore
import XCTest

final class EmailAddressTests: XCTestCase {
    private let rule = "an e-mail address looks like name@example.com"

    private func problem(_ text: String) -> IdentifierProblem? {
        EmailAddress.parse(text).failure?.problem
    }

    func testValidAddresses() {
        let valid = [
            "anne.martin@example.fr", "user+tag@sub.example.co.uk", "o'brien@example.ie",
            "x@y.co", "a-b@xn--bcher-kva.example", "josé@example.com", "contact@münchen.de",
            "info@例え.jp", "team@my-company.example",
        ]
        for text in valid {
            XCTAssertEqual(EmailAddress.parse(text).value?.text, text, text)
        }
    }

    func testComparisonIsCaseInsensitive() {
        let mixed = EmailAddress.parse("Anne.Martin@Example.FR").value
        let lower = EmailAddress.parse("anne.martin@example.fr").value
        XCTAssertEqual(mixed?.comparisonKey, "anne.martin@example.fr")
        XCTAssertEqual(mixed?.text, "Anne.Martin@Example.FR")
        XCTAssertEqual(mixed, lower)
        XCTAssertEqual(Set([mixed, lower].compactMap { $0 }).count, 1)
        XCTAssertEqual(EmailAddress.parse("CONTACT@MÜNCHEN.DE").value?.comparisonKey, "contact@münchen.de")
    }

    func testPartsAndTrimming() {
        let address = EmailAddress.parse("  Anne.Martin@Example.FR\n").value
        XCTAssertEqual(address?.text, "Anne.Martin@Example.FR")
        XCTAssertEqual(address?.localPart, "Anne.Martin")
        XCTAssertEqual(address?.domain, "Example.FR")
        XCTAssertEqual(address?.description, "Anne.Martin@Example.FR")
    }

    func testAtSignProblems() {
        XCTAssertEqual(problem(""), .empty)
        XCTAssertEqual(problem(" \t "), .empty)
        XCTAssertEqual(problem("anne.example.fr"), .missingAtSign)
        XCTAssertEqual(problem("anne@martin@example.fr"), .tooManyAtSigns)
        XCTAssertEqual(problem("@example.fr"), .emptyLocalPart)
        XCTAssertEqual(
            EmailAddress.parse("anne.example.fr").failure?.message,
            "invalid e-mail address: the @ sign is missing (\(rule))"
        )
    }

    func testLocalPartProblems() {
        XCTAssertEqual(problem("anne martin@example.fr"), .invalidLocalPart)
        XCTAssertEqual(problem("anne\u{00A0}martin@example.fr"), .invalidLocalPart)
        XCTAssertEqual(problem("anne\u{7}@example.fr"), .invalidLocalPart)
        XCTAssertEqual(problem("anne\u{7F}@example.fr"), .invalidLocalPart)
        XCTAssertEqual(
            EmailAddress.parse("anne martin@example.fr").failure?.message,
            "invalid e-mail address: the part before the @ sign contains a space or a control character (\(rule))"
        )
    }

    func testDomainProblems() {
        XCTAssertEqual(problem("anne@localhost"), .domainWithoutDot)
        XCTAssertEqual(problem("anne@"), .domainWithoutDot)
        XCTAssertEqual(problem("anne@-example.fr"), .invalidDomainLabel)
        XCTAssertEqual(problem("anne@example-.fr"), .invalidDomainLabel)
        XCTAssertEqual(problem("anne@exa_mple.fr"), .invalidDomainLabel)
        XCTAssertEqual(problem("anne@example..fr"), .invalidDomainLabel)
        XCTAssertEqual(problem("anne@.example.fr"), .invalidDomainLabel)
        XCTAssertEqual(problem("anne@example.fr."), .invalidDomainLabel)
        XCTAssertEqual(problem("anne@exa mple.fr"), .invalidDomainLabel)
        XCTAssertEqual(problem("anne@[192.168.0.1]"), .invalidDomainLabel)
        XCTAssertEqual(problem("anne@example.fr-"), .invalidDomainLabel)
        XCTAssertEqual(problem("anne@€uro.fr"), .invalidDomainLabel)
        XCTAssertEqual(
            EmailAddress.parse("anne@localhost").failure?.message,
            "invalid e-mail address: the domain after the @ sign has no dot (\(rule))"
        )
    }

    func testLengthLimits() {
        let label63 = String(repeating: "a", count: 63)
        XCTAssertNotNil(EmailAddress.parse("anne@\(label63).fr").value)
        XCTAssertEqual(problem("anne@\(label63)a.fr"), .invalidDomainLabel)

        let local64 = String(repeating: "l", count: 64)
        XCTAssertNotNil(EmailAddress.parse("\(local64)@example.fr").value)
        XCTAssertEqual(problem("\(local64)l@example.fr"), .localPartTooLong(maximum: 64))

        // 64 + 1 + 63 + 1 + 63 + 1 + 61 = 254 bytes, the maximum.
        let domain = "\(label63).\(label63).\(String(repeating: "c", count: 61))"
        XCTAssertNotNil(EmailAddress.parse("\(local64)@\(domain)").value)
        XCTAssertEqual(problem("\(local64)@\(domain)c"), .tooLong(maximum: 254))
        XCTAssertEqual(
            EmailAddress.parse("\(local64)@\(domain)c").failure?.message,
            "invalid e-mail address: the value is longer than 254 bytes (\(rule))"
        )
    }
}
