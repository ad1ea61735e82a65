import CRMCore
import CRMHost
import Foundation
import XCTest

/// One test per file of Fixtures/hostile; its README lists the expected
/// behaviour of each case.
final class HostilePluginTests: PluginTestCase {
    func testIoOpenFileFails() throws {
        let bridge = TestBridge()
        let plugin = try loadHostile("01-io-open-file.lua", bridge: bridge)

        let (failure, seconds) = try XCTUnwrap(failure(of: plugin, "onOpportunityWon", payload: Payloads.opportunity,
                                                       bridge: bridge))

        XCTAssertEqual(failure.kind, .runtime)
        XCTAssertEqual(failure.line, 7)
        XCTAssertEqual(failure.description,
                       "plugin hostile-io-open-file (01-io-open-file.lua:7): global 'io' is not available in the "
                           + "plugin sandbox")
        XCTAssertFalse(fileExistsInWorkDirectory("hostile-io-marker.txt"))
        XCTAssertTrue(bridge.keptNotes.isEmpty)
        XCTAssertLessThan(seconds, 2)
    }

    func testOsExecuteGetenvFails() throws {
        let secret = "postgres://crm:sentinel-password@db.invalid/crm"
        setenv("DATABASE_URL", secret, 1)
        defer { unsetenv("DATABASE_URL") }
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "/nonexistent-home"
        let bridge = TestBridge()
        let plugin = try loadHostile("02-os-execute-getenv.lua", bridge: bridge)

        let (failure, seconds) = try XCTUnwrap(failure(of: plugin, "onOpportunityWon", payload: Payloads.opportunity,
                                                       bridge: bridge))

        XCTAssertEqual(failure.line, 7)
        XCTAssertEqual(failure.message, "os.getenv is not available in the plugin sandbox")
        XCTAssertFalse(fileExistsInWorkDirectory("hostile-os-marker.txt"))
        let output = ([failure.description] + bridge.logLines + bridge.calls.map { "\($0.arguments)" })
            .joined(separator: "\n")
        XCTAssertFalse(output.contains("sentinel-password"))
        XCTAssertFalse(output.contains(home))
        XCTAssertLessThan(seconds, 2)
    }

    func testOsExitInRuleFails() throws {
        let bridge = TestBridge()
        let plugin = try loadHostile("03-os-exit-zero.lua", bridge: bridge)

        let (failure, _) = try XCTUnwrap(failure(of: plugin, "solvency", payload: Payloads.opening, mode: .rule,
                                                 bridge: bridge))

        XCTAssertEqual(failure.line, 7)
        XCTAssertEqual(failure.message, "os.exit is not available in the plugin sandbox")
        // Reaching this line shows that the process was not ended.
    }

    func testRequireAndLoadlibFail() throws {
        let bridge = TestBridge()
        let plugin = try loadHostile("04-require-native-module.lua", bridge: bridge)

        let (required, firstSeconds) = try XCTUnwrap(failure(of: plugin, "onOpportunityWon",
                                                             payload: Payloads.opportunity, bridge: bridge))
        let (loadlib, secondSeconds) = try XCTUnwrap(failure(of: plugin, "onAccountOpeningRequested",
                                                             payload: Payloads.opening, bridge: bridge))

        XCTAssertEqual(required.line, 7)
        XCTAssertEqual(required.message, "global 'require' is not available in the plugin sandbox")
        XCTAssertEqual(loadlib.line, 12)
        XCTAssertEqual(loadlib.message, "global 'package' is not available in the plugin sandbox")
        XCTAssertFalse(fileExistsInWorkDirectory("hostile-loadlib-marker.txt"))
        XCTAssertLessThan(firstSeconds, 2)
        XCTAssertLessThan(secondSeconds, 2)
    }

    func testBinaryChunksFail() throws {
        let bridge = TestBridge()
        let plugin = try loadHostile("05-load-binary-chunk.lua", bridge: bridge)

        let (dump, _) = try XCTUnwrap(failure(of: plugin, "onOpportunityWon", payload: Payloads.opportunity,
                                              bridge: bridge))
        let (forged, _) = try XCTUnwrap(failure(of: plugin, "solvency", payload: Payloads.opening, mode: .rule,
                                                bridge: bridge))

        XCTAssertEqual(dump.line, 7)
        XCTAssertEqual(dump.message, "string.dump is not available in the plugin sandbox")
        XCTAssertEqual(forged.line, 14)
        XCTAssertEqual(forged.message, "attempt to load a binary chunk (mode is 't')")
        XCTAssertTrue(bridge.calls.isEmpty)
    }

    func testDebugLibraryFails() throws {
        let bridge = TestBridge()
        let plugin = try loadHostile("06-debug-library.lua", bridge: bridge)

        let (sethook, firstSeconds) = try XCTUnwrap(failure(of: plugin, "onOpportunityWon",
                                                            payload: Payloads.opportunity, bridge: bridge))
        let (registry, secondSeconds) = try XCTUnwrap(failure(of: plugin, "onAccountOpeningRequested",
                                                              payload: Payloads.opening, bridge: bridge))

        XCTAssertEqual(sethook.line, 7)
        XCTAssertEqual(sethook.message, "global 'debug' is not available in the plugin sandbox")
        XCTAssertEqual(registry.line, 12)
        XCTAssertEqual(registry.message, "global 'debug' is not available in the plugin sandbox")
        XCTAssertTrue(bridge.logLines.isEmpty)
        XCTAssertLessThan(firstSeconds, 2)
        XCTAssertLessThan(secondSeconds, 2)
    }

    func testStringMetatablePoisonStaysLocal() throws {
        let bridge = TestBridge()
        let poison = try loadHostile("08-string-metatable-poison.lua", bridge: bridge)
        let victim = try loadHostile("09-string-metatable-victim.lua", bridge: bridge)

        let poisoned = run(poison, "onOpportunityWon", payload: Payloads.opportunity, bridge: bridge)
        let checked = run(victim, "onOpportunityWon", payload: Payloads.opportunity, bridge: bridge)
        let poisonedAgain = run(poison, "onOpportunityWon", payload: Payloads.opportunity, bridge: bridge)

        XCTAssertNil(poisoned.failure)
        XCTAssertNil(checked.failure)
        XCTAssertNil(poisonedAgain.failure)
        XCTAssertEqual(bridge.logLines, [
            "hostile-string-metatable-poison: poison attempted",
            "hostile-string-metatable-victim: ACME GMBH owes 12",
            "hostile-string-metatable-poison: poison attempted",
        ])
    }

    func testInfiniteLoopStopsOnBudget() throws {
        let bridge = TestBridge()
        let plugin = try loadHostile("11-infinite-loop.lua", bridge: bridge)

        let (failure, seconds) = try XCTUnwrap(failure(of: plugin, "onOpportunityWon", payload: Payloads.opportunity,
                                                       bridge: bridge))

        XCTAssertEqual(failure.kind, .instructionBudget)
        XCTAssertEqual(failure.message, "exceeded the instruction budget of 50000000 instructions")
        XCTAssertTrue((8...10).contains(failure.line ?? 0), "line \(String(describing: failure.line))")
        XCTAssertLessThan(seconds, 2)
    }

    func testPcallCannotSwallowBudget() throws {
        let bridge = TestBridge()
        let plugin = try loadHostile("12-pcall-swallow-loop.lua", bridge: bridge)

        let (failure, seconds) = try XCTUnwrap(failure(of: plugin, "onOpportunityWon", payload: Payloads.opportunity,
                                                       bridge: bridge))

        XCTAssertEqual(failure.kind, .instructionBudget)
        XCTAssertTrue((7...11).contains(failure.line ?? 0), "line \(String(describing: failure.line))")
        XCTAssertLessThan(seconds, 2)
    }

    func testCaughtLimitThenApproveFails() throws {
        let bridge = TestBridge()
        let plugin = try loadHostile("13-caught-limit-then-approve.lua", bridge: bridge)

        let rule = run(plugin, "solvency", payload: Payloads.opening, mode: .rule, bridge: bridge)
        let (hook, hookSeconds) = try XCTUnwrap(failure(of: plugin, "onAccountOpeningRequested",
                                                        payload: Payloads.opening, bridge: bridge))

        XCTAssertNil(rule.result, "no approval may come out of a call that reached a limit")
        XCTAssertEqual(rule.failure?.kind, .instructionBudget)
        XCTAssertTrue((7...10).contains(rule.failure?.line ?? 0), "line \(String(describing: rule.failure?.line))")
        XCTAssertLessThan(rule.seconds, 2)
        XCTAssertEqual(hook.line, 14)
        XCTAssertEqual(hook.message, "global 'coroutine' is not available in the plugin sandbox")
        XCTAssertTrue(bridge.calls(to: "addNote").isEmpty)
        XCTAssertTrue(bridge.keptNotes.isEmpty)
        XCTAssertLessThan(hookSeconds, 2)
    }

    func testGcFinalizerIsRejected() throws {
        let bridge = TestBridge()
        let plugin = try loadHostile("16-gc-finalizer-loop.lua", bridge: bridge)

        let (failure, seconds) = try XCTUnwrap(failure(of: plugin, "onOpportunityWon", payload: Payloads.opportunity,
                                                       bridge: bridge))

        XCTAssertEqual(failure.line, 7)
        XCTAssertEqual(failure.message,
                       "setmetatable: metatables with a __gc field are not allowed in the plugin sandbox")
        XCTAssertTrue(bridge.logLines.isEmpty)
        XCTAssertLessThan(seconds, 2)
    }

    func testPatternBacktrackingIsRejected() throws {
        let bridge = TestBridge()
        let plugin = try loadHostile("17-pattern-backtracking.lua", bridge: bridge)

        let (rule, ruleSeconds) = try XCTUnwrap(failure(of: plugin, "solvency", payload: Payloads.opening,
                                                        mode: .rule, bridge: bridge))
        let (hook, hookSeconds) = try XCTUnwrap(failure(of: plugin, "onOpportunityWon",
                                                        payload: Payloads.opportunity, bridge: bridge))

        XCTAssertEqual(rule.line, 9)
        XCTAssertEqual(rule.message, "string.find: pattern has 12 repetition items (* + - ?); the maximum is 8")
        XCTAssertEqual(hook.line, 15)
        XCTAssertEqual(hook.message,
                       "string.find: subject of 200000 bytes is longer than the 65536-byte maximum for pattern "
                           + "functions")
        XCTAssertLessThan(ruleSeconds, 0.5)
        XCTAssertLessThan(hookSeconds, 0.5)
    }

    func testStringRepBombHitsMemoryLimit() throws {
        let bridge = TestBridge()
        let plugin = try loadHostile("19-string-rep-bomb.lua", bridge: bridge)

        let (rep, repSeconds) = try XCTUnwrap(failure(of: plugin, "onOpportunityWon", payload: Payloads.opportunity,
                                                      bridge: bridge))
        let (doubling, doublingSeconds) = try XCTUnwrap(failure(of: plugin, "onAccountOpeningRequested",
                                                                payload: Payloads.opening, bridge: bridge))

        XCTAssertEqual(rep.kind, .memoryLimit)
        XCTAssertEqual(rep.line, 7)
        XCTAssertEqual(rep.message, "exceeded the memory limit of 32 MiB")
        XCTAssertEqual(doubling.kind, .memoryLimit)
        XCTAssertTrue(doubling.line == nil || doubling.line == 13, "line \(String(describing: doubling.line))")
        XCTAssertTrue(bridge.calls(to: "addNote").isEmpty)
        XCTAssertLessThan(repSeconds, 2)
        XCTAssertLessThan(doublingSeconds, 2)

        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        // NOTE: ru_maxrss is the peak of the whole test process, so this
        // bound only shows that no gigabyte string was ever built.
        XCTAssertLessThan(usage.ru_maxrss, 512 * 1024, "peak resident set in KiB")
    }

    func testCaughtMemoryErrorStillFails() throws {
        let bridge = TestBridge()
        let plugin = try loadHostile("21-memory-error-swallow.lua", bridge: bridge)

        let outcome = run(plugin, "solvency", payload: Payloads.opening, mode: .rule, bridge: bridge)

        XCTAssertNil(outcome.result, "no approval may come out of a call that reached a limit")
        XCTAssertEqual(outcome.failure?.kind, .memoryLimit)
        XCTAssertEqual(outcome.failure?.line, 8)
        XCTAssertEqual(outcome.failure?.description,
                       "plugin hostile-memory-error-swallow (21-memory-error-swallow.lua:8): exceeded the memory "
                           + "limit of 32 MiB")
    }

    func testDeepRecursionFails() throws {
        let bridge = TestBridge()
        let plugin = try loadHostile("23-deep-lua-recursion.lua", bridge: bridge)

        let (failure, seconds) = try XCTUnwrap(failure(of: plugin, "onOpportunityWon", payload: Payloads.opportunity,
                                                       bridge: bridge))

        XCTAssertEqual(failure.line, 7)
        XCTAssertTrue(failure.kind == .memoryLimit || failure.message.contains("stack overflow"), failure.message)
        XCTAssertLessThan(seconds, 2)
    }

    func testNonIntegerResultsFailValidation() throws {
        let bridge = TestBridge()
        let plugin = try loadHostile("31-money-non-integer.lua", bridge: bridge)
        let followUps = try XCTUnwrap(Catalogue.hook(named: "followUps")?.result)

        let days = try plugin.call("defaultPaymentTermDays", payload: Payloads.account, mode: .rule)
        let discount = try plugin.call("discountCents", payload: Payloads.discount, mode: .rule)
        let schedule = try plugin.call("followUps", payload: Payloads.opportunity, mode: .rule)

        XCTAssertEqual(days, .float(30.5))
        XCTAssertEqual(discount, .float(12_500.0))
        guard case let .array(items) = schedule, case let .float(inDays)? = items.first?["inDays"] else {
            return XCTFail("followUps returned \(schedule)")
        }
        XCTAssertTrue(inDays.isNaN)
        XCTAssertThrowsError(try validate(days, against: .integer, path: "result")) { error in
            XCTAssertEqual((error as? ShapeError)?.message, "result must be an integer, got float")
        }
        XCTAssertThrowsError(try validate(discount, against: .money, path: "result")) { error in
            XCTAssertEqual((error as? ShapeError)?.message,
                           "result must be an integer amount in minor units, got float")
        }
        XCTAssertThrowsError(try validate(schedule, against: followUps, path: "result")) { error in
            XCTAssertEqual((error as? ShapeError)?.message, "result[1].inDays must be an integer, got float")
        }
    }

    func testNumericStringsAreNotCoerced() throws {
        let bridge = TestBridge()
        let plugin = try loadHostile("33-numeric-string-coercion.lua", bridge: bridge)

        let days = try plugin.call("defaultPaymentTermDays", payload: Payloads.account, mode: .rule)
        let (failure, _) = try XCTUnwrap(failure(of: plugin, "onOpportunityWon", payload: Payloads.opportunity,
                                                 bridge: bridge))

        XCTAssertEqual(days, .string("30"))
        XCTAssertThrowsError(try validate(days, against: .integer, path: "result")) { error in
            XCTAssertEqual((error as? ShapeError)?.message, "result must be an integer, got string")
        }
        XCTAssertEqual(failure.line, 11)
        XCTAssertEqual(failure.message, "bad argument #2 to 'crm.setCreditLimit' (integer expected, got string)")
        XCTAssertTrue(bridge.calls(to: "setCreditLimit").isEmpty)
        XCTAssertTrue(bridge.creditLimits.isEmpty)
    }

    func testWritesAreRolledBackOnFailure() throws {
        let bridge = TestBridge()
        let plugin = try loadHostile("37-db-write-rollback.lua", bridge: bridge)

        let (raised, _) = try XCTUnwrap(failure(of: plugin, "onOpportunityWon", payload: Payloads.opportunity,
                                                bridge: bridge))
        let (runaway, runawaySeconds) = try XCTUnwrap(failure(of: plugin, "onAccountOpeningRequested",
                                                              payload: Payloads.opening, bridge: bridge))
        let (rule, _) = try XCTUnwrap(failure(of: plugin, "solvency", payload: Payloads.opening, mode: .rule,
                                              bridge: bridge))

        XCTAssertEqual(raised.line, 9)
        XCTAssertEqual(raised.message, "failing after two writes")
        XCTAssertEqual(runaway.kind, .instructionBudget)
        XCTAssertEqual(runaway.line, 14)
        XCTAssertLessThan(runawaySeconds, 2)
        XCTAssertEqual(rule.line, 18)
        XCTAssertEqual(rule.message, "crm.addNote writes to the database and is not available in rules")

        let notes = bridge.calls(to: "addNote")
        XCTAssertEqual(notes.count, 3, "two writes from the first hook and one from the second")
        XCTAssertEqual(notes.map(\.mode), [.event, .event, .event])
        XCTAssertEqual(notes[1].arguments, [.integer(1), .string("x'); DROP TABLE opportunities; --")])
        XCTAssertTrue(bridge.keptNotes.isEmpty)
        XCTAssertTrue(bridge.pendingNotes.isEmpty)
    }

    func testSyntaxErrorFailsToLoad() throws {
        let bridge = TestBridge()

        XCTAssertThrowsError(try loadHostile("39-syntax-error.lua", bridge: bridge)) { error in
            guard let failure = error as? PluginFailure else { return XCTFail("unexpected error \(error)") }
            XCTAssertEqual(failure.kind, .syntax)
            XCTAssertEqual(failure.plugin, "39-syntax-error.lua")
            XCTAssertEqual(failure.line, 8)
            XCTAssertEqual(failure.message, "unexpected symbol near 'end'")
            XCTAssertEqual(failure.description,
                           "plugin 39-syntax-error.lua (39-syntax-error.lua:8): unexpected symbol near 'end'")
            XCTAssertEqual(failure.compilerStyleDescription, "39-syntax-error.lua:8: unexpected symbol near 'end'")
        }
        XCTAssertTrue(bridge.calls.isEmpty)
    }
}
