import CRMCore
import XCTest

final class PipelineTests: XCTestCase {
    func testWeightedAmountsToTheCent() throws {
        let fixture = try PipelineFixture()
        try fixture.deal("Showroom", amount: "12500.05", close: "2026-05-29", stage: "PROPOSE")
        try fixture.deal("Lamps", amount: "333.33", close: "2026-04-15", stage: "PROPOSE")
        // 0.05 EUR at 10% is half a cent: each rounds up to 0.01 before the sum.
        try fixture.deal("Sample A", amount: "0.05", close: "2026-04-01")
        try fixture.deal("Sample B", amount: "0.05", close: "2026-04-30")
        try fixture.deal("Yen deal", amount: "1001", close: "2026-06-10", probability: 35, currency: "JPY")
        let report = try Pipeline.report(fixture.context(as: "alice"), filter: PipelineFilter())

        XCTAssertEqual(report.stages.count, 3)
        XCTAssertEqual(report.stages[0].stage.code, "QUALIFY")
        XCTAssertEqual(report.stages[0].figures.amount.description, "0.10 EUR")
        XCTAssertEqual(report.stages[0].figures.weighted.description, "0.02 EUR")
        XCTAssertEqual(report.stages[0].figures.count, 2)
        XCTAssertEqual(report.stages[1].stage.code, "QUALIFY")
        XCTAssertEqual(report.stages[1].figures.amount.description, "1001 JPY")
        XCTAssertEqual(report.stages[1].figures.weighted.description, "350 JPY")
        XCTAssertEqual(report.stages[2].stage.code, "PROPOSE")
        XCTAssertEqual(report.stages[2].figures.amount.description, "12833.38 EUR")
        // 5000.02 (from 5000.020) + 133.33 (from 133.332).
        XCTAssertEqual(report.stages[2].figures.weighted.description, "5133.35 EUR")

        XCTAssertEqual(report.openTotals.map(\.amount.description), ["12833.48 EUR", "1001 JPY"])
        XCTAssertEqual(report.openTotals.map(\.weighted.description), ["5133.37 EUR", "350 JPY"])
        XCTAssertEqual(report.openTotals.map(\.count), [4, 1])

        XCTAssertEqual(report.forecast.map { "\($0.month) \($0.figures.count) \($0.figures.amount) \($0.figures.weighted)" }, [
            "2026-04 3 333.43 EUR 133.35 EUR",
            "2026-05 1 12500.05 EUR 5000.02 EUR",
            "2026-06 1 1001 JPY 350 JPY",
        ])
    }

    func testClosedDealsLeaveTheForecast() throws {
        let fixture = try PipelineFixture()
        let won = try fixture.deal("Won", amount: "1000.00")
        try fixture.deal("Open", amount: "200.00")
        try Opportunities.win(fixture.context(as: "alice"), id: won.id)
        let report = try Pipeline.report(fixture.context(as: "alice"), filter: PipelineFilter())
        XCTAssertEqual(report.stages.map { "\($0.stage.code) \($0.figures.amount) \($0.figures.weighted)" },
                       ["QUALIFY 200.00 EUR 20.00 EUR", "WON 1000.00 EUR 1000.00 EUR"])
        XCTAssertEqual(report.openTotals.map(\.weighted.description), ["20.00 EUR"])
        XCTAssertEqual(report.forecast.map(\.figures.amount.description), ["200.00 EUR"])
    }

    func testPipelineScopePerRole() throws {
        let fixture = try PipelineFixture()
        try fixture.deal("Alice's", amount: "100.00")
        try fixture.deal("Bob's", amount: "40.00", account: 2, as: "bob")
        func amounts(_ user: String, _ filter: PipelineFilter = PipelineFilter()) throws -> [String] {
            try Pipeline.report(fixture.context(as: user), filter: filter).openTotals.map(\.amount.description)
        }
        XCTAssertEqual(try amounts("alice"), ["100.00 EUR"])
        XCTAssertEqual(try amounts("bob"), ["40.00 EUR"])
        // maya manages IDF, where account 1 is; account 2 has no sector.
        XCTAssertEqual(try amounts("maya"), ["100.00 EUR"])
        XCTAssertEqual(try amounts("admin"), ["140.00 EUR"])
        var bySector = PipelineFilter()
        bySector.sector = "IDF"
        XCTAssertEqual(try amounts("admin", bySector), ["100.00 EUR"])
        var byOwner = PipelineFilter()
        byOwner.owner = "bob"
        XCTAssertEqual(try amounts("admin", byOwner), ["40.00 EUR"])
        XCTAssertCRMError(try amounts("alice", byOwner), kind: .permission,
                          "permission denied: a sales rep sees only their own pipeline; leave out --owner")
        var byCurrency = PipelineFilter()
        byCurrency.currency = "usd"
        XCTAssertEqual(try amounts("admin", byCurrency), [])
    }

    func testPipelineQueriesUseTheCoveringIndex() throws {
        let fixture = try PipelineFixture()
        for sql in [Pipeline.stageSQL, Pipeline.forecastSQL] {
            let plan = try fixture.database.query("EXPLAIN QUERY PLAN " + sql, [nil, nil, nil, nil, nil] as [SQLValue])
                .compactMap { $0.string(3) }
            XCTAssertTrue(plan.contains { $0.contains("USING COVERING INDEX opportunities_pipeline") }, "\(plan)")
        }
    }
}
