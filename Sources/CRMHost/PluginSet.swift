import CRMCore

/// Loaded plugins and the order in which their handlers run.
///
/// Order: higher `priority` first; at equal priority, pack plugins before
/// bundled ones; then by pack name and the manifest's file order. For a
/// rule, the first plugin in that order returning a non-nil value decides,
/// so bundled defaults decide only when no pack does.
public final class PluginSet {
    public struct Entry {
        public let plugin: LuaPlugin
        public let source: PluginSource
        /// Position in load order, the last tie-breaker.
        let position: Int
    }

    public let entries: [Entry]
    /// Handlers of each hook or rule in run order, computed once at load.
    private let ordered: [String: [Entry]]

    /// Loads every source; the first load failure stops and is reported in
    /// the plugin error format. Two pack plugins claiming one rule at the
    /// same priority are reported too.
    public init(sources: [PluginSource], limits: PluginLimits, bridge: PluginAPIBridge) throws(CRMError) {
        var loaded: [Entry] = []
        for (position, source) in sources.enumerated() {
            do {
                let plugin = try LuaPlugin(source: source.source, file: source.file, limits: limits, bridge: bridge)
                loaded.append(Entry(plugin: plugin, source: source, position: position))
            } catch {
                throw CRMError(.plugin, error.description)
            }
        }
        entries = loaded
        var ordered: [String: [Entry]] = [:]
        for hook in Set(loaded.flatMap(\.plugin.handlerNames)) {
            ordered[hook] = loaded.filter { $0.plugin.handlerNames.contains(hook) }.sorted(by: PluginSet.runsBefore)
        }
        self.ordered = ordered
        let conflicts = PluginSet.ruleConflicts(loaded)
        if !conflicts.isEmpty { throw CRMError(.plugin, conflicts.joined(separator: "\n")) }
    }

    /// Handlers of one hook or rule, in the order they run.
    public func handlers(for hook: String) -> [Entry] {
        ordered[hook] ?? []
    }

    static func runsBefore(_ left: Entry, _ right: Entry) -> Bool {
        if left.source.tier != right.source.tier { return left.source.tier < right.source.tier }
        if left.plugin.priority != right.plugin.priority { return left.plugin.priority > right.plugin.priority }
        return left.position < right.position
    }

    /// Messages for pairs of non-bundled plugins that handle one rule at the
    /// same priority, which would leave the deciding plugin to chance.
    static func ruleConflicts(_ entries: [Entry]) -> [String] {
        var problems: [String] = []
        for rule in Catalogue.hooks where rule.kind == .rule {
            let claimants = entries.filter { $0.source.tier == 0 && $0.plugin.handlerNames.contains(rule.name) }
            for (index, first) in claimants.enumerated() {
                for second in claimants.dropFirst(index + 1) where first.plugin.priority == second.plugin.priority {
                    problems.append("plugins \(first.plugin.name) (\(first.source.file)) and \(second.plugin.name) "
                                    + "(\(second.source.file)) both handle the rule \(rule.name) at priority "
                                    + "\(first.plugin.priority); give one of them a higher priority")
                }
            }
        }
        return problems
    }
}
