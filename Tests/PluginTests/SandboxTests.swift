import CRMCore
import CRMHost
import XCTest

final class SandboxTests: PluginTestCase {
    func testForbiddenGlobalsAreNamed() throws {
        for name in ["io", "debug", "package", "require", "dofile", "loadfile", "coroutine", "warn"] {
            let message = try probeMessage("return \(name)")
            XCTAssertEqual(message, "global '\(name)' is not available in the plugin sandbox", name)
        }
    }

    func testForbiddenOsFunctionsAreNamed() throws {
        for name in ["execute", "exit", "getenv", "remove", "rename", "tmpname", "setlocale"] {
            let message = try probeMessage("return os.\(name)")
            XCTAssertEqual(message, "os.\(name) is not available in the plugin sandbox", name)
        }
    }

    func testUndefinedGlobalIsNamed() throws {
        XCTAssertEqual(try probeMessage("return undefinedHelper"), "global 'undefinedHelper' is not defined")
    }

    func testCrmGlobalIsExplained() throws {
        XCTAssertThrowsError(try plugin("crm.log('loading')\nreturn { name = 'early', version = '1' }")) { error in
            let failure = error as? PluginFailure
            XCTAssertEqual(failure?.kind, .runtime)
            XCTAssertEqual(failure?.line, 1)
            XCTAssertEqual(failure?.message,
                           "global 'crm' is not defined; handlers receive the crm table as their second argument")
        }
    }

    func testGlobalsMetatableIsProtected() throws {
        XCTAssertEqual(try probeMessage("setmetatable(_G, nil)"), "cannot change a protected metatable")
    }

    func testDefinedGlobalsStayReadable() throws {
        let bridge = TestBridge()
        let plugin = try probe("helper = 41\nreturn rawget(_G, 'missing') == nil and helper + 1", bridge: bridge)

        XCTAssertEqual(try plugin.call("probe", payload: .null, mode: .event), .integer(42))
    }

    func testStringDumpIsAbsent() throws {
        XCTAssertEqual(try probeMessage("return string.dump(print)"),
                       "string.dump is not available in the plugin sandbox")
        XCTAssertEqual(try probeMessage("return ('x'):dump()"), "string.dump is not available in the plugin sandbox")
    }

    func testLoadRejectsBinaryChunks() throws {
        let bridge = TestBridge()
        let plugin = try probe("""
        local fn, message = load("\\27Lua\\84\\0", "=forged", "b")
        return { loaded = fn ~= nil, message = message }
        """, bridge: bridge)

        let result = try plugin.call("probe", payload: .null, mode: .event)

        XCTAssertEqual(result, .object([("loaded", .bool(false)),
                                        ("message", .string("attempt to load a binary chunk (mode is 't')"))]))
    }

    func testLoadedTextSeesSandbox() throws {
        let bridge = TestBridge()
        let plugin = try probe("""
        local upper = load("return string.upper('acme')")()
        local ok, message = pcall(load("return io"))
        return { upper = upper, ok = ok, message = message }
        """, bridge: bridge)

        let result = try plugin.call("probe", payload: .null, mode: .event)

        XCTAssertEqual(result, .object([
            ("message", .string("[string \"return io\"]:1: global 'io' is not available in the plugin sandbox")),
            ("ok", .bool(false)), ("upper", .string("ACME")),
        ]))
    }

    func testLoadRejectsEnvironmentArgument() throws {
        XCTAssertEqual(try probeMessage("return load('return 1', 'chunk', 't', {})"),
                       "load: the env argument is not supported in the plugin sandbox")
    }

    func testLoadedChunkCannotPassForPluginFile() throws {
        let bridge = TestBridge()
        let plugin = try probe("local fn = load('error(\"boom\")', '=probe.lua')\nfn()", bridge: bridge)

        let (failure, _) = try XCTUnwrap(failure(of: plugin, "probe", bridge: bridge))

        XCTAssertEqual(failure.message, "(load) probe.lua:1: boom")
        XCTAssertEqual(failure.line, 4)
    }

    func testCrmTableIsReadOnly() throws {
        XCTAssertEqual(try probeMessage("rawset(crm, 'log', print)"), "table 'crm' is read-only")
        XCTAssertEqual(try probeMessage("crm.log = print"), "table 'crm' is read-only")
        XCTAssertEqual(try probeMessage("crm.extra = 1"), "table 'crm' is read-only")
        XCTAssertEqual(try probeMessage("setmetatable(crm, nil)"), "cannot change a protected metatable")
    }

    func testCrmTableListsCatalogue() throws {
        let bridge = TestBridge()
        let plugin = try probe("""
        local names = {}
        for name in pairs(crm) do names[#names + 1] = name end
        table.sort(names)
        return { names = names, metatable = getmetatable(crm) }
        """, bridge: bridge)

        let result = try plugin.call("probe", payload: .null, mode: .event)

        XCTAssertEqual(result["names"], .array(Catalogue.api.map(\.name).sorted().map(Value.string)))
        XCTAssertEqual(result["metatable"], .string("the crm table is read-only"))
    }

    func testStringMetatableIsHidden() throws {
        let bridge = TestBridge()
        let plugin = try probe("return getmetatable('')", bridge: bridge)

        XCTAssertEqual(try plugin.call("probe", payload: .null, mode: .event),
                       .string("the string metatable is protected"))
    }

    func testOsTimeReadsHostClock() throws {
        let bridge = TestBridge()
        let plugin = try probe("""
        return { now = os.time(), day = os.date('!%Y-%m-%d'), explicit = os.date('!%Y', 0),
                 table = os.time({ year = 2026, month = 1, day = 2, hour = 12 }) > 0, clock = type(os.clock()) }
        """, bridge: bridge)
        let clock = Clock.fixed(today: CivilDate(year: 2026, month: 3, day: 14)!)

        let result = try plugin.call("probe", payload: .null, mode: .event)

        XCTAssertEqual(result["now"], .integer(clock.now))
        XCTAssertEqual(result["day"], .string("2026-03-14"))
        XCTAssertEqual(result["explicit"], .string("1970"))
        XCTAssertEqual(result["table"], .bool(true))
        XCTAssertEqual(result["clock"], .string("number"))
    }

    func testClockChangeReachesPlugin() throws {
        let bridge = TestBridge()
        let plugin = try probe("return os.time()", bridge: bridge)

        plugin.clock = Clock(now: 1_000_000)

        XCTAssertEqual(try plugin.call("probe", payload: .null, mode: .event), .integer(1_000_000))
    }

    func testGcMetatablesAreRejected() throws {
        let expected = "setmetatable: metatables with a __gc field are not allowed in the plugin sandbox"
        XCTAssertEqual(try probeMessage("setmetatable({}, { __gc = function() end })"), expected)
        XCTAssertEqual(try probeMessage("setmetatable({}, { __gc = false })"), expected)
    }

    func testOtherMetatablesWork() throws {
        let bridge = TestBridge()
        let plugin = try probe("""
        local t = setmetatable({}, { __index = function(_, key) return key .. '!' end })
        return t.hello
        """, bridge: bridge)

        XCTAssertEqual(try plugin.call("probe", payload: .null, mode: .event), .string("hello!"))
    }

    func testCollectgarbageAllowsCountOnly() throws {
        let bridge = TestBridge()
        let plugin = try probe("return collectgarbage('count') > 0", bridge: bridge)

        XCTAssertEqual(try plugin.call("probe", payload: .null, mode: .event), .bool(true))
        XCTAssertEqual(try probeMessage("collectgarbage()"),
                       "collectgarbage: option 'collect' is not available in the plugin sandbox")
    }

    func testPrintGoesToLog() throws {
        let bridge = TestBridge()
        let plugin = try probe("print('total', 12, true)", bridge: bridge)

        _ = try plugin.call("probe", payload: .null, mode: .rule)

        XCTAssertEqual(bridge.logLines, ["probe: total\t12\ttrue"])
    }

    func testXpcallRunsHandlerAfterFailure() throws {
        let bridge = TestBridge()
        let plugin = try probe("""
        local ok, value = xpcall(function(a) error(a, 0) end, function(m) return 'handled ' .. m end, 'x')
        local okay, sum = xpcall(function(a, b) return a + b end, print, 2, 3)
        return { ok = ok, value = value, okay = okay, sum = sum }
        """, bridge: bridge)

        let result = try plugin.call("probe", payload: .null, mode: .event)

        XCTAssertEqual(result, .object([("ok", .bool(false)), ("okay", .bool(true)), ("sum", .integer(5)),
                                        ("value", .string("handled x"))]))
    }

    func testLibraryChangesStayInPlugin() throws {
        let bridge = TestBridge()
        let changer = try probe("string.upper = function() return 'changed' end\nreturn ('a'):upper()", bridge: bridge)
        let other = try probe("return ('a'):upper()", bridge: bridge)

        XCTAssertEqual(try changer.call("probe", payload: .null, mode: .event), .string("changed"))
        XCTAssertEqual(try other.call("probe", payload: .null, mode: .event), .string("A"))
    }

    func testRulesCannotWrite() throws {
        let bridge = TestBridge()
        let plugin = try probe("return crm.addNote(1, 'text')", bridge: bridge)

        let (failure, _) = try XCTUnwrap(failure(of: plugin, "probe", mode: .rule, bridge: bridge))
        let written = try plugin.call("probe", payload: .null, mode: .event)

        XCTAssertEqual(failure.message, "crm.addNote writes to the database and is not available in rules")
        XCTAssertEqual(failure.line, 3)
        XCTAssertEqual(written, .integer(1))
        XCTAssertEqual(bridge.calls(to: "addNote").map(\.mode), [.event])
    }

    func testApiArgumentsAreCheckedExactly() throws {
        let cases: [(String, String)] = [
            ("crm.addNote(1)", "bad argument #2 to 'crm.addNote' (string expected, got no value)"),
            ("crm.addNote(1, nil)", "bad argument #2 to 'crm.addNote' (string expected, got nil)"),
            ("crm.addNote(30.0, 'x')", "bad argument #1 to 'crm.addNote' (integer expected, got float)"),
            ("crm.addNote('1', 'x')", "bad argument #1 to 'crm.addNote' (integer expected, got string)"),
            ("crm.addNote(1, 12)", "bad argument #2 to 'crm.addNote' (string expected, got integer)"),
            ("crm.addNote(1, 'x', 3)", "bad argument #3 to 'crm.addNote' (no value expected)"),
            ("crm.addNote(1, '\\xff')", "bad argument #2 to 'crm.addNote' (string is not valid UTF-8)"),
            ("crm.addDays('2026-02-30', 1)", "bad argument #1 to 'crm.addDays' (invalid date, expected YYYY-MM-DD)"),
            ("crm.addDays(20260201, 1)", "bad argument #1 to 'crm.addDays' (date string expected, got integer)"),
            ("crm.setCreditLimit(1, 10 ^ 3)", "bad argument #2 to 'crm.setCreditLimit' (integer expected, got float)"),
            ("crm.setCreditLimit(1, math.maxinteger)",
             "bad argument #2 to 'crm.setCreditLimit' (amount out of range: at most 10^15 minor units)"),
            ("crm.log({})", "bad argument #1 to 'crm.log' (string expected, got table)"),
        ]
        for (call, expected) in cases {
            XCTAssertEqual(try probeMessage(call), expected, call)
        }
    }

    func testApiArgumentsReachBridge() throws {
        let bridge = TestBridge()
        let plugin = try probe("""
        crm.setCreditLimit(7, 500000)
        return { day = crm.addDays('2026-02-27', 3), today = crm.today(), account = crm.getAccount(1) }
        """, bridge: bridge)

        let result = try plugin.call("probe", payload: .null, mode: .event)

        XCTAssertEqual(result["day"], .string("2026-03-02"))
        XCTAssertEqual(result["today"], .string("2026-03-14"))
        XCTAssertEqual(result["account"], .object([("id", .integer(1)), ("legalName", .string("Acme GmbH"))]))
        XCTAssertEqual(bridge.calls(to: "setCreditLimit").first?.arguments, [.integer(7), .integer(500_000)])
        XCTAssertEqual(bridge.calls(to: "setCreditLimit").first?.plugin, "probe")
    }

    func testBridgeErrorIsCatchable() throws {
        let bridge = TestBridge()
        let plugin = try probe("""
        local ok, message = pcall(crm.addNote, 99, 'text')
        return { ok = ok, message = message }
        """, bridge: bridge)

        let result = try plugin.call("probe", payload: .null, mode: .event)

        XCTAssertEqual(result, .object([("message", .string("crm.addNote: account 99 not found")),
                                        ("ok", .bool(false))]))
    }

    func testPayloadArrivesAsTable() throws {
        let bridge = TestBridge()
        let plugin = try probe("""
        return { payload.id, math.type(payload.id), payload.tags[2], #payload.tags, payload.nested.flag,
                 payload.nested.absent == nil, math.type(payload.ratio) }
        """, bridge: bridge)
        let payload: Value = .object([
            ("id", .integer(7)), ("tags", .array([.string("a"), .string("b")])), ("ratio", .float(0.5)),
            ("nested", .object([("flag", .bool(true)), ("absent", .null)])),
        ])

        let result = try plugin.call("probe", payload: payload, mode: .event)

        XCTAssertEqual(result, .array([.integer(7), .string("integer"), .string("b"), .integer(2), .bool(true),
                                       .bool(true), .string("float")]))
    }
}
