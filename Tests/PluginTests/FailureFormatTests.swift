import CRMCore
import CRMHost
import XCTest

final class FailureFormatTests: PluginTestCase {
    func testDescriptionWithLine() {
        let failure = PluginFailure(kind: .runtime, plugin: "terms", file: "terms.lua", line: 12, message: "boom")

        XCTAssertEqual(failure.description, "plugin terms (terms.lua:12): boom")
        XCTAssertEqual(failure.compilerStyleDescription, "terms.lua:12: boom")
    }

    func testDescriptionWithoutLine() {
        let failure = PluginFailure(kind: .memoryLimit, plugin: "terms", file: "terms.lua", line: nil, message: "boom")

        XCTAssertEqual(failure.description, "plugin terms (terms.lua): boom")
    }

    func testControlCharactersAreEscaped() {
        let failure = PluginFailure(kind: .runtime, plugin: "a\u{1B}[31m", file: "x.lua", line: 1,
                                    message: "line one\nline two\ttab\r\u{7F}\u{9B}é")

        XCTAssertEqual(failure.description,
                       "plugin a\\x1B[31m (x.lua:1): line one\\nline two\\x09tab\\x0D\\x7F\\x9Bé")
    }

    func testDescriptionIsCut() {
        let failure = PluginFailure(kind: .runtime, plugin: "long", file: "long.lua", line: 3,
                                    message: String(repeating: "é", count: 2000))

        let description = failure.description

        XCTAssertLessThanOrEqual(description.utf8.count, PluginFailure.maxDescriptionBytes)
        XCTAssertGreaterThan(description.utf8.count, PluginFailure.maxDescriptionBytes - 8)
        XCTAssertTrue(description.hasPrefix("plugin long (long.lua:3): éé"))
        XCTAssertTrue(description.hasSuffix("é..."))
    }

    func testRuntimeErrorIsEscaped() throws {
        let bridge = TestBridge()
        let plugin = try probe("error('first\\nsecond')", bridge: bridge)

        let (failure, _) = try XCTUnwrap(failure(of: plugin, "probe", bridge: bridge))

        XCTAssertEqual(failure.message, "first\nsecond")
        XCTAssertEqual(failure.description, "plugin probe (probe.lua:3): first\\nsecond")
    }

    func testErrorLevelZeroUsesStackLine() throws {
        let bridge = TestBridge()
        let plugin = try probe("local x = 1\nerror('no position', 0)", bridge: bridge)

        let (failure, _) = try XCTUnwrap(failure(of: plugin, "probe", bridge: bridge))

        XCTAssertEqual(failure.message, "no position")
        XCTAssertEqual(failure.line, 4)
    }

    func testErrorInHelperReportsItsLine() throws {
        let bridge = TestBridge()
        let plugin = try plugin("""
        local P = { name = "nested", version = "1" }
        local function check(value)
          if value == nil then error("value is missing") end
        end
        function P.run(payload, crm)
          check(payload.missing)
        end
        return P
        """, bridge: bridge)

        let (failure, _) = try XCTUnwrap(failure(of: plugin, "run", payload: .object([]), bridge: bridge))

        XCTAssertEqual(failure.line, 3)
        XCTAssertEqual(failure.description, "plugin nested (test.lua:3): value is missing")
    }

    func testNonStringErrorObject() throws {
        let bridge = TestBridge()
        let plugin = try probe("error({ code = 1 })", bridge: bridge)

        let (failure, _) = try XCTUnwrap(failure(of: plugin, "probe", bridge: bridge))

        XCTAssertEqual(failure.message, "error object is a table value")
        XCTAssertEqual(failure.line, 3)
    }

    func testNumericErrorObject() throws {
        let bridge = TestBridge()
        let plugin = try probe("error(42)", bridge: bridge)

        let (failure, _) = try XCTUnwrap(failure(of: plugin, "probe", bridge: bridge))

        XCTAssertEqual(failure.message, "42")
    }

    func testMessageHasNoTraceback() throws {
        let bridge = TestBridge()
        let plugin = try probe("local t = nil\nreturn t.field", bridge: bridge)

        let (failure, _) = try XCTUnwrap(failure(of: plugin, "probe", bridge: bridge))

        XCTAssertEqual(failure.message, "attempt to index a nil value (local 't')")
        XCTAssertFalse(failure.description.contains("traceback"))
    }

    func testLongFileNameIsStripped() throws {
        let file = "packs/acme-industries/rules/" + String(repeating: "solvency-", count: 8) + "rule.lua"
        XCTAssertThrowsError(try plugin("return {", file: file)) { error in
            let failure = error as? PluginFailure
            XCTAssertEqual(failure?.kind, .syntax)
            XCTAssertEqual(failure?.line, 1)
            XCTAssertEqual(failure?.message, "unexpected symbol near <eof>")
        }
    }

    func testInvalidPluginTables() throws {
        let cases: [(String, String)] = [
            ("return 42", "the file must return a plugin table, got integer"),
            ("return { version = '1' }", "the plugin table needs a 'name' string, got nil"),
            ("return { name = 'x' }", "the plugin table needs a 'version' string, got nil"),
            ("return { name = 'bad\\nname', version = '1' }",
             "'name' must be 1 to 100 bytes of UTF-8 text without control characters"),
            ("return { name = 'x', version = '1', api = 2 }",
             "the plugin needs host API version 2, but this host provides version 1"),
            ("return { name = 'x', version = '1', api = 1.0 }", "'api' must be an integer, got float"),
            ("return { name = 'x', version = '1', priority = '5' }", "'priority' must be an integer, got string"),
            ("return { name = 'x', version = '1', settings = { 1, 2 } }", "'settings' must have string keys"),
        ]
        for (source, expected) in cases {
            XCTAssertThrowsError(try plugin(source, file: "bad.lua"), source) { error in
                let failure = error as? PluginFailure
                XCTAssertEqual(failure?.kind, .invalidPlugin, source)
                XCTAssertEqual(failure?.message, expected, source)
            }
        }
    }

    func testLoadFailureNamesFile() throws {
        XCTAssertThrowsError(try plugin("return { version = '1' }", file: "nameless.lua")) { error in
            XCTAssertEqual((error as? PluginFailure)?.description,
                           "plugin nameless.lua (nameless.lua): the plugin table needs a 'name' string, got nil")
        }
    }

    func testMissingHandlerFails() throws {
        let bridge = TestBridge()
        let plugin = try probe("return 1", bridge: bridge)

        let (failure, _) = try XCTUnwrap(failure(of: plugin, "absent", bridge: bridge))

        XCTAssertEqual(failure.message, "the plugin has no handler named 'absent'")
    }
}
