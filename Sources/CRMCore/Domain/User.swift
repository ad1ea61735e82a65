/// The role that decides what a user may do. Sales reps work their own accounts, managers their
/// sectors, accounting decides account openings, admins configure.
public enum Role: String, CaseIterable, Sendable {
    case sales, accounting, manager, admin
}

public struct User: Equatable, Sendable {
    public let id: Int64
    public let name: String
    public let role: Role
    public let login: String?
    public let active: Bool

    init(row: Row) {
        id = row.int(0)!
        name = row.string(1)!
        role = Role(rawValue: row.string(2)!) ?? .sales
        login = row.string(3)
        active = row.bool(4)
    }

    static let columns = "id, name, role, login, active"

    public var jsonValue: Value {
        var object = ObjectBuilder()
        object.set("id", id)
        object.set("name", name)
        object.set("role", role.rawValue)
        object.set("login", login)
        object.set("active", active)
        return object.value
    }
}

/// User accounts: creation, lookup, disabling and the choice of who acts.
public enum Users {
    /// Checks a user name: 1 to 64 characters, letters, digits, `.`, `_`, `-`.
    static func validateName(_ name: String, option: String) throws(CRMError) {
        let allowed = name.unicodeScalars.allSatisfy {
            ($0.properties.isAlphabetic || $0.properties.numericType != nil || "._-".unicodeScalars.contains($0))
                && $0.isASCII
        }
        guard !name.isEmpty, name.count <= 64, allowed else {
            throw CRMError.usage("invalid \(option) '\(name)': use 1 to 64 ASCII letters, digits, '.', '_' or '-'")
        }
    }

    public static func find(_ database: Database, name: String) throws(CRMError) -> User? {
        try database.first("SELECT \(User.columns) FROM users WHERE name = ?", [name]).map(User.init)
    }

    public static func find(_ database: Database, id: Int64) throws(CRMError) -> User? {
        try database.first("SELECT \(User.columns) FROM users WHERE id = ?", [id]).map(User.init)
    }

    public static func find(_ database: Database, login: String) throws(CRMError) -> User? {
        try database.first("SELECT \(User.columns) FROM users WHERE login = ?", [login]).map(User.init)
    }

    /// Looks up a user named on the command line, failing with a message
    /// that names the option.
    public static func require(_ database: Database, name: String, option: String) throws(CRMError) -> User {
        guard let user = try find(database, name: name) else {
            throw CRMError.notFound("unknown user '\(name)' in \(option); see `crm user list`")
        }
        return user
    }

    public static func all(_ database: Database) throws(CRMError) -> [User] {
        try database.query("SELECT \(User.columns) FROM users ORDER BY name").map(User.init)
    }

    /// Inserts a user without permission checks: used by `crm init` for the
    /// first administrator and by `add`.
    static func insert(_ database: Database, name: String, role: Role, login: String?, now: String,
                       nameOption: String = "NAME") throws(CRMError) -> User {
        try validateName(name, option: nameOption)
        if let login { try validateName(login, option: "--login") }
        if try find(database, name: name) != nil {
            throw CRMError.conflict("a user named '\(name)' already exists")
        }
        if let login, let bound = try find(database, login: login) {
            throw CRMError.conflict("the login '\(login)' is already bound to the user '\(bound.name)'")
        }
        let id = try database.insert("INSERT INTO users (name, role, login, active, created_at) VALUES (?, ?, ?, 1, ?)",
                                     [name, role.rawValue, login, now])
        return try find(database, id: id)!
    }

    public static func add(_ context: CRMContext, name: String, role: Role, login: String?,
                           runningLogin: String? = nil) throws(CRMError) -> User {
        try context.require(.admin, to: "add a user")
        try checkBinding(login: login, role: role, runningLogin: runningLogin)
        return try context.database.transaction { () throws(CRMError) -> User in
            let user = try insert(context.database, name: name, role: role, login: login, now: context.clock.timestamp)
            try context.audit(entity: "user", id: user.id, action: "create", field: nil, old: nil,
                              new: "\(name) (\(role.rawValue))")
            return user
        }
    }

    public static func disable(_ context: CRMContext, name: String) throws(CRMError) {
        try context.require(.admin, to: "disable a user")
        let user = try require(context.database, name: name, option: "NAME")
        guard user.active else { throw CRMError.conflict("the user '\(name)' is already disabled") }
        guard user.id != context.actor.id else {
            throw CRMError.invalid("you cannot disable yourself; ask another administrator")
        }
        try context.database.transaction { () throws(CRMError) in
            try context.database.query("UPDATE users SET active = 0 WHERE id = ?", [user.id])
            try context.audit(entity: "user", id: user.id, action: "update", field: "active", old: "1", new: "0")
        }
    }

    /// Decides who acts for this command.
    ///
    /// A user bound to the operating-system login acts as that user; only an
    /// admin bound that way may act as someone else with `requested`. With
    /// no bound user, `requested` (from `--as`, then `CRM_USER`) names the user.
    /// `source` names where `requested` came from in messages (`--as` or `CRM_USER`).
    public static func resolveActor(_ database: Database, requested: String?, osLogin: String?,
                                    source: String = "--as") throws(CRMError) -> User {
        let bound = try osLogin.flatMap { (login) throws(CRMError) in try find(database, login: login) }
        var actor: User
        if let bound {
            actor = bound
            if let requested, requested != bound.name {
                guard bound.role == .admin else {
                    throw CRMError.permission("your login '\(osLogin!)' is bound to the user '\(bound.name)', who "
                                              + "cannot act as '\(requested)': acting as another user needs the admin role")
                }
                actor = try require(database, name: requested, option: source)
            }
        } else {
            guard let requested else {
                throw CRMError.usage("no acting user: pass --as NAME or set CRM_USER "
                                     + "(or bind your login with `crm user add NAME --login LOGIN`)")
            }
            actor = try require(database, name: requested, option: source)
        }
        guard actor.active else {
            throw CRMError.permission("the user '\(actor.name)' is disabled and can no longer act")
        }
        return actor
    }
}

extension Users {
    /// Creates the administrator of a new database, recorded in the audit
    /// log as created by `init`.
    public static func createFirstAdministrator(_ database: Database, name: String, login: String?,
                                                clock: Clock) throws(CRMError) {
        try database.transaction { () throws(CRMError) in
            guard try database.scalar("SELECT count(*) FROM users").integer == 0 else {
                throw CRMError.conflict("the database already has users")
            }
            let user = try insert(database, name: name, role: .admin, login: login, now: clock.timestamp,
                                  nameOption: "--admin")
            try database.query("""
                INSERT INTO audit_log (at, user_id, entity, entity_id, action, new_value, command)
                VALUES (?, ?, 'user', ?, 'create', ?, 'init')
                """, [clock.timestamp, user.id, user.id, "\(name) (admin)"])
        }
    }
}

extension Users {
    /// Fails when binding `login` to a non-admin would take over the login of
    /// the person running the command: every later command from that login
    /// would act as the new user, and no admin could act again from it.
    static func checkBinding(login: String?, role: Role, runningLogin: String?) throws(CRMError) {
        guard let login, login == runningLogin, role != .admin else { return }
        throw CRMError.invalid("binding your own login '\(login)' to a \(role.rawValue) user would make every command "
                               + "you run from it act as that user, so no admin could act from it again; run this "
                               + "from the user's own login, or bind it to an admin")
    }

    /// Enables a disabled user again.
    public static func enable(_ context: CRMContext, name: String) throws(CRMError) {
        try context.require(.admin, to: "enable a user")
        let user = try require(context.database, name: name, option: "NAME")
        guard !user.active else { throw CRMError.conflict("the user '\(name)' is already active") }
        try context.database.transaction { () throws(CRMError) in
            try context.database.query("UPDATE users SET active = 1 WHERE id = ?", [user.id])
            try context.audit(entity: "user", id: user.id, action: "update", field: "active", old: "0", new: "1")
        }
    }

    /// Changes a user's role or login binding; an empty login unbinds it.
    public static func edit(_ context: CRMContext, name: String, role: Role?, login: String?,
                            runningLogin: String?) throws(CRMError) -> User {
        try context.require(.admin, to: "change a user")
        let database = context.database
        return try database.transaction { () throws(CRMError) -> User in
            let user = try require(database, name: name, option: "NAME")
            guard role != nil || login != nil else {
                throw CRMError.usage("nothing to change: give --role or --login (an empty --login unbinds it)")
            }
            if let role, role != user.role {
                if user.id == context.actor.id && role != .admin {
                    throw CRMError.invalid("you cannot take the admin role from yourself; ask another administrator")
                }
                try database.query("UPDATE users SET role = ? WHERE id = ?", [role.rawValue, user.id])
                try context.audit(entity: "user", id: user.id, action: "update", field: "role", old: user.role.rawValue,
                                  new: role.rawValue)
            }
            if let login {
                let newLogin = login.isEmpty ? nil : login
                if let newLogin {
                    try validateName(newLogin, option: "--login")
                    if let bound = try find(database, login: newLogin), bound.id != user.id {
                        throw CRMError.conflict("the login '\(newLogin)' is already bound to the user '\(bound.name)'")
                    }
                }
                try checkBinding(login: newLogin, role: role ?? user.role, runningLogin: runningLogin)
                try database.query("UPDATE users SET login = ? WHERE id = ?", [newLogin, user.id])
                try context.audit(entity: "user", id: user.id, action: "update", field: "login", old: user.login,
                                  new: newLogin)
            }
            return try find(database, id: user.id)!
        }
    }
}
