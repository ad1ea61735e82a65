import CRMCore

private func describe(_ decision: Decision, currency: Currency) -> String {
    var parts: [String] = []
    if let verdict = decision.result["decision"]?.stringValue { parts.append(verdict) }
    if let term = decision.result["term"]?.stringValue { parts.append(term) }
    if let method = decision.result["method"]?.stringValue { parts.append(method) }
    if let limit = decision.result["creditLimit"]?.integerValue {
        parts.append("credit limit " + Money(minor: limit, currency: currency).description)
    }
    var text = parts.joined(separator: ", ")
    if let reason = decision.reason { text += " (\(reason))" }
    return text + " [plugin \(decision.plugin) \(decision.pluginVersion), decision \(decision.id)]"
}

let openingCommands: [CommandSpec] = [
    CommandSpec(
        path: ["opening", "request"], summary: "Ask accounting to open a prospect's account",
        arguments: [ArgumentSpec(name: "ACCOUNT", help: "Account id")],
        options: [.value("--credit-limit", "AMOUNT", "Credit limit asked for, in major units such as 5000.00"),
                  .value("--note", "TEXT", "Note for accounting")],
        discussion: """
            The account needs a legal name, a valid SIREN or SIRET (French company) or VAT number (other EU
            company), a billing address and a contact with an e-mail; everything missing is listed at once.
            The solvency and paymentTerms rules run here and their advice is stored with the request.
            """,
        run: { (invocation) throws(CRMError) in
            let request = try Openings.request(try invocation.context(), account: try invocation.id("ACCOUNT"),
                                               creditLimit: invocation.value("--credit-limit"),
                                               note: invocation.value("--note")?.replacingEscapedNewlines)
            let context = try invocation.context()
            let accountants = try Users.all(context.database).filter { $0.role == .accounting && $0.active }.count
            if accountants == 0 {
                Output.line("Requested the opening of account \(request.accountId) (request \(request.id)).")
                Output.error("crm: warning: no active accounting user exists to alert; add one with "
                             + "`crm user add NAME --role accounting` and point them to `crm opening list --pending`")
            } else {
                Output.line("Requested the opening of account \(request.accountId) (request \(request.id)); "
                            + "accounting is alerted.")
            }
            if request.status != .pending {
                Output.line("The solvency rule's recommendation is binding: the request is \(request.status.rawValue).")
            }
        }),
    CommandSpec(
        path: ["opening", "list"], summary: "List opening requests",
        options: [.flag("--pending", "Only requests waiting for accounting")], access: .read,
        run: { (invocation) throws(CRMError) in
            let requests = try Openings.list(try invocation.context(), pendingOnly: invocation.flag("--pending"))
            if invocation.json { return Output.json(.array(requests.map(\.jsonValue))) }
            Output.table(["ID", "ACCOUNT", "NAME", "REQUESTED BY", "REQUESTED", "STATUS"], requests.map {
                [String($0.id), String($0.accountId), $0.accountName, $0.requestedBy, String($0.requestedAt.prefix(10)),
                 $0.status.rawValue + ($0.decider.map { " by \($0)" } ?? "")]
            })
        }),
    CommandSpec(
        path: ["opening", "review"], summary: "Show a request with the account, its history and the rules' advice",
        arguments: [ArgumentSpec(name: "ID", help: "Request id")], access: .read,
        run: { (invocation) throws(CRMError) in
            let context = try invocation.context()
            let request = try Openings.get(context, id: try invocation.id("ID"))
            let account = try Accounts.load(context.database, id: request.accountId)!
            let decisions = try Openings.decisions(context, id: request.id)
            let missing = try Openings.requirements(context.database, account: account)
            if invocation.json {
                return Output.json(.object([
                    ("request", request.jsonValue), ("account", account.jsonValue),
                    ("missing", .array(missing.map(Value.string))),
                    ("decisions", .array(decisions.map(\.jsonValue))),
                ]))
            }
            let solvency = decisions.first { $0.id == request.solvencyDecisionId }
            let terms = decisions.first { $0.id == request.termsDecisionId }
            Output.record([
                ("Request", "\(request.id) (\(request.status.rawValue))"),
                ("Account", "\(account.id) \(account.legalName)"),
                ("SIREN", account.siren), ("VAT number", account.vatNumber),
                ("Company created", account.creationDate),
                ("Flags", account.flags.isEmpty ? nil : account.flags.joined(separator: ", ")),
                ("Requested by", "\(request.requestedBy) on \(request.requestedAt.prefix(10))"),
                ("Credit asked", request.requestedCreditLimit.map { Money(minor: $0, currency: account.currency).description }),
                ("Note", request.note),
                ("Solvency", solvency.map { describe($0, currency: account.currency) } ?? "no rule decided"),
                ("Proposed terms", terms.map { describe($0, currency: account.currency) } ?? "no rule proposed"),
                ("Missing now", missing.isEmpty ? nil : missing.joined(separator: "; ")),
                ("Decided", request.decider.map { "\($0) on \(request.decidedAt?.prefix(10) ?? "")" }),
                ("Approved with", request.approvedTerm.map { "\($0), \(request.approvedMethod ?? "")" }),
                ("Rejection reason", request.rejectionReason),
            ])
            let earlier = decisions.filter { $0.id != request.solvencyDecisionId && $0.id != request.termsDecisionId }
            if !earlier.isEmpty {
                Output.line("\nEarlier advice:")
                for decision in earlier {
                    Output.line("  \(decision.at.prefix(10)) \(decision.rule): \(describe(decision, currency: account.currency))")
                }
            }
            Output.line("\nHistory of account \(account.id):")
            for entry in try History.account(context, id: account.id) {
                var change = entry.action
                if let field = entry.field { change += " \(field): \(entry.oldValue ?? "-") -> \(entry.newValue ?? "-")" }
                Output.line("  \(entry.at) \(entry.user ?? "") \(entry.entity) \(entry.entityId) \(change)")
            }
        }),
    CommandSpec(
        path: ["opening", "recheck"], summary: "Run the solvency and paymentTerms rules again (accounting)",
        arguments: [ArgumentSpec(name: "ID", help: "Request id")],
        run: { (invocation) throws(CRMError) in
            let request = try Openings.recheck(try invocation.context(), id: try invocation.id("ID"))
            Output.line("Rechecked request \(request.id); see `crm opening review \(request.id)`.")
        }),
    CommandSpec(
        path: ["opening", "approve"], summary: "Approve a request: the account becomes a customer (accounting)",
        arguments: [ArgumentSpec(name: "ID", help: "Request id")],
        options: [.value("--term", "CODE", "Payment term (default: the proposal); see `crm term list`"),
                  .value("--method", "METHOD", "TRANSFER, SEPA_DD, CHEQUE, CARD, LCR or CASH (default: the proposal)"),
                  .value("--credit-limit", "AMOUNT", "Credit limit (default: the solvency rule's, else the request's)")],
        run: { (invocation) throws(CRMError) in
            let id = try invocation.id("ID")
            let context = try invocation.context()
            let warnings = try Openings.approve(context, id: id, term: invocation.value("--term"),
                                                method: invocation.value("--method"),
                                                creditLimit: invocation.value("--credit-limit"))
            let request = try Openings.get(context, id: id)
            Output.line("Approved request \(id): account \(request.accountId) is a customer with "
                        + "\(request.approvedTerm ?? "") and \(request.approvedMethod ?? "").")
            for warning in warnings { Output.error("crm: warning: \(warning)") }
        }),
    CommandSpec(
        path: ["opening", "reject"], summary: "Reject a request; the rep is told the reason (accounting)",
        arguments: [ArgumentSpec(name: "ID", help: "Request id")],
        options: [.value("--reason", "TEXT", "Why (required)")],
        run: { (invocation) throws(CRMError) in
            let id = try invocation.id("ID")
            try Openings.reject(try invocation.context(), id: id, reason: try invocation.requiredValue("--reason"))
            Output.line("Rejected request \(id).")
        }),
    CommandSpec(
        path: ["inbox"], summary: "Show your unread notifications",
        options: [.flag("--all", "Include notifications already read")], access: .read,
        run: { (invocation) throws(CRMError) in
            let notifications = try Notifications.inbox(try invocation.context(), includeRead: invocation.flag("--all"))
            if invocation.json { return Output.json(.array(notifications.map(\.jsonValue))) }
            Output.table(["ID", "WHEN", "FROM", "SUBJECT", "READ"], notifications.map {
                [String($0.id), $0.createdAt, $0.sender, $0.subject, $0.readAt == nil ? "no" : "yes"]
            })
        }),
    CommandSpec(
        path: ["inbox", "read"], summary: "Show a notification and mark it read",
        arguments: [ArgumentSpec(name: "ID", help: "Notification id")],
        run: { (invocation) throws(CRMError) in
            let notification = try Notifications.read(try invocation.context(), id: try invocation.id("ID"))
            Output.record([("From", notification.sender), ("When", notification.createdAt),
                           ("Subject", notification.subject), ("Body", notification.body)])
        }),
    CommandSpec(
        path: ["term", "add"], summary: "Add a payment term (admins)",
        arguments: [ArgumentSpec(name: "CODE", help: "Term code, such as NET90")],
        options: [.value("--label", "TEXT", "English label (required)"),
                  .value("--french-label", "TEXT", "French label (default: the English one)"),
                  .value("--definition", "DEF", "net:N, eom-a:N, eom-b:N, eom-day:N:D, next-eom or receipt (required)")],
        discussion: """
            Definitions: net:N is N days after the invoice; eom-a:N adds N days then goes to the end of that
            month (the usual reading of "N jours fin de mois"); eom-b:N goes to the end of the invoice month
            then adds N days; eom-day:N:D adds N days, goes to the end of that month, then pays on day D of
            the next month; next-eom is the end of the month after the invoice month; receipt is due at once.
            """,
        run: { (invocation) throws(CRMError) in
            let code = invocation.required("CODE")
            let warning = try PaymentTerms.add(try invocation.context(), code: code, label: try invocation.requiredValue("--label"),
                                               frenchLabel: invocation.value("--french-label"),
                                               definition: try invocation.requiredValue("--definition"))
            Output.line("Added payment term \(code).")
            if let warning { Output.error("crm: warning: \(warning)") }
        }),
    CommandSpec(
        path: ["term", "list"], summary: "List the payment terms", access: .read,
        run: { (invocation) throws(CRMError) in
            let terms = try PaymentTerms.all(try invocation.context().database)
            if invocation.json {
                return Output.json(.array(terms.map {
                    .object([("code", .string($0.code)), ("label", .string($0.englishLabel)),
                             ("frenchLabel", .string($0.frenchLabel)), ("definition", .string($0.kind.definition))])
                }))
            }
            Output.table(["CODE", "LABEL", "FRENCH LABEL", "DEFINITION"],
                         terms.map { [$0.code, $0.englishLabel, $0.frenchLabel, $0.kind.definition] })
        }),
    CommandSpec(
        path: ["term", "show"], summary: "Show a payment term and example due dates",
        arguments: [ArgumentSpec(name: "CODE", help: "Term code")], access: .read,
        run: { (invocation) throws(CRMError) in
            let context = try invocation.context()
            let term = try PaymentTerms.require(context.database, code: invocation.required("CODE"), option: "CODE")
            let today = context.clock.today
            let examples = [today, today.endOfMonth].map { date in
                "invoice \(date) -> due \(term.dueDate(from: date).map { $0.description } ?? "out of range")"
            }
            if invocation.json {
                return Output.json(.object([
                    ("code", .string(term.code)), ("label", .string(term.englishLabel)),
                    ("frenchLabel", .string(term.frenchLabel)), ("definition", .string(term.kind.definition)),
                    ("legalLimitWarning", term.legalLimitWarning.map(Value.string) ?? .null),
                    ("examples", .array([today, today.endOfMonth].map { date in
                        .object([("invoiceDate", .string(date.description)),
                                 ("dueDate", term.dueDate(from: date).map { .string($0.description) } ?? .null)])
                    })),
                ]))
            }
            Output.record([("Code", term.code), ("Label", term.englishLabel), ("French label", term.frenchLabel),
                           ("Definition", term.kind.definition), ("Legal limit", term.legalLimitWarning ?? "within the French maximum"),
                           ("Examples", examples.joined(separator: "\n"))])
        }),
    CommandSpec(
        path: ["term", "due"], summary: "Print the due date of an invoice under a payment term",
        arguments: [ArgumentSpec(name: "CODE", help: "Term code")],
        options: [.value("--from", "DATE", "Invoice date YYYY-MM-DD (default: today)")], access: .read,
        run: { (invocation) throws(CRMError) in
            let context = try invocation.context()
            var from = context.clock.today
            if let text = invocation.value("--from") {
                guard let date = CivilDate(parsing: text) else {
                    throw CRMError.invalid("invalid --from '\(text)': expected a date that exists, as YYYY-MM-DD")
                }
                from = date
            }
            let due = try PaymentTerms.dueDate(context.database, code: invocation.required("CODE"), from: from, option: "CODE")
            if invocation.json { return Output.json(.object([("term", .string(invocation.required("CODE"))),
                                                             ("from", .string(from.description)), ("due", .string(due.description))])) }
            Output.line(due.description)
        }),
]
