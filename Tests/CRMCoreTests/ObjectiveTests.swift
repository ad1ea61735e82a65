import CRMCore
import XCTest

final class ObjectivePeriodTests: XCTestCase {
    func testParsesMonthQuarterAndYear() throws {
        let cases: [(String, String, String, String)] = [
            ("2026-03", "2026-03-01", "2026-03-31", "2026-03"),
            ("2026-Q1", "2026-01-01", "2026-03-31", "2026-Q1"),
            ("2026-q4", "2026-10-01", "2026-12-31", "2026-Q4"),
            ("2026", "2026-01-01", "2026-12-31", "2026"),
            ("2028-02", "2028-02-01", "2028-02-29", "2028-02"),
            ("2100-02", "2100-02-01", "2100-02-28", "2100-02"),
            ("2000-02", "2000-02-01", "2000-02-29", "2000-02"),
        ]
        for (text, start, end, canonical) in cases {
            let period = try XCTUnwrap(ObjectivePeriod(parsing: text), text)
            XCTAssertEqual(period.start.description, start, text)
            XCTAssertEqual(period.end.description, end, text)
            XCTAssertEqual(period.description, canonical, text)
        }
    }

    func testRejectsMalformedPeriods() {
        for text in ["", "26", "2026-3", "2026-13", "2026-00", "2026-Q0", "2026-Q5", "2026-H1", "0000", "2026-03-01",
                     "２０２６"] {
            XCTAssertNil(ObjectivePeriod(parsing: text), text)
        }
    }

    func testDaysLeftCountsToday() throws {
        let quarter = try XCTUnwrap(ObjectivePeriod(parsing: "2026-Q1"))
        XCTAssertEqual(quarter.daysLeft(today: CivilDate(parsing: "2026-03-02")!), 30)
        XCTAssertEqual(quarter.daysLeft(today: CivilDate(parsing: "2026-03-31")!), 1)
        XCTAssertNil(quarter.daysLeft(today: CivilDate(parsing: "2026-04-01")!))
        XCTAssertEqual(quarter.daysLeft(today: CivilDate(parsing: "2025-12-31")!), 90)
        let leapYear = try XCTUnwrap(ObjectivePeriod(parsing: "2028"))
        XCTAssertEqual(leapYear.daysLeft(today: CivilDate(parsing: "2028-02-29")!), 307)
    }

    func testContainingDate() {
        let day = CivilDate(parsing: "2026-08-31")!
        XCTAssertEqual(ObjectivePeriod.containing(day, kind: .month).description, "2026-08")
        XCTAssertEqual(ObjectivePeriod.containing(day, kind: .quarter).description, "2026-Q3")
        XCTAssertEqual(ObjectivePeriod.containing(day, kind: .year).description, "2026")
    }
}

final class ObjectiveTests: XCTestCase {
    // MARK: Setting

    func testSetReplacesTargetOfSameObjective() throws {
        let fixture = try SectorFixture()
        let first = try Objectives.set(fixture.context(as: "admin"), subject: .rep("alice"), period: "2026-q1",
                                       metric: "revenue", target: "30000", currency: nil, kind: nil)
        XCTAssertNil(first.previousTarget)
        XCTAssertEqual(first.objective.period.description, "2026-Q1")
        XCTAssertEqual(first.objective.currency?.code, "EUR")
        XCTAssertEqual(first.objective.target, 3_000_000)
        let second = try Objectives.set(fixture.context(as: "admin"), subject: .rep("alice"), period: "2026-Q1",
                                        metric: "revenue", target: "32500.50", currency: "eur", kind: nil)
        XCTAssertEqual(second.objective.id, first.objective.id)
        XCTAssertEqual(second.previousTarget, 3_000_000)
        XCTAssertEqual(second.objective.target, 3_250_050)
        let usd = try Objectives.set(fixture.context(as: "admin"), subject: .rep("alice"), period: "2026-Q1",
                                     metric: "revenue", target: "10000", currency: "USD", kind: nil)
        XCTAssertNotEqual(usd.objective.id, first.objective.id)
        XCTAssertEqual(try fixture.test.count("objectives"), 2)
        XCTAssertEqual(try fixture.database.query("""
            SELECT action || '|' || ifnull(field, '') || '|' || ifnull(old_value, '') || '|' || new_value
            FROM audit_log WHERE entity = 'objective' ORDER BY id
            """).map { $0.string(0)! }, [
                "create|||rep alice 2026-Q1 revenue EUR 30000.00 EUR",
                "update|target|30000.00 EUR|32500.50 EUR",
                "create|||rep alice 2026-Q1 revenue USD 10000.00 USD",
            ])
    }

    func testSetRejectsInvalidInput() throws {
        let fixture = try SectorFixture()
        let admin = fixture.context(as: "admin")
        func set(_ subject: ObjectiveSubject = .rep("alice"), period: String = "2026-Q1", metric: String = "deals",
                 target: String = "5", currency: String? = nil, kind: String? = nil) throws {
            _ = try Objectives.set(admin, subject: subject, period: period, metric: metric, target: target,
                                   currency: currency, kind: kind)
        }
        XCTAssertCRMError(try set(period: "2026-13"), kind: .usage,
                          "invalid --period '2026-13': expected a month (2026-03), a quarter (2026-Q1) or a year (2026)")
        XCTAssertCRMError(try set(metric: "margin"), kind: .usage,
                          "invalid --metric 'margin': expected one of revenue, deals, customers, activities")
        XCTAssertCRMError(try set(currency: "EUR"), kind: .usage, "--currency applies to the revenue metric only")
        XCTAssertCRMError(try set(kind: "call"), kind: .usage, "--kind applies to the activities metric only")
        XCTAssertCRMError(try set(metric: "activities", kind: "visit"), kind: .usage,
                          "invalid --kind 'visit': expected one of call, meeting, e-mail, task, note")
        XCTAssertCRMError(try set(target: "0"), kind: .invalid,
                          "invalid --target '0': a target must be greater than zero")
        XCTAssertCRMError(try set(target: "2.5"), kind: .invalid,
                          "invalid --target '2.5': expected a whole number of deals")
        XCTAssertCRMError(try set(metric: "revenue", target: "100.005"), kind: .invalid,
                          "invalid --target '100.005': EUR amounts have at most 2 decimals")
        XCTAssertCRMError(try set(metric: "revenue", target: "-5"), kind: .invalid,
                          "invalid --target '-5': a target must be greater than zero")
        XCTAssertCRMError(try set(metric: "revenue", target: "5", currency: "XYZ"), kind: .invalid,
                          "invalid --currency 'XYZ': expected an ISO 4217 code such as EUR, USD or JPY")
        XCTAssertCRMError(try set(.rep("carl")), kind: .invalid,
                          "'carl' has the accounting role; objectives are for sales reps and managers")
        XCTAssertCRMError(try set(.rep("nobody")), kind: .notFound,
                          "unknown user 'nobody' in --rep; see `crm user list`")
        XCTAssertCRMError(try set(.sector("XX")), kind: .notFound,
                          "unknown sector 'XX' in --sector; see `crm sector list`")
        XCTAssertEqual(try fixture.test.count("objectives"), 0)
    }

    func testManagersSetObjectivesOfTheirSectorsAndReps() throws {
        let fixture = try SectorFixture()
        _ = try Users.add(fixture.context(as: "admin"), name: "zoe", role: .sales, login: nil)
        try Sectors.assignRep(fixture.context(as: "admin"), code: "DE", userName: "zoe")
        func set(_ user: String, _ subject: ObjectiveSubject) throws {
            _ = try Objectives.set(fixture.context(as: user), subject: subject, period: "2026-Q1", metric: "deals",
                                   target: "3", currency: nil, kind: nil)
        }
        // maya manages FR, so IDF, 75 and 2A below it, and their reps.
        XCTAssertNoThrow(try set("maya", .sector("FR")))
        XCTAssertNoThrow(try set("maya", .sector("75")))
        XCTAssertNoThrow(try set("maya", .rep("bob")))
        // nina manages IDF and 75 only.
        XCTAssertNoThrow(try set("nina", .sector("IDF")))
        XCTAssertNoThrow(try set("nina", .rep("alice")))
        XCTAssertCRMError(try set("nina", .sector("2A")), kind: .permission,
                          "permission denied: the objectives of sector 2A are set by an admin or by the manager of "
                          + "that sector or of a sector above it")
        XCTAssertCRMError(try set("nina", .rep("zoe")), kind: .permission,
                          "permission denied: the objectives of rep zoe are set by an admin or by the manager of a "
                          + "sector that rep belongs to (`crm sector assign-rep`)")
        XCTAssertCRMError(try set("alice", .rep("alice")), kind: .permission,
                          "permission denied: to set or remove objectives you need the manager or admin role "
                          + "(alice is sales)")
        XCTAssertEqual(try fixture.test.count("objectives"), 5)
    }

    func testVisibilityFollowsSectors() throws {
        let fixture = try SectorFixture()
        let fr = try fixture.objective(.sector("FR"), "2026-Q1", "deals", "9")
        let idf = try fixture.objective(.sector("IDF"), "2026-Q1", "deals", "6")
        let corsica = try fixture.objective(.sector("2A"), "2026-Q1", "deals", "3")
        let alice = try fixture.objective(.rep("alice"), "2026-Q1", "deals", "2")
        let bob = try fixture.objective(.rep("bob"), "2026-Q1", "deals", "2")
        let germany = try fixture.objective(.sector("DE"), "2026-Q1", "deals", "1")
        func ids(_ user: String) throws -> [Int64] {
            try Objectives.list(fixture.context(as: user), filter: ObjectiveFilter()).map(\.id)
        }
        // Sector objectives come first, by code, then those of reps, by name.
        XCTAssertEqual(try ids("admin"), [corsica, germany, fr, idf, alice, bob])
        XCTAssertEqual(try ids("carl"), [corsica, germany, fr, idf, alice, bob])
        XCTAssertEqual(try ids("maya"), [corsica, fr, idf, alice, bob])
        XCTAssertEqual(try ids("nina"), [idf, alice, bob])
        XCTAssertEqual(try ids("alice"), [alice])
        XCTAssertCRMError(try Objectives.get(fixture.context(as: "alice"), id: bob), kind: .notFound,
                          "objective \(bob) not found (or not yours to see); see `crm objective list`")
        XCTAssertCRMError(try Objectives.remove(fixture.context(as: "nina"), id: corsica), kind: .notFound,
                          "objective \(corsica) not found (or not yours to see); see `crm objective list`")
        XCTAssertEqual(try Objectives.remove(fixture.context(as: "nina"), id: alice).id, alice)
        XCTAssertEqual(try ids("admin"), [corsica, germany, fr, idf, bob])
    }

    // MARK: Deals and revenue

    /// Builds the deals of the first quarter of 2026 described in each test.
    private func quarterOfDeals(_ fixture: SectorFixture) throws {
        let paris = try fixture.account("PARIS SARL", owner: "alice", sector: "75")
        let ajaccio = try fixture.account("AJACCIO SAS", owner: "bob", sector: "2A")
        let boulogne = try fixture.account("BOULOGNE SA", owner: "alice", sector: "IDF")
        let berlin = try fixture.account("BERLIN GMBH", owner: "bob", sector: "DE")
        XCTAssertEqual([paris.id, ajaccio.id, boulogne.id, berlin.id], [1, 2, 3, 4])

        try fixture.wonDeal(account: 1, amount: "1000.00", as: "alice", wonOn: "2026-01-01")
        try fixture.wonDeal(account: 3, amount: "300.25", as: "alice", wonOn: "2026-02-15")
        try fixture.wonDeal(account: 1, amount: "5000.00", currency: "USD", as: "alice", wonOn: "2026-02-10")
        try fixture.wonDeal(account: 2, amount: "400.00", as: "bob", wonOn: "2026-03-01")
        try fixture.wonDeal(account: 4, amount: "999.99", as: "bob", wonOn: "2025-12-31")
        let lost = try fixture.deal(account: 1, amount: "10000.00", as: "alice")
        try Opportunities.lose(fixture.context(as: "alice", on: "2026-03-10"), id: lost.id, reason: "PRICE", note: nil)
        let reopened = try fixture.wonDeal(account: 1, amount: "250.00", as: "alice", wonOn: "2026-02-01")
        try Opportunities.reopen(fixture.context(as: "admin", on: "2026-02-02"), id: reopened.id, stage: nil)

        // On 20 February the Paris account moves to Corsica with its rep.
        try Accounts.assign(fixture.context(as: "admin", on: "2026-02-20"), id: 1, sector: "2A")
        try fixture.wonDeal(account: 1, amount: "2500.50", as: "alice", wonOn: "2026-03-31")
        try fixture.wonDeal(account: 1, amount: "700.00", as: "alice", wonOn: "2026-04-01")

        // Open deals: five expected in the quarter (one of them the reopened
        // deal), one in April and one in US dollars.
        try fixture.deal(account: 1, amount: "333.33", close: "2026-03-31", probability: 15, as: "alice")
        try fixture.deal(account: 1, amount: "0.05", close: "2026-02-28", probability: 50, as: "alice")
        try fixture.deal(account: 1, amount: "0.05", close: "2026-03-01", probability: 50, as: "alice")
        try fixture.deal(account: 1, amount: "800.00", close: "2026-01-20", probability: 10, as: "alice")
        try fixture.deal(account: 3, amount: "1000.00", close: "2026-04-15", probability: 40, as: "alice")
        try fixture.deal(account: 1, amount: "2000.00", currency: "USD", close: "2026-03-15", probability: 70,
                         as: "alice")

        // A Boulogne deal starts with alice; bob takes the account and the deal over and wins it.
        let handedOver = try fixture.deal(account: 3, amount: "1200.00", as: "alice", on: "2026-03-01")
        try Accounts.edit(fixture.context(as: "admin", on: "2026-03-05"), id: 3, fields: [.owner: "bob"])
        var changes = OpportunityChanges()
        changes.owner = "bob"
        try Opportunities.edit(fixture.context(as: "admin", on: "2026-03-05"), id: handedOver.id, changes: changes)
        try Opportunities.win(fixture.context(as: "bob", on: "2026-03-20"), id: handedOver.id)
    }

    func testRevenueFollowsOwnerAndSectorAtWin() throws {
        let fixture = try SectorFixture()
        try quarterOfDeals(fixture)
        let alice = try fixture.objective(.rep("alice"), "2026-Q1", "revenue", "5000")
        let aliceUSD = try fixture.objective(.rep("alice"), "2026-Q1", "revenue", "4000", currency: "USD")
        let bob = try fixture.objective(.rep("bob"), "2026-Q1", "revenue", "1500")
        let france = try fixture.objective(.sector("FR"), "2026-Q1", "revenue", "8000")
        let idf = try fixture.objective(.sector("IDF"), "2026-Q1", "revenue", "3000")
        let paris = try fixture.objective(.sector("75"), "2026-Q1", "revenue", "1600")
        let corsica = try fixture.objective(.sector("2A"), "2026-Q1", "revenue", "3000")
        let germany = try fixture.objective(.sector("DE"), "2026-Q1", "revenue", "1000")

        let rows = try fixture.report("2026-Q1", on: "2026-03-31")
        // The open EUR deals of the Paris account expected in the quarter
        // weigh 50.00 + 0.03 + 0.03 + 80.00 + 25.00 (the reopened deal at 10 %).
        let expected: [(Int64, Int64, String, Int64, Int64?)] = [
            // id, actual, attainment, gap, forecast (minor units)
            (alice, 380_075, "76.0%", 119_925, 395_581),
            (aliceUSD, 500_000, "125.0%", -100_000, 640_000),
            (bob, 160_000, "106.7%", -10_000, 160_000),
            (france, 540_075, "67.5%", 259_925, 555_581),
            (idf, 250_025, "83.3%", 49_975, 250_025),
            (paris, 100_000, "62.5%", 60_000, 100_000),
            (corsica, 290_050, "96.7%", 9_950, 305_556),
            (germany, 0, "0.0%", 100_000, 0),
        ]
        XCTAssertEqual(rows.count, expected.count)
        for (id, actual, percent, gap, forecast) in expected {
            let row = try XCTUnwrap(rows[id], "objective \(id)")
            XCTAssertEqual(row.actual, actual, "actual of \(row.objective.subjectLabel) \(row.objective.metricLabel)")
            XCTAssertEqual(row.percentText, percent, "attainment of \(row.objective.subjectLabel)")
            XCTAssertEqual(row.gap, gap, "gap of \(row.objective.subjectLabel)")
            XCTAssertEqual(row.forecast, forecast, "forecast of \(row.objective.subjectLabel)")
            XCTAssertEqual(row.daysLeft, 1, "days left of \(row.objective.subjectLabel)")
        }
    }

    func testClosedQuarterHasNoForecast() throws {
        let fixture = try SectorFixture()
        try quarterOfDeals(fixture)
        let alice = try fixture.objective(.rep("alice"), "2026-Q1", "revenue", "5000")
        let aliceApril = try fixture.objective(.rep("alice"), "2026-04", "revenue", "1000")
        let germany = try fixture.objective(.sector("DE"), "2025-Q4", "revenue", "1000")

        let quarter = try XCTUnwrap(try fixture.report("2026-Q1", on: "2026-04-01")[alice])
        XCTAssertEqual(quarter.actual, 380_075)
        XCTAssertNil(quarter.forecast)
        XCTAssertNil(quarter.daysLeft)

        let april = try XCTUnwrap(try fixture.report("2026-04", on: "2026-04-01")[aliceApril])
        XCTAssertEqual(april.actual, 70_000)
        XCTAssertEqual(april.percentText, "70.0%")
        // The Boulogne deal of 1000.00 at 40 % is expected on 15 April.
        XCTAssertEqual(april.forecast, 110_000)
        XCTAssertEqual(april.daysLeft, 30)

        // 999.99 of 1000.00 rounds to 100.0 % while 0.01 is still missing.
        let december = try XCTUnwrap(try fixture.report("2025-Q4", on: "2026-04-01")[germany])
        XCTAssertEqual(december.actual, 99_999)
        XCTAssertEqual(december.percentText, "100.0%")
        XCTAssertEqual(december.gap, 1)
        XCTAssertNil(december.forecast)
    }

    func testDealsCountEveryCurrencyAndRollUp() throws {
        let fixture = try SectorFixture()
        try quarterOfDeals(fixture)
        let alice = try fixture.objective(.rep("alice"), "2026-Q1", "deals", "5")
        let france = try fixture.objective(.sector("FR"), "2026-Q1", "deals", "10")
        let idf = try fixture.objective(.sector("IDF"), "2026-Q1", "deals", "4")
        let rows = try fixture.report("2026-Q1", on: "2026-03-02")
        XCTAssertEqual(rows[alice]?.actual, 4)
        XCTAssertEqual(rows[alice]?.percentText, "80.0%")
        XCTAssertEqual(rows[alice]?.gap, 1)
        XCTAssertNil(rows[alice]?.forecast)
        XCTAssertEqual(rows[alice]?.daysLeft, 30)
        XCTAssertEqual(rows[france]?.actual, 6)
        XCTAssertEqual(rows[france]?.percentText, "60.0%")
        // IDF: the EUR and USD deals of Paris before the move, two from Boulogne.
        XCTAssertEqual(rows[idf]?.actual, 4)
        XCTAssertEqual(rows[idf]?.percentText, "100.0%")
        XCTAssertEqual(rows[idf]?.gap, 0)
    }

    func testLeapDayBelongsToFebruary() throws {
        let fixture = try SectorFixture()
        try fixture.account("PARIS SARL", owner: "alice", sector: "75")
        try fixture.wonDeal(account: 1, amount: "100.00", as: "alice", wonOn: "2028-02-01")
        try fixture.wonDeal(account: 1, amount: "500.00", as: "alice", wonOn: "2028-02-29")
        try fixture.wonDeal(account: 1, amount: "200.00", as: "alice", wonOn: "2028-03-01")
        let february = try fixture.objective(.rep("alice"), "2028-02", "revenue", "1000")
        let march = try fixture.objective(.rep("alice"), "2028-03", "revenue", "1000")
        let quarter = try fixture.objective(.rep("alice"), "2028-Q1", "revenue", "1000")
        let year = try fixture.objective(.rep("alice"), "2028", "deals", "4")

        let februaryRow = try XCTUnwrap(try fixture.report("2028-02", on: "2028-02-29")[february])
        XCTAssertEqual(februaryRow.actual, 60_000)
        XCTAssertEqual(februaryRow.percentText, "60.0%")
        XCTAssertEqual(februaryRow.daysLeft, 1)
        XCTAssertEqual(try fixture.report("2028-03", on: "2028-02-29")[march]?.actual, 20_000)
        XCTAssertEqual(try fixture.report("2028-03", on: "2028-02-29")[march]?.daysLeft, 31)
        let quarterRow = try XCTUnwrap(try fixture.report("2028-Q1", on: "2028-02-29")[quarter])
        XCTAssertEqual(quarterRow.actual, 80_000)
        XCTAssertEqual(quarterRow.daysLeft, 32)
        let yearRow = try XCTUnwrap(try fixture.report("2028", on: "2028-02-29")[year])
        XCTAssertEqual(yearRow.actual, 3)
        XCTAssertEqual(yearRow.percentText, "75.0%")
        XCTAssertEqual(yearRow.daysLeft, 307)
    }

    func testAttainmentRoundsHalfUp() throws {
        let fixture = try SectorFixture()
        try fixture.account("PARIS SARL", owner: "alice", sector: "75")
        try fixture.wonDeal(account: 1, amount: "1.00", as: "alice", wonOn: "2026-03-02")
        // 1/16 is 6.25 %, 1/3 is 33.333 %, 1/6 is 16.666 %.
        let sixteenth = try fixture.objective(.rep("alice"), "2026-Q1", "revenue", "16")
        let third = try fixture.objective(.rep("alice"), "2026-Q1", "deals", "3")
        let sixth = try fixture.objective(.rep("alice"), "2026-03", "deals", "6")
        let rows = try fixture.report("2026-Q1", on: "2026-03-02")
        XCTAssertEqual(rows[sixteenth]?.percentText, "6.3%")
        XCTAssertEqual(rows[third]?.percentText, "33.3%")
        XCTAssertEqual(try fixture.report("2026-03", on: "2026-03-02")[sixth]?.percentText, "16.7%")
    }

    func testForecastRoundsEachDeal() throws {
        let fixture = try SectorFixture()
        try fixture.account("PARIS SARL", owner: "alice", sector: "75")
        for _ in 0..<3 {
            try fixture.deal(account: 1, amount: "0.05", close: "2026-03-20", probability: 50, as: "alice")
        }
        let objective = try fixture.objective(.rep("alice"), "2026-03", "revenue", "1")
        // Each 0.025 rounds up to 0.03: 0.09 in all, where the rounded sum would be 0.08.
        XCTAssertEqual(try fixture.report("2026-03", on: "2026-03-02")[objective]?.forecast, 9)
    }

    // MARK: Customers and activities

    private func completeAccount(_ fixture: SectorFixture, _ name: String, owner: String, sector: String,
                                 siren: String) throws -> Account {
        let account = try fixture.account(name, owner: owner, sector: sector, fields: [
            .siren: siren, .street: "1 rue de la Paix", .postalCode: "75002", .city: "Paris",
        ])
        _ = try Contacts.add(fixture.context(as: "admin"), account: account.id,
                             fields: [.lastName: "Martin", .email: "achats\(account.id)@example.fr"])
        return account
    }

    func testCustomersCountApprovalsInPeriod() throws {
        let fixture = try SectorFixture()
        fixture.host.rules["solvency"] = { _ in .object([("decision", .string("approve"))]) }
        fixture.host.rules["paymentTerms"] = { _ in
            .object([("term", .string("30EOM")), ("method", .string("TRANSFER"))])
        }
        let opened = try completeAccount(fixture, "PARIS SARL", owner: "alice", sector: "75", siren: "732829320")
        let later = try completeAccount(fixture, "AJACCIO SAS", owner: "bob", sector: "2A", siren: "016750697")
        let refused = try completeAccount(fixture, "LILLE SA", owner: "alice", sector: "75", siren: "123456782")
        for account in [opened, later, refused] {
            _ = try Openings.request(fixture.context(as: account.ownerName, on: "2026-03-02"), account: account.id,
                                     creditLimit: nil, note: nil)
        }
        _ = try Openings.approve(fixture.context(as: "carl", on: "2026-03-31"), id: 1, term: nil, method: nil,
                                 creditLimit: nil)
        _ = try Openings.approve(fixture.context(as: "carl", on: "2026-04-01"), id: 2, term: nil, method: nil,
                                 creditLimit: nil)
        try Openings.reject(fixture.context(as: "carl", on: "2026-03-31"), id: 3, reason: "unpaid invoices")
        // The opened account moves after its approval; the customer stays with Paris.
        try Accounts.assign(fixture.context(as: "admin", on: "2026-04-02"), id: opened.id, sector: "2A")

        let alice = try fixture.objective(.rep("alice"), "2026-Q1", "customers", "2")
        let idf = try fixture.objective(.sector("IDF"), "2026-Q1", "customers", "1")
        let corsica = try fixture.objective(.sector("2A"), "2026-Q1", "customers", "1")
        let corsicaApril = try fixture.objective(.sector("2A"), "2026-Q2", "customers", "4")
        let rows = try fixture.report("2026-Q1", on: "2026-04-02")
        XCTAssertEqual(rows[alice]?.actual, 1)
        XCTAssertEqual(rows[alice]?.percentText, "50.0%")
        XCTAssertEqual(rows[idf]?.actual, 1)
        XCTAssertEqual(rows[idf]?.percentText, "100.0%")
        XCTAssertEqual(rows[corsica]?.actual, 0)
        XCTAssertNil(rows[corsica]?.forecast)
        let april = try XCTUnwrap(try fixture.report("2026-Q2", on: "2026-04-02")[corsicaApril])
        XCTAssertEqual(april.actual, 1)
        XCTAssertEqual(april.percentText, "25.0%")
        XCTAssertEqual(april.gap, 3)
        XCTAssertEqual(april.daysLeft, 90)
    }

    func testActivitiesCountLocalDayAndKind() throws {
        let fixture = try SectorFixture()
        try Settings.set(fixture.context(as: "admin"), key: "timezone.offset", value: .string("+02:00"))
        try fixture.account("PARIS SARL", owner: "alice", sector: "75")
        try fixture.account("AJACCIO SAS", owner: "bob", sector: "2A")
        func log(_ user: String, _ kind: Activity.Kind, account: Int64, at: String) throws {
            _ = try Activities.log(fixture.context(as: user, on: "2026-04-02"), kind: kind, subject: "Visit",
                                   link: .account(account), outcome: nil, at: at)
        }
        try log("alice", .call, account: 1, at: "2026-01-15T10:00")
        try log("alice", .meeting, account: 1, at: "2026-02-01T09:00")
        try Accounts.assign(fixture.context(as: "admin", on: "2026-02-20"), id: 1, sector: "2A")
        try log("alice", .call, account: 1, at: "2026-03-10T10:00")
        // 01:00 on 1 April in +02:00 is 23:00 UTC on 31 March: it counts in April.
        try log("alice", .call, account: 1, at: "2026-04-01T01:00")
        // 23:30 on 31 March in +02:00 is still March.
        try log("bob", .call, account: 2, at: "2026-03-31T23:30")
        let task = try Activities.plan(fixture.context(as: "alice", on: "2026-03-02"), kind: .task, subject: "Send offer",
                                       due: "2026-03-20", link: .account(1), owner: nil)
        try Activities.done(fixture.context(as: "alice", on: "2026-03-20"), id: task.id, outcome: nil)
        let planned = try Activities.plan(fixture.context(as: "alice", on: "2026-03-02"), kind: .call,
                                          subject: "Call back", due: "2026-03-25", link: .account(1), owner: nil)
        XCTAssertEqual(planned.status, .planned)

        let all = try fixture.objective(.rep("alice"), "2026-Q1", "activities", "8")
        let calls = try fixture.objective(.rep("alice"), "2026-Q1", "activities", "3", kind: "call")
        let paris = try fixture.objective(.sector("75"), "2026-Q1", "activities", "4")
        let corsica = try fixture.objective(.sector("2A"), "2026-Q1", "activities", "5")
        let france = try fixture.objective(.sector("FR"), "2026-Q1", "activities", "5")
        let aprilCalls = try fixture.objective(.rep("alice"), "2026-Q2", "activities", "1", kind: "call")
        let rows = try fixture.report("2026-Q1", on: "2026-04-02")
        XCTAssertEqual(rows[all]?.actual, 4)
        XCTAssertEqual(rows[all]?.percentText, "50.0%")
        XCTAssertEqual(rows[calls]?.actual, 2)
        XCTAssertEqual(rows[calls]?.percentText, "66.7%")
        XCTAssertEqual(rows[paris]?.actual, 2)
        XCTAssertEqual(rows[corsica]?.actual, 3)
        XCTAssertEqual(rows[corsica]?.percentText, "60.0%")
        XCTAssertEqual(rows[france]?.actual, 5)
        XCTAssertEqual(rows[france]?.percentText, "100.0%")
        XCTAssertEqual(rows[france]?.gap, 0)
        XCTAssertEqual(try fixture.report("2026-Q2", on: "2026-04-02")[aprilCalls]?.actual, 1)
    }

    // MARK: Managers

    func testManagersSeeDealsTwoLevelsDown() throws {
        let fixture = try SectorFixture()
        try fixture.account("PARIS SARL", owner: "alice", sector: "75")
        try fixture.account("BERLIN GMBH", owner: "bob", sector: "DE")
        try fixture.deal(account: 1, amount: "100.00", as: "alice")
        try fixture.deal(account: 2, amount: "200.00", as: "bob")
        func visible(_ user: String) throws -> [Int64] {
            try Opportunities.list(fixture.context(as: user), filter: OpportunityFilter()).map(\.id)
        }
        XCTAssertEqual(try visible("maya"), [1])
        XCTAssertEqual(try visible("nina"), [1])
        XCTAssertEqual(try visible("alice"), [1])
        try Accounts.assign(fixture.context(as: "admin"), id: 1, sector: "2A")
        XCTAssertEqual(try visible("maya"), [1])
        XCTAssertEqual(try visible("nina"), [])
        XCTAssertEqual(try Accounts.list(fixture.context(as: "nina"), filter: AccountFilter()).map(\.id), [])
        XCTAssertEqual(try Accounts.list(fixture.context(as: "maya"), filter: AccountFilter()).map(\.id), [1])
    }
}
