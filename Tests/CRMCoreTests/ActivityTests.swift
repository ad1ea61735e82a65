import CRMCore
import XCTest

final class ActivityTests: XCTestCase {
    func testLocalTimesAreStoredInUTC() throws {
        let fixture = try PipelineFixture()
        try Settings.set(fixture.context(as: "admin"), key: "timezone.offset", value: .string("+01:00"))
        let alice = fixture.context(as: "alice")
        let call = try Activities.log(alice, kind: .call, subject: "Intro call", link: .contact(1), outcome: "Interested",
                                      at: "2026-03-02T10:30")
        XCTAssertEqual(call.doneAt, "2026-03-02T09:30:00Z")
        XCTAssertEqual(call.accountId, 1)
        XCTAssertEqual(call.contactId, 1)
        XCTAssertEqual(call.status, .done)
        // 00:30 in Paris winter time is still the previous day in UTC; the due date stays local.
        let meeting = try Activities.plan(alice, kind: .meeting, subject: "Demo", due: "2026-03-04 00:30",
                                          link: .account(1), owner: nil)
        XCTAssertEqual(meeting.dueDate, "2026-03-04")
        XCTAssertEqual(meeting.dueAt, "2026-03-03T23:30:00Z")
        XCTAssertEqual(TimeZoneOffset(parsing: "+01:00")?.localText(meeting.dueAt!), "2026-03-04 00:30")
        XCTAssertEqual(fixture.host.fired.map(\.0), ["onActivityLogged"])
        XCTAssertEqual(fixture.host.fired[0].1["kind"], .string("call"))
        XCTAssertEqual(fixture.host.fired[0].1["accountId"], .integer(1))

        XCTAssertCRMError(try Activities.log(alice, kind: .call, subject: "x", link: nil, outcome: nil, at: "10:30"),
                          kind: .usage, "invalid --at '10:30': expected a local time such as 2026-03-02T10:30 "
                          + "(read in the offset +01:00 of the setting timezone.offset)")
        XCTAssertCRMError(try Settings.set(fixture.context(as: "admin"), key: "timezone.offset", value: .string("Europe/Paris")),
                          kind: .invalid, "invalid value for timezone.offset: expected a fixed offset from -12:00 to "
                          + "+14:00, such as +01:00, or Z for UTC")
        // A value stored before the check existed is still reported where it is read.
        try fixture.database.query("UPDATE settings SET value = '\"Europe/Paris\"' WHERE key = 'timezone.offset'")
        XCTAssertCRMError(try Activities.log(alice, kind: .call, subject: "x", link: nil, outcome: nil,
                                             at: "2026-03-02T10:30"),
                          kind: .invalid, "the setting timezone.offset is not an offset such as \"+01:00\"; "
                          + "fix it with `crm setting set timezone.offset +01:00`")
    }

    func testOffsetParsing() {
        XCTAssertEqual(TimeZoneOffset(parsing: "-05:30")?.seconds, -19_800)
        XCTAssertEqual(TimeZoneOffset(parsing: "+14:00")?.seconds, 50_400)
        XCTAssertEqual(TimeZoneOffset(parsing: "Z")?.seconds, 0)
        XCTAssertNil(TimeZoneOffset(parsing: "+15:00"))
        XCTAssertNil(TimeZoneOffset(parsing: "+1:00"))
        XCTAssertNil(TimeZoneOffset(parsing: "+01:60"))
        XCTAssertEqual(TimeZoneOffset(parsing: "-05:30")?.description, "-05:30")
    }

    func testDueWindowsAndOwnership() throws {
        let fixture = try PipelineFixture()
        let alice = fixture.context(as: "alice")
        for (subject, due) in [("Past", "2026-02-27"), ("Today", "2026-03-02"), ("Sunday", "2026-03-08"),
                               ("Later", "2026-03-09")] {
            _ = try Activities.plan(alice, kind: .task, subject: subject, due: due, link: .account(1), owner: nil)
        }
        _ = try Activities.plan(fixture.context(as: "bob"), kind: .task, subject: "Bob's", due: "2026-03-02",
                                link: .account(2), owner: nil)
        func subjects(_ user: String, _ window: DueWindow?, mine: Bool = false) throws -> [String] {
            var filter = ActivityFilter()
            filter.due = window
            filter.mine = mine
            return try Activities.list(fixture.context(as: user), filter: filter).map(\.subject)
        }
        XCTAssertEqual(try subjects("alice", .today), ["Today"])
        XCTAssertEqual(try subjects("alice", .overdue), ["Past"])
        XCTAssertEqual(try subjects("alice", .week), ["Today", "Sunday"])
        XCTAssertEqual(try subjects("admin", .today), ["Today", "Bob's"])
        XCTAssertEqual(try subjects("admin", .today, mine: true), [])
        XCTAssertEqual(try subjects("maya", nil), ["Past", "Today", "Sunday", "Later"])
        XCTAssertCRMError(try Activities.done(fixture.context(as: "bob"), id: 1, outcome: nil), kind: .notFound,
                          "activity 1 not found (or not yours to see); see `crm activity list`")
        XCTAssertCRMError(try Activities.done(alice, id: 1, outcome: nil, followUpOnly: true), kind: .notFound,
                          "activity 1 is not a follow-up; complete it with `crm activity done 1`")
        XCTAssertEqual(try Activities.done(fixture.context(as: "maya"), id: 1, outcome: "Done by the manager").status, .done)
        XCTAssertCRMError(try Activities.done(alice, id: 1, outcome: nil), kind: .conflict, "activity 1 is done already")
        XCTAssertCRMError(try Activities.plan(alice, kind: .task, subject: "x", due: "soon", link: nil, owner: nil),
                          kind: .usage, "invalid --due 'soon': expected YYYY-MM-DD or a local time YYYY-MM-DDTHH:MM")
    }

    func testTimelineInDateOrder() throws {
        let fixture = try PipelineFixture()
        fixture.host.policy = PolicyHost.defaultPolicy
        let deal = try fixture.deal("Showroom", amount: "1000.00", on: "2026-03-02")
        _ = try Activities.log(fixture.context(as: "alice", on: "2026-03-03"), kind: .call, subject: "Intro call",
                               link: .opportunity(deal.id), outcome: nil, at: "2026-03-03T08:15")
        try Opportunities.moveStage(fixture.context(as: "alice", on: "2026-03-05"), id: deal.id, to: "PROPOSE")
        try Opportunities.win(fixture.context(as: "alice", on: "2026-03-09"), id: deal.id)
        let entries = try Timeline.account(fixture.context(as: "alice"), id: 1).map { "\($0.at) \($0.kind) \($0.summary)" }
        XCTAssertEqual(entries, [
            "2026-03-02T12:00:00Z opportunity create QUALIFY",
            "2026-03-03T08:15:00Z activity call done: Intro call [opportunity 1]",
            "2026-03-04 activity call cancelled: Call back about the new opportunity (opportunity won) [opportunity 1]",
            "2026-03-05T12:00:00Z opportunity stage QUALIFY -> PROPOSE",
            "2026-03-09T12:00:00Z opportunity win PROPOSE -> WON",
        ])
    }
}
