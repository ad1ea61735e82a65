import CRMCore

/// One option per settable account field, shared by `add` and `edit`.
private let accountFieldOptions: [OptionSpec] = [
    .value("--trade-name", "TEXT", "Trade name"),
    .value("--legal-form", "TEXT", "Legal form, such as SAS or 5710"),
    .value("--siren", "SIREN", "French company number: 9 digits with a Luhn key"),
    .value("--siret", "SIRET", "French establishment number: 14 digits with a Luhn key"),
    .value("--vat", "NUMBER", "Intra-EU VAT number, such as FR44732829320"),
    .value("--street", "TEXT", "Billing street; \\n separates lines"),
    .value("--postal-code", "CODE", "Billing postal code"),
    .value("--city", "TEXT", "Billing city"),
    .value("--country", "CODE", "ISO 3166 country code (default FR)"),
    .value("--owner", "USER", "Owning rep (default: the acting user)"),
    .value("--sector", "CODE", "Sector, assigned by hand"),
    .value("--currency", "CODE", "ISO 4217 currency (default EUR)"),
    .value("--creation-date", "DATE", "The company's creation date, YYYY-MM-DD"),
    .value("--category", "TEXT", "Customer category"),
    .value("--parent", "ID", "Parent account id"),
    .value("--iban", "IBAN", "Bank account, checked with the ISO 13616 key"),
    .value("--customer-code", "CODE", "Customer code, unique"),
    .value("--active", "yes|no", "Active or inactive company (default yes)"),
]

/// The same option for `edit`, where no default applies: "(default ...)" is cut from its help.
private func withoutDefault(_ option: OptionSpec) -> OptionSpec {
    guard let range = option.help.firstRange(of: " (default") else { return option }
    return OptionSpec(name: option.name, valueName: option.valueName, help: String(option.help[..<range.lowerBound]),
                      repeatable: option.repeatable)
}

private func fieldValues(_ invocation: Invocation) -> [AccountField: String] {
    var fields: [AccountField: String] = [:]
    for field in AccountField.allCases {
        if let value = invocation.value(field.option) { fields[field] = value.replacingEscapedNewlines }
    }
    return fields
}

extension String {
    /// Turns the two characters `\n` typed on a command line into a line break.
    var replacingEscapedNewlines: String {
        var result = ""
        var previousBackslash = false
        for character in self {
            if previousBackslash {
                result.append(character == "n" ? "\n" : "\\")
                if character != "n" { result.append(character) }
                previousBackslash = false
            } else if character == "\\" {
                previousBackslash = true
            } else {
                result.append(character)
            }
        }
        if previousBackslash { result.append("\\") }
        return result
    }
}

private func printAccount(_ account: Account, json: Bool) {
    if json { return Output.json(account.jsonValue) }
    let address = [account.street, [account.postalCode, account.city].compactMap { $0 }.joined(separator: " "), account.country]
        .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "\n")
    Output.record([
        ("Account", "\(account.id)"), ("Legal name", account.legalName), ("Trade name", account.tradeName),
        ("Status", account.status.rawValue + (account.active ? "" : ", inactive") + (account.archivedAt != nil ? ", archived" : "")),
        ("Legal form", account.legalForm), ("SIREN", account.siren), ("SIRET", account.siret),
        ("VAT number", account.vatNumber), ("Address", address), ("Owner", account.ownerName),
        ("Sector", account.sectorCode.map { $0 + (account.sectorManual ? " (assigned by hand)" : "") }),
        ("Currency", account.currency.code),
        ("Credit limit", account.creditLimit.map { Money(minor: $0, currency: account.currency).description }),
        ("Payment term", account.paymentTerm), ("Payment method", account.paymentMethod),
        ("Created (company)", account.creationDate), ("Category", account.category),
        ("Parent", account.parentId.map { String($0) }), ("IBAN", account.iban),
        ("Customer code", account.customerCode),
        ("Flags", account.flags.isEmpty ? nil : account.flags.joined(separator: ", ")),
        ("Tags", account.tags.isEmpty ? nil : account.tags.joined(separator: ", ")),
        ("Merged into", account.mergedInto.map { String($0) }),
        ("Created", account.createdAt), ("Updated", account.updatedAt),
    ])
}

let accountCommands: [CommandSpec] = [
    CommandSpec(
        path: ["account", "add"], summary: "Add a prospect",
        arguments: [ArgumentSpec(name: "NAME", help: "Legal name of the company")],
        options: accountFieldOptions + [
            .value("--tag", "TAG", "Tag to add", repeatable: true),
            .value("--flag", "FLAG", "Flag to add, such as bad-payer", repeatable: true),
        ],
        discussion: """
            An account is created as a prospect; it becomes a customer only when accounting approves
            its opening. Example:
              crm account add "ATELIER LUMIERE" --siren 732829320 --country FR --owner alice --sector IDF
            """,
        run: { (invocation) throws(CRMError) in
            let account = try Accounts.add(try invocation.context(), legalName: invocation.required("NAME"),
                                           fields: fieldValues(invocation), tags: invocation.values("--tag"),
                                           flags: invocation.values("--flag"))
            Output.line("Added account \(account.id) (prospect).")
        }),
    CommandSpec(
        path: ["account", "list"], summary: "List the accounts you may see",
        options: [
            .value("--owner", "USER", "Only accounts of this rep"),
            .value("--sector", "CODE", "Only accounts of this sector"),
            .value("--status", "STATUS", "prospect or customer"),
            .value("--tag", "TAG", "Only accounts with this tag"),
            .value("--name", "PREFIX", "Name or trade name starting with this, ignoring case and accents"),
            .flag("--archived", "Include archived accounts"),
            .value("--sort", "KEY", "name (default), id, created or updated"),
            .value("--limit", "N", "At most N accounts (default 50, at most 10000)"),
            .value("--offset", "N", "Skip the first N accounts"),
        ],
        access: .read,
        run: { (invocation) throws(CRMError) in
            var filter = AccountFilter()
            filter.owner = invocation.value("--owner")
            filter.sector = invocation.value("--sector")
            filter.status = try invocation.oneOf("--status", as: AccountStatusOption.self).map { $0 == .customer ? .customer : .prospect }
            filter.tag = invocation.value("--tag")
            filter.namePrefix = invocation.value("--name")
            filter.includeArchived = invocation.flag("--archived")
            filter.sort = try invocation.oneOf("--sort", as: AccountFilter.Sort.self) ?? .name
            filter.limit = try invocation.integer("--limit", default: 50, range: 1...10_000)
            filter.offset = try invocation.integer("--offset", default: 0, range: 0...Int(Int32.max))
            let accounts = try Accounts.list(try invocation.context(), filter: filter)
            if invocation.json { return Output.json(.array(accounts.map(\.jsonValue))) }
            Output.table(["ID", "NAME", "STATUS", "SIREN", "CITY", "OWNER", "SECTOR"], accounts.map {
                [String($0.id), $0.legalName, $0.status.rawValue + ($0.archivedAt != nil ? " (archived)" : ""),
                 $0.siren ?? "", $0.city ?? "", $0.ownerName, $0.sectorCode ?? ""]
            })
        }),
    CommandSpec(
        path: ["account", "show"], summary: "Show one account",
        arguments: [ArgumentSpec(name: "ID", help: "Account id")], access: .read,
        run: { (invocation) throws(CRMError) in
            printAccount(try Accounts.get(try invocation.context(), id: try invocation.id("ID")), json: invocation.json)
        }),
    CommandSpec(
        path: ["account", "edit"], summary: "Change fields of an account",
        arguments: [ArgumentSpec(name: "ID", help: "Account id")],
        options: [.value("--legal-name", "TEXT", "Legal name")] + accountFieldOptions.map(withoutDefault) + [
            .value("--credit-limit", "AMOUNT", "Credit limit in major units, such as 5000.00 (accounting or admin)"),
            .value("--add-tag", "TAG", "Tag to add", repeatable: true),
            .value("--remove-tag", "TAG", "Tag to remove", repeatable: true),
            .value("--add-flag", "FLAG", "Flag to add", repeatable: true),
            .value("--remove-flag", "FLAG", "Flag to remove", repeatable: true),
        ],
        discussion: "Give an empty value (--trade-name \"\") to clear a field. Each change is kept in the history.",
        run: { (invocation) throws(CRMError) in
            let id = try invocation.id("ID")
            try Accounts.edit(try invocation.context(), id: id, fields: fieldValues(invocation),
                              addTags: invocation.values("--add-tag"), removeTags: invocation.values("--remove-tag"),
                              addFlags: invocation.values("--add-flag"), removeFlags: invocation.values("--remove-flag"))
            Output.line("Updated account \(id).")
        }),
    CommandSpec(
        path: ["account", "archive"], summary: "Archive an account; its history stays",
        arguments: [ArgumentSpec(name: "ID", help: "Account id")],
        run: { (invocation) throws(CRMError) in
            let id = try invocation.id("ID")
            try Accounts.archive(try invocation.context(), id: id)
            Output.line("Archived account \(id).")
        }),
    CommandSpec(
        path: ["account", "assign"], summary: "Assign an account to a sector by hand, or hand it back to the rule",
        arguments: [ArgumentSpec(name: "ID", help: "Account id")],
        options: [.value("--sector", "CODE", "Sector code, assigned by hand"),
                  .flag("--auto", "Clear the assignment by hand and let the sectorFor rule choose")],
        discussion: """
            A sector assigned by hand stays when the address changes and when `crm sector reassign`
            runs. --auto hands the account back to the sectorFor rule and runs it at once.
            """,
        run: { (invocation) throws(CRMError) in
            let id = try invocation.id("ID")
            let sector = invocation.value("--sector")
            switch (sector, invocation.flag("--auto")) {
            case let (code?, false):
                try Accounts.assign(try invocation.context(), id: id, sector: code)
                Output.line("Assigned account \(id) to sector \(code).")
            case (nil, true):
                let account = try Accounts.assignByRule(try invocation.context(), id: id)
                let outcome = account.sectorCode.map { "sector \($0)" } ?? "no sector"
                Output.line("Account \(id) is assigned by the sector rule: \(outcome).")
            case (_?, true):
                throw CRMError.usage("give either --sector CODE or --auto, not both")
            case (nil, false):
                throw CRMError.usage("missing --sector CODE or --auto: `crm account assign` needs one of them")
            }
        }),
    CommandSpec(
        path: ["account", "merge"], summary: "Merge a duplicate account into another",
        arguments: [ArgumentSpec(name: "KEEP", help: "Account id to keep"),
                    ArgumentSpec(name: "DROP", help: "Duplicate account id, archived after the merge")],
        discussion: "Contacts, notes, tags, flags and history move to KEEP; empty fields of KEEP are filled from DROP.",
        run: { (invocation) throws(CRMError) in
            let keep = try invocation.id("KEEP"), drop = try invocation.id("DROP")
            try Accounts.merge(try invocation.context(), keep: keep, drop: drop)
            Output.line("Merged account \(drop) into account \(keep); account \(drop) is archived.")
        }),
    CommandSpec(
        path: ["account", "reassign"], summary: "Hand a rep's accounts, open deals and planned activities to another",
        options: [.value("--from", "USER", "Departing rep (required)"), .value("--to", "USER", "New owner (required)")],
        run: { (invocation) throws(CRMError) in
            let to = try invocation.requiredValue("--to")
            let moved = try Accounts.reassign(try invocation.context(), from: try invocation.requiredValue("--from"), to: to)
            func count(_ number: Int, _ one: String, _ many: String) -> String { "\(number) \(number == 1 ? one : many)" }
            Output.line("Reassigned \(count(moved.accounts, "account", "accounts")), "
                        + "\(count(moved.opportunities, "open opportunity", "open opportunities")) and "
                        + "\(count(moved.activities, "planned activity", "planned activities")) to \(to).")
        }),
    CommandSpec(
        path: ["history", "account"], summary: "Show the history of an account and its contacts",
        arguments: [ArgumentSpec(name: "ID", help: "Account id")], access: .read,
        run: { (invocation) throws(CRMError) in
            let entries = try History.account(try invocation.context(), id: try invocation.id("ID"))
            if invocation.json { return Output.json(.array(entries.map(\.jsonValue))) }
            Output.table(["WHEN", "WHO", "WHAT", "CHANGE", "COMMAND"], entries.map { entry in
                let what = "\(entry.entity) \(entry.entityId)"
                var change = entry.action
                if let field = entry.field { change += " \(field): \(entry.oldValue ?? "-") -> \(entry.newValue ?? "-")" }
                else if let old = entry.oldValue { change += " \(old)" }
                return [entry.at, entry.user ?? "", what, change,
                        entry.command + (entry.plugin.map { " (plugin \($0))" } ?? "")]
            })
        }),
]

/// The values of `--status`.
enum AccountStatusOption: String, CaseIterable { case prospect, customer }
