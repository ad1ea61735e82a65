/// Everything one command runs with: the database, the clock, the acting
/// user, and the plugin host, created only when an event or rule needs it.
public final class CRMContext {
    public let database: Database
    public let clock: Clock
    public let actor: User
    /// The command line as typed, minus the program name (`account add`).
    public let command: String
    private let makeHost: (() throws(CRMError) -> PluginHost)?
    private var host: PluginHost?
    /// Name of the plugin whose API call is running, recorded in the audit log.
    public var currentPlugin: String?
    /// Nesting depth of events caused by plugin writes.
    public private(set) var eventDepth = 0
    /// True while a rule runs: the write API refuses calls then.
    public var inRule = false

    public init(database: Database, clock: Clock, actor: User, command: String,
                makeHost: (() throws(CRMError) -> PluginHost)? = nil) {
        self.database = database
        self.clock = clock
        self.actor = actor
        self.command = command
        self.makeHost = makeHost
    }

    /// The plugin host, created on first use so commands that fire nothing
    /// never start Lua. Nil when the context was built without plugins.
    public func pluginHost() throws(CRMError) -> PluginHost? {
        if let host { return host }
        guard let makeHost else { return nil }
        let created = try makeHost()
        host = created
        return created
    }

    /// Fires an event hook. Events raised from inside a hook's own writes
    /// nest, up to `Dispatch.maximumEventDepth`.
    public func fire(_ event: String, payload: @autoclosure () throws(CRMError) -> Value) throws(CRMError) {
        guard let host = try pluginHost() else { return }
        guard eventDepth < Dispatch.maximumEventDepth else {
            throw CRMError(.plugin, "event \(event) nested more than \(Dispatch.maximumEventDepth) levels deep: "
                                + "a plugin's writes keep firing hooks; check which hook writes what it listens to")
        }
        let built = try payload()
        eventDepth += 1
        defer { eventDepth -= 1 }
        try host.fire(event, payload: built, context: self)
    }

    /// Asks a rule and stores the decision with the plugin that made it.
    /// `host` replaces the command's plugins for this one call (`crm plugin run`).
    public func decide(_ rule: String, payload: Value, entity: String?, entityId: Int64?,
                       host chosen: PluginHost? = nil) throws(CRMError) -> RuleOutcome? {
        let host: PluginHost
        if let chosen { host = chosen } else if let commandHost = try pluginHost() { host = commandHost } else { return nil }
        inRule = true
        defer { inRule = false }
        guard var outcome = try host.decide(rule, payload: payload, context: self) else { return nil }
        outcome.decisionId = try Decisions.record(self, outcome: outcome, inputs: payload, entity: entity, entityId: entityId)
        return outcome
    }

    /// Fails unless the acting user has one of the roles, with a message
    /// naming the role needed.
    public func require(_ roles: Role..., to action: String) throws(CRMError) {
        guard roles.contains(actor.role) else {
            let needed = roles.map(\.rawValue).joined(separator: " or ")
            throw CRMError.permission("permission denied: to \(action) you need the \(needed) role "
                                      + "(\(actor.name) is \(actor.role.rawValue))")
        }
    }

    /// Writes one audit row: who, when, what, and which command or plugin.
    /// `account` links the row to the account whose history shows it.
    public func audit(entity: String, id: Int64, account: Int64? = nil, action: String, field: String?,
                      old: String?, new: String?) throws(CRMError) {
        try database.query("""
            INSERT INTO audit_log (at, user_id, entity, entity_id, account_id, action, field, old_value, new_value,
                                   command, plugin)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [clock.timestamp, actor.id, entity, id, account, action, field, old, new, command, currentPlugin])
    }
}
