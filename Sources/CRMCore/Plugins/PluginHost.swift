/// The outcome of a rule: which plugin decided and its validated result.
public struct RuleOutcome: Sendable {
    public let rule: String
    public let result: Value
    public let plugin: String
    public let pluginVersion: String
    /// Where the plugin came from: `bundled FILE` or `pack NAME@VERSION FILE`.
    public let source: String
    /// `FILE:LINE` of the rule function, for messages about its result.
    public let location: String
    /// Id of the stored decision, set once the core has recorded it.
    public internal(set) var decisionId: Int64?

    public init(rule: String, result: Value, plugin: String, pluginVersion: String, source: String, location: String) {
        self.rule = rule
        self.result = result
        self.plugin = plugin
        self.pluginVersion = pluginVersion
        self.source = source
        self.location = location
    }

    /// An error about this decision's result, in the plugin error format.
    public func invalidResult(_ message: String) -> CRMError {
        CRMError(.plugin, "plugin \(plugin) (\(location)): \(message)")
    }
}

/// What the core needs from the plugin runtime. CRMHost implements it with
/// sandboxed Lua; the core never sees Lua.
public protocol PluginHost: AnyObject {
    /// Runs every handler of an event hook, in order. Any failure throws a
    /// `.plugin` error and the caller's transaction rolls back.
    func fire(_ event: String, payload: Value, context: CRMContext) throws(CRMError)

    /// Asks a rule. Plugins are asked in priority order and the first that
    /// returns a non-nil value decides; nil when none does. The result is
    /// validated against the catalogue before it is returned.
    func decide(_ rule: String, payload: Value, context: CRMContext) throws(CRMError) -> RuleOutcome?
}

/// Fixed limits of event dispatch.
public enum Dispatch {
    /// How deep events caused by plugin writes may nest before the command
    /// fails; a hook that triggers itself stops here.
    public static let maximumEventDepth = 8
}
