import CRMCore

/// The `--account`, `--contact` and `--opportunity` options: at most one.
private let linkOptions: [OptionSpec] = [
    .value("--account", "ID", "Account it is about"),
    .value("--contact", "ID", "Contact it is about (sets the account)"),
    .value("--opportunity", "ID", "Opportunity it is about (sets the account)"),
]

private func link(_ invocation: Invocation) throws(CRMError) -> ActivityLink? {
    let given = ["--account", "--contact", "--opportunity"].filter { invocation.value($0) != nil }
    guard given.count <= 1 else {
        throw CRMError.usage("give only one of --account, --contact and --opportunity")
    }
    switch given.first {
    case "--account": return .account(try invocation.id("--account"))
    case "--contact": return .contact(try invocation.id("--contact"))
    case "--opportunity": return .opportunity(try invocation.id("--opportunity"))
    default: return nil
    }
}

private func kind(_ invocation: Invocation) throws(CRMError) -> Activity.Kind {
    let text = invocation.required("KIND")
    guard let kind = Activity.Kind(rawValue: text.lowercased()) else {
        throw CRMError.usage("invalid KIND '\(text)': expected one of "
                             + Activity.Kind.allCases.map(\.rawValue).joined(separator: ", "))
    }
    return kind
}

private func about(_ activity: Activity) -> String {
    if let id = activity.opportunityId { return "opportunity \(id)" }
    if let id = activity.contactId { return "contact \(id)" }
    if let id = activity.accountId { return "account \(id)" }
    return ""
}

/// When an activity is due or was done, in the database's offset.
private func when(_ activity: Activity, offset: TimeZoneOffset) -> String {
    if let doneAt = activity.doneAt { return offset.localText(doneAt) }
    if let dueAt = activity.dueAt { return offset.localText(dueAt) }
    return activity.dueDate ?? ""
}

private let dueOption = OptionSpec.value("--due", "WINDOW",
                                         "today, overdue (before today) or week (today and the 6 days after)")

let activityCommands: [CommandSpec] = [
    CommandSpec(
        path: ["activity", "log"], summary: "Log a call, meeting, e-mail, task or note that was done",
        arguments: [ArgumentSpec(name: "KIND", help: "call, meeting, e-mail, task or note")],
        options: [.value("--subject", "TEXT", "What it was about (required)")] + linkOptions + [
            .value("--outcome", "TEXT", "How it went"),
            .value("--at", "DATETIME", "When it happened, YYYY-MM-DDTHH:MM local time (default: now)"),
        ],
        discussion: """
            Local times are read in the offset of the setting timezone.offset (such as +01:00; UTC when
            unset) and stored in UTC. The offset is fixed: it does not follow summer time.
            """,
        run: { (invocation) throws(CRMError) in
            let activity = try Activities.log(try invocation.context(), kind: try kind(invocation),
                                              subject: try invocation.requiredValue("--subject"),
                                              link: try link(invocation), outcome: invocation.value("--outcome"),
                                              at: invocation.value("--at"))
            Output.line("Logged \(activity.kind.rawValue) \(activity.id).")
        }),
    CommandSpec(
        path: ["activity", "plan"], summary: "Plan a call, meeting, e-mail, task or note to do",
        arguments: [ArgumentSpec(name: "KIND", help: "call, meeting, e-mail, task or note")],
        options: [.value("--subject", "TEXT", "What to do (required)"),
                  .value("--due", "DATE[THH:MM]", "Due date, or local date and time (required)")] + linkOptions + [
            .value("--owner", "USER", "Who does it (default: the deal's owner, else the acting user)"),
        ],
        discussion: "A time is read in the offset of the setting timezone.offset (UTC when unset) and stored in UTC.",
        run: { (invocation) throws(CRMError) in
            let activity = try Activities.plan(try invocation.context(), kind: try kind(invocation),
                                               subject: try invocation.requiredValue("--subject"),
                                               due: try invocation.requiredValue("--due"), link: try link(invocation),
                                               owner: invocation.value("--owner"))
            Output.line("Planned \(activity.kind.rawValue) \(activity.id) for \(activity.dueDate ?? "").")
        }),
    CommandSpec(
        path: ["activity", "list"], summary: "List activities done and planned",
        options: [.flag("--mine", "Only activities you own"), dueOption,
                  .value("--kind", "KIND", "Only this kind: call, meeting, e-mail, task or note"),
                  .value("--limit", "N", "At most N activities (default 100, at most 10000)")],
        access: .read,
        run: { (invocation) throws(CRMError) in
            var filter = ActivityFilter()
            filter.mine = invocation.flag("--mine")
            filter.due = try invocation.oneOf("--due", as: DueWindow.self)
            filter.kind = try invocation.oneOf("--kind", as: Activity.Kind.self)
            filter.limit = try invocation.integer("--limit", default: 100, range: 1...10_000)
            let context = try invocation.context()
            let activities = try Activities.list(context, filter: filter)
            if invocation.json { return Output.json(.array(activities.map(\.jsonValue))) }
            let offset = try TimeZoneOffset.of(context.database)
            Output.table(["ID", "KIND", "STATUS", "WHEN", "SUBJECT", "ABOUT", "OWNER"], activities.map {
                [String($0.id), $0.kind.rawValue, $0.status.rawValue, when($0, offset: offset), $0.subject, about($0),
                 $0.ownerName]
            })
        }),
    CommandSpec(
        path: ["activity", "done"], summary: "Mark a planned activity done",
        arguments: [ArgumentSpec(name: "ID", help: "Activity id")],
        options: [.value("--outcome", "TEXT", "How it went")],
        run: { (invocation) throws(CRMError) in
            let activity = try Activities.done(try invocation.context(), id: try invocation.id("ID"),
                                               outcome: invocation.value("--outcome"))
            Output.line("Marked \(activity.kind.rawValue) \(activity.id) done.")
        }),
]

let followUpCommands: [CommandSpec] = [
    CommandSpec(
        path: ["followup", "list"], summary: "List pending follow-ups planned by the policies",
        options: [dueOption, .value("--owner", "USER", "Only follow-ups of this rep"),
                  .value("--limit", "N", "At most N follow-ups (default 100, at most 10000)")],
        access: .read,
        run: { (invocation) throws(CRMError) in
            var filter = ActivityFilter()
            filter.followUpsOnly = true
            filter.due = try invocation.oneOf("--due", as: DueWindow.self)
            filter.owner = invocation.value("--owner")
            filter.limit = try invocation.integer("--limit", default: 100, range: 1...10_000)
            let followUps = try Activities.list(try invocation.context(), filter: filter)
            if invocation.json { return Output.json(.array(followUps.map(\.jsonValue))) }
            Output.table(["ID", "DUE", "KIND", "SUBJECT", "ABOUT", "OWNER", "POLICY"], followUps.map {
                [String($0.id), $0.dueDate ?? "", $0.kind.rawValue, $0.subject, about($0), $0.ownerName, $0.policy ?? ""]
            })
        }),
    CommandSpec(
        path: ["followup", "done"], summary: "Mark a follow-up done",
        arguments: [ArgumentSpec(name: "ID", help: "Follow-up id")],
        options: [.value("--outcome", "TEXT", "How it went")],
        run: { (invocation) throws(CRMError) in
            let activity = try Activities.done(try invocation.context(), id: try invocation.id("ID"),
                                               outcome: invocation.value("--outcome"), followUpOnly: true)
            Output.line("Marked follow-up \(activity.id) done.")
        }),
    CommandSpec(
        path: ["followup", "snooze"], summary: "Move a follow-up to a later day",
        arguments: [ArgumentSpec(name: "ID", help: "Follow-up id")],
        options: [.value("--to", "DATE", "New due date, YYYY-MM-DD (required)")],
        discussion: "A weekend day or a holiday moves to the next business day.",
        run: { (invocation) throws(CRMError) in
            let id = try invocation.id("ID")
            let due = try FollowUps.snooze(try invocation.context(), id: id, to: try invocation.requiredValue("--to"))
            Output.line("Snoozed follow-up \(id) to \(due).")
        }),
    CommandSpec(
        path: ["followup", "run"], summary: "Ask the follow-up policies about quiet opportunities (admins, daily)",
        discussion: """
            Meant for a daily cron job. Every open opportunity with no activity for followups.quietDays
            calendar days (default 14) goes to the followUps rule with event "sweep". Running it twice on
            one day creates nothing new.
            """,
        run: { (invocation) throws(CRMError) in
            let run = try FollowUps.sweep(try invocation.context())
            Output.line("Asked about \(run.asked) quiet opportunit\(run.asked == 1 ? "y" : "ies"); created "
                        + "\(run.created.count) follow-up\(run.created.count == 1 ? "" : "s") (\(run.duplicates) already "
                        + "existed, \(run.optedOut) skipped because the contact opted out).")
        }),
]

let holidayCommands: [CommandSpec] = [
    CommandSpec(
        path: ["holiday", "add"], summary: "Add a holiday (admins)",
        arguments: [ArgumentSpec(name: "DATE", help: "Day, YYYY-MM-DD"), ArgumentSpec(name: "NAME", help: "Name")],
        run: { (invocation) throws(CRMError) in
            let holiday = try Holidays.add(try invocation.context(), day: invocation.required("DATE"),
                                           name: invocation.required("NAME"))
            Output.line("Added holiday \(holiday.day).")
        }),
    CommandSpec(
        path: ["holiday", "list"], summary: "List holidays",
        options: [.value("--year", "YEAR", "Only this year")], access: .read,
        run: { (invocation) throws(CRMError) in
            let year = invocation.value("--year") != nil ? try invocation.integer("--year", default: 0, range: 1...9999) : nil
            let holidays = try Holidays.list(try invocation.context().database, year: year)
            if invocation.json {
                return Output.json(.array(holidays.map { .object([("day", .string($0.day.description)), ("name", .string($0.name))]) }))
            }
            Output.table(["DAY", "NAME"], holidays.map { [$0.day.description, $0.name] })
        }),
    CommandSpec(
        path: ["holiday", "load-fr"], summary: "Add the 11 French public holidays of a year (admins)",
        arguments: [ArgumentSpec(name: "YEAR", help: "Year, such as 2026")],
        discussion: "Easter Monday, Ascension and Whit Monday are computed from the Gregorian Easter date.",
        run: { (invocation) throws(CRMError) in
            let text = invocation.required("YEAR")
            guard let year = Int(text) else { throw CRMError.usage("invalid YEAR '\(text)': expected a year such as 2026") }
            let added = try Holidays.loadFrench(try invocation.context(), year: year)
            Output.line("Added \(added.count) holiday\(added.count == 1 ? "" : "s") for \(year).")
        }),
]

let timelineCommands: [CommandSpec] = [
    CommandSpec(
        path: ["timeline", "account"], summary: "Show an account's activities and deal events in date order",
        arguments: [ArgumentSpec(name: "ID", help: "Account id")], access: .read,
        run: { (invocation) throws(CRMError) in
            let entries = try Timeline.account(try invocation.context(), id: try invocation.id("ID"))
            if invocation.json { return Output.json(.array(entries.map(\.jsonValue))) }
            Output.table(["WHEN", "WHAT", "EVENT", "WHO"], entries.map {
                [$0.at, "\($0.kind) \($0.entityId)", $0.summary, $0.user ?? ""]
            })
        }),
]
