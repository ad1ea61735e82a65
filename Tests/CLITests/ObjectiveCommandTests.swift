import Foundation
import XCTest

final class ObjectiveCommandTests: XCTestCase {
    /// Regions and départements, a manager for Île-de-France, and reps.
    private func sectorTree(_ cli: CLISandbox) {
        for (name, role) in [("alice", "sales"), ("bob", "sales"), ("maya", "manager"), ("carl", "accounting")] {
            cli.ok(["user", "add", name, "--role", role])
        }
        let sectors: [(String, String, String?)] = [
            ("IDF", "Île-de-France", nil), ("75", "Paris", "IDF"),
            ("ARA", "Auvergne-Rhône-Alpes", nil), ("69", "Rhône", "ARA"),
            ("COR", "Corse", nil), ("2A", "Corse-du-Sud", "COR"),
            ("OM", "Outre-mer", nil), ("972", "Martinique", "OM"),
            ("DE", "Allemagne", nil),
        ]
        for (code, name, parent) in sectors {
            cli.ok(["sector", "add", code, "--name", name] + (parent.map { ["--parent", $0] } ?? []))
        }
        cli.ok(["sector", "set-manager", "IDF", "maya"])
        cli.ok(["sector", "assign-rep", "75", "alice"])
        cli.ok(["sector", "assign-rep", "69", "alice"])
        cli.ok(["sector", "assign-rep", "75", "bob"])
        cli.ok(["sector", "assign-rep", "2A", "bob"])
    }

    /// Account id and sector code of every account, one `id|code` per line.
    private func sectors(_ cli: CLISandbox) -> String {
        cli.sql("SELECT a.id || '|' || ifnull(s.code, '') FROM accounts a LEFT JOIN sectors s ON s.id = a.sector_id "
                + "ORDER BY a.id")
    }

    /// Adds a deal and returns its id, read from the command's output.
    private func deal(_ cli: CLISandbox, account: Int, amount: String, close: String, probability: Int? = nil,
                      currency: String? = nil, as user: String, file: StaticString = #filePath,
                      line: UInt = #line) -> String {
        var arguments = ["opportunity", "add", "--account", String(account), "--title", "Deal", "--amount", amount,
                         "--close-date", close, "--today", "2026-01-05"]
        if let probability { arguments += ["--probability", String(probability)] }
        if let currency { arguments += ["--currency", currency] }
        let output = cli.ok(arguments, as: user, file: file, line: line)
        return String(output.split(separator: " ")[2])
    }

    private func win(_ cli: CLISandbox, _ id: String, on day: String, as user: String) {
        cli.ok(["opportunity", "win", id, "--today", day], as: user)
    }

    func testQuarterlyObjectivesOfRepAndRegion() throws {
        let cli = try CLISandbox()
        sectorTree(cli)

        let accounts: [(String, [String], String)] = [
            ("PARIS CONSEIL", ["--postal-code", "75008", "--city", "Paris"], "alice"),
            ("PARIS BATIMENT", ["--postal-code", "75011", "--city", "Paris"], "alice"),
            ("PARIS EDITIONS", ["--postal-code", "75 015", "--city", "Paris"], "bob"),
            ("LYON MECANIQUE", ["--postal-code", "69002", "--city", "Lyon"], "alice"),
            ("LYON TEXTILE", ["--postal-code", "69007", "--city", "Lyon"], "bob"),
            ("AJACCIO MARINE", ["--postal-code", "20000", "--city", "Ajaccio"], "bob"),
            ("BASTIA PORT", ["--postal-code", "20200", "--city", "Bastia"], "bob"),
            ("FORT-DE-FRANCE RHUM", ["--postal-code", "97200", "--city", "Fort-de-France"], "bob"),
            ("BERLIN WERKZEUG", ["--country", "DE", "--postal-code", "10115", "--city", "Berlin"], "alice"),
            ("NEW YORK TRADING", ["--country", "US", "--postal-code", "10001", "--city", "New York"], "alice"),
            ("MONACO YACHTS", ["--postal-code", "98000", "--city", "Monaco"], "alice"),
            ("PARIS SANS ADRESSE", [], "alice"),
        ]
        for (index, (name, fields, owner)) in accounts.enumerated() {
            XCTAssertEqual(cli.ok(["account", "add", name, "--owner", owner] + fields, as: "admin"),
                           "Added account \(index + 1) (prospect).\n")
        }
        // Bastia waits for a 2B sector; abroad only Germany has one; the last account has no postal code yet.
        XCTAssertEqual(sectors(cli), "1|75\n2|75\n3|75\n4|69\n5|69\n6|2A\n7|\n8|972\n9|DE\n10|\n11|\n12|")
        XCTAssertEqual(cli.sql("SELECT count(*) || '|' || min(plugin) FROM decisions WHERE rule = 'sectorFor'"),
                       "8|sector-by-department")

        cli.ok(["account", "edit", "12", "--postal-code", "75002"], as: "alice")
        cli.ok(["sector", "add", "2B", "--name", "Haute-Corse", "--parent", "COR"])
        cli.ok(["account", "assign", "5", "--sector", "ARA"], as: "admin")
        XCTAssertEqual(cli.ok(["sector", "reassign", "--dry-run"]),
                       "ACCOUNT\tFROM\tTO\n7\t\t2B\n1 account would change sector; nothing was changed (--dry-run).\n")
        XCTAssertEqual(sectors(cli).split(separator: "\n")[6], "7|")
        XCTAssertEqual(cli.ok(["sector", "reassign"]), "ACCOUNT\tFROM\tTO\n7\t\t2B\n1 account changed sector.\n")
        XCTAssertEqual(sectors(cli), "1|75\n2|75\n3|75\n4|69\n5|ARA\n6|2A\n7|2B\n8|972\n9|DE\n10|\n11|\n12|75")
        XCTAssertEqual(cli.sql("""
            SELECT field || '|' || ifnull(old_value, '') || '|' || new_value || '|' || command || '|' || plugin
            FROM audit_log WHERE entity_id = 7 AND field = 'sector'
            """), "sector||2B|sector reassign|sector-by-department")

        XCTAssertEqual(cli.ok(["objective", "set", "--rep", "alice", "--period", "2026-Q1", "--metric", "revenue",
                               "--target", "20000"]),
                       "Added objective 1 (rep alice 2026-Q1 revenue EUR): target 20000.00 EUR.\n")
        XCTAssertEqual(cli.ok(["objective", "set", "--sector", "IDF", "--period", "2026-Q1", "--metric", "revenue",
                               "--target", "50000.00"], as: "maya"),
                       "Added objective 2 (sector IDF 2026-Q1 revenue EUR): target 50000.00 EUR.\n")

        // Won in the quarter: 12000.00 and 3500.50 (alice, Paris), 8000.00 (bob, Paris), 2000.00 (alice, Lyon),
        // 4000.00 (bob, Ajaccio) and 5000.00 USD (alice, Paris). Won on 1 April: 1000.00 (alice, Paris).
        win(cli, deal(cli, account: 1, amount: "12000.00", close: "2026-01-31", as: "alice"), on: "2026-01-15",
            as: "alice")
        win(cli, deal(cli, account: 2, amount: "3500.50", close: "2026-03-31", as: "alice"), on: "2026-03-31",
            as: "alice")
        win(cli, deal(cli, account: 3, amount: "8000.00", close: "2026-02-28", as: "bob"), on: "2026-02-10", as: "bob")
        win(cli, deal(cli, account: 4, amount: "2000.00", close: "2026-02-28", as: "alice"), on: "2026-02-20",
            as: "alice")
        win(cli, deal(cli, account: 6, amount: "4000.00", close: "2026-03-31", as: "bob"), on: "2026-03-01", as: "bob")
        win(cli, deal(cli, account: 1, amount: "5000.00", close: "2026-03-31", currency: "USD", as: "alice"),
            on: "2026-03-05", as: "alice")
        let april = deal(cli, account: 2, amount: "1000.00", close: "2026-04-30", as: "alice")
        // Open: 10000.00 at 40 % and 333.33 at 15 % expected in March, 6000.00 at 50 % expected in June.
        _ = deal(cli, account: 1, amount: "10000.00", close: "2026-03-20", probability: 40, as: "alice")
        _ = deal(cli, account: 3, amount: "333.33", close: "2026-03-31", probability: 15, as: "bob")
        _ = deal(cli, account: 4, amount: "6000.00", close: "2026-06-30", probability: 50, as: "alice")

        XCTAssertEqual(cli.ok(["objective", "report", "--period", "2026-Q1", "--today", "2026-03-31"]), """
            ID\tFOR\tPERIOD\tMETRIC\tTARGET\tACTUAL\tATTAINMENT\tGAP\tFORECAST\tDAYS LEFT
            2\tsector IDF\t2026-Q1\trevenue EUR\t50000.00 EUR\t23500.50 EUR\t47.0%\t26499.50 EUR\t27550.50 EUR\t1
            1\trep alice\t2026-Q1\trevenue EUR\t20000.00 EUR\t17500.50 EUR\t87.5%\t2499.50 EUR\t21500.50 EUR\t1

            """)
        // maya manages IDF, where alice is a rep: she sees both objectives; alice sees her own.
        XCTAssertEqual(cli.ok(["objective", "report", "--today", "2026-03-31"], as: "maya").split(separator: "\n").count, 3)
        let own = try XCTUnwrap(cli.json(["objective", "report", "--today", "2026-03-31"], as: "alice") as? [[String: Any]])
        XCTAssertEqual(own.count, 1)
        XCTAssertEqual(own[0]["rep"] as? String, "alice")
        XCTAssertEqual((own[0]["actual"] as? [String: String])?["amount"], "17500.50")
        XCTAssertEqual((own[0]["forecast"] as? [String: String])?["amount"], "21500.50")
        XCTAssertEqual((own[0]["gap"] as? [String: String])?["currency"], "EUR")
        XCTAssertEqual(own[0]["attainmentPercent"] as? String, "87.5")
        XCTAssertEqual(own[0]["daysLeft"] as? Int, 1)

        // After the quarter: no forecast, no days left, and the April win counts in April only.
        win(cli, april, on: "2026-04-01", as: "alice")
        XCTAssertEqual(cli.ok(["objective", "report", "--period", "2026-q1", "--rep", "alice", "--today", "2026-04-01"]),
                       """
            ID\tFOR\tPERIOD\tMETRIC\tTARGET\tACTUAL\tATTAINMENT\tGAP\tFORECAST\tDAYS LEFT
            1\trep alice\t2026-Q1\trevenue EUR\t20000.00 EUR\t17500.50 EUR\t87.5%\t2499.50 EUR\t\t

            """)
        XCTAssertEqual(cli.ok(["objective", "report", "--today", "2026-04-01"]),
                       "ID\tFOR\tPERIOD\tMETRIC\tTARGET\tACTUAL\tATTAINMENT\tGAP\tFORECAST\tDAYS LEFT\n")
    }

    func testReportDrawsBarsOnTerminal() throws {
        let cli = try CLISandbox()
        sectorTree(cli)
        cli.ok(["account", "add", "PARIS CONSEIL", "--postal-code", "75008", "--owner", "alice"])
        cli.ok(["objective", "set", "--rep", "alice", "--period", "2026-03", "--metric", "revenue", "--target", "800"])
        cli.ok(["objective", "set", "--sector", "IDF", "--period", "2026-03", "--metric", "deals", "--target", "4"])
        cli.ok(["objective", "set", "--sector", "75", "--period", "2026-03", "--metric", "revenue",
                "--target", "1000"])
        win(cli, deal(cli, account: 1, amount: "1000.00", close: "2026-03-31", as: "alice"), on: "2026-03-02",
            as: "alice")
        let command = "\(CLISandbox.binary) objective report --today 2026-03-02"

        let plain = try terminal(cli, command, colour: false)
        XCTAssertEqual(plain, """
            ID  FOR         PERIOD   METRIC       TARGET       ACTUAL       ATTAINMENT  GAP          FORECAST     \
            DAYS LEFT  PROGRESS
            3   sector 75   2026-03  revenue EUR  1000.00 EUR  1000.00 EUR  100.0%      0.00 EUR     1000.00 EUR  \
            30         ████████████████████
            2   sector IDF  2026-03  deals        4            1            25.0%       3                         \
            30         █████░░░░░░░░░░░░░░░
            1   rep alice   2026-03  revenue EUR  800.00 EUR   1000.00 EUR  125.0%      -200.00 EUR  1000.00 EUR  \
            30         ████████████████████

            """)

        let coloured = try terminal(cli, command, colour: true)
        let lines = coloured.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertTrue(lines[0].hasPrefix("\u{1B}[1mID  FOR"), String(lines[0]))
        XCTAssertTrue(lines[1].hasSuffix("\u{1B}[32m████████████████████\u{1B}[0m"), String(lines[1]))
        XCTAssertTrue(lines[2].hasSuffix("30         █████░░░░░░░░░░░░░░░"), String(lines[2]))
        XCTAssertTrue(lines[3].hasSuffix("\u{1B}[32m████████████████████\u{1B}[0m"), String(lines[3]))
    }

    /// Runs a shell command under `script`, which gives it a terminal, and
    /// returns what it printed with the terminal's line endings undone.
    private func terminal(_ cli: CLISandbox, _ command: String, colour: Bool) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-q", "-e", "-c", command, "/dev/null"]
        var environment = cli.environment
        if colour { environment["NO_COLOR"] = nil }
        process.environment = environment
        process.currentDirectoryURL = cli.folder
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
    }

    func testUnknownSectorFromRuleFailsWithLocation() throws {
        let cli = try CLISandbox()
        let folder = cli.folder.appendingPathComponent("territories")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try """
            return { name = "territories", version = "1.0.0", api = 1, plugins = { "territories.lua" } }
            """.write(to: folder.appendingPathComponent("pack.lua"), atomically: true, encoding: .utf8)
        try """
            local P = { name = "territories", version = "1.0.0" }

            function P.sectorFor(account, crm)
              if account.country == "FR" then return "FR-SOUTH" end
              return nil
            end

            return P
            """.write(to: folder.appendingPathComponent("territories.lua"), atomically: true, encoding: .utf8)
        cli.ok(["pack", "install", folder.path])
        let failed = cli.run(["account", "add", "MARSEILLE SA", "--postal-code", "13001"])
        XCTAssertEqual(failed.status, 1)
        XCTAssertEqual(failed.stdout, "")
        XCTAssertEqual(failed.stderr, "crm: error: plugin territories (territories/territories.lua:3): sectorFor "
                       + "returned the sector code 'FR-SOUTH', which is not a sector of this database; add it with "
                       + "`crm sector add` or change the rule\n")
        XCTAssertEqual(cli.sql("SELECT count(*) FROM accounts"), "0")
        XCTAssertEqual(cli.sql("SELECT count(*) FROM decisions"), "0")

        cli.ok(["sector", "add", "FR-SOUTH", "--name", "Sud"])
        cli.ok(["account", "add", "MARSEILLE SA", "--postal-code", "13001"])
        XCTAssertEqual(sectors(cli), "1|FR-SOUTH")
        XCTAssertEqual(cli.sql("SELECT plugin || '|' || source FROM decisions"),
                       "territories|pack territories@1.0.0 territories/territories.lua")
    }

    func testAssignByHandAndBackToRule() throws {
        let cli = try CLISandbox()
        sectorTree(cli)
        cli.ok(["account", "add", "LYON MECANIQUE", "--postal-code", "69002", "--owner", "alice"])
        cli.ok(["account", "assign", "1", "--sector", "75"])
        cli.ok(["account", "edit", "1", "--postal-code", "69007"])
        XCTAssertEqual(cli.ok(["account", "show", "1"]).split(separator: "\n").first { $0.hasPrefix("Sector:") },
                       "Sector:            75 (assigned by hand)")
        XCTAssertEqual(cli.ok(["account", "assign", "1", "--auto"]),
                       "Account 1 is assigned by the sector rule: sector 69.\n")
        XCTAssertEqual(sectors(cli), "1|69")
        XCTAssertEqual(cli.sql("SELECT sector_manual FROM accounts"), "0")
        let both = cli.run(["account", "assign", "1", "--auto", "--sector", "75"])
        XCTAssertEqual(both.status, 2)
        XCTAssertEqual(both.stderr, "crm: error: give either --sector CODE or --auto, not both\n"
                       + "Usage: crm account assign ID [options]\nSee `crm account assign --help`.\n")
        let refused = cli.run(["sector", "reassign"], as: "maya")
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.stderr, "crm: error: permission denied: to re-run the sector rule on every account "
                       + "you need the admin role (maya is manager)\n")
    }

    func testObjectiveUsageErrors() throws {
        let cli = try CLISandbox()
        sectorTree(cli)
        let both = cli.run(["objective", "set", "--rep", "alice", "--sector", "IDF", "--period", "2026-Q1",
                            "--metric", "deals", "--target", "3"])
        XCTAssertEqual(both.status, 2)
        XCTAssertEqual(both.stderr, "crm: error: give either --rep USER or --sector CODE, not both\n"
                       + "Usage: crm objective set [options]\nSee `crm objective set --help`.\n")
        let period = cli.run(["objective", "report", "--period", "2026-Q5"])
        XCTAssertEqual(period.status, 2)
        XCTAssertEqual(period.stderr, "crm: error: invalid --period '2026-Q5': expected a month (2026-03), a quarter "
                       + "(2026-Q1) or a year (2026)\nUsage: crm objective report [options]\n"
                       + "See `crm objective report --help`.\n")
        let sales = cli.run(["objective", "set", "--rep", "alice", "--period", "2026-Q1", "--metric", "deals",
                             "--target", "3"], as: "alice")
        XCTAssertEqual(sales.status, 1)
        XCTAssertEqual(sales.stderr, "crm: error: permission denied: to set or remove objectives you need the "
                       + "manager or admin role (alice is sales)\n")
        cli.ok(["objective", "set", "--sector", "IDF", "--period", "2026", "--metric", "activities", "--kind", "call",
                "--target", "400"])
        XCTAssertEqual(cli.ok(["objective", "set", "--sector", "IDF", "--period", "2026", "--metric", "activities",
                               "--kind", "call", "--target", "450"], as: "maya"),
                       "Objective 1 (sector IDF 2026 activities call): target 450, was 400.\n")
        XCTAssertEqual(cli.ok(["objective", "list"], as: "maya"),
                       "ID\tFOR\tPERIOD\tMETRIC\tTARGET\n1\tsector IDF\t2026\tactivities call\t450\n")
        XCTAssertEqual(cli.ok(["objective", "remove", "1"], as: "maya"),
                       "Removed objective 1 (sector IDF 2026 activities call).\n")
        XCTAssertEqual(cli.ok(["objective", "list"]), "ID\tFOR\tPERIOD\tMETRIC\tTARGET\n")
    }
}
