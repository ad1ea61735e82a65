import CRMCore
#if canImport(Glibc)
import Glibc
#endif

/// What a run takes from outside the command line's arguments: environment
/// variables, the login, the clock and the database path.
struct Environment {
    var variables: [String: String]
    var databaseOption: String?
    var userOption: String?
    var todayOption: String?
    var debug = false
    var traceSQL = false

    static func current() -> Environment {
        var variables: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return Environment(variables: variables)
    }

    /// The database path: `--db`, then `CRM_DB`, then the XDG data folder.
    var databasePath: String {
        if let databaseOption { return databaseOption }
        if let path = variables["CRM_DB"], !path.isEmpty { return path }
        if let data = variables["XDG_DATA_HOME"], data.hasPrefix("/") { return data + "/crm/crm.sqlite" }
        let home = variables["HOME"] ?? "."
        return home + "/.local/share/crm/crm.sqlite"
    }

    var actingUser: String? {
        if let userOption { return userOption }
        if let user = variables["CRM_USER"], !user.isEmpty { return user }
        return nil
    }

    /// The operating-system login of the effective user, from the password
    /// database rather than `$USER`, which anyone can set.
    var osLogin: String? {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }

    /// The clock: `--today`, then `CRM_NOW` (a UTC timestamp), then
    /// `CRM_TODAY`, then the system clock.
    var clock: Clock {
        get throws(CRMError) {
            if let todayOption { return try Environment.fixedDay(todayOption, source: "--today") }
            if let now = variables["CRM_NOW"], !now.isEmpty {
                guard let seconds = Clock.parseTimestamp(now) else {
                    throw CRMError.usage("invalid CRM_NOW '\(now)': expected a UTC time such as 2026-03-14T09:30:00Z")
                }
                return Clock(now: seconds)
            }
            if let today = variables["CRM_TODAY"], !today.isEmpty { return try Environment.fixedDay(today, source: "CRM_TODAY") }
            return Clock.system()
        }
    }

    private static func fixedDay(_ text: String, source: String) throws(CRMError) -> Clock {
        guard let date = CivilDate(parsing: text) else {
            throw CRMError.usage("invalid \(source) '\(text)': expected a date that exists, as YYYY-MM-DD")
        }
        return Clock.fixed(today: date)
    }

    func openDatabase() throws(CRMError) -> Database {
        let path = databasePath
        guard Database.fileExists(path) else {
            throw CRMError(.missingDatabase, "no database at \(path); create one with `crm init --admin NAME` "
                                          + "(or choose another with --db or CRM_DB)")
        }
        let trace: ((String, [SQLValue]) -> Void)? = traceSQL
            ? { [debug] sql, values in Output.error(SQLTrace.line(sql: sql, values: values, showValues: debug)) }
            : nil
        let database = try Database(path: path, trace: trace)
        TestHooks.install(on: database, variables: variables)
        try Migrations.apply(to: database, now: try clock.timestamp)
        return database
    }
}
