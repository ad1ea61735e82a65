import CRMCore
import XCTest

final class JSONTests: XCTestCase {
    func testStringEscapes() {
        let text = "a\"b\\c\nd\re\tf\u{01}g\u{7F}h"
        XCTAssertEqual(JSON.encode(.string(text)), #""a\"b\\c\nd\re\tf\u0001g\u007fh""#)
    }

    func testStringKeepsNonASCII() {
        XCTAssertEqual(JSON.encode(.string("Île-de-France, e\u{301}té, 日本, 🚀")), "\"Île-de-France, e\u{301}té, 日本, 🚀\"")
    }

    func testEscapesAtBothEnds() {
        XCTAssertEqual(JSON.encode(.string("\"x\"")), #""\"x\"""#)
        XCTAssertEqual(JSON.encode(.string("")), #""""#)
    }

    func testEncodedStringDecodesBack() throws {
        let text = "Société \"Lumière\"\n\u{1F}\\ end"
        XCTAssertEqual(try JSON.decode(JSON.encode(.string(text))), .string(text))
    }
}
