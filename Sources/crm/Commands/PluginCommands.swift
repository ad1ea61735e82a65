import CRMCore
import CRMHost

let pluginCommands: [CommandSpec] = []
let packCommands: [CommandSpec] = []
let decisionCommands: [CommandSpec] = []

final class NoPluginHost: PluginHost {
    func fire(_ event: String, payload: Value, context: CRMContext) throws(CRMError) {}
    func decide(_ rule: String, payload: Value, context: CRMContext) throws(CRMError) -> RuleOutcome? { nil }
}

func makePluginHost(database: Database) throws(CRMError) -> PluginHost {
    NoPluginHost()
}
