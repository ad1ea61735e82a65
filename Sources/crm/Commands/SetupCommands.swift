import CRMCore

let setupCommands: [CommandSpec] = [
    CommandSpec(
        path: ["init"], summary: "Create a database and its first administrator",
        options: [.value("--admin", "NAME", "Name of the first user, an administrator (required)"),
                  .value("--login", "LOGIN", "Bind the administrator to this operating-system login")],
        access: .none,
        discussion: "The database file is created readable and writable by its owner only.",
        run: { (invocation) throws(CRMError) in
            let name = try invocation.requiredValue("--admin")
            let path = invocation.environment.databasePath
            let clock = try invocation.environment.clock
            let database = try Database.create(path: path)
            do throws(CRMError) {
                try Migrations.apply(to: database, now: clock.timestamp)
                try Users.createFirstAdministrator(database, name: name, login: invocation.value("--login"),
                                                   clock: clock)
            } catch {
                Database.removeFiles(at: path)
                throw error
            }
            Output.line("Created the database at \(path) (readable by its owner only).")
            Output.line("The administrator is \(name); act as them with --as \(name) or CRM_USER=\(name).")
        }),
]

let userCommands: [CommandSpec] = [
    CommandSpec(
        path: ["user", "add"], summary: "Add a user with a role",
        arguments: [ArgumentSpec(name: "NAME", help: "User name: ASCII letters, digits, '.', '_' or '-'")],
        options: [.value("--role", "ROLE", "sales, accounting, manager or admin (required)"),
                  .value("--login", "LOGIN", "Bind the user to this operating-system login")],
        run: { (invocation) throws(CRMError) in
            let context = try invocation.context()
            guard let role = try invocation.oneOf("--role", as: Role.self) else {
                throw CRMError.usage("missing --role: expected one of sales, accounting, manager, admin")
            }
            let user = try Users.add(context, name: invocation.required("NAME"), role: role, login: invocation.value("--login"),
                                     runningLogin: invocation.environment.osLogin)
            Output.line("Added user \(user.name) (\(user.role.rawValue)).")
        }),
    CommandSpec(
        path: ["user", "list"], summary: "List users, their roles and bound logins", access: .read,
        run: { (invocation) throws(CRMError) in
            let users = try Users.all(try invocation.context().database)
            if invocation.json { return Output.json(.array(users.map(\.jsonValue))) }
            Output.table(["NAME", "ROLE", "LOGIN", "STATE"],
                         users.map { [$0.name, $0.role.rawValue, $0.login ?? "", $0.active ? "active" : "disabled"] })
        }),
    CommandSpec(
        path: ["user", "disable"], summary: "Disable a user; their records stay",
        arguments: [ArgumentSpec(name: "NAME", help: "User to disable")],
        run: { (invocation) throws(CRMError) in
            try Users.disable(try invocation.context(), name: invocation.required("NAME"))
            Output.line("Disabled user \(invocation.required("NAME")).")
        }),
    CommandSpec(
        path: ["user", "enable"], summary: "Enable a disabled user again",
        arguments: [ArgumentSpec(name: "NAME", help: "User to enable")],
        run: { (invocation) throws(CRMError) in
            try Users.enable(try invocation.context(), name: invocation.required("NAME"))
            Output.line("Enabled user \(invocation.required("NAME")).")
        }),
    CommandSpec(
        path: ["user", "edit"], summary: "Change a user's role or operating-system login",
        arguments: [ArgumentSpec(name: "NAME", help: "User to change")],
        options: [.value("--role", "ROLE", "sales, accounting, manager or admin"),
                  .value("--login", "LOGIN", "Operating-system login to bind; an empty value unbinds it")],
        run: { (invocation) throws(CRMError) in
            let user = try Users.edit(try invocation.context(), name: invocation.required("NAME"),
                                      role: try invocation.oneOf("--role", as: Role.self), login: invocation.value("--login"),
                                      runningLogin: invocation.environment.osLogin)
            Output.line("Updated user \(user.name) (\(user.role.rawValue)\(user.login.map { ", login \($0)" } ?? "")).")
        }),
]

let sectorCommands: [CommandSpec] = [
    CommandSpec(
        path: ["sector", "add"], summary: "Add a sales sector",
        arguments: [ArgumentSpec(name: "CODE", help: "Sector code, such as IDF or FR-75")],
        options: [.value("--name", "NAME", "Display name (required)"),
                  .value("--parent", "CODE", "Parent sector in the tree")],
        run: { (invocation) throws(CRMError) in
            let sector = try Sectors.add(try invocation.context(), code: invocation.required("CODE"),
                                         name: try invocation.requiredValue("--name"), parent: invocation.value("--parent"))
            Output.line("Added sector \(sector.code).")
        }),
    CommandSpec(
        path: ["sector", "list"], summary: "Show the sector tree with managers and reps", access: .read,
        run: { (invocation) throws(CRMError) in
            let database = try invocation.context().database
            let sectors = try Sectors.all(database)
            let reps = try Sectors.reps(database)
            if invocation.json {
                return Output.json(.array(sectors.map { sector in
                    .object([("code", .string(sector.code)), ("name", .string(sector.name)),
                             ("parent", sectors.first { $0.id == sector.parentId }.map { .string($0.code) } ?? .null),
                             ("manager", sector.managerName.map(Value.string) ?? .null),
                             ("reps", .array((reps[sector.id] ?? []).map(Value.string)))])
                }))
            }
            var rows: [[String]] = []
            func walk(_ parent: Int64?, depth: Int) {
                for sector in sectors where sector.parentId == parent {
                    rows.append([String(repeating: "  ", count: depth) + sector.code, sector.name, sector.managerName ?? "",
                                 (reps[sector.id] ?? []).joined(separator: ", ")])
                    walk(sector.id, depth: depth + 1)
                }
            }
            walk(nil, depth: 0)
            Output.table(["CODE", "NAME", "MANAGER", "REPS"], rows)
        }),
    CommandSpec(
        path: ["sector", "assign-rep"], summary: "Add a sales rep to a sector",
        arguments: [ArgumentSpec(name: "CODE", help: "Sector code"), ArgumentSpec(name: "USER", help: "Rep's user name")],
        run: { (invocation) throws(CRMError) in
            try Sectors.assignRep(try invocation.context(), code: invocation.required("CODE"), userName: invocation.required("USER"))
            Output.line("Added \(invocation.required("USER")) to sector \(invocation.required("CODE")).")
        }),
    CommandSpec(
        path: ["sector", "set-manager"], summary: "Set the manager of a sector",
        arguments: [ArgumentSpec(name: "CODE", help: "Sector code"), ArgumentSpec(name: "USER", help: "Manager's user name")],
        run: { (invocation) throws(CRMError) in
            try Sectors.setManager(try invocation.context(), code: invocation.required("CODE"), userName: invocation.required("USER"))
            Output.line("\(invocation.required("USER")) now manages sector \(invocation.required("CODE")).")
        }),
]
