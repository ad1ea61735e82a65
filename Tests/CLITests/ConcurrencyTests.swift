import Foundation
import XCTest

/// Eight `crm` workers at once, each running a fixed list of operations:
/// adding an account, logging an activity on it, sending a quote,
/// approving an opening that other workers also try to approve, and
/// importing a small file. `CRM_CONCURRENCY_ROUNDS` sets how many times
/// each worker runs the list (2 by default, more in `make soak`).
final class ConcurrencyTests: XCTestCase {
    private static let workers = 8
    private static let openings = 6

    /// What one worker did, counted from the output of the commands that succeeded.
    private struct Tally {
        var accountsAdded = 0
        var activitiesLogged = 0
        var quotesSent: [String] = []
        var approvals: [Int] = []
        var imported = 0
        var failures: [String] = []
    }

    func testMixedLoadFromEightProcesses() throws {
        let rounds = ProcessInfo.processInfo.environment["CRM_CONCURRENCY_ROUNDS"].flatMap(Int.init) ?? 2
        let cli = try CLISandbox()
        for rep in 1...4 { cli.ok(["user", "add", "rep\(rep)", "--role", "sales"]) }
        for accountant in 1...2 { cli.ok(["user", "add", "acc\(accountant)", "--role", "accounting"]) }
        let sirens = ["732829320", "552032534", "542051180", "775670417", "383474814", "542107651"]
        for request in 1...ConcurrencyTests.openings {
            cli.ok(["account", "add", "OPENING \(request)", "--siren", sirens[request - 1], "--street", "1 rue Haute",
                    "--postal-code", "75011", "--city", "Paris"], as: "rep1")
            cli.ok(["contact", "add", "--account", String(request), "--last-name", "Martin", "--email",
                    "contact\(request)@example.fr"], as: "rep1")
            cli.ok(["opening", "request", String(request)], as: "rep1")
        }
        let initialAccounts = Int(cli.sql("SELECT count(*) FROM accounts"))!
        for worker in 0..<ConcurrencyTests.workers {
            for round in 0..<rounds {
                try "name,city\nIMPORTED \(worker)-\(round)-A,Paris\nIMPORTED \(worker)-\(round)-B,Lyon\n"
                    .write(to: cli.folder.appendingPathComponent("w\(worker)-\(round).csv"), atomically: true, encoding: .utf8)
            }
        }

        let tallies = Locked([Tally](repeating: Tally(), count: ConcurrencyTests.workers))
        // The workers only read the sandbox's folder and environment.
        nonisolated(unsafe) let sandbox = cli
        DispatchQueue.concurrentPerform(iterations: ConcurrencyTests.workers) { worker in
            let tally = ConcurrencyTests.work(sandbox, worker: worker, rounds: rounds)
            tallies.update { $0[worker] = tally }
        }
        let results = tallies.value

        let failures = results.flatMap(\.failures)
        XCTAssertEqual(failures, [], "operations failed")
        let added = results.map(\.accountsAdded).reduce(0, +)
        let imported = results.map(\.imported).reduce(0, +)
        XCTAssertEqual(added, ConcurrencyTests.workers * rounds)
        XCTAssertEqual(imported, ConcurrencyTests.workers * rounds * 2)
        XCTAssertEqual(Int(cli.sql("SELECT count(*) FROM accounts")), initialAccounts + added + imported)
        XCTAssertEqual(Int(cli.sql("SELECT count(*) FROM activities WHERE kind = 'call'")),
                       results.map(\.activitiesLogged).reduce(0, +))
        let numbers = results.flatMap(\.quotesSent)
        XCTAssertEqual(numbers.count, ConcurrencyTests.workers * rounds)
        XCTAssertEqual(Set(numbers).count, numbers.count, "a quote number was issued twice")
        XCTAssertEqual(cli.sql("SELECT count(*) || '|' || count(DISTINCT number) FROM quotes WHERE status = 'sent'"),
                       "\(numbers.count)|\(numbers.count)")
        XCTAssertEqual(cli.sql("SELECT next_value FROM sequences WHERE name = 'quote-2026'"), String(numbers.count + 1))
        let approvals = results.flatMap(\.approvals).sorted()
        XCTAssertEqual(approvals, Array(Set(approvals)).sorted(), "an opening was approved twice")
        XCTAssertEqual(cli.sql("SELECT group_concat(id) FROM (SELECT id FROM opening_requests WHERE status = 'approved' ORDER BY id)"),
                       approvals.map(String.init).joined(separator: ","))
        XCTAssertEqual(cli.sql("""
            SELECT count(*) FROM (SELECT entity_id FROM audit_log WHERE entity = 'opening' AND action = 'approve'
                                  GROUP BY entity_id HAVING count(*) > 1)
            """), "0")
        let check = cli.run(["db", "check"])
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
    }

    /// Runs one worker's operations in order and counts what succeeded.
    private static func work(_ cli: CLISandbox, worker: Int, rounds: Int) -> Tally {
        var tally = Tally()
        let rep = "rep\(worker % 4 + 1)"
        let accountant = "acc\(worker % 2 + 1)"
        func run(_ arguments: [String], as user: String) -> RunResult? {
            let result = cli.run(arguments, as: user)
            if result.stderr.contains("locked") || result.stderr.contains("busy") || result.status != 0 {
                tally.failures.append("\(arguments.joined(separator: " ")) as \(user): \(result.status) \(result.stderr)")
                return nil
            }
            return result
        }
        for round in 0..<rounds {
            guard let added = run(["account", "add", "WORKER \(worker)-\(round)"], as: rep) else { continue }
            tally.accountsAdded += 1
            let id = added.stdout.split(separator: " ")[2]
            if run(["activity", "log", "call", "--account", String(id), "--subject", "Call \(round)"], as: rep) != nil {
                tally.activitiesLogged += 1
            }
            if let quote = run(["quote", "new", "--account", String(id)], as: rep) {
                let reference = String(quote.stdout.split(separator: " ")[2])
                if run(["quote", "line", "add", reference, "--description", "Conseil", "--qty", "1", "--unit-price", "100",
                        "--vat", "20"], as: rep) != nil,
                   let sent = run(["quote", "send", reference], as: rep) {
                    tally.quotesSent.append(String(sent.stdout.split(separator: " ")[2]))
                }
            }
            let request = (worker + round) % ConcurrencyTests.openings + 1
            let approval = cli.run(["opening", "approve", String(request), "--term", "45EOM", "--method", "LCR"],
                                   as: accountant)
            if approval.status == 0 {
                tally.approvals.append(request)
            } else if !approval.stderr.hasPrefix("crm: error: request \(request) was already approved by ") {
                tally.failures.append("opening approve \(request): \(approval.status) \(approval.stderr)")
            }
            if let summary = run(["import", "accounts", "w\(worker)-\(round).csv"], as: rep) {
                let line = summary.stdout.split(separator: "\n").first { $0.hasPrefix("  imported:") } ?? ""
                tally.imported += Int(line.split(separator: " ").last ?? "") ?? 0
            }
        }
        return tally
    }
}

/// A value shared between threads behind a lock.
final class Locked<Value>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()

    init(_ value: Value) { stored = value }

    var value: Value { lock.withLock { stored } }

    func update(_ change: (inout Value) -> Void) { lock.withLock { change(&stored) } }
}
