import CRMCore
import CRMHost

/// The plugin host of a write command: every enabled pack and the bundled
/// plugins. Created only when an event or rule needs it.
func makePluginHost(database: Database, debug: Bool) throws(CRMError) -> PluginHost {
    try LuaPluginHost.forDatabase(database, debug: debug)
}

private func hookNames() -> String { Catalogue.hooks.map(\.name).joined(separator: ", ") }

let pluginCommands: [CommandSpec] = [
    CommandSpec(
        path: ["plugin", "list"], summary: "Show every handler of every hook and rule, in the order they run", access: .read,
        run: { (invocation) throws(CRMError) in
            let host = try LuaPluginHost.forDatabase(try invocation.context().database)
            var rows: [[String]] = []
            var json: [Value] = []
            for hook in Catalogue.hooks {
                for (index, entry) in host.plugins.handlers(for: hook.name).enumerated() {
                    let plugin = entry.plugin
                    let line = plugin.handlerLine(hook.name).map { ":\($0)" } ?? ""
                    rows.append([hook.name, String(index + 1), plugin.name, plugin.version, String(plugin.priority),
                                 entry.source.originLabel, entry.source.file + line])
                    json.append(.object([("hook", .string(hook.name)), ("kind", .string(hook.kind.rawValue)),
                                         ("order", .integer(Int64(index + 1))), ("plugin", .string(plugin.name)),
                                         ("version", .string(plugin.version)), ("priority", .integer(plugin.priority)),
                                         ("source", .string(entry.source.originLabel)), ("file", .string(entry.source.file))]))
                }
            }
            if invocation.json { return Output.json(.array(json)) }
            Output.table(["HOOK", "ORDER", "PLUGIN", "VERSION", "PRIORITY", "SOURCE", "FILE"], rows)
        }),
    CommandSpec(
        path: ["plugin", "check"], summary: "Load plugin files in the sandbox and report every problem",
        arguments: [ArgumentSpec(name: "PATH", help: "A plugin file, or a folder (a pack with pack.lua, or *.lua files)")],
        access: .none,
        run: { (invocation) throws(CRMError) in
            let path = invocation.required("PATH")
            if FileSystem.isDirectory(path), FileSystem.isRegularFile(path + "/pack.lua") {
                let (manifest, files) = try Packs.load(directory: path)
                Output.line("\(path): pack \(manifest.name) \(manifest.version), API \(manifest.apiVersion), "
                            + "\(files.count - 1) file(s): ok")
                return
            }
            let sources = try PluginChecker.files(at: path)
            guard !sources.isEmpty else { throw CRMError.invalid("\(path) holds no .lua file") }
            let problems = PluginChecker.problems(in: sources)
            guard problems.isEmpty else {
                for problem in problems { Output.error(problem) }
                throw CRMError(.plugin, "\(problems.count) problem\(problems.count == 1 ? "" : "s") found in \(path)")
            }
            for source in sources { Output.line("\(source.file): ok") }
        }),
    CommandSpec(
        path: ["plugin", "run"], summary: "Call one hook or rule of one plugin file as a command would (admins)",
        arguments: [ArgumentSpec(name: "FILE", help: "Plugin file")],
        options: [.value("--hook", "NAME", "Hook or rule to call (required)"),
                  .value("--payload", "JSON", "Payload as a JSON object (required)"),
                  .flag("--dry-run", "Roll back what the plugin wrote")],
        discussion: """
            The call runs in one transaction, under the same limits, validation and error format as a real
            command: a failure rolls everything back and exits with status 1. A rule's validated result is
            printed as JSON. Example:
              crm plugin run acme/notes.lua --hook onAccountCreated --payload '{"id": 1, "legalName": "ACME"}'
            """,
        run: { (invocation) throws(CRMError) in
            let context = try invocation.context()
            try context.require(.admin, to: "run a plugin file")
            let name = try invocation.requiredValue("--hook")
            guard let hook = Catalogue.hook(named: name) else {
                throw CRMError.usage("unknown hook or rule '\(name)' in --hook; expected one of \(hookNames())")
            }
            let payload: Value
            let payloadText = try invocation.requiredValue("--payload")
            do throws(JSONError) {
                payload = try JSON.decode(payloadText)
            } catch {
                throw CRMError.usage("invalid --payload: \(error.description)")
            }
            do throws(ShapeError) {
                _ = try validate(payload, against: Shape.record(hook.payload).withOptionalFields, path: "payload")
            } catch {
                throw CRMError.usage("invalid --payload: \(error.message)")
            }
            let file = invocation.required("FILE")
            let runner = try LuaPluginHost(sources: try PluginChecker.files(at: file))
            guard !runner.plugins.handlers(for: name).isEmpty else {
                throw CRMError.invalid("\(file) has no \(name) function; it handles "
                                       + runner.plugins.entries.flatMap(\.plugin.handlerNames).joined(separator: ", "))
            }
            try context.database.transaction(dryRun: invocation.flag("--dry-run")) { () throws(CRMError) in
                switch hook.kind {
                case .event:
                    try runner.fire(name, payload: payload, context: context)
                    Output.line("\(name) ran without error" + (invocation.flag("--dry-run") ? "; its writes were rolled back." : "."))
                case .rule:
                    // A trial run prints the decision without storing it with the real ones.
                    context.inRule = true
                    defer { context.inRule = false }
                    if let outcome = try runner.decide(name, payload: payload, context: context) {
                        Output.json(outcome.result)
                    } else {
                        Output.line("\(name) returned nil: no decision")
                    }
                }
            }
        }),
    CommandSpec(
        path: ["plugin", "docs"], summary: "Print the plugin reference (docs/plugins.md) generated from the hook catalogue",
        access: .none,
        run: { (_) throws(CRMError) in
            print(PluginDocs.markdown(limits: documentedLimits()), terminator: "")
        }),
]

let packCommands: [CommandSpec] = [
    CommandSpec(
        path: ["pack", "install"], summary: "Install a rule pack from a folder (admins)",
        arguments: [ArgumentSpec(name: "DIR", help: "Folder with pack.lua, its plugins and tests")],
        discussion: "Every file is stored in the database with its SHA-256, so every client runs the same rules.",
        run: { (invocation) throws(CRMError) in
            let manifest = try Packs.install(try invocation.context(), directory: invocation.required("DIR"))
            Output.line("Installed pack \(manifest.name) \(manifest.version) (\(manifest.plugins.count) plugin"
                        + "\(manifest.plugins.count == 1 ? "" : "s")).")
        }),
    CommandSpec(
        path: ["pack", "list"], summary: "List installed packs", access: .read,
        run: { (invocation) throws(CRMError) in
            let packs = try Packs.list(try invocation.context().database)
            if invocation.json { return Output.json(.array(packs.map(\.jsonValue))) }
            Output.table(["NAME", "VERSION", "API", "STATE", "PLUGINS", "INSTALLED", "BY"], packs.map {
                [$0.name, $0.version, String($0.apiVersion), $0.enabled ? "enabled" : "disabled",
                 String($0.files.filter { $0.kind == "plugin" }.count), $0.installedAt, $0.installedBy ?? ""]
            })
        }),
    CommandSpec(
        path: ["pack", "show"], summary: "Show a pack's versions, files and checksums",
        arguments: [ArgumentSpec(name: "NAME", help: "Pack name")], access: .read,
        run: { (invocation) throws(CRMError) in
            let versions = try Packs.versions(try invocation.context().database, name: invocation.required("NAME"))
            if invocation.json { return Output.json(.array(versions.map(\.jsonValue))) }
            for pack in versions {
                Output.line("\(pack.name) \(pack.version)\(pack.isCurrent ? " (current)" : "")"
                            + "\(pack.enabled ? "" : " (disabled)"), installed \(pack.installedAt) by \(pack.installedBy ?? "?")")
                for file in pack.files { Output.line("  \(file.kind)\t\(file.path)\tsha256:\(file.sha256)") }
            }
        }),
    CommandSpec(
        path: ["pack", "remove"], summary: "Remove every version of a pack (admins)",
        arguments: [ArgumentSpec(name: "NAME", help: "Pack name")],
        run: { (invocation) throws(CRMError) in
            try Packs.remove(try invocation.context(), name: invocation.required("NAME"))
            Output.line("Removed pack \(invocation.required("NAME")).")
        }),
    CommandSpec(
        path: ["pack", "enable"], summary: "Enable a pack (admins)",
        arguments: [ArgumentSpec(name: "NAME", help: "Pack name")],
        run: { (invocation) throws(CRMError) in
            try Packs.setEnabled(try invocation.context(), name: invocation.required("NAME"), enabled: true)
            Output.line("Enabled pack \(invocation.required("NAME")).")
        }),
    CommandSpec(
        path: ["pack", "disable"], summary: "Disable a pack; its plugins stop running (admins)",
        arguments: [ArgumentSpec(name: "NAME", help: "Pack name")],
        run: { (invocation) throws(CRMError) in
            try Packs.setEnabled(try invocation.context(), name: invocation.required("NAME"), enabled: false)
            Output.line("Disabled pack \(invocation.required("NAME")).")
        }),
    CommandSpec(
        path: ["pack", "rollback"], summary: "Make an earlier installed version of a pack current (admins)",
        arguments: [ArgumentSpec(name: "NAME", help: "Pack name")],
        options: [.value("--to", "VERSION", "Version to return to (default: the one installed before the current)")],
        run: { (invocation) throws(CRMError) in
            let version = try Packs.rollback(try invocation.context(), name: invocation.required("NAME"),
                                             to: invocation.value("--to"))
            Output.line("Pack \(invocation.required("NAME")) is back at version \(version).")
        }),
]

let decisionCommands: [CommandSpec] = [
    CommandSpec(
        path: ["decision", "show"], summary: "Show which plugin decided what, on which inputs, and why",
        arguments: [ArgumentSpec(name: "ID", help: "Decision id")], access: .read,
        run: { (invocation) throws(CRMError) in
            let decision = try Decisions.get(try invocation.context(), id: try invocation.id("ID"))
            if invocation.json { return Output.json(decision.jsonValue) }
            Output.record([("Decision", String(decision.id)), ("When", decision.at), ("Rule", decision.rule),
                           ("Plugin", "\(decision.plugin) \(decision.pluginVersion)"), ("Source", decision.source),
                           ("About", decision.entity.map { "\($0) \(decision.entityId.map { String($0) } ?? "")" }),
                           ("Result", JSON.encode(decision.result)), ("Reason", decision.reason),
                           ("Inputs", JSON.encode(decision.inputs)), ("Command", decision.command), ("User", decision.user)])
        }),
    CommandSpec(
        path: ["decision", "list"], summary: "List the latest rule decisions",
        options: [.value("--limit", "N", "At most N decisions (default 50)")], access: .read,
        run: { (invocation) throws(CRMError) in
            let decisions = try Decisions.list(try invocation.context(),
                                               limit: try invocation.integer("--limit", default: 50, range: 1...10_000))
            if invocation.json { return Output.json(.array(decisions.map(\.jsonValue))) }
            Output.table(["ID", "WHEN", "RULE", "PLUGIN", "ABOUT", "REASON"], decisions.map { decision in
                var about = decision.entity ?? ""
                if let id = decision.entityId { about += " \(id)" }
                return [String(decision.id), decision.at, decision.rule, "\(decision.plugin) \(decision.pluginVersion)",
                        about, decision.reason ?? ""]
            })
        }),
]
