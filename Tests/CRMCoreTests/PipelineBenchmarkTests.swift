import CRMCore
import Foundation
import XCTest

/// Times the pipeline queries on 1,000,000 opportunities, in Swift and in
/// the sqlite3 shell with the same SQL. Runs only with CRM_BENCH=1,
/// because building the data takes a while.
final class PipelineBenchmarkTests: XCTestCase {
    func testMillionOpportunities() throws {
        guard ProcessInfo.processInfo.environment["CRM_BENCH"] == "1" else {
            throw XCTSkip("set CRM_BENCH=1 to time the pipeline on 1,000,000 opportunities")
        }
        let fixture = try PipelineFixture()
        let database = fixture.database
        var started = Date()
        // Amounts from 0.00 to 99,999.99 EUR, some in USD, over the five
        // seeded stages, two owners on two accounts, close dates over 2026.
        try database.transaction { () throws(CRMError) in
            try database.execute("""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
                INSERT INTO opportunities (account_id, title, amount, currency, probability, stage_id, expected_close,
                                           owner_id, created_at, updated_at)
                SELECT 1 + i % 2, 'Deal ' || i, (i * 7919) % 10000000, CASE WHEN i % 10 = 0 THEN 'USD' ELSE 'EUR' END,
                       i % 101, 1 + i % 5, date('2026-01-01', '+' || (i % 365) || ' days'), 2 + i % 2,
                       '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'
                FROM n
                """)
        }
        try database.execute("ANALYZE")
        print("benchmark: inserted 1,000,000 opportunities in \(seconds(since: started)) s")

        for user in ["admin", "alice", "maya"] {
            started = Date()
            let report = try Pipeline.report(fixture.context(as: user), filter: PipelineFilter())
            print("benchmark: crm pipeline as \(user): \(seconds(since: started)) s, "
                  + "\(report.stages.count) stage lines, \(report.forecast.count) forecast lines")
        }

        for (name, sql) in [("stage", Pipeline.stageSQL), ("forecast", Pipeline.forecastSQL)] {
            let script = """
                .parameter init
                .parameter set ?1 NULL
                .parameter set ?2 NULL
                .parameter set ?3 NULL
                .parameter set ?4 NULL
                .parameter set ?5 NULL
                .timer on
                \(sql);
                """
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
            process.arguments = [fixture.test.path]
            let input = Pipe(), output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            input.fileHandleForWriting.write(Data(script.utf8))
            try input.fileHandleForWriting.close()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0)
            let timing = text.split(separator: "\n").filter { $0.hasPrefix("Run Time") }
            print("benchmark: sqlite3 shell, \(name) query: \(timing.joined(separator: "; "))")
            XCTAssertFalse(timing.isEmpty, text)
        }
    }

    private func seconds(since start: Date) -> String {
        String(format: "%.3f", Date().timeIntervalSince(start))
    }
}
