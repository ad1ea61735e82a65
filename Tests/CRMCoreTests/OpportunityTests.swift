import CRMCore
import XCTest

final class OpportunityTests: XCTestCase {
    func testAddDefaultsToFirstStage() throws {
        let fixture = try PipelineFixture()
        let deal = try fixture.deal("Showroom", amount: "12500.05", contact: 1)
        XCTAssertEqual(deal.stage.code, "QUALIFY")
        XCTAssertEqual(deal.probability, 10)
        XCTAssertEqual(deal.amount?.minor, 1_250_005)
        XCTAssertEqual(deal.amount?.currency.code, "EUR")
        XCTAssertEqual(deal.ownerName, "alice")
        XCTAssertEqual(deal.weightedAmount?.description, "1250.01 EUR")
        XCTAssertEqual(deal.contactId, 1)
        XCTAssertEqual(JSON.encode(deal.jsonValue["amount"]!), #"{"amount":"12500.05","currency":"EUR"}"#)
        XCTAssertEqual(fixture.host.fired.map(\.0), ["onOpportunityCreated"])
        XCTAssertEqual(fixture.host.fired[0].1["amount"], .integer(1_250_005))
        XCTAssertEqual(fixture.host.fired[0].1["stage"], .string("QUALIFY"))
    }

    func testAddRejectsBadInput() throws {
        let fixture = try PipelineFixture()
        XCTAssertCRMError(try fixture.deal("X", amount: "10.001"), kind: .invalid,
                          "invalid --amount '10.001': EUR amounts have at most 2 decimals")
        XCTAssertCRMError(try fixture.deal("X", amount: "10.5", currency: "JPY"), kind: .invalid,
                          "invalid --amount '10.5': JPY amounts have at most 0 decimals")
        XCTAssertCRMError(try fixture.deal("X", amount: "-1"), kind: .invalid,
                          "invalid --amount '-1': an opportunity's amount cannot be negative")
        XCTAssertCRMError(try fixture.deal("X", amount: "1", close: "2026-02-30"), kind: .usage,
                          "invalid --close-date '2026-02-30': expected a date that exists, as YYYY-MM-DD")
        XCTAssertCRMError(try fixture.deal("X", amount: "1", stage: "WON"), kind: .usage,
                          "--stage WON closes a deal; a new opportunity starts in an open stage")
        XCTAssertCRMError(try fixture.deal("X", amount: "1", probability: 101), kind: .usage,
                          "invalid --probability '101': expected a whole percent from 0 to 100")
        XCTAssertCRMError(try fixture.deal("X", amount: "1", account: 2, as: "bob", contact: 1), kind: .notFound,
                          "--contact: contact 1 is not a contact of account 2; see `crm contact list --account 2`")
        XCTAssertCRMError(try fixture.deal("X", amount: "1", account: 2), kind: .notFound,
                          "account 2 not found (or not yours to see); see `crm account list`")
        XCTAssertCRMError(try fixture.deal("X", amount: "1", as: "carl"), kind: .permission,
                          "permission denied: to add an opportunity you need the sales or manager or admin role "
                          + "(carl is accounting)")
        XCTAssertEqual(try fixture.count("SELECT count(*) FROM opportunities"), 0)
    }

    func testStagesForwardBackAndClosed() throws {
        let fixture = try PipelineFixture()
        let deal = try fixture.deal("Showroom", amount: "1000.00")
        let alice = fixture.context(as: "alice")
        XCTAssertEqual(try Opportunities.moveStage(alice, id: deal.id, to: "negotiate").probability, 70)
        XCTAssertEqual(try Opportunities.moveStage(alice, id: deal.id, to: "PROPOSE", probability: 55).probability, 55)
        let moves = try fixture.database.query("""
            SELECT action, old_value, new_value FROM audit_log WHERE entity = 'opportunity' AND field = 'stage' ORDER BY id
            """).map { "\($0.string(0)!) \($0.string(1)!)->\($0.string(2)!)" }
        XCTAssertEqual(moves, ["stage QUALIFY->NEGOTIATE", "stage back NEGOTIATE->PROPOSE"])
        let changes = fixture.host.fired.filter { $0.0 == "onOpportunityStageChanged" }.map(\.1)
        XCTAssertEqual(changes.map { $0["oldStage"] }, [.string("QUALIFY"), .string("NEGOTIATE")])
        XCTAssertEqual(changes.map { $0["newStage"] }, [.string("NEGOTIATE"), .string("PROPOSE")])

        XCTAssertCRMError(try Opportunities.moveStage(alice, id: deal.id, to: "WON"), kind: .usage,
                          "stage WON wins the deal; use `crm opportunity win 1`")
        XCTAssertCRMError(try Opportunities.moveStage(alice, id: deal.id, to: "PROPOSE"), kind: .conflict,
                          "opportunity 1 is already in stage PROPOSE")
        XCTAssertCRMError(try Opportunities.moveStage(alice, id: deal.id, to: "DEMO"), kind: .notFound,
                          "unknown stage 'DEMO'; the stages are QUALIFY, PROPOSE, NEGOTIATE, WON, LOST (see `crm stage list`)")

        let lost = try Opportunities.lose(alice, id: deal.id, reason: "price", note: "  20% above  ")
        XCTAssertEqual(lost.opportunity.stage.code, "LOST")
        XCTAssertEqual(lost.opportunity.lossReason, "PRICE")
        XCTAssertEqual(lost.opportunity.lossNote, "20% above")
        XCTAssertEqual(lost.opportunity.closedOn, "2026-03-02")
        XCTAssertEqual(lost.opportunity.probability, 0)
        XCTAssertEqual(fixture.host.fired.last?.0, "onOpportunityLost")
        XCTAssertEqual(fixture.host.fired.last?.1["lossReason"], .string("PRICE"))
        XCTAssertCRMError(try Opportunities.moveStage(alice, id: deal.id, to: "QUALIFY"), kind: .conflict,
                          "opportunity 1 is lost; a manager or an admin reopens it with `crm opportunity reopen 1`")
        var edit = OpportunityChanges()
        edit.title = "Other"
        XCTAssertCRMError(try Opportunities.edit(alice, id: deal.id, changes: edit), kind: .conflict,
                          "opportunity 1 is lost; a manager or an admin reopens it with `crm opportunity reopen 1`")
        XCTAssertCRMError(try Opportunities.reopen(alice, id: deal.id, stage: nil), kind: .permission,
                          "permission denied: to reopen an opportunity you need the manager or admin role (alice is sales)")

        let reopened = try Opportunities.reopen(fixture.context(as: "maya"), id: deal.id, stage: nil)
        XCTAssertEqual(reopened.stage.code, "PROPOSE")
        XCTAssertEqual(reopened.probability, 40)
        XCTAssertNil(reopened.closedOn)
        XCTAssertNil(reopened.lossReason)
    }

    func testLoseNeedsAKnownReason() throws {
        let fixture = try PipelineFixture()
        let deal = try fixture.deal("Showroom", amount: "1000.00")
        XCTAssertCRMError(try Opportunities.lose(fixture.context(as: "alice"), id: deal.id, reason: "MOON", note: nil),
                          kind: .notFound, "unknown loss reason 'MOON'; the reasons are COMPETITOR, NO_BUDGET, "
                          + "NO_DECISION, OTHER, PRICE, TIMING (see `crm loss-reason list`)")
        XCTAssertEqual(try Opportunities.load(fixture.database, id: deal.id)?.stage.code, "QUALIFY")
    }

    func testPermissionsPerRole() throws {
        let fixture = try PipelineFixture()
        let deal = try fixture.deal("Showroom", amount: "1000.00")
        try fixture.deal("Bob's", amount: "10.00", account: 2, as: "bob")
        func titles(_ user: String, all: Bool = false) throws -> [String] {
            var filter = OpportunityFilter()
            filter.all = all
            return try Opportunities.list(fixture.context(as: user), filter: filter).map(\.title)
        }
        XCTAssertEqual(try titles("alice"), ["Showroom"])
        XCTAssertEqual(try titles("bob"), ["Bob's"])
        XCTAssertEqual(try titles("maya"), ["Showroom"])
        // --all never takes a manager outside the sectors they manage.
        XCTAssertEqual(try titles("maya", all: true), ["Showroom"])
        XCTAssertEqual(try titles("admin"), ["Showroom", "Bob's"])
        XCTAssertCRMError(try titles("alice", all: true), kind: .permission,
                          "permission denied: to see every opportunity (--all) you need the manager or admin role "
                          + "(alice is sales)")
        XCTAssertCRMError(try Opportunities.get(fixture.context(as: "bob"), id: deal.id), kind: .notFound,
                          "opportunity 1 not found (or not yours to see); see `crm opportunity list`")
        XCTAssertCRMError(try Opportunities.win(fixture.context(as: "bob"), id: deal.id), kind: .notFound,
                          "opportunity 1 not found (or not yours to see); see `crm opportunity list`")
        XCTAssertCRMError(try Opportunities.win(fixture.context(as: "carl"), id: deal.id), kind: .permission,
                          "permission denied: opportunity 1 belongs to another rep; changing it needs the admin role, "
                          + "its owner, or the manager of its account's sector")
        // maya manages the sector of account 1.
        XCTAssertEqual(try Opportunities.moveStage(fixture.context(as: "maya"), id: deal.id, to: "PROPOSE").stage.code,
                       "PROPOSE")
        var edit = OpportunityChanges()
        edit.owner = "bob"
        XCTAssertCRMError(try Opportunities.edit(fixture.context(as: "alice"), id: deal.id, changes: edit),
                          kind: .permission, "permission denied: a sales rep can own only their own opportunities; "
                          + "leave out --owner or ask a manager")
    }

    func testEditRecordsEachChange() throws {
        let fixture = try PipelineFixture()
        let deal = try fixture.deal("Showroom", amount: "1000.00")
        var changes = OpportunityChanges()
        changes.amount = "1250.50"
        changes.expectedClose = "2026-06-30"
        changes.source = "trade-show"
        changes.addParticipants = [(1, "decision-maker")]
        let edited = try Opportunities.edit(fixture.context(as: "alice"), id: deal.id, changes: changes)
        XCTAssertEqual(edited.amount?.description, "1250.50 EUR")
        XCTAssertEqual(edited.expectedClose, "2026-06-30")
        XCTAssertEqual(edited.participants, [Opportunity.Participant(contactId: 1, role: "decision-maker")])
        let rows = try fixture.database.query("""
            SELECT field, old_value, new_value FROM audit_log WHERE entity = 'opportunity' AND action = 'update' ORDER BY id
            """).map { "\($0.string(0)!): \($0.string(1) ?? "-") -> \($0.string(2) ?? "-")" }
        XCTAssertEqual(rows, ["amount: 1000.00 EUR -> 1250.50 EUR", "close-date: 2026-04-30 -> 2026-06-30",
                              "source: - -> trade-show", "contact: - -> contact 1 (decision-maker)"])
        var toYen = OpportunityChanges()
        toYen.currency = "JPY"
        XCTAssertCRMError(try Opportunities.edit(fixture.context(as: "alice"), id: deal.id, changes: toYen),
                          kind: .invalid, "invalid --amount '1250.50': JPY amounts have at most 0 decimals")
    }

    func testFailingHookRollsBackTheWin() throws {
        let fixture = try PipelineFixture()
        fixture.host.policy = PolicyHost.defaultPolicy
        let deal = try fixture.deal("Showroom", amount: "1000.00")
        fixture.host.failOn = "onOpportunityWon"
        XCTAssertCRMError(try Opportunities.win(fixture.context(as: "alice"), id: deal.id), kind: .plugin,
                          "plugin test (test.lua:1): forced failure")
        XCTAssertEqual(try Opportunities.load(fixture.database, id: deal.id)?.stage.code, "QUALIFY")
        XCTAssertEqual(try fixture.count("SELECT count(*) FROM activities WHERE status = 'planned'"), 1)
        XCTAssertEqual(try fixture.count("SELECT count(*) FROM audit_log WHERE action = 'win'"), 0)
    }

    func testStageAdministration() throws {
        let fixture = try PipelineFixture()
        let admin = fixture.context(as: "admin")
        let demo = try Stages.add(admin, code: "demo", label: "Demo", probability: 25, kind: .open)
        XCTAssertEqual(demo.code, "DEMO")
        XCTAssertEqual(demo.position, 6)
        try Stages.order(admin, codes: ["QUALIFY", "DEMO", "PROPOSE", "NEGOTIATE", "WON", "LOST"])
        XCTAssertEqual(try Stages.all(fixture.database).map(\.code), ["QUALIFY", "DEMO", "PROPOSE", "NEGOTIATE", "WON", "LOST"])
        XCTAssertCRMError(try Stages.order(admin, codes: ["QUALIFY", "DEMO"]), kind: .usage,
                          "list every stage exactly once; missing: PROPOSE, NEGOTIATE, WON, LOST")
        try fixture.deal("Showroom", amount: "1000.00", stage: "DEMO")
        XCTAssertCRMError(try Stages.edit(admin, code: "DEMO", label: nil, probability: nil, kind: .won), kind: .conflict,
                          "stage DEMO is used by 1 opportunity, so its kind stays open; add a new stage instead")
        XCTAssertEqual(try Stages.edit(admin, code: "DEMO", label: "Live demo", probability: 30, kind: nil).probability, 30)
        XCTAssertCRMError(try Stages.add(fixture.context(as: "maya"), code: "X", label: "X", probability: 1, kind: .open),
                          kind: .permission, "permission denied: to add a stage you need the admin role (maya is manager)")
        XCTAssertEqual(try LossReasons.add(admin, code: "no_fit", label: "Not a fit").code, "NO_FIT")
        XCTAssertEqual(try LossReasons.all(fixture.database).count, 7)
    }
}
