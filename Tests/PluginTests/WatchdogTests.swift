import CRMCore
import CRMHost
import Foundation
import XCTest

/// The watchdog ends the process, so this test starts a child process.
/// The child is this test binary with only this test selected, and an
/// environment variable makes the test run the runaway plugin there.
final class WatchdogTests: XCTestCase {
    private static let childVariable = "CRM_PLUGIN_WATCHDOG_CHILD"

    func testWatchdogEndsProcess() throws {
        if ProcessInfo.processInfo.environment[Self.childVariable] == "1" {
            try runRunawayPlugin()
            return
        }

        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["PluginTests.WatchdogTests/testWatchdogEndsProcess"]
        child.environment = [Self.childVariable: "1"]
        let errors = Pipe()
        child.standardError = errors
        child.standardOutput = FileHandle.nullDevice

        let started = ContinuousClock.now
        try child.run()
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        let elapsed = ContinuousClock.now - started

        let text = String(decoding: output, as: UTF8.self)
        XCTAssertEqual(child.terminationStatus, 1)
        XCTAssertTrue(text.contains("plugin runaway (runaway.lua): exceeded the wall-clock limit of 0.3 s; "
                                        + "the command was stopped and nothing was saved\n"), text)
        XCTAssertLessThan(elapsed, .seconds(5))
    }

    /// Upper-cases a large string in a loop: each call is one long C call
    /// that no guard checks, and the loop runs too few instructions for
    /// the count hook, so only the watchdog can stop it.
    private func runRunawayPlugin() throws {
        let limits = PluginLimits(instructionBudget: .max, memoryBytes: 64 << 20, wallClockSeconds: 0.3,
                                  watchdogGraceSeconds: 0.2)
        let plugin = try LuaPlugin(source: """
        local P = { name = "runaway", version = "1" }
        function P.run()
          local text = ("x"):rep(8 << 20)
          for _ = 1, 100000 do text:upper() end
        end
        return P
        """, file: "runaway.lua", limits: limits, bridge: TestBridge())
        _ = try plugin.call("run", payload: .null, mode: .event)
        XCTFail("the watchdog did not end the process")
    }
}
