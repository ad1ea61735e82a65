import CRMCore

/// The parsed command line of one run, with typed accessors that turn bad
/// values into usage errors naming the option.
final class Invocation {
    let command: CommandSpec
    private let arguments: [String: String]
    private let values: [String: [String]]
    private let flags: Set<String>
    let environment: Environment

    init(command: CommandSpec, arguments: [String: String], values: [String: [String]], flags: Set<String>,
         environment: Environment) {
        self.command = command
        self.arguments = arguments
        self.values = values
        self.flags = flags
        self.environment = environment
    }

    func argument(_ name: String) -> String? { arguments[name] }

    /// A required positional argument; the parser has already checked it is present.
    func required(_ name: String) -> String { arguments[name]! }

    func value(_ option: String) -> String? { values[option]?.last }

    func values(_ option: String) -> [String] { values[option] ?? [] }

    func flag(_ option: String) -> Bool { flags.contains(option) }

    var json: Bool { flag("--json") }

    func requiredValue(_ option: String) throws(CRMError) -> String {
        guard let value = value(option) else {
            throw CRMError.usage("missing \(option): `crm \(command.name)` needs it")
        }
        return value
    }

    /// An integer option within a range, or the default when absent.
    func integer(_ option: String, default defaultValue: Int, range: ClosedRange<Int>) throws(CRMError) -> Int {
        guard let text = value(option) else { return defaultValue }
        guard let number = Int(text), range.contains(number) else {
            throw CRMError.usage("invalid \(option) '\(text)': expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// A positive id given as an argument or option.
    func id(_ name: String) throws(CRMError) -> Int64 {
        let text = arguments[name] ?? value(name) ?? ""
        guard let id = Int64(text), id > 0 else {
            throw CRMError.usage("invalid \(name) '\(text)': expected an id, a positive whole number")
        }
        return id
    }

    func oneOf<T: RawRepresentable & CaseIterable>(_ option: String, as type: T.Type) throws(CRMError) -> T?
    where T.RawValue == String {
        guard let text = value(option) else { return nil }
        guard let parsed = T(rawValue: text) else {
            let choices = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw CRMError.usage("invalid \(option) '\(text)': expected one of \(choices)")
        }
        return parsed
    }

    // MARK: The database and the acting user

    private var openedContext: CRMContext?

    /// Opens the database, applies migrations and resolves who acts. Read
    /// commands never start the plugin host.
    func context() throws(CRMError) -> CRMContext {
        if let openedContext { return openedContext }
        let database = try environment.openDatabase()
        let actor = try Users.resolveActor(database, requested: environment.actingUser, osLogin: environment.osLogin,
                                           source: environment.userOption != nil ? "--as" : "CRM_USER")
        let makeHost: (() throws(CRMError) -> PluginHost)? = command.access == .write
            ? { [debug = environment.debug] () throws(CRMError) -> PluginHost in try makePluginHost(database: database, debug: debug) }
            : nil
        let context = CRMContext(database: database, clock: try environment.clock, actor: actor, command: command.name,
                                 makeHost: makeHost)
        openedContext = context
        return context
    }
}
