import CRMCore

/// Reads the rep or sector named by `--rep` or `--sector`, exactly one of them.
private func objectiveSubject(_ invocation: Invocation) throws(CRMError) -> ObjectiveSubject {
    switch (invocation.value("--rep"), invocation.value("--sector")) {
    case let (rep?, nil): return .rep(rep)
    case let (nil, sector?): return .sector(sector)
    case (_?, _?): throw CRMError.usage("give either --rep USER or --sector CODE, not both")
    case (nil, nil): throw CRMError.usage("missing --rep USER or --sector CODE: an objective is for a rep or a sector")
    }
}

private func objectiveFilter(_ invocation: Invocation) -> ObjectiveFilter {
    var filter = ObjectiveFilter()
    filter.period = invocation.value("--period")
    filter.rep = invocation.value("--rep")
    filter.sector = invocation.value("--sector")
    return filter
}

private let filterOptions: [OptionSpec] = [
    .value("--rep", "USER", "Only the objectives of this rep"),
    .value("--sector", "CODE", "Only the objectives of this sector"),
]

let objectiveCommands: [CommandSpec] = [
    CommandSpec(
        path: ["objective", "set"], summary: "Set the target of a rep or a sector for a period",
        options: [
            .value("--rep", "USER", "The rep the objective is for"),
            .value("--sector", "CODE", "The sector the objective is for; its sub-sectors count towards it"),
            .value("--period", "PERIOD", "A month (2026-03), a quarter (2026-Q1) or a year (2026) (required)"),
            .value("--metric", "METRIC", "revenue, deals, customers or activities (required)"),
            .value("--target", "VALUE", "Revenue in major units (30000.00), otherwise a whole number (required)"),
            .value("--currency", "CODE", "ISO 4217 currency of a revenue objective (default EUR)"),
            .value("--kind", "KIND", "For activities: count only call, meeting, e-mail, task or note"),
        ],
        discussion: """
            revenue is the amount of deals won in the period, in one currency; deals counts them;
            customers counts account openings approved in the period; activities counts activities done.
            Setting an objective that exists (same rep or sector, period, metric, currency and kind)
            replaces its target. Managers set objectives for their sectors and their reps. Example:
              crm objective set --rep alice --period 2026-Q1 --metric revenue --target 30000
            """,
        run: { (invocation) throws(CRMError) in
            let setting = try Objectives.set(
                try invocation.context(), subject: try objectiveSubject(invocation),
                period: try invocation.requiredValue("--period"), metric: try invocation.requiredValue("--metric"),
                target: try invocation.requiredValue("--target"), currency: invocation.value("--currency"),
                kind: invocation.value("--kind"))
            let objective = setting.objective
            let description = "\(objective.subjectLabel) \(objective.period) \(objective.metricLabel)"
            if let previous = setting.previousTarget {
                Output.line("Objective \(objective.id) (\(description)): target \(objective.format(objective.target)), "
                            + "was \(objective.format(previous)).")
            } else {
                Output.line("Added objective \(objective.id) (\(description)): target "
                            + "\(objective.format(objective.target)).")
            }
        }),
    CommandSpec(
        path: ["objective", "list"], summary: "List the objectives you may see",
        options: [.value("--period", "PERIOD", "Only objectives of this month, quarter or year")] + filterOptions,
        access: .read,
        run: { (invocation) throws(CRMError) in
            let objectives = try Objectives.list(try invocation.context(), filter: objectiveFilter(invocation))
            if invocation.json { return Output.json(.array(objectives.map(\.jsonValue))) }
            Output.table(["ID", "FOR", "PERIOD", "METRIC", "TARGET"], objectives.map {
                [String($0.id), $0.subjectLabel, $0.period.description, $0.metricLabel, $0.format($0.target)]
            })
        }),
    CommandSpec(
        path: ["objective", "remove"], summary: "Remove an objective",
        arguments: [ArgumentSpec(name: "ID", help: "Objective id")],
        run: { (invocation) throws(CRMError) in
            let objective = try Objectives.remove(try invocation.context(), id: try invocation.id("ID"))
            Output.line("Removed objective \(objective.id) (\(objective.subjectLabel) \(objective.period) "
                        + "\(objective.metricLabel)).")
        }),
    CommandSpec(
        path: ["objective", "report"], summary: "Show target, actual, attainment and forecast of objectives",
        options: [.value("--period", "PERIOD", "Objectives of this month, quarter or year "
                                               + "(default: every period that contains the business date)")]
            + filterOptions,
        access: .read,
        discussion: """
            ATTAINMENT is actual / target in percent, rounded half-up to one decimal; GAP is target minus
            actual, negative once exceeded. While a revenue objective's period is open, FORECAST adds to
            the actual the open deals expected to close in the period, each weighted by its probability
            and rounded half-up to the cent. DAYS LEFT counts today. Use --today to report as of a date.
            """,
        run: { (invocation) throws(CRMError) in
            let context = try invocation.context()
            var filter = objectiveFilter(invocation)
            if filter.period == nil { filter.containing = context.clock.today }
            let rows = try Objectives.report(context, filter: filter)
            if invocation.json { return Output.json(.array(rows.map(\.jsonValue))) }
            var headers = ["ID", "FOR", "PERIOD", "METRIC", "TARGET", "ACTUAL", "ATTAINMENT", "GAP", "FORECAST",
                           "DAYS LEFT"]
            if Output.isTerminal { headers.append("PROGRESS") }
            Output.table(headers, rows.map { row in
                let objective = row.objective
                var cells = [String(objective.id), objective.subjectLabel, objective.period.description,
                             objective.metricLabel, objective.format(objective.target), objective.format(row.actual),
                             row.percentText, objective.format(row.gap), row.forecast.map(objective.format) ?? "",
                             row.daysLeft.map { String($0) } ?? ""]
                if Output.isTerminal { cells.append(AttainmentBar.render(row, colour: Output.useColour)) }
                return cells
            })
        }),
]

/// `crm sector reassign`, beside the sector commands.
let sectorRuleCommands: [CommandSpec] = [
    CommandSpec(
        path: ["sector", "reassign"], summary: "Re-run the sectorFor rule on every account not assigned by hand",
        options: [.flag("--dry-run", "List the accounts that would move and change nothing")],
        discussion: """
            Archived accounts and accounts assigned by hand (`crm account assign --sector`) keep their
            sector. Every move is one change in the account's history; all of them are one transaction.
            """,
        run: { (invocation) throws(CRMError) in
            let dryRun = invocation.flag("--dry-run")
            let moves = try Sectors.reassign(try invocation.context(), dryRun: dryRun)
            if !moves.isEmpty {
                Output.table(["ACCOUNT", "FROM", "TO"], moves.map { [String($0.accountId), $0.from ?? "", $0.to ?? ""] })
            }
            let count = "\(moves.count) account\(moves.count == 1 ? "" : "s")"
            if dryRun {
                Output.line("\(count) would change sector; nothing was changed (--dry-run).")
            } else {
                Output.line("\(count) changed sector.")
            }
        }),
]
