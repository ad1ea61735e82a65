import CRMCore
#if canImport(Glibc)
import Glibc
#endif

/// Connects plugin calls of the `crm` API to the core, for the command
/// that is running.
final class CoreBridge: PluginAPIBridge {
    /// The context of the command; set before any plugin code runs.
    var context: CRMContext?
    /// Settings defaults per plugin name: the pack's, over the plugin's own.
    var settingsByPlugin: [String: Value] = [:]

    func call(_ function: APIFunctionSpec, arguments: [Value], plugin: PluginIdentity,
              mode: CallMode) throws(APICallError) -> Value {
        guard let context else { throw APICallError("crm.\(function.name) is not available while plugins load") }
        let wasInRule = context.inRule
        context.inRule = mode == .rule
        defer { context.inRule = wasInRule }
        do {
            let run = { () throws(CRMError) -> Value in
                try PluginAPI.call(function.name, arguments, plugin: plugin.name,
                                   settings: self.settingsByPlugin[plugin.name] ?? .null, context: context,
                                   log: { Output.standardError($0) })
            }
            // A write that fails halfway leaves nothing behind, even when the
            // plugin catches the error with pcall and goes on.
            return function.writes ? try context.database.savepoint("plugin_api_call", run) : try run()
        } catch {
            throw APICallError(error.message)
        }
    }
}

/// The Lua implementation of the core's `PluginHost`.
public final class LuaPluginHost: PluginHost {
    public let plugins: PluginSet
    let bridge: CoreBridge
    /// The first plugin failure of the current command. Events fired by a
    /// plugin's writes run inside its API call; when one of their handlers
    /// fails, every plugin up the chain fails with this same error, even
    /// one that caught the API error with `pcall`.
    private var firstFailure: CRMError?
    /// How many plugin calls of this host are running, nested.
    private var depth = 0

    /// Loads the given plugin sources.
    public init(sources: [PluginSource], limits: PluginLimits = .standard) throws(CRMError) {
        bridge = CoreBridge()
        plugins = try PluginSet(sources: sources, limits: limits, bridge: bridge)
        for entry in plugins.entries {
            bridge.settingsByPlugin[entry.plugin.name] = LuaPluginHost.merge(entry.plugin.settingsDefaults,
                                                                             entry.source.packSettings)
        }
    }

    /// The host of a command: the enabled packs' plugins and the bundled ones.
    /// With `debug`, says on stderr that Lua started, so tests can check
    /// that read commands never start it.
    public static func forDatabase(_ database: Database, debug: Bool = false) throws(CRMError) -> LuaPluginHost {
        let host = try LuaPluginHost(sources: try PluginSource.installed(database) + PluginSource.bundled)
        if debug { Output.standardError("debug: plugin host started with \(host.plugins.entries.count) plugins") }
        return host
    }

    /// Pack settings override the plugin's own defaults key by key.
    static func merge(_ defaults: Value, _ overrides: Value) -> Value {
        guard case var .object(fields) = defaults else { return overrides }
        guard case let .object(extra) = overrides else { return defaults }
        for (key, value) in extra {
            if let index = fields.firstIndex(where: { $0.0 == key }) { fields[index].1 = value } else { fields.append((key, value)) }
        }
        return .object(fields)
    }

    public func fire(_ event: String, payload: Value, context: CRMContext) throws(CRMError) {
        let previous = bridge.context
        bridge.context = context
        defer { bridge.context = previous }
        for entry in plugins.handlers(for: event) {
            entry.plugin.clock = context.clock
            _ = try guarded(entry) { () throws(PluginFailure) -> Value in
                try entry.plugin.call(event, payload: payload, mode: .event)
            }
        }
    }

    /// Runs one plugin call, turning its failure into the command's error
    /// and keeping the first failure of a nested chain.
    private func guarded(_ entry: PluginSet.Entry, _ call: () throws(PluginFailure) -> Value) throws(CRMError) -> Value {
        if depth == 0 { firstFailure = nil }
        depth += 1
        defer { depth -= 1 }
        let result: Value
        do {
            result = try call()
        } catch {
            let failure = firstFailure ?? CRMError(.plugin, error.description)
            firstFailure = failure
            throw failure
        }
        if let firstFailure { throw firstFailure }
        return result
    }

    public func decide(_ rule: String, payload: Value, context: CRMContext) throws(CRMError) -> RuleOutcome? {
        guard let spec = Catalogue.hook(named: rule), spec.kind == .rule, let shape = spec.result else {
            throw CRMError(.plugin, "\(rule) is not a rule of the hook catalogue")
        }
        let previous = bridge.context
        bridge.context = context
        defer { bridge.context = previous }
        for entry in plugins.handlers(for: rule) {
            entry.plugin.clock = context.clock
            let raw = try guarded(entry) { () throws(PluginFailure) -> Value in
                try entry.plugin.call(rule, payload: payload, mode: .rule)
            }
            if raw.isNull { continue }
            let location = "\(entry.source.file):\(entry.plugin.handlerLine(rule) ?? 0)"
            let result: Value
            do {
                result = try validate(raw, against: shape, path: "result")
            } catch {
                throw CRMError(.plugin, "plugin \(entry.plugin.name) (\(location)): \(error.message)")
            }
            return RuleOutcome(rule: rule, result: result, plugin: entry.plugin.name, pluginVersion: entry.plugin.version,
                               source: "\(entry.source.originLabel) \(entry.source.file)", location: location)
        }
        return nil
    }
}

enum Output {
    /// Writes a line to stderr.
    static func standardError(_ text: String) {
        FileSystem.writeStandardError(text)
    }
}
