import CRMCore
import CRMHost
import Foundation
import XCTest

/// Payloads with the integer ids the catalogue declares.
enum Payloads {
    static let opportunity: Value = .object([
        ("id", .integer(1)), ("accountId", .integer(1)), ("title", .string("Press line")),
        ("amount", .integer(125_000)), ("currency", .string("EUR")),
    ])
    static let opening: Value = .object([
        ("id", .integer(2)), ("accountId", .integer(1)), ("requestedCreditLimit", .integer(5_000_000)),
    ])
    /// For `discountCents`, which reads `amountCents`.
    static let discount: Value = .object([("id", .integer(1)), ("accountId", .integer(1)), ("amountCents", .integer(125_000))])
    static let account: Value = .object([("id", .integer(1))])
}

/// The outcome of one handler call run the way the core runs a command:
/// writes are kept on success and rolled back on failure.
struct CallOutcome {
    let result: Value?
    let failure: PluginFailure?
    let seconds: Double
}

enum Fixtures {
    static let directory: String = {
        var path = #filePath
        while let last = path.last, last != "/" { path.removeLast() }
        return path + "Fixtures/hostile/"
    }()

    static func hostileSource(_ file: String) throws -> String {
        try String(contentsOfFile: directory + file, encoding: .utf8)
    }
}

/// Base class that runs each test in a fresh temporary directory, so a
/// plugin that managed to write a relative path would leave it there.
class PluginTestCase: XCTestCase {
    private(set) var workDirectory = ""
    private var previousDirectory = ""

    override func setUpWithError() throws {
        let manager = FileManager.default
        previousDirectory = manager.currentDirectoryPath
        workDirectory = NSTemporaryDirectory() + "plugin-tests-" + UUID().uuidString
        try manager.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        XCTAssertTrue(manager.changeCurrentDirectoryPath(workDirectory))
    }

    override func tearDownWithError() throws {
        let manager = FileManager.default
        XCTAssertTrue(manager.changeCurrentDirectoryPath(previousDirectory))
        try manager.removeItem(atPath: workDirectory)
    }

    func fileExistsInWorkDirectory(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: workDirectory + "/" + name)
    }

    func loadHostile(_ file: String, bridge: TestBridge, limits: PluginLimits = .standard) throws -> LuaPlugin {
        try LuaPlugin(source: try Fixtures.hostileSource(file), file: file, limits: limits, bridge: bridge,
                      clock: .fixed(today: bridge.today))
    }

    func plugin(_ source: String, bridge: TestBridge = TestBridge(), limits: PluginLimits = .standard,
                file: String = "test.lua") throws -> LuaPlugin {
        try LuaPlugin(source: source, file: file, limits: limits, bridge: bridge, clock: .fixed(today: bridge.today))
    }

    /// Builds a plugin whose `probe` handler has `body` as its body.
    func probe(_ body: String, bridge: TestBridge = TestBridge(), limits: PluginLimits = .standard) throws -> LuaPlugin {
        try plugin("""
        local P = { name = "probe", version = "1.0" }
        function P.probe(payload, crm)
        \(body)
        end
        return P
        """, bridge: bridge, limits: limits, file: "probe.lua")
    }

    /// Calls a handler, commits the bridge's writes on success and rolls
    /// them back on failure, and measures the call with a monotonic clock.
    func run(_ plugin: LuaPlugin, _ handler: String, payload: Value = .null, mode: CallMode = .event,
             bridge: TestBridge) -> CallOutcome {
        var result: Value?
        var failure: PluginFailure?
        let elapsed = ContinuousClock().measure {
            do throws(PluginFailure) {
                result = try plugin.call(handler, payload: payload, mode: mode)
                bridge.commit()
            } catch {
                failure = error
                bridge.rollBack()
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return CallOutcome(result: result, failure: failure, seconds: seconds)
    }

    /// Runs `handler` and returns its failure, recording a test failure
    /// when the call succeeds.
    func failure(of plugin: LuaPlugin, _ handler: String, payload: Value = .null, mode: CallMode = .event,
                 bridge: TestBridge, file: StaticString = #filePath, line: UInt = #line) -> (PluginFailure, Double)? {
        let outcome = run(plugin, handler, payload: payload, mode: mode, bridge: bridge)
        guard let failure = outcome.failure else {
            XCTFail("\(handler) returned \(String(describing: outcome.result)) instead of failing", file: file, line: line)
            return nil
        }
        return (failure, outcome.seconds)
    }

    /// Runs the `probe` handler of a plugin built from `body` and returns
    /// its failure message.
    func probeMessage(_ body: String, mode: CallMode = .event, file: StaticString = #filePath,
                      line: UInt = #line) throws -> String? {
        let bridge = TestBridge()
        let plugin = try probe(body, bridge: bridge)
        return failure(of: plugin, "probe", mode: mode, bridge: bridge, file: file, line: line)?.0.message
    }
}
