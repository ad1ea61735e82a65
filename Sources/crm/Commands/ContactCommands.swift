import CRMCore

private let contactFieldOptions: [OptionSpec] = [
    .value("--first-name", "TEXT", "First name"),
    .value("--last-name", "TEXT", "Last name"),
    .value("--role", "TEXT", "Role at the company, such as CFO"),
    .value("--email", "ADDRESS", "E-mail address, unique per account whatever its case"),
    .value("--phone", "TEXT", "Phone number, kept as typed"),
    .value("--mobile", "TEXT", "Mobile number, kept as typed"),
    .value("--opt-out", "yes|no", "The contact refuses e-mail follow-ups"),
]

private func contactValues(_ invocation: Invocation) -> [ContactField: String] {
    var fields: [ContactField: String] = [:]
    for field in ContactField.allCases {
        if let value = invocation.value(field.option) { fields[field] = value }
    }
    return fields
}

let contactCommands: [CommandSpec] = [
    CommandSpec(
        path: ["contact", "add"], summary: "Add a contact to an account",
        options: [.value("--account", "ID", "Account id (required)")] + contactFieldOptions,
        run: { (invocation) throws(CRMError) in
            _ = try invocation.requiredValue("--account")
            let contact = try Contacts.add(try invocation.context(), account: try invocation.id("--account"),
                                           fields: contactValues(invocation))
            Output.line("Added contact \(contact.id) to account \(contact.accountId.map { String($0) } ?? "-").")
        }),
    CommandSpec(
        path: ["contact", "list"], summary: "List contacts, of one account or of every account you may see",
        options: [.value("--account", "ID", "Only this account's contacts"),
                  .value("--limit", "N", "At most N contacts (default 100)"),
                  .value("--offset", "N", "Skip the first N contacts")],
        access: .read,
        run: { (invocation) throws(CRMError) in
            let account = invocation.value("--account") == nil ? nil : try invocation.id("--account")
            let contacts = try Contacts.list(try invocation.context(), account: account,
                                             limit: try invocation.integer("--limit", default: 100, range: 1...10_000),
                                             offset: try invocation.integer("--offset", default: 0, range: 0...Int(Int32.max)))
            if invocation.json { return Output.json(.array(contacts.map(\.jsonValue))) }
            Output.table(["ID", "ACCOUNT", "NAME", "ROLE", "EMAIL", "PHONE"], contacts.map {
                [String($0.id), $0.accountId.map { String($0) } ?? "-", $0.fullName, $0.role ?? "",
                 ($0.email ?? "") + ($0.optedOut ? " (opted out)" : ""), $0.phone ?? $0.mobile ?? ""]
            })
        }),
    CommandSpec(
        path: ["contact", "show"], summary: "Show one contact",
        arguments: [ArgumentSpec(name: "ID", help: "Contact id")], access: .read,
        run: { (invocation) throws(CRMError) in
            let contact = try Contacts.get(try invocation.context(), id: try invocation.id("ID"))
            if invocation.json { return Output.json(contact.jsonValue) }
            Output.record([("Contact", String(contact.id)),
                           ("Account", contact.accountId.map { String($0) } ?? "none (link it with `crm contact link`)"),
                           ("Name", contact.fullName), ("Role", contact.role), ("E-mail", contact.email),
                           ("Phone", contact.phone), ("Mobile", contact.mobile),
                           ("E-mail opt-out", contact.optedOut ? "yes" : "no"),
                           ("Created", contact.createdAt), ("Updated", contact.updatedAt)])
        }),
    CommandSpec(
        path: ["contact", "link"], summary: "Link a contact to an account, or move it to another one",
        arguments: [ArgumentSpec(name: "ID", help: "Contact id")],
        options: [.value("--account", "ID", "Account id (required)")],
        discussion: "Contacts imported without a known company belong to no account until an admin links them.",
        run: { (invocation) throws(CRMError) in
            _ = try invocation.requiredValue("--account")
            let contact = try Contacts.link(try invocation.context(), id: try invocation.id("ID"),
                                            account: try invocation.id("--account"))
            Output.line("Contact \(contact.id) now belongs to account \(contact.accountId.map { String($0) } ?? "-").")
        }),
    CommandSpec(
        path: ["contact", "edit"], summary: "Change fields of a contact",
        arguments: [ArgumentSpec(name: "ID", help: "Contact id")], options: contactFieldOptions,
        run: { (invocation) throws(CRMError) in
            let contact = try Contacts.edit(try invocation.context(), id: try invocation.id("ID"), fields: contactValues(invocation))
            Output.line("Updated contact \(contact.id).")
        }),
]

let noteCommands: [CommandSpec] = [
    CommandSpec(
        path: ["note", "add"], summary: "Add a note to an account",
        arguments: [ArgumentSpec(name: "ACCOUNT", help: "Account id"), ArgumentSpec(name: "TEXT", help: "Text of the note")],
        run: { (invocation) throws(CRMError) in
            let id = try Notes.add(try invocation.context(), account: try invocation.id("ACCOUNT"),
                                   text: invocation.required("TEXT").replacingEscapedNewlines)
            Output.line("Added note \(id).")
        }),
    CommandSpec(
        path: ["note", "list"], summary: "List the notes of an account",
        arguments: [ArgumentSpec(name: "ACCOUNT", help: "Account id")], access: .read,
        run: { (invocation) throws(CRMError) in
            let notes = try Notes.list(try invocation.context(), account: try invocation.id("ACCOUNT"))
            if invocation.json { return Output.json(.array(notes.map(\.jsonValue))) }
            Output.table(["ID", "WHEN", "BY", "TEXT"], notes.map {
                [String($0.id), $0.createdAt, ($0.plugin.map { "plugin \($0)" } ?? $0.author) ?? "", $0.text]
            })
        }),
]

let searchCommands: [CommandSpec] = [
    CommandSpec(
        path: ["search"], summary: "Find accounts and contacts by name, SIREN, SIRET, e-mail or phone",
        arguments: [ArgumentSpec(name: "TEXT", help: "Text to look for, ignoring case and accents")],
        options: [.value("--limit", "N", "At most N hits of each kind (default 20)")],
        access: .read,
        run: { (invocation) throws(CRMError) in
            let hits = try Search.run(try invocation.context(), text: invocation.required("TEXT"),
                                      limit: try invocation.integer("--limit", default: 20, range: 1...1000))
            if invocation.json { return Output.json(.array(hits.map(\.jsonValue))) }
            Output.table(["KIND", "ID", "ACCOUNT", "NAME", "MATCHED"], hits.map {
                [$0.kind, String($0.id), $0.accountId.map { String($0) } ?? "-", $0.name, $0.matched]
            })
        }),
]

let settingCommands: [CommandSpec] = [
    CommandSpec(
        path: ["setting", "set"], summary: "Set a setting for this database (admins)",
        arguments: [ArgumentSpec(name: "KEY", help: "Setting key, such as solvency.maxCredit"),
                    ArgumentSpec(name: "VALUE", help: "Value: JSON when it parses as JSON (45, true, \"45\"), else text")],
        run: { (invocation) throws(CRMError) in
            let value = Settings.parseValue(invocation.required("VALUE"))
            try Settings.set(try invocation.context(), key: invocation.required("KEY"), value: value)
            Output.line("Set \(invocation.required("KEY")) to \(JSON.encode(value)).")
        }),
    CommandSpec(
        path: ["setting", "unset"], summary: "Remove a setting so the pack's default applies again (admins)",
        arguments: [ArgumentSpec(name: "KEY", help: "Setting key")],
        run: { (invocation) throws(CRMError) in
            try Settings.remove(try invocation.context(), key: invocation.required("KEY"))
            Output.line("Removed \(invocation.required("KEY")).")
        }),
    CommandSpec(
        path: ["setting", "list"], summary: "List the settings stored in this database", access: .read,
        run: { (invocation) throws(CRMError) in
            let settings = try Settings.all(try invocation.context().database)
            if invocation.json { return Output.json(.object(settings)) }
            Output.table(["KEY", "VALUE"], settings.map { [$0.0, JSON.encode($0.1)] })
        }),
]
