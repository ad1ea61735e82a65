import CRMCore
import XCTest

final class FollowUpTests: XCTestCase {
    func testCreationPlansCallTwoBusinessDaysLater() throws {
        let fixture = try PipelineFixture()
        fixture.host.policy = PolicyHost.defaultPolicy
        // Friday 2026-03-06: two business days later is Tuesday 2026-03-10.
        let deal = try fixture.deal("Showroom", amount: "1000.00", on: "2026-03-06")
        var filter = ActivityFilter()
        filter.followUpsOnly = true
        let followUps = try Activities.list(fixture.context(as: "alice", on: "2026-03-06"), filter: filter)
        XCTAssertEqual(followUps.count, 1)
        XCTAssertEqual(followUps[0].dueDate, "2026-03-10")
        XCTAssertEqual(followUps[0].kind, .call)
        XCTAssertEqual(followUps[0].subject, "Call back about the new opportunity")
        XCTAssertEqual(followUps[0].policy, "test-policy")
        XCTAssertEqual(followUps[0].policyVersion, "2.0.0")
        XCTAssertEqual(followUps[0].event, "onOpportunityCreated")
        XCTAssertEqual(followUps[0].opportunityId, deal.id)
        XCTAssertEqual(followUps[0].ownerName, "alice")
        let payload = try XCTUnwrap(fixture.host.payloads.first)
        XCTAssertEqual(payload["event"], .string("onOpportunityCreated"))
        XCTAssertEqual(payload["opportunityId"], .integer(deal.id))
        XCTAssertEqual(payload["accountId"], .integer(1))
        XCTAssertEqual(try fixture.count("SELECT count(*) FROM decisions WHERE rule = 'followUps' AND plugin = 'test-policy'"), 1)
        XCTAssertEqual(try fixture.database.scalar("SELECT plugin FROM audit_log WHERE entity = 'activity'").text,
                       "test-policy")
    }

    func testInvalidScheduleIsRejectedWithItsLocation() throws {
        let fixture = try PipelineFixture()
        for (days, shown) in [(Int64(-1), "-1"), (3661, "3661")] {
            fixture.host.policy = { _ in
                .array([PolicyHost.item(1, business: true, "call", "Fine"),
                        PolicyHost.item(days, business: false, "task", "Broken")])
            }
            XCTAssertCRMError(try fixture.deal("Showroom", amount: "1000.00"), kind: .plugin,
                              "plugin test-policy (policy.lua:12): follow-up 2: inDays is \(shown); expected 0 to 3660")
        }
        fixture.host.policy = { _ in .array([PolicyHost.item(1, business: true, "fax", "Old school")]) }
        XCTAssertCRMError(try fixture.deal("Showroom", amount: "1000.00"), kind: .plugin,
                          "plugin test-policy (policy.lua:12): follow-up 1: kind must be one of call, meeting, "
                          + "e-mail, task, note")
        XCTAssertEqual(try fixture.count("SELECT count(*) FROM opportunities"), 0)
        XCTAssertEqual(try fixture.count("SELECT count(*) FROM activities"), 0)
        XCTAssertEqual(try fixture.count("SELECT count(*) FROM decisions"), 0)
    }

    func testSamePolicyResultIsCreatedOnce() throws {
        let fixture = try PipelineFixture()
        fixture.host.policy = PolicyHost.defaultPolicy
        let deal = try fixture.deal("Showroom", amount: "1000.00")
        let again = try FollowUps.applyPolicies(fixture.context(as: "alice"), event: "onOpportunityCreated",
                                                opportunity: deal)
        XCTAssertEqual(again.created, [])
        XCTAssertEqual(again.duplicates, 1)
        XCTAssertEqual(try fixture.count("SELECT count(*) FROM activities"), 1)
    }

    func testSweepTwiceCreatesNothingNew() throws {
        let fixture = try PipelineFixture()
        fixture.host.policy = { payload in payload["event"]?.stringValue == "sweep" ? PolicyHost.defaultPolicy(payload) : nil }
        let quiet = try fixture.deal("Quiet", amount: "100.00", on: "2026-02-01")
        let busy = try fixture.deal("Busy", amount: "100.00", on: "2026-02-01")
        let recent = try fixture.deal("Recent", amount: "100.00", on: "2026-02-20")
        _ = try Activities.log(fixture.context(as: "alice", on: "2026-02-20"), kind: .call, subject: "Status call",
                               link: .opportunity(busy.id), outcome: nil, at: nil)
        let admin = fixture.context(as: "admin", on: "2026-03-02")
        let first = try FollowUps.sweep(admin)
        XCTAssertEqual(first.asked, 1)
        XCTAssertEqual(first.created.count, 1)
        let task = try XCTUnwrap(Activities.load(fixture.database, id: first.created[0]))
        XCTAssertEqual(task.opportunityId, quiet.id)
        XCTAssertEqual(task.kind, .task)
        XCTAssertEqual(task.dueDate, "2026-03-02")
        XCTAssertEqual(task.subject, "No activity for 29 days: plan the next step")
        XCTAssertEqual(task.event, "sweep")
        let second = try FollowUps.sweep(fixture.context(as: "admin", on: "2026-03-02"))
        XCTAssertEqual(second.created, [])
        XCTAssertEqual(try fixture.count("SELECT count(*) FROM activities WHERE policy IS NOT NULL"), 1)

        // With a 7-day setting, "Recent" (created 2026-02-20) and "Busy" are quiet too.
        try Settings.set(admin, key: "followups.quietDays", value: .integer(7))
        let third = try FollowUps.sweep(fixture.context(as: "admin", on: "2026-03-02"))
        XCTAssertEqual(third.asked, 2)
        XCTAssertEqual(third.created.compactMap { try? Activities.load(fixture.database, id: $0)?.opportunityId },
                       [busy.id, recent.id])
        XCTAssertCRMError(try FollowUps.sweep(fixture.context(as: "alice")), kind: .permission,
                          "permission denied: to run the follow-up sweep you need the admin role (alice is sales)")
    }

    func testWinCancelsPendingFollowUpsOnly() throws {
        let fixture = try PipelineFixture()
        fixture.host.policy = PolicyHost.defaultPolicy
        let deal = try fixture.deal("Showroom", amount: "1000.00")
        let alice = fixture.context(as: "alice")
        let manual = try Activities.plan(alice, kind: .meeting, subject: "Kick-off", due: "2026-03-20",
                                         link: .opportunity(deal.id), owner: nil)
        let closing = try Opportunities.win(alice, id: deal.id)
        XCTAssertEqual(closing.cancelledFollowUps, 1)
        XCTAssertEqual(closing.opportunity.closedOn, "2026-03-02")
        XCTAssertEqual(closing.opportunity.probability, 100)
        let rows = try fixture.database.query("SELECT id, status, cancel_reason FROM activities ORDER BY id")
            .map { "\($0.int(0)!) \($0.string(1)!) \($0.string(2) ?? "-")" }
        XCTAssertEqual(rows, ["1 cancelled opportunity won", "\(manual.id) planned -"])
        XCTAssertEqual(fixture.host.fired.map(\.0), ["onOpportunityCreated", "onOpportunityWon"])
        XCTAssertEqual(fixture.host.fired.last?.1["status"], .string("won"))

        let other = try fixture.deal("Second", amount: "10.00")
        XCTAssertEqual(try Opportunities.lose(alice, id: other.id, reason: "TIMING", note: nil).cancelledFollowUps, 1)
        XCTAssertEqual(try fixture.database.scalar("SELECT cancel_reason FROM activities WHERE opportunity_id = ?",
                                                   [other.id]).text, "opportunity lost")
    }

    func testNoEmailFollowUpForOptedOutContact() throws {
        let fixture = try PipelineFixture()
        fixture.host.policy = { _ in
            .array([PolicyHost.item(1, business: true, "e-mail", "Send the brochure"),
                    PolicyHost.item(3, business: true, "call", "Call back")])
        }
        _ = try Contacts.edit(fixture.context(as: "alice"), id: 1, fields: [.optedOut: "yes"])
        let deal = try fixture.deal("Showroom", amount: "1000.00", contact: 1)
        let kinds = try fixture.database.query("SELECT kind, due_date FROM activities WHERE opportunity_id = ?", [deal.id])
            .map { "\($0.string(0)!) \($0.string(1)!)" }
        XCTAssertEqual(kinds, ["call 2026-03-05"])
        let run = try FollowUps.applyPolicies(fixture.context(as: "alice"), event: "onOpportunityStageChanged",
                                              opportunity: deal)
        XCTAssertEqual(run.optedOut, 1)
        XCTAssertEqual(run.created.count, 1)
    }

    func testSnoozeMovesToBusinessDay() throws {
        let fixture = try PipelineFixture()
        fixture.host.policy = PolicyHost.defaultPolicy
        try fixture.deal("Showroom", amount: "1000.00")
        let alice = fixture.context(as: "alice")
        XCTAssertEqual(try FollowUps.snooze(alice, id: 1, to: "2026-03-14").description, "2026-03-16")
        XCTAssertEqual(try Activities.load(fixture.database, id: 1)?.dueDate, "2026-03-16")
        XCTAssertCRMError(try FollowUps.snooze(alice, id: 1, to: "2026-03-01"), kind: .usage,
                          "--to 2026-03-01 is in the past; snooze to today or later")
        XCTAssertCRMError(try FollowUps.snooze(fixture.context(as: "bob"), id: 1, to: "2026-03-20"), kind: .notFound,
                          "activity 1 not found (or not yours to see); see `crm activity list`")
        try Activities.done(alice, id: 1, outcome: "Reached her", followUpOnly: true)
        XCTAssertCRMError(try FollowUps.snooze(alice, id: 1, to: "2026-03-20"), kind: .conflict,
                          "follow-up 1 is done already")
        XCTAssertEqual(fixture.host.fired.last?.0, "onActivityLogged")
        XCTAssertEqual(fixture.host.fired.last?.1["outcome"], .string("Reached her"))
    }
}
