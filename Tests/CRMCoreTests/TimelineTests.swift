import CRMCore
import XCTest

final class TimelineTests: XCTestCase {
    private func sendQuote(_ fixture: PipelineFixture, opportunity: Int64) throws -> Quote {
        let context = fixture.context(as: "alice")
        let draft = try Quotes.create(context, opportunityId: opportunity)
        _ = try Quotes.addLine(context, key: draft.reference, QuoteLineChange(
            description: "Luminaires", quantity: "2", unitPrice: "300.00", vatRate: "20"))
        return try Quotes.send(context, key: draft.reference)
    }

    func testTimelineShowsQuotesAndOpenings() throws {
        let fixture = try PipelineFixture()
        fixture.host.policy = PolicyHost.defaultPolicy
        try Accounts.edit(fixture.context(as: "admin"), id: 1, fields: [
            .siren: "732829320", .street: "12 rue de la Forge", .postalCode: "75011", .city: "Paris",
            .creationDate: "2015-06-01",
        ])
        let deal = try fixture.deal("Showroom", amount: "1000.00")
        let accepted = try sendQuote(fixture, opportunity: deal.id)
        let declined = try sendQuote(fixture, opportunity: deal.id)
        let expired = try sendQuote(fixture, opportunity: deal.id)
        let first = try Openings.request(fixture.context(as: "alice", on: "2026-03-03"), account: 1, creditLimit: nil,
                                         note: nil)
        try Openings.reject(fixture.context(as: "carl", on: "2026-03-04"), id: first.id, reason: "No balance sheet")
        _ = try Quotes.decline(fixture.context(as: "alice", on: "2026-03-04"), key: declined.label, reason: "Too dear")
        let second = try Openings.request(fixture.context(as: "alice", on: "2026-03-05"), account: 1, creditLimit: nil,
                                          note: nil)
        try Openings.approve(fixture.context(as: "carl", on: "2026-03-06"), id: second.id, term: "30EOM",
                             method: "TRANSFER", creditLimit: "5000")
        try Opportunities.moveStage(fixture.context(as: "alice", on: "2026-03-06"), id: deal.id, to: "PROPOSE")
        _ = try Quotes.accept(fixture.context(as: "alice", on: "2026-03-09"), key: accepted.label)
        _ = try Quotes.expire(fixture.context(as: "alice", on: "2026-04-02"))
        XCTAssertEqual(expired.label, "Q-2026-00003")

        let entries = try Timeline.account(fixture.context(as: "alice"), id: 1).map {
            "\($0.at) \($0.kind) \($0.entityId) \($0.summary)"
        }
        XCTAssertEqual(entries, [
            "2026-03-02T12:00:00Z opportunity 1 create QUALIFY",
            "2026-03-02T12:00:00Z quote 1 quote DRAFT-000001 created",
            "2026-03-02T12:00:00Z quote 1 quote DRAFT-000001 sent as Q-2026-00001",
            "2026-03-02T12:00:00Z quote 2 quote DRAFT-000002 created",
            "2026-03-02T12:00:00Z quote 2 quote DRAFT-000002 sent as Q-2026-00002",
            "2026-03-02T12:00:00Z quote 3 quote DRAFT-000003 created",
            "2026-03-02T12:00:00Z quote 3 quote DRAFT-000003 sent as Q-2026-00003",
            "2026-03-03T12:00:00Z opening 1 opening requested",
            "2026-03-04 activity 1 call cancelled: Call back about the new opportunity (opportunity won) "
                + "[opportunity 1]",
            "2026-03-04T12:00:00Z opening 1 opening rejected (No balance sheet)",
            "2026-03-04T12:00:00Z quote 2 quote Q-2026-00002 declined (Too dear)",
            "2026-03-05T12:00:00Z opening 2 opening requested",
            "2026-03-06T12:00:00Z opening 2 opening approved (30EOM TRANSFER)",
            "2026-03-06T12:00:00Z opportunity 1 stage QUALIFY -> PROPOSE",
            "2026-03-09T12:00:00Z quote 1 quote Q-2026-00001 accepted",
            "2026-03-09T12:00:00Z opportunity 1 win PROPOSE -> WON",
            "2026-04-02T12:00:00Z quote 3 quote Q-2026-00003 expired",
        ])
    }
}
