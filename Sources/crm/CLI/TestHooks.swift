import CRMCore
#if canImport(Glibc)
import Glibc
#endif

/// Test hook for the crash tests, read once when the database opens.
/// `CRM_KILL_AFTER_STATEMENTS=N` makes the process SIGKILL itself right
/// after its Nth SQL statement, counted from the open, as a power cut or
/// `kill -9` would; `CRM_KILL_AFTER_STATEMENTS=count` prints the number of
/// statements run to stderr at exit instead. Before dying the hook prints
/// whether SQLite had a transaction open, so a harness can tell how many
/// kills landed inside one.
enum TestHooks {
    static let killVariable = "CRM_KILL_AFTER_STATEMENTS"

    nonisolated(unsafe) static var statementsRun = 0

    static func install(on database: Database, variables: [String: String]) {
        guard let setting = variables[killVariable], !setting.isEmpty else { return }
        if setting == "count" {
            atexit {
                Output.error("crm: test hook: \(TestHooks.statementsRun) statements")
            }
            database.traceStatement = { _ in TestHooks.statementsRun += 1 }
            return
        }
        guard let limit = Int(setting), limit > 0 else { return }
        database.traceStatement = { [unowned database] _ in
            TestHooks.statementsRun += 1
            guard TestHooks.statementsRun == limit else { return }
            let place = database.isInsideSQLiteTransaction ? "inside" : "outside"
            Output.error("crm: test hook: killed after statement \(limit), \(place) a transaction")
            kill(getpid(), SIGKILL)
        }
    }
}
