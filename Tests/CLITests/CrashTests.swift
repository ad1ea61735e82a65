import Foundation
import XCTest

/// A deterministic pseudo-random generator (SplitMix64), so a failing kill
/// point can be replayed from the seed printed with it.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

/// One operation killed at many points: how to prepare its database, the
/// command to kill, and how to read the state it leaves.
private struct CrashScenario {
    let name: String
    let arguments: [String]
    let user: String
    let prepare: (CLISandbox) throws -> Void
    /// Returns a description of the state: `before`, `after`, or anything
    /// else for a state in between, which is a failure.
    let state: (CLISandbox) -> String
}

/// Kills `crm` with SIGKILL after its Nth SQL statement during an import, a
/// quote send, an account approval and a pack install, then checks that
/// the database passes `crm db check` and that each operation happened
/// completely or not at all. `CRM_KILL_POINTS` sets how many kill points
/// run (30 by default, 300 in `make soak`); `CRM_KILL_SEED` replays a run.
final class CrashTests: XCTestCase {
    private static let fixtures = CLISandbox.projectRoot.appendingPathComponent("Tests/CRMCoreTests/Fixtures/import")

    private var scenarios: [CrashScenario] {
        let importFile = CrashTests.fixtures.appendingPathComponent("Account.csv").path
        return [
            CrashScenario(
                name: "import", arguments: ["import", "accounts", importFile], user: "admin",
                prepare: { _ in },
                state: { cli in
                    let counts = cli.sql("""
                        SELECT (SELECT count(*) FROM accounts) || '|' || (SELECT count(*) FROM external_ids) || '|' ||
                               coalesce((SELECT group_concat(status) FROM import_runs), '')
                        """)
                    switch counts {
                    case "0|0|": return "before"
                    case "10|10|done": return "after"
                    default: return "accounts|source ids|runs = \(counts)"
                    }
                }),
            CrashScenario(
                name: "quote send", arguments: ["quote", "send", "1"], user: "admin",
                prepare: { cli in
                    cli.ok(["account", "add", "ATELIER LUMIERE", "--siren", "732829320"])
                    cli.ok(["quote", "new", "--account", "1"])
                    cli.ok(["quote", "line", "add", "1", "--description", "Conseil", "--qty", "3", "--unit-price",
                            "412.50", "--vat", "20"])
                    cli.ok(["quote", "line", "add", "1", "--description", "Livre", "--qty", "2", "--unit-price",
                            "19.90", "--vat", "5.5"])
                },
                state: { cli in
                    let row = cli.sql("""
                        SELECT status || '|' || coalesce(number, '-') || '|' ||
                               coalesce((SELECT next_value FROM sequences WHERE name = 'quote-2026'), 1) || '|' ||
                               (SELECT count(*) FROM audit_log WHERE entity = 'quote' AND action = 'send')
                        FROM quotes WHERE id = 1
                        """)
                    switch row {
                    case "draft|-|1|0": return "before"
                    case "sent|Q-2026-00001|2|1": return "after"
                    default: return "status|number|next value|audit = \(row)"
                    }
                }),
            CrashScenario(
                name: "opening approve", arguments: ["opening", "approve", "1", "--term", "45EOM", "--method", "LCR"],
                user: "carl",
                prepare: { cli in
                    cli.ok(["user", "add", "alice", "--role", "sales"])
                    cli.ok(["user", "add", "carl", "--role", "accounting"])
                    cli.ok(["account", "add", "ATELIER LUMIERE", "--siren", "732829320", "--street", "12 rue de la Forge",
                            "--postal-code", "75011", "--city", "Paris"], as: "alice")
                    cli.ok(["contact", "add", "--account", "1", "--last-name", "Martin", "--email",
                            "claire.martin@example.fr"], as: "alice")
                    cli.ok(["opening", "request", "1"], as: "alice")
                },
                state: { cli in
                    let row = cli.sql("""
                        SELECT r.status || '|' || a.status || '|' || coalesce(a.opened_by_request, '-') || '|' ||
                               (SELECT count(*) FROM notifications WHERE subject LIKE 'Account opening approved%')
                        FROM opening_requests r JOIN accounts a ON a.id = r.account_id WHERE r.id = 1
                        """)
                    switch row {
                    case "pending|prospect|-|0": return "before"
                    case "approved|customer|1|1": return "after"
                    default: return "request|account|opened by|notifications = \(row)"
                    }
                }),
            CrashScenario(
                name: "pack install", arguments: ["pack", "install", "welcome"], user: "admin",
                prepare: { cli in
                    let folder = cli.folder.appendingPathComponent("welcome")
                    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                    try """
                        return { name = "welcome", version = "1.0.0", api = 1,
                                 plugins = { "welcome.lua", "limit.lua" } }
                        """.write(to: folder.appendingPathComponent("pack.lua"), atomically: true, encoding: .utf8)
                    try """
                        local P = { name = "welcome-note", version = "1.0.0" }
                        function P.onAccountCreated(account, crm) crm.addNote(account.id, "Call within a week") end
                        return P
                        """.write(to: folder.appendingPathComponent("welcome.lua"), atomically: true, encoding: .utf8)
                    try """
                        local P = { name = "limit-flag", version = "1.0.0" }
                        function P.onAccountCreated(account, crm) crm.addFlag(account.id, "new") end
                        return P
                        """.write(to: folder.appendingPathComponent("limit.lua"), atomically: true, encoding: .utf8)
                },
                state: { cli in
                    let row = cli.sql("""
                        SELECT (SELECT count(*) FROM packs) || '|' || (SELECT count(*) FROM pack_files) || '|' ||
                               (SELECT count(*) FROM audit_log WHERE entity = 'pack')
                        """)
                    switch row {
                    case "0|0|0": return "before"
                    case "1|3|1": return "after"
                    default: return "packs|files|audit = \(row)"
                    }
                }),
        ]
    }

    func testKilledOperationsLeaveNoPartialState() throws {
        let environment = ProcessInfo.processInfo.environment
        let points = environment["CRM_KILL_POINTS"].flatMap(Int.init) ?? 30
        let seed = environment["CRM_KILL_SEED"].flatMap(UInt64.init) ?? 20_260_302
        var generator = SeededGenerator(seed: seed)
        var inside = 0
        var outcomes: [String: [String: Int]] = [:]
        for (index, scenario) in scenarios.enumerated() {
            let template = try CLISandbox()
            try scenario.prepare(template)
            XCTAssertEqual(scenario.state(template), "before", "\(scenario.name): the prepared state is wrong")
            let statements = try countStatements(scenario, template: template)
            let share = points / scenarios.count + (index < points % scenarios.count ? 1 : 0)
            for _ in 0..<share {
                let limit = Int.random(in: 1...statements, using: &generator)
                let cli = try copy(of: template)
                let run = cli.run(scenario.arguments, as: scenario.user,
                                  extra: ["CRM_KILL_AFTER_STATEMENTS": String(limit)])
                let label = "\(scenario.name), killed after statement \(limit) of \(statements) (seed \(seed))"
                XCTAssertTrue(run.stderr.contains("crm: test hook: killed after statement \(limit), "), "\(label): \(run.stderr)")
                if run.stderr.contains("inside a transaction") { inside += 1 }
                let check = cli.run(["db", "check"])
                XCTAssertEqual(check.status, 0, "\(label): \(check.stdout)\(check.stderr)")
                XCTAssertEqual(check.stdout, "No problems found.\n", label)
                let state = scenario.state(cli)
                XCTAssertTrue(state == "before" || state == "after", "\(label): partial state \(state)")
                outcomes[scenario.name, default: [:]][state, default: 0] += 1
                let retry = cli.run(scenario.arguments, as: scenario.user)
                if state == "before" {
                    XCTAssertEqual(retry.status, 0, "\(label): running it again failed: \(retry.stderr)")
                    XCTAssertEqual(scenario.state(cli), "after", "\(label): running it again did not complete it")
                }
            }
        }
        print("crash test: \(points) kill points, \(inside) inside a transaction, seed \(seed), outcomes \(outcomes)")
        XCTAssertGreaterThanOrEqual(inside * 2, points, "fewer than half of the kills landed inside a transaction")
    }

    /// Runs the scenario once on a copy and returns its statement count.
    private func countStatements(_ scenario: CrashScenario, template: CLISandbox) throws -> Int {
        let cli = try copy(of: template)
        let run = cli.run(scenario.arguments, as: scenario.user, extra: ["CRM_KILL_AFTER_STATEMENTS": "count"])
        XCTAssertEqual(run.status, 0, "\(scenario.name): \(run.stderr)")
        XCTAssertEqual(scenario.state(cli), "after", "\(scenario.name): a full run did not complete")
        let marker = "crm: test hook: "
        guard let line = run.stderr.split(separator: "\n").first(where: { $0.hasPrefix(marker) }),
              let count = Int(line.dropFirst(marker.count).split(separator: " ")[0]), count > 1 else {
            XCTFail("\(scenario.name): no statement count in \(run.stderr)")
            return 2
        }
        return count
    }

    /// A new sandbox holding a copy of another's files, the database and its WAL included.
    private func copy(of template: CLISandbox) throws -> CLISandbox {
        let cli = try CLISandbox(initialise: false)
        let manager = FileManager.default
        for name in try manager.contentsOfDirectory(atPath: template.folder.path) where !name.hasSuffix("-shm") {
            try manager.copyItem(at: template.folder.appendingPathComponent(name),
                                 to: cli.folder.appendingPathComponent(name))
        }
        cli.environment["CRM_USER"] = "admin"
        return cli
    }
}
