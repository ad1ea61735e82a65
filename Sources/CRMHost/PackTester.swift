import CRMCore
#if canImport(Glibc)
import Glibc
#endif

/// Counts of passed and failed cases of one `crm pack test` run.
public struct PackTestSummary: Sendable, Equatable {
    public var passed = 0
    public var failed = 0
}

/// Runs a pack's own test files against a throwaway database that contains
/// fixtures and the pack, installed as `crm pack install` would.
public enum PackTester {
    /// Limits of the runner's calls. One call runs a whole test case, with
    /// the rule and hook calls it makes, so it gets more time than a plugin.
    static let runnerLimits = PluginLimits(wallClockSeconds: 20, watchdogGraceSeconds: 5)

    /// The helpers the runner calls through its `crm` table; test files
    /// reach them through `test.rule`, `test.fire` and `test.setting`.
    static let helperFunctions: [APIFunctionSpec] = [
        APIFunctionSpec(name: "packTestRule", parameters: [.init("rule", .string), .init("payload", .any)],
                        returns: .any, writes: false, summary: "Asks a rule of the pack's database"),
        APIFunctionSpec(name: "packTestFire", parameters: [.init("event", .string), .init("payload", .any)],
                        returns: nil, writes: false, summary: "Fires an event hook"),
        APIFunctionSpec(name: "packTestSetting", parameters: [.init("key", .string), .init("value", .any, optional: true)],
                        returns: nil, writes: false, summary: "Stores a setting"),
    ]

    /// Runs every test file of the pack in `directory`, writing one line per
    /// case to `report`, and returns the counts. Throws when the pack does
    /// not load or the fixtures cannot be created.
    public static func run(directory: String, clock: Clock,
                           report: (String) -> Void) throws(CRMError) -> PackTestSummary {
        let (manifest, files) = try Packs.load(directory: directory)
        let tests = files.filter { $0.kind == "test" }
        guard !tests.isEmpty else {
            throw CRMError.invalid("pack \(manifest.name) has no tests: list its test files in pack.lua, "
                                   + "such as tests = { \"tests/solvency_test.lua\" }")
        }
        let folder = try temporaryFolder()
        defer {
            Database.removeFiles(at: folder + "/pack-test.sqlite")
            rmdir(folder)
        }
        let database = try Database.create(path: folder + "/pack-test.sqlite")
        try Migrations.apply(to: database, now: clock.timestamp)
        try Users.createFirstAdministrator(database, name: "admin", login: nil, clock: clock)
        let admin = try Users.resolveActor(database, requested: "admin", osLogin: nil)
        let installer = CRMContext(database: database, clock: clock, actor: admin, command: "pack test")
        _ = try Packs.install(installer, directory: directory)

        let host = try LuaPluginHost.forDatabase(database)
        let context = CRMContext(database: database, clock: clock, actor: admin, command: "pack test",
                                 makeHost: { () throws(CRMError) -> PluginHost in host })
        let fixtures = try PackTestFixtures.create(context)
        let bridge = TestBridge(context: context, settings: manifest.settings)
        let runner: LuaPlugin
        do {
            runner = try LuaPlugin(source: PackTestHarness.source, file: PackTestHarness.file, limits: runnerLimits,
                                   bridge: bridge, clock: clock, api: Catalogue.api + helperFunctions)
        } catch {
            throw CRMError(.plugin, error.description)
        }
        defer { runner.close() }

        var summary = PackTestSummary()
        for file in tests {
            summary = try runFile(file.path, source: file.source, runner: runner, database: database,
                                  fixtures: fixtures, summary: summary, report: report)
        }
        report("\(summary.passed) passed, \(summary.failed) failed")
        return summary
    }

    private static func runFile(_ path: String, source: String, runner: LuaPlugin, database: Database, fixtures: Value,
                                summary start: PackTestSummary, report: (String) -> Void) throws(CRMError) -> PackTestSummary {
        var summary = start
        let payload: Value = .object([("file", .string(path)), ("source", .string(source)), ("fixtures", fixtures)])
        let loaded = try database.transaction(dryRun: true) { () throws(CRMError) -> Value in
            call(runner, "load", payload, fallback: path)
        }
        guard loaded["loaded"]?.boolValue == true, case let .array(cases)? = loaded["cases"] else {
            summary.failed += 1
            report("FAIL \(path): the file did not load")
            report("  \(loaded["where"]?.stringValue ?? path): \(loaded["message"]?.stringValue ?? "unknown error")")
            return summary
        }
        for (index, testCase) in cases.enumerated() {
            let name = testCase["name"]?.stringValue ?? "?"
            let caseWhere = testCase["where"]?.stringValue ?? path
            let outcome = try database.transaction(dryRun: true) { () throws(CRMError) -> Value in
                call(runner, "run", .object([("index", .integer(Int64(index + 1)))]), fallback: caseWhere)
            }
            if outcome["passed"]?.boolValue == true {
                summary.passed += 1
                report("ok \(caseWhere) \(name)")
            } else {
                summary.failed += 1
                report("FAIL \(caseWhere) \(name)")
                report("  \(outcome["where"]?.stringValue ?? caseWhere): \(outcome["message"]?.stringValue ?? "unknown error")")
            }
        }
        return summary
    }

    /// Calls the runner; a failure of the runner itself, such as a limit
    /// reached inside a test case, becomes a failed result.
    private static func call(_ runner: LuaPlugin, _ handler: String, _ payload: Value, fallback: String) -> Value {
        do {
            return try runner.call(handler, payload: payload, mode: .event)
        } catch {
            return .object([("loaded", .bool(false)), ("passed", .bool(false)), ("where", .string(fallback)),
                            ("message", .string(error.description))])
        }
    }

    private static func temporaryFolder() throws(CRMError) -> String {
        var base = "/tmp"
        if let variable = getenv("TMPDIR"), let text = String(validatingCString: variable), !text.isEmpty { base = text }
        var template = Array((base + "/crm-pack-test-XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard created != nil else {
            throw CRMError(.io, "cannot create a temporary folder in \(base): \(String(cString: strerror(errno))); "
                               + "set TMPDIR to a writable folder")
        }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// The runner's side of the `crm` table: the catalogue's functions as
/// plugins have them, and the helpers of `test.rule`, `test.fire` and
/// `test.setting`.
final class TestBridge: PluginAPIBridge {
    let context: CRMContext
    let core = CoreBridge()

    init(context: CRMContext, settings: Value) {
        self.context = context
        core.context = context
        core.settingsByPlugin[PackTestHarness.file] = settings
    }

    func call(_ function: APIFunctionSpec, arguments: [Value], plugin: PluginIdentity,
              mode: CallMode) throws(APICallError) -> Value {
        switch function.name {
        case "packTestRule":
            return try reported { () throws(CRMError) -> Value in
                try decide(arguments[0].stringValue ?? "", payload: arguments[1])
            }
        case "packTestFire":
            return try reported { () throws(CRMError) -> Value in
                try fire(arguments[0].stringValue ?? "", payload: arguments[1])
                return .null
            }
        case "packTestSetting":
            return try reported { () throws(CRMError) -> Value in
                try Settings.set(context, key: arguments[0].stringValue ?? "", value: arguments[1])
                return .null
            }
        default:
            return try core.call(function, arguments: arguments, plugin: plugin, mode: mode)
        }
    }

    private func reported(_ body: () throws(CRMError) -> Value) throws(APICallError) -> Value {
        do {
            return try body()
        } catch {
            throw APICallError(error.message)
        }
    }

    /// Checks a test payload against the hook's payload shape, every field optional.
    private func checked(_ name: String, kind: HookSpec.Kind, payload: Value) throws(CRMError) -> Value {
        guard let hook = Catalogue.hook(named: name), hook.kind == kind else {
            let names = Catalogue.hooks.filter { $0.kind == kind }.map(\.name).joined(separator: ", ")
            throw CRMError.invalid("'\(name)' is not \(kind == .rule ? "a rule" : "an event hook"); expected one of \(names)")
        }
        do throws(ShapeError) {
            return try validate(payload, against: Shape.record(hook.payload).withOptionalFields, path: "payload")
        } catch {
            throw CRMError.invalid("invalid payload for \(name): \(error.message)")
        }
    }

    private func decide(_ rule: String, payload: Value) throws(CRMError) -> Value {
        let input = try checked(rule, kind: .rule, payload: payload)
        guard let outcome = try context.decide(rule, payload: input, entity: nil, entityId: nil) else {
            return .object([("decided", .bool(false))])
        }
        return .object([("decided", .bool(true)), ("result", outcome.result), ("plugin", .string(outcome.plugin))])
    }

    private func fire(_ event: String, payload: Value) throws(CRMError) {
        let input = try checked(event, kind: .event, payload: payload)
        try context.fire(event, payload: input)
    }
}
