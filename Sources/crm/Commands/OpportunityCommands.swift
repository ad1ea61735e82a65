import CRMCore

/// Options shared by `opportunity add` and `edit`.
private let opportunityFieldOptions: [OptionSpec] = [
    .value("--title", "TEXT", "Title of the deal"),
    .value("--amount", "AMOUNT", "Amount in major units, such as 5000.00, with at most the currency's decimals"),
    .value("--currency", "CODE", "ISO 4217 currency (default: the account's)"),
    .value("--probability", "PERCENT", "Probability in whole percent, 0 to 100 (default: the stage's)"),
    .value("--close-date", "DATE", "Expected close date, YYYY-MM-DD"),
    .value("--owner", "USER", "Owning rep (default: the acting user)"),
    .value("--source", "TEXT", "Where the deal came from, such as trade-show"),
    .value("--contact", "ID", "Main contact, a contact of the account"),
    .value("--with", "ID[:ROLE]", "Another contact of the account and their role, such as 12:decision-maker",
           repeatable: true),
]

private func opportunityChanges(_ invocation: Invocation) throws(CRMError) -> OpportunityChanges {
    var changes = OpportunityChanges()
    changes.title = invocation.value("--title")
    changes.amount = invocation.value("--amount")
    changes.currency = invocation.value("--currency")
    if invocation.value("--probability") != nil {
        changes.probability = try invocation.integer("--probability", default: 0, range: 0...100)
    }
    changes.expectedClose = invocation.value("--close-date")
    changes.owner = invocation.value("--owner")
    changes.source = invocation.value("--source")
    if invocation.value("--contact") != nil { changes.contactId = try invocation.id("--contact") }
    for text in invocation.values("--with") {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard let first = parts.first, let id = Int64(first), id > 0 else {
            throw CRMError.usage("invalid --with '\(text)': expected a contact id and an optional role, such as 12:buyer")
        }
        changes.addParticipants.append((id, parts.count > 1 ? String(parts[1]) : nil))
    }
    return changes
}

private func percent(_ value: Int) -> String { "\(value)%" }

private func printOpportunity(_ opportunity: Opportunity, json: Bool) {
    if json { return Output.json(opportunity.jsonValue) }
    let others = opportunity.participants.map { "contact \($0.contactId)" + ($0.role.map { " (\($0))" } ?? "") }
    Output.record([
        ("Opportunity", String(opportunity.id)), ("Title", opportunity.title), ("Account", String(opportunity.accountId)),
        ("Stage", "\(opportunity.stage.code) (\(opportunity.stage.kind.rawValue))"),
        ("Amount", opportunity.amount?.description ?? "unknown"), ("Probability", percent(opportunity.probability)),
        ("Weighted", opportunity.weightedAmount?.description ?? "unknown"), ("Expected close", opportunity.expectedClose),
        ("Owner", opportunity.ownerName), ("Main contact", opportunity.contactId.map { "contact \($0)" }),
        ("Other contacts", others.isEmpty ? nil : others.joined(separator: ", ")), ("Source", opportunity.source),
        ("Loss reason", opportunity.lossReason), ("Loss note", opportunity.lossNote),
        (opportunity.stage.kind == .won ? "Won on" : "Lost on", opportunity.closedOn),
        ("Created", opportunity.createdAt), ("Updated", opportunity.updatedAt),
    ])
}

/// The values of `--status`.
private enum StatusOption: String, CaseIterable { case open, won, lost }

let opportunityCommands: [CommandSpec] = [
    CommandSpec(
        path: ["opportunity", "add"], summary: "Add an opportunity on an account",
        options: [.value("--account", "ID", "Account of the deal (required)"),
                  .value("--stage", "CODE", "Open stage to start in (default: the first open stage)")]
            + opportunityFieldOptions,
        discussion: """
            --title, --amount and --close-date are required. Example:
              crm opportunity add --account 1 --title "Showroom lighting" --amount 12500.00 --close-date 2026-05-29
            """,
        run: { (invocation) throws(CRMError) in
            let opportunity = try Opportunities.add(try invocation.context(), account: try invocation.id("--account"),
                                                    changes: try opportunityChanges(invocation),
                                                    stage: invocation.value("--stage"))
            Output.line("Added opportunity \(opportunity.id) in stage \(opportunity.stage.code) "
                        + "(\(percent(opportunity.probability))).")
        }),
    CommandSpec(
        path: ["opportunity", "list"], summary: "List the opportunities you may see",
        options: [
            .value("--owner", "USER", "Only deals of this rep"),
            .value("--account", "ID", "Only deals of this account"),
            .value("--stage", "CODE", "Only deals in this stage"),
            .value("--status", "STATUS", "open, won or lost"),
            .flag("--all", "Every opportunity you may see: a manager's sectors and those below (managers and admins)"),
            .value("--limit", "N", "At most N deals (default 50, at most 10000)"),
            .value("--offset", "N", "Skip the first N deals"),
        ],
        access: .read,
        run: { (invocation) throws(CRMError) in
            var filter = OpportunityFilter()
            filter.owner = invocation.value("--owner")
            if invocation.value("--account") != nil { filter.account = try invocation.id("--account") }
            filter.stage = invocation.value("--stage")
            filter.status = try invocation.oneOf("--status", as: StatusOption.self).flatMap { Stage.Kind(rawValue: $0.rawValue) }
            filter.all = invocation.flag("--all")
            filter.limit = try invocation.integer("--limit", default: 50, range: 1...10_000)
            filter.offset = try invocation.integer("--offset", default: 0, range: 0...Int(Int32.max))
            let opportunities = try Opportunities.list(try invocation.context(), filter: filter)
            if invocation.json { return Output.json(.array(opportunities.map(\.jsonValue))) }
            Output.table(["ID", "TITLE", "ACCOUNT", "STAGE", "AMOUNT", "PROB", "WEIGHTED", "CLOSE", "OWNER"],
                         opportunities.map {
                [String($0.id), $0.title, String($0.accountId), $0.stage.code,
                 $0.amount?.description ?? "unknown", percent($0.probability),
                 $0.weightedAmount?.description ?? "unknown", $0.closedOn ?? $0.expectedClose, $0.ownerName]
            })
        }),
    CommandSpec(
        path: ["opportunity", "show"], summary: "Show one opportunity",
        arguments: [ArgumentSpec(name: "ID", help: "Opportunity id")], access: .read,
        run: { (invocation) throws(CRMError) in
            printOpportunity(try Opportunities.get(try invocation.context(), id: try invocation.id("ID")),
                             json: invocation.json)
        }),
    CommandSpec(
        path: ["opportunity", "edit"], summary: "Change fields of an open opportunity",
        arguments: [ArgumentSpec(name: "ID", help: "Opportunity id")],
        options: opportunityFieldOptions + [.value("--without", "ID", "Contact to take off the deal", repeatable: true)],
        discussion: "Give an empty --source \"\" to clear it. Each change is kept in the history.",
        run: { (invocation) throws(CRMError) in
            var changes = try opportunityChanges(invocation)
            for text in invocation.values("--without") {
                guard let id = Int64(text), id > 0 else {
                    throw CRMError.usage("invalid --without '\(text)': expected a contact id")
                }
                changes.removeParticipants.append(id)
            }
            let id = try invocation.id("ID")
            try Opportunities.edit(try invocation.context(), id: id, changes: changes)
            Output.line("Updated opportunity \(id).")
        }),
    CommandSpec(
        path: ["opportunity", "stage"], summary: "Move an open opportunity to another open stage",
        arguments: [ArgumentSpec(name: "ID", help: "Opportunity id"), ArgumentSpec(name: "STAGE", help: "Stage code")],
        options: [.value("--probability", "PERCENT", "Probability in whole percent (default: the stage's)")],
        discussion: "Moving back to an earlier stage is allowed and shows in the history. Close a deal with "
            + "`crm opportunity win` or `crm opportunity lose`.",
        run: { (invocation) throws(CRMError) in
            let context = try invocation.context()
            let id = try invocation.id("ID")
            let probability = invocation.value("--probability") != nil
                ? try invocation.integer("--probability", default: 0, range: 0...100) : nil
            let before = try Opportunities.get(context, id: id)
            let after = try Opportunities.moveStage(context, id: id, to: invocation.required("STAGE"), probability: probability)
            Output.line("Moved opportunity \(id) from \(before.stage.code) to \(after.stage.code) "
                        + "(\(percent(after.probability))).")
        }),
    CommandSpec(
        path: ["opportunity", "win"], summary: "Close an opportunity as won",
        arguments: [ArgumentSpec(name: "ID", help: "Opportunity id")],
        discussion: "Cancels the deal's pending follow-ups and fires onOpportunityWon.",
        run: { (invocation) throws(CRMError) in
            let closing = try Opportunities.win(try invocation.context(), id: try invocation.id("ID"))
            Output.line("Won opportunity \(closing.opportunity.id) on \(closing.opportunity.closedOn ?? ""); "
                        + cancelledText(closing.cancelledFollowUps))
        }),
    CommandSpec(
        path: ["opportunity", "lose"], summary: "Close an opportunity as lost",
        arguments: [ArgumentSpec(name: "ID", help: "Opportunity id")],
        options: [.value("--reason", "CODE", "Loss reason code (required; see `crm loss-reason list`)"),
                  .value("--note", "TEXT", "Free text about the loss")],
        discussion: "Cancels the deal's pending follow-ups and fires onOpportunityLost.",
        run: { (invocation) throws(CRMError) in
            let closing = try Opportunities.lose(try invocation.context(), id: try invocation.id("ID"),
                                                 reason: try invocation.requiredValue("--reason"),
                                                 note: invocation.value("--note"))
            Output.line("Lost opportunity \(closing.opportunity.id) on \(closing.opportunity.closedOn ?? "") "
                        + "(\(closing.opportunity.lossReason ?? "")); " + cancelledText(closing.cancelledFollowUps))
        }),
    CommandSpec(
        path: ["opportunity", "reopen"], summary: "Reopen a won or lost opportunity (managers and admins)",
        arguments: [ArgumentSpec(name: "ID", help: "Opportunity id")],
        options: [.value("--stage", "CODE", "Open stage to reopen in (default: the stage it closed from)")],
        run: { (invocation) throws(CRMError) in
            let opportunity = try Opportunities.reopen(try invocation.context(), id: try invocation.id("ID"),
                                                       stage: invocation.value("--stage"))
            Output.line("Reopened opportunity \(opportunity.id) in stage \(opportunity.stage.code) "
                        + "(\(percent(opportunity.probability))).")
        }),
]

private func cancelledText(_ count: Int) -> String {
    "cancelled \(count) pending follow-up\(count == 1 ? "" : "s")."
}

let stageCommands: [CommandSpec] = [
    CommandSpec(
        path: ["stage", "add"], summary: "Add a pipeline stage (admins)",
        arguments: [ArgumentSpec(name: "CODE", help: "Stage code, such as DEMO")],
        options: [.value("--label", "TEXT", "Display label (required)"),
                  .value("--probability", "PERCENT", "Default probability in whole percent (required)"),
                  .value("--kind", "KIND", "open (default), won or lost")],
        discussion: "A new stage goes last; place it with `crm stage order`.",
        run: { (invocation) throws(CRMError) in
            let stage = try Stages.add(try invocation.context(), code: invocation.required("CODE"),
                                       label: try invocation.requiredValue("--label"),
                                       probability: try requiredPercent(invocation),
                                       kind: try invocation.oneOf("--kind", as: Stage.Kind.self) ?? .open)
            Output.line("Added stage \(stage.code) at position \(stage.position).")
        }),
    CommandSpec(
        path: ["stage", "list"], summary: "List the pipeline stages in order", access: .read,
        run: { (invocation) throws(CRMError) in
            let stages = try Stages.all(try invocation.context().database)
            if invocation.json { return Output.json(.array(stages.map(\.jsonValue))) }
            Output.table(["POS", "CODE", "LABEL", "PROB", "KIND"], stages.map {
                [String($0.position), $0.code, $0.label, percent($0.probability), $0.kind.rawValue]
            })
        }),
    CommandSpec(
        path: ["stage", "edit"], summary: "Change a stage's label, default probability or kind (admins)",
        arguments: [ArgumentSpec(name: "CODE", help: "Stage code")],
        options: [.value("--label", "TEXT", "Display label"),
                  .value("--probability", "PERCENT", "Default probability in whole percent"),
                  .value("--kind", "KIND", "open, won or lost; only for a stage no opportunity uses")],
        run: { (invocation) throws(CRMError) in
            let probability = invocation.value("--probability") != nil ? try requiredPercent(invocation) : nil
            let stage = try Stages.edit(try invocation.context(), code: invocation.required("CODE"),
                                        label: invocation.value("--label"), probability: probability,
                                        kind: try invocation.oneOf("--kind", as: Stage.Kind.self))
            Output.line("Updated stage \(stage.code).")
        }),
    CommandSpec(
        path: ["stage", "order"], summary: "Set the order of the stages (admins)",
        arguments: [ArgumentSpec(name: "CODES", help: "Every stage code in the new order, separated by commas or spaces")],
        discussion: "Example: crm stage order QUALIFY,DEMO,PROPOSE,NEGOTIATE,WON,LOST",
        run: { (invocation) throws(CRMError) in
            let codes = invocation.required("CODES").split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
            try Stages.order(try invocation.context(), codes: codes)
            Output.line("Set the stage order: \(codes.map { $0.uppercased() }.joined(separator: ", ")).")
        }),
]

private func requiredPercent(_ invocation: Invocation) throws(CRMError) -> Int {
    _ = try invocation.requiredValue("--probability")
    return try invocation.integer("--probability", default: 0, range: 0...100)
}

let lossReasonCommands: [CommandSpec] = [
    CommandSpec(
        path: ["loss-reason", "add"], summary: "Add a loss reason (admins)",
        arguments: [ArgumentSpec(name: "CODE", help: "Reason code, such as NO_FIT")],
        options: [.value("--label", "TEXT", "Display label (required)")],
        run: { (invocation) throws(CRMError) in
            let reason = try LossReasons.add(try invocation.context(), code: invocation.required("CODE"),
                                             label: try invocation.requiredValue("--label"))
            Output.line("Added loss reason \(reason.code).")
        }),
    CommandSpec(
        path: ["loss-reason", "list"], summary: "List the loss reasons", access: .read,
        run: { (invocation) throws(CRMError) in
            let reasons = try LossReasons.all(try invocation.context().database)
            if invocation.json {
                return Output.json(.array(reasons.map { .object([("code", .string($0.code)), ("label", .string($0.label))]) }))
            }
            Output.table(["CODE", "LABEL"], reasons.map { [$0.code, $0.label] })
        }),
]

let pipelineCommands: [CommandSpec] = [
    CommandSpec(
        path: ["pipeline"], summary: "Show the pipeline per stage, the open totals and the forecast per month",
        options: [.value("--owner", "USER", "Only deals of this rep"),
                  .value("--sector", "CODE", "Only deals on accounts of this sector and its sub-sectors"),
                  .value("--currency", "CODE", "Only deals in this currency")],
        access: .read,
        discussion: """
            The weighted amount of a deal is its amount times its probability, rounded half-up to the minor
            unit; the figures sum those. Amounts in different currencies are shown on separate lines and
            never added together. The forecast groups open deals by the month of their expected close date.
            """,
        run: { (invocation) throws(CRMError) in
            var filter = PipelineFilter()
            filter.owner = invocation.value("--owner")
            filter.sector = invocation.value("--sector")
            filter.currency = invocation.value("--currency")
            let report = try Pipeline.report(try invocation.context(), filter: filter)
            if invocation.json { return Output.json(report.jsonValue) }
            func cells(_ figures: PipelineFigures) -> [String] {
                [figures.amount.currency.code, String(figures.count), figures.amount.decimalString,
                 figures.weighted.decimalString]
            }
            Output.table(["STAGE", "KIND", "CURRENCY", "COUNT", "AMOUNT", "WEIGHTED"],
                         report.stages.map { [$0.stage.code, $0.stage.kind.rawValue] + cells($0.figures) })
            Output.line()
            Output.line("Open pipeline:")
            Output.table(["CURRENCY", "COUNT", "AMOUNT", "WEIGHTED"], report.openTotals.map(cells))
            Output.line()
            Output.line("Forecast by expected close month (open deals):")
            Output.table(["MONTH", "CURRENCY", "COUNT", "AMOUNT", "WEIGHTED"],
                         report.forecast.map { [$0.month] + cells($0.figures) })
        }),
]
