import CRMCore
import CRMHost

/// An in-memory `crm` API for tests. Writes go to `pendingNotes` and
/// similar lists, which `commit()` keeps and `rollBack()` drops, the way
/// the core's transaction treats a command.
final class TestBridge: PluginAPIBridge {
    struct Call: Equatable {
        let function: String
        let arguments: [Value]
        let plugin: String
        let mode: CallMode
    }

    private(set) var calls: [Call] = []
    private(set) var logLines: [String] = []
    private(set) var pendingNotes: [(accountId: Int64, text: String)] = []
    private(set) var keptNotes: [(accountId: Int64, text: String)] = []
    private(set) var creditLimits: [Int64: Int64] = [:]
    var today = CivilDate(year: 2026, month: 3, day: 14)!
    /// Accounts that `getAccount` and `addNote` accept.
    var accounts: Set<Int64> = [1, 2, 7]
    /// Runs inside `crm.log`, the way the core fires further hooks while a
    /// plugin call is still running.
    var onLog: ((String) -> Void)?
    /// Sector codes that `sectorExists` finds.
    var sectors: Set<String> = []
    /// Values that `setting` returns; a missing key returns nil.
    var settings: [String: Value] = [:]

    func call(_ function: APIFunctionSpec, arguments: [Value], plugin: PluginIdentity,
              mode: CallMode) throws(APICallError) -> Value {
        calls.append(Call(function: function.name, arguments: arguments, plugin: plugin.name, mode: mode))
        switch function.name {
        case "log":
            logLines.append("\(plugin.name): \(arguments[0].stringValue ?? "")")
            onLog?(arguments[0].stringValue ?? "")
            return .null
        case "addNote":
            let account = arguments[0].integerValue ?? 0
            guard accounts.contains(account) else { throw APICallError("account \(account) not found") }
            pendingNotes.append((account, arguments[1].stringValue ?? ""))
            return .integer(Int64(keptNotes.count + pendingNotes.count))
        case "setCreditLimit":
            creditLimits[arguments[0].integerValue ?? 0] = arguments[1].integerValue
            return .null
        case "today":
            return .string(today.description)
        case "sectorExists":
            return .bool(sectors.contains(arguments[0].stringValue ?? ""))
        case "setting":
            return settings[arguments[0].stringValue ?? ""] ?? .null
        case "addDays":
            let date = CivilDate(parsing: arguments[0].stringValue ?? "")!
            return .string(date.adding(days: Int(arguments[1].integerValue ?? 0))!.description)
        case "getAccount":
            let account = arguments[0].integerValue ?? 0
            guard accounts.contains(account) else { return .null }
            return .object([("id", .integer(account)), ("legalName", .string("Acme GmbH"))])
        default:
            return .null
        }
    }

    func commit() {
        keptNotes += pendingNotes
        pendingNotes = []
    }

    func rollBack() {
        pendingNotes = []
    }

    func calls(to function: String) -> [Call] {
        calls.filter { $0.function == function }
    }
}
