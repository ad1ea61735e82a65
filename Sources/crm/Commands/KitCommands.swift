import CRMCore
import CRMHost
#if canImport(Glibc)
import Glibc
#endif

/// The limits of `PluginLimits.standard`, as `docs/plugins.md` prints them.
func documentedLimits() -> PluginDocs.Limits {
    let limits = PluginLimits.standard
    func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int64(value)) : String(value)
    }
    return PluginDocs.Limits(instructions: limits.instructionBudget, memoryBytes: limits.memoryBytes,
                             seconds: seconds(limits.wallClockSeconds),
                             hardSeconds: seconds(limits.wallClockSeconds + limits.watchdogGraceSeconds),
                             stringBytes: limits.maxStringBytes, tableDepth: limits.maxDepth)
}

/// Creates a folder unless it exists already.
private func makeFolder(_ path: String) throws(CRMError) {
    if FileSystem.isDirectory(path) { return }
    guard mkdir(path, 0o755) == 0 else {
        throw CRMError(.io, "cannot create the folder \(path): \(String(cString: strerror(errno)))")
    }
}

let pluginKitCommands: [CommandSpec] = [
    CommandSpec(
        path: ["plugin", "api"], summary: "Print editor definitions or a luacheck configuration for plugin code",
        options: [.flag("--luals", "Lua Language Server definitions (---@meta): payload and result classes, the crm API"),
                  .flag("--luacheck", "A .luacheckrc whose standard allows only the sandbox's globals")],
        access: .none,
        discussion: """
            Both are generated from the hook catalogue of this crm. Examples:
              crm plugin api --luals > crm.d.lua
              crm plugin api --luacheck > .luacheckrc
            """,
        run: { (invocation) throws(CRMError) in
            switch (invocation.flag("--luals"), invocation.flag("--luacheck")) {
            case (true, false): print(PluginDefinitions.luaLanguageServer(), terminator: "")
            case (false, true): print(PluginDefinitions.luacheckConfiguration(), terminator: "")
            default: throw CRMError.usage("give exactly one of --luals or --luacheck")
            }
        }),
    CommandSpec(
        path: ["plugin", "new"], summary: "Write a plugin skeleton, its pack manifest and a test file",
        arguments: [ArgumentSpec(name: "NAME", help: "Plugin and pack name: lower-case ASCII letters, digits and '-'")],
        options: [.value("--hook", "EVENT", "Event hook to handle, such as onAccountCreated"),
                  .value("--rule", "RULE", "Rule to handle, such as solvency (the default)"),
                  .value("--output", "DIR", "Folder to write into (default: NAME); existing files are never replaced")],
        access: .none,
        discussion: """
            Writes DIR/pack.lua, DIR/NAME.lua and DIR/tests/NAME_test.lua, ready for
            `crm pack test DIR`. Example:
              crm plugin new acme-terms --rule paymentTerms --output acme
            """,
        run: { (invocation) throws(CRMError) in
            let name = invocation.required("NAME")
            let validName = !name.isEmpty && name.count <= 64 && name.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isLowercase || $0.properties.numericType != nil || $0 == "-")
            }
            guard validName else {
                throw CRMError.usage("invalid NAME '\(name)': use 1 to 64 lower-case ASCII letters, digits or '-'")
            }
            let hook = try chosenHook(invocation)
            let folder = invocation.value("--output") ?? name
            let files = [(folder + "/pack.lua", PluginTemplates.manifest(name: name)),
                         (folder + "/\(name).lua", PluginTemplates.plugin(name: name, hook: hook)),
                         (folder + "/tests/\(name)_test.lua", PluginTemplates.test(name: name, hook: hook))]
            for (path, _) in files where FileSystem.isRegularFile(path) || FileSystem.isDirectory(path) {
                throw CRMError.conflict("\(path) already exists; choose another --output folder or remove it first")
            }
            try makeFolder(folder)
            try makeFolder(folder + "/tests")
            for (path, text) in files {
                try FileSystem.writeText(text, to: path)
                Output.line("Wrote \(path)")
            }
            Output.line("Next: edit \(folder)/\(name).lua, then `crm pack test \(folder)` and `crm pack install \(folder)`.")
        }),
]

private func chosenHook(_ invocation: Invocation) throws(CRMError) -> HookSpec {
    switch (invocation.value("--hook"), invocation.value("--rule")) {
    case (nil, nil):
        return Catalogue.hook(named: "solvency")!
    case let (name?, nil):
        guard let hook = Catalogue.hook(named: name), hook.kind == .event else {
            let names = Catalogue.hooks.filter { $0.kind == .event }.map(\.name).joined(separator: ", ")
            throw CRMError.usage("unknown event hook '\(name)' in --hook; expected one of \(names)")
        }
        return hook
    case let (nil, name?):
        guard let hook = Catalogue.hook(named: name), hook.kind == .rule else {
            let names = Catalogue.hooks.filter { $0.kind == .rule }.map(\.name).joined(separator: ", ")
            throw CRMError.usage("unknown rule '\(name)' in --rule; expected one of \(names)")
        }
        return hook
    default:
        throw CRMError.usage("give --hook or --rule, not both")
    }
}

let packTestCommands: [CommandSpec] = [
    CommandSpec(
        path: ["pack", "test"], summary: "Run a pack's own tests on a throwaway database with fixtures",
        arguments: [ArgumentSpec(name: "DIR", help: "Folder with pack.lua, its plugins and the tests it lists")],
        access: .none,
        discussion: """
            Each case prints `ok FILE:LINE name` or `FAIL FILE:LINE name` and the failing line; the last
            line is `N passed, M failed`. The exit status is 1 when a test fails. The run date is --today,
            or CRM_TODAY, or the system date. The test helpers are described in docs/plugins.md.
            """,
        run: { (invocation) throws(CRMError) in
            let summary = try PackTester.run(directory: invocation.required("DIR"),
                                             clock: try invocation.environment.clock,
                                             report: { Output.line($0) })
            guard summary.failed == 0 else {
                throw CRMError(.plugin, "\(summary.failed) of \(summary.passed + summary.failed) pack test"
                                        + "\(summary.passed + summary.failed == 1 ? "" : "s") failed")
            }
        }),
]

let ruleCommands: [CommandSpec] = [
    CommandSpec(
        path: ["rules", "explain"], summary: "Show which plugin decided what about an account, and why, newest first",
        options: [.value("--account", "ID", "Account id (required)")], access: .read,
        discussion: """
            Lists the stored decisions about the account, its opening requests, opportunities and quotes:
            solvency, payment terms, sector, quote numbers and follow-ups.
            """,
        run: { (invocation) throws(CRMError) in
            guard invocation.value("--account") != nil else {
                throw CRMError.usage("missing --account: `crm rules explain` needs an account id")
            }
            let accountId = try invocation.id("--account")
            let decisions = try Decisions.forAccount(try invocation.context(), id: accountId)
            if invocation.json { return Output.json(.array(decisions.map(\.jsonValue))) }
            guard !decisions.isEmpty else {
                Output.line("No rule has decided anything about account \(accountId) yet.")
                return
            }
            Output.line("Account \(accountId): \(decisions.count) decision\(decisions.count == 1 ? "" : "s"), newest first.")
            for decision in decisions {
                var about = decision.entity ?? "-"
                if let id = decision.entityId { about += " \(id)" }
                Output.line("")
                Output.line("Decision \(decision.id): \(decision.rule) about \(about), \(decision.at)")
                Output.record([("  Plugin", "\(decision.plugin) \(decision.pluginVersion) (\(decision.source))"),
                               ("  Result", JSON.encode(decision.result)), ("  Reason", decision.reason ?? "-"),
                               ("  Inputs", JSON.encode(decision.inputs)),
                               ("  Command", "crm \(decision.command)" + (decision.user.map { " by \($0)" } ?? ""))])
            }
        }),
]
