import CRMCore
import CRMHost
import XCTest

final class LimitTests: PluginTestCase {
    func testBudgetStopsLoop() throws {
        let bridge = TestBridge()
        let limits = PluginLimits(instructionBudget: 100_000)
        let plugin = try probe("local n = 0\nwhile true do n = n + 1 end", bridge: bridge, limits: limits)

        let (failure, seconds) = try XCTUnwrap(failure(of: plugin, "probe", bridge: bridge))

        XCTAssertEqual(failure.kind, .instructionBudget)
        XCTAssertEqual(failure.message, "exceeded the instruction budget of 100000 instructions")
        XCTAssertEqual(failure.line, 4)
        XCTAssertLessThan(seconds, 0.5)
    }

    func testCaughtBudgetStillFails() throws {
        let bridge = TestBridge()
        let limits = PluginLimits(instructionBudget: 100_000)
        let plugin = try probe("pcall(function() while true do end end)\nreturn 'approve'", bridge: bridge,
                               limits: limits)

        let outcome = run(plugin, "probe", mode: .rule, bridge: bridge)

        XCTAssertNil(outcome.result)
        XCTAssertEqual(outcome.failure?.kind, .instructionBudget)
    }

    func testBudgetResetsForNextCall() throws {
        let bridge = TestBridge()
        let limits = PluginLimits(instructionBudget: 100_000)
        let plugin = try probe("if payload.spin then while true do end end\nreturn 'done'", bridge: bridge,
                               limits: limits)

        let spinning = run(plugin, "probe", payload: .object([("spin", .bool(true))]), bridge: bridge)
        let quiet = run(plugin, "probe", payload: .object([]), bridge: bridge)

        XCTAssertEqual(spinning.failure?.kind, .instructionBudget)
        XCTAssertEqual(quiet.result, .string("done"))
    }

    func testBudgetAppliesWhileLoading() throws {
        let limits = PluginLimits(instructionBudget: 100_000)

        XCTAssertThrowsError(try plugin("while true do end", limits: limits, file: "spin.lua")) { error in
            let failure = error as? PluginFailure
            XCTAssertEqual(failure?.kind, .instructionBudget)
            XCTAssertEqual(failure?.line, 1)
            XCTAssertEqual(failure?.plugin, "spin.lua")
        }
    }

    func testTimeLimitStopsLoop() throws {
        let bridge = TestBridge()
        let limits = PluginLimits(instructionBudget: .max, wallClockSeconds: 0.2, watchdogGraceSeconds: 10)
        let plugin = try probe("while true do end", bridge: bridge, limits: limits)

        let (failure, seconds) = try XCTUnwrap(failure(of: plugin, "probe", bridge: bridge))

        XCTAssertEqual(failure.kind, .timeLimit)
        XCTAssertEqual(failure.message, "exceeded the time limit of 0.2 s")
        XCTAssertEqual(failure.line, 3)
        XCTAssertLessThan(seconds, 1)
    }

    func testTimeLimitStopsSlowCalls() throws {
        let bridge = TestBridge()
        let limits = PluginLimits(instructionBudget: .max, wallClockSeconds: 0.2, watchdogGraceSeconds: 10)
        let plugin = try probe("""
        local subject = ('a'):rep(3000)
        for _ = 1, 10000 do pcall(string.find, subject, '.-b') end
        """, bridge: bridge, limits: limits)

        let (failure, seconds) = try XCTUnwrap(failure(of: plugin, "probe", bridge: bridge))

        XCTAssertEqual(failure.kind, .timeLimit)
        XCTAssertEqual(failure.line, 4)
        XCTAssertLessThan(seconds, 1)
    }

    func testMemoryLimitStopsGrowth() throws {
        let bridge = TestBridge()
        let limits = PluginLimits(memoryBytes: 4 << 20)
        let plugin = try probe("local t = {}\nfor i = 1, 1e7 do t[i] = { i } end", bridge: bridge, limits: limits)

        let (failure, _) = try XCTUnwrap(failure(of: plugin, "probe", bridge: bridge))

        XCTAssertEqual(failure.kind, .memoryLimit)
        XCTAssertTrue(failure.line == nil || failure.line == 4, "line \(String(describing: failure.line))")
        XCTAssertTrue(failure.message.hasPrefix("exceeded the memory limit of 4 MiB"), failure.message)
    }

    func testCaughtMemoryErrorFails() throws {
        let bridge = TestBridge()
        let limits = PluginLimits(memoryBytes: 4 << 20)
        let plugin = try probe("""
        pcall(function() local s = 'x' for _ = 1, 30 do s = s .. s end end)
        return 'approve'
        """, bridge: bridge, limits: limits)

        let outcome = run(plugin, "probe", mode: .rule, bridge: bridge)

        XCTAssertNil(outcome.result)
        XCTAssertEqual(outcome.failure?.kind, .memoryLimit)
    }

    func testStateRecoversAfterMemoryLimit() throws {
        let bridge = TestBridge()
        let limits = PluginLimits(memoryBytes: 4 << 20)
        let plugin = try probe("""
        if payload.grow then local s = ('x'):rep(8 << 20) end
        local parts = {}
        for i = 1, 100 do parts[i] = tostring(i) end
        return table.concat(parts, ','):sub(1, 9)
        """, bridge: bridge, limits: limits)

        let failed = run(plugin, "probe", payload: .object([("grow", .bool(true))]), bridge: bridge)
        let recovered = run(plugin, "probe", payload: .object([]), bridge: bridge)

        XCTAssertEqual(failed.failure?.kind, .memoryLimit)
        XCTAssertEqual(failed.failure?.line, 3)
        XCTAssertEqual(recovered.result, .string("1,2,3,4,5"))
    }

    func testGarbageDoesNotTripMemoryLimit() throws {
        let bridge = TestBridge()
        let limits = PluginLimits(memoryBytes: 4 << 20)
        let plugin = try probe("""
        local total = 0
        for i = 1, 200 do total = total + #(('y'):rep(100000) .. i) end
        return total
        """, bridge: bridge, limits: limits)

        XCTAssertEqual(try plugin.call("probe", payload: .null, mode: .event), .integer(20_000_000 + 9 + 180 + 303))
    }

    func testPatternGuardRejectsCostlyPatterns() throws {
        XCTAssertEqual(try probeMessage("return ('a'):rep(30):find(('a-'):rep(6) .. 'b')"),
                       "string.find: pattern is too complex for a subject of 30 bytes; use a shorter subject or "
                           + "fewer repetition items")
        XCTAssertEqual(try probeMessage("return ('x'):rep(70000):match('y')"),
                       "string.match: subject of 70000 bytes is longer than the 65536-byte maximum for pattern "
                           + "functions")
        XCTAssertEqual(try probeMessage("return ('x'):gsub('a?b?c?d?e?f?g?h?i?', '')"),
                       "string.gsub: pattern has 9 repetition items (* + - ?); the maximum is 8")
        XCTAssertEqual(try probeMessage("return ('x'):find('[a')"), "string.find: malformed pattern (missing ']')")
        XCTAssertEqual(try probeMessage("return ('x'):find('%')"), "string.find: malformed pattern (ends with '%')")
    }

    func testPatternGuardAllowsCommonPatterns() throws {
        let bridge = TestBridge()
        let plugin = try probe("""
        local text = ('word '):rep(2000) .. 'SIREN 123456789'
        local year, month, day = ('2026-03-14'):match('^(%d+)-(%d+)-(%d+)$')
        local trimmed = ('   Acme GmbH   '):match('^%s*(.-)%s*$')
        local words = 0
        for _ in text:gmatch('%a+') do words = words + 1 end
        local siren = text:match('SIREN (%d+)')
        local escaped = ('50%'):gsub('%%', ' percent')
        local plain = text:find('SIREN', 1, true)
        return { year, month, day, trimmed, words, siren, escaped, plain }
        """, bridge: bridge)

        let result = try plugin.call("probe", payload: .null, mode: .event)

        XCTAssertEqual(result, .array([
            .string("2026"), .string("03"), .string("14"), .string("Acme GmbH"), .integer(2001),
            .string("123456789"), .string("50 percent"), .integer(10_001),
        ]))
    }

    func testTableMoveRangeIsBounded() throws {
        XCTAssertEqual(try probeMessage("table.move({}, 1, math.maxinteger, 2)"),
                       "table.move: more than 4194304 elements to move")
    }

    func testTableInsertRejectsLenMetamethod() throws {
        let huge = "setmetatable({}, { __len = function() return 1 << 62 end })"
        XCTAssertEqual(try probeMessage("table.insert(\(huge), 1, 0)"),
                       "table.insert: tables with a __len metamethod are not supported in the plugin sandbox")
    }

    func testNestedCallsShareLimits() throws {
        let bridge = TestBridge()
        let limits = PluginLimits(instructionBudget: 200_000)
        let plugin = try plugin("""
        local P = { name = "nested", version = "1" }
        function P.outer(payload, crm) crm.log("enter") return "outer done" end
        function P.inner(payload, crm) if payload.spin then while true do end end return "inner done" end
        return P
        """, bridge: bridge, limits: limits)
        var innerResults: [String] = []
        bridge.onLog = { _ in
            do throws(PluginFailure) {
                let value = try plugin.call("inner", payload: .object([("spin", .bool(innerResults.count == 1))]),
                                            mode: .event)
                innerResults.append(value.stringValue ?? "")
            } catch {
                innerResults.append(error.message)
            }
        }

        let quiet = try plugin.call("outer", payload: .null, mode: .event)
        let spinning = run(plugin, "outer", bridge: bridge)

        XCTAssertEqual(quiet, .string("outer done"))
        XCTAssertEqual(innerResults, ["inner done", "exceeded the instruction budget of 200000 instructions"])
        XCTAssertEqual(spinning.failure?.kind, .instructionBudget)
        bridge.onLog = nil // breaks the bridge -> closure -> plugin -> bridge cycle
    }

    func testUnlimitedTimeIsAccepted() throws {
        let limits = PluginLimits(wallClockSeconds: .infinity)
        let plugin = try probe("return 1", limits: limits)

        XCTAssertEqual(try plugin.call("probe", payload: .null, mode: .event), .integer(1))
    }

    func testLoadRejectsHugeChunks() throws {
        XCTAssertEqual(try probeMessage("return load(('-'):rep(2 << 20))"),
                       "load: chunk of 2097152 bytes is longer than the 1048576-byte maximum")
    }
}

final class ValueConversionTests: PluginTestCase {
    private func resultFailure(_ expression: String, limits: PluginLimits = .standard) throws -> PluginFailure? {
        let bridge = TestBridge()
        let plugin = try probe("return \(expression)", bridge: bridge, limits: limits)
        return failure(of: plugin, "probe", bridge: bridge)?.0
    }

    func testNumbersKeepTheirSubtype() throws {
        let bridge = TestBridge()
        let plugin = try probe("return { 30, 30.0, 0/0, math.huge, -0.0, math.mininteger }", bridge: bridge)

        let result = try plugin.call("probe", payload: .null, mode: .event)

        guard case let .array(items) = result, items.count == 6 else { return XCTFail("got \(result)") }
        XCTAssertEqual(items[0], .integer(30))
        XCTAssertEqual(items[1], .float(30.0))
        if case let .float(number) = items[2] { XCTAssertTrue(number.isNaN) } else { XCTFail("got \(items[2])") }
        XCTAssertEqual(items[3], .float(.infinity))
        XCTAssertEqual(items[4], .float(-0.0))
        XCTAssertEqual(items[5], .integer(.min))
    }

    func testObjectsAreSortedByKey() throws {
        let bridge = TestBridge()
        let plugin = try probe("return { zeta = 1, alpha = { 'x' }, mid = {} }", bridge: bridge)

        XCTAssertEqual(try plugin.call("probe", payload: .null, mode: .event),
                       .object([("alpha", .array([.string("x")])), ("mid", .array([])), ("zeta", .integer(1))]))
    }

    func testMetamethodsAreNotRun() throws {
        let bridge = TestBridge()
        let plugin = try probe("""
        return setmetatable({ real = 1 }, { __index = function() error('ran') end, __pairs = function() error('ran') end })
        """, bridge: bridge)

        XCTAssertEqual(try plugin.call("probe", payload: .null, mode: .event), .object([("real", .integer(1))]))
    }

    func testUnsupportedValuesAreRejected() throws {
        let failure = try XCTUnwrap(try resultFailure("{ items = { 1, print } }"))

        XCTAssertEqual(failure.kind, .invalidResult)
        XCTAssertEqual(failure.line, 2)
        XCTAssertEqual(failure.message, "result.items[2] is a function value; only nil, booleans, numbers, strings "
                           + "and tables can be passed to the host")
    }

    func testTableShapesAreChecked() throws {
        XCTAssertEqual(try resultFailure("{ 1, 2, x = 3 }")?.message, "result mixes integer and string keys")
        XCTAssertEqual(try resultFailure("{ [1] = 'a', [3] = 'c' }")?.message,
                       "result has integer keys that are not 1 to n")
        XCTAssertEqual(try resultFailure("{ [true] = 1 }")?.message,
                       "result has a boolean key; tables need string keys or integer keys 1 to n")
        XCTAssertEqual(try resultFailure("{ [1.5] = 1 }")?.message,
                       "result has a float key; tables need string keys or integer keys 1 to n")
    }

    func testCyclesHitDepthLimit() throws {
        let bridge = TestBridge()
        let plugin = try probe("local t = {}\nt.self = t\nreturn t", bridge: bridge)

        let (failure, _) = try XCTUnwrap(failure(of: plugin, "probe", bridge: bridge))

        XCTAssertTrue(failure.message.hasPrefix("result.self.self.self"), failure.message)
        XCTAssertTrue(failure.message.hasSuffix(" is nested deeper than 32 levels, or contains itself"),
                      failure.message)
    }

    func testStringsAreCheckedAtBoundary() throws {
        let limits = PluginLimits(maxStringBytes: 16)
        XCTAssertEqual(try resultFailure("{ note = ('x'):rep(17) }", limits: limits)?.message,
                       "result.note is a string longer than 16 bytes")
        XCTAssertEqual(try resultFailure("'\\xff\\xfe'")?.message, "result is a string that is not valid UTF-8")
        XCTAssertEqual(try resultFailure("{ ['\\xff'] = 1 }")?.message, "result has a key that is not valid UTF-8")
    }

    func testPluginTableFieldsAreRead() throws {
        let plugin = try plugin("""
        local P = { name = "full", version = "2.1", api = 1, priority = -5,
                    settings = { threshold = 5000, label = "Acme" } }
        function P.solvency() return "approve" end
        function P.onAccountCreated() end
        P.helper = "not a handler"
        return P
        """)

        XCTAssertEqual(plugin.name, "full")
        XCTAssertEqual(plugin.version, "2.1")
        XCTAssertEqual(plugin.apiVersion, 1)
        XCTAssertEqual(plugin.priority, -5)
        XCTAssertEqual(plugin.settingsDefaults, .object([("label", .string("Acme")), ("threshold", .integer(5000))]))
        XCTAssertEqual(plugin.handlerNames, ["onAccountCreated", "solvency"])
        XCTAssertEqual(plugin.handlerLine("solvency"), 3)
        XCTAssertNil(plugin.handlerLine("helper"))
    }

    func testHandlersAreFixedAtLoad() throws {
        let plugin = try plugin("""
        local P = { name = "swap", version = "1" }
        function P.first() P.first = function() return "changed" end return "original" end
        return P
        """)

        XCTAssertEqual(try plugin.call("first", payload: .null, mode: .event), .string("original"))
        XCTAssertEqual(try plugin.call("first", payload: .null, mode: .event), .string("original"))
    }
}
