import Foundation
import XCTest

final class PackCommandTests: XCTestCase {
    /// Writes a pack folder with the given files (name → Lua text).
    private func writePack(_ cli: CLISandbox, folder name: String, manifest: String, files: [String: String]) throws -> String {
        let folder = cli.folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try manifest.write(to: folder.appendingPathComponent("pack.lua"), atomically: true, encoding: .utf8)
        for (file, text) in files {
            try text.write(to: folder.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        return folder.path
    }

    private func notePlugin(_ name: String, text: String, priority: Int = 0) -> String {
        """
        local P = { name = "\(name)", version = "1.0.0", priority = \(priority) }

        function P.onAccountCreated(account, crm)
          crm.addNote(account.id, "\(text)")
        end

        return P
        """
    }

    func testInstalledPackChangesAccountAdd() throws {
        let cli = try CLISandbox()
        let path = try writePack(cli, folder: "welcome", manifest: """
            return { name = "welcome", version = "1.0.0", api = 1, plugins = { "welcome.lua" },
                     settings = { ["welcome.text"] = "Call within a week" } }
            """, files: ["welcome.lua": """
            local P = { name = "welcome-note", version = "1.2.0" }

            function P.onAccountCreated(account, crm)
              crm.addNote(account.id, crm.setting("welcome.text"))
            end

            return P
            """])
        XCTAssertEqual(cli.ok(["pack", "install", path]), "Installed pack welcome 1.0.0 (1 plugin).\n")
        let list = cli.ok(["plugin", "list"]).split(separator: "\n")
        XCTAssertEqual(list.first, "HOOK\tORDER\tPLUGIN\tVERSION\tPRIORITY\tSOURCE\tFILE")
        XCTAssertEqual(list.filter { $0.hasPrefix("onAccountCreated\t") },
                       ["onAccountCreated\t1\twelcome-note\t1.2.0\t0\tpack welcome@1.0.0\twelcome/welcome.lua:3"])
        XCTAssertEqual(list.filter { $0.hasPrefix("solvency\t") },
                       ["solvency\t1\tdefault-solvency\t1.0.0\t0\tbundled\tplugins/solvency.lua:22"])
        cli.ok(["account", "add", "ACME"])
        XCTAssertEqual(cli.sql("SELECT text || '|' || plugin FROM notes"), "Call within a week|welcome-note")
        cli.ok(["setting", "set", "welcome.text", "Send the catalogue"])
        cli.ok(["account", "add", "BETA"])
        XCTAssertEqual(cli.sql("SELECT text FROM notes WHERE account_id = 2"), "Send the catalogue")
        let show = cli.ok(["pack", "show", "welcome"])
        let checksum = cli.sql("SELECT sha256 FROM pack_files WHERE path = 'welcome.lua'")
        XCTAssertEqual(checksum.count, 64)
        XCTAssertTrue(show.contains("plugin\twelcome.lua\tsha256:\(checksum)"), show)
        let source = try String(contentsOfFile: path + "/welcome.lua", encoding: .utf8)
        XCTAssertEqual(checksum, sha256Hex(source))
    }

    /// SHA-256 computed by the sha256sum tool, to check the stored value independently.
    private func sha256Hex(_ text: String) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try? process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        input.fileHandleForWriting.closeFile()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(String(decoding: data, as: UTF8.self).prefix(64))
    }

    func testVersionsRollbackDisableAndRemove() throws {
        let cli = try CLISandbox()
        let first = try writePack(cli, folder: "v1", manifest: #"return { name = "notes", version = "1.0.0", plugins = { "n.lua" } }"#,
                                  files: ["n.lua": notePlugin("notes", text: "first")])
        let second = try writePack(cli, folder: "v2", manifest: #"return { name = "notes", version = "1.1.0", plugins = { "n.lua" } }"#,
                                   files: ["n.lua": notePlugin("notes", text: "second")])
        cli.ok(["pack", "install", first])
        cli.ok(["pack", "install", second])
        let again = cli.run(["pack", "install", second])
        XCTAssertEqual(again.status, 1)
        XCTAssertEqual(again.stderr, "crm: error: pack notes 1.1.0 is already installed; raise the version in pack.lua to "
                                     + "install a change, or `crm pack rollback notes --to 1.1.0`\n")
        cli.ok(["account", "add", "A"])
        XCTAssertEqual(cli.ok(["pack", "rollback", "notes"]), "Pack notes is back at version 1.0.0.\n")
        cli.ok(["account", "add", "B"])
        XCTAssertEqual(cli.ok(["pack", "rollback", "notes", "--to", "1.1.0"]), "Pack notes is back at version 1.1.0.\n")
        cli.ok(["account", "add", "C"])
        XCTAssertEqual(cli.sql("SELECT group_concat(text, ',') FROM (SELECT text FROM notes ORDER BY id)"), "second,first,second")
        cli.ok(["pack", "disable", "notes"])
        cli.ok(["account", "add", "D"])
        XCTAssertEqual(cli.sql("SELECT count(*) FROM notes"), "3")
        XCTAssertTrue(cli.ok(["pack", "list"]).contains("notes\t1.1.0\t1\tdisabled"))
        cli.ok(["pack", "enable", "notes"])
        cli.ok(["pack", "remove", "notes"])
        XCTAssertEqual(cli.sql("SELECT count(*) FROM packs"), "0")
        XCTAssertEqual(cli.sql("SELECT count(*) FROM pack_files"), "0")
        let gone = cli.run(["pack", "rollback", "notes"])
        XCTAssertEqual(gone.stderr, "crm: error: no pack named 'notes' is installed; see `crm pack list`\n")
    }

    func testPackNeedingANewerAPIIsRejected() throws {
        let cli = try CLISandbox()
        let path = try writePack(cli, folder: "future", manifest: #"return { name = "future", version = "2.0.0", api = 2, plugins = { "f.lua" } }"#,
                                 files: ["f.lua": notePlugin("future", text: "x")])
        let result = cli.run(["pack", "install", path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "crm: error: pack future 2.0.0 needs host API 2, but this crm provides API 1; "
                                      + "upgrade crm or use an older version of the pack\n")
        XCTAssertEqual(cli.sql("SELECT count(*) FROM packs"), "0")
    }

    func testManifestProblemsAreNamed() throws {
        let cli = try CLISandbox()
        let cases: [(String, String)] = [
            (#"return { name = "Bad Name", version = "1.0.0", plugins = { "a.lua" } }"#,
             "pack.lua: name must be 1 to 64 lower-case ASCII letters, digits or '-'"),
            (#"return { name = "p", version = "1.0", plugins = { "a.lua" } }"#,
             "pack.lua: version must be a semantic version such as \"1.2.0\""),
            (#"return { name = "p", version = "1.0.0", plugins = { "../a.lua" } }"#,
             "pack.lua: plugins entry '../a.lua' must be a relative path to a .lua file inside the pack"),
            (#"return { name = "p", version = "1.0.0", plugins = { "missing.lua" } }"#,
             "pack p 1.0.0 has problems:\nmissing.lua: listed in pack.lua but not found (or not a regular file)"),
            (#"return { name = "p", version = "1.0.0", plugins = { "a.lua" }, extra = 1 }"#,
             "pack.lua: unknown field 'extra'; expected name, version, api, plugins, tests, settings, description"),
            (#"io.open("x", "w") return {}"#, "\(cli.folder.path)/m5/pack.lua:1: attempt to index a nil value (global 'io')"),
        ]
        for (index, (manifest, message)) in cases.enumerated() {
            let path = try writePack(cli, folder: "m\(index)", manifest: manifest, files: ["a.lua": notePlugin("a", text: "a")])
            let result = cli.run(["pack", "install", path])
            XCTAssertEqual(result.status, 1, manifest)
            XCTAssertEqual(result.stderr, "crm: error: \(message)\n", manifest)
        }
        XCTAssertEqual(cli.sql("SELECT count(*) FROM packs"), "0")
    }

    func testRulePriorityAndConflicts() throws {
        let cli = try CLISandbox()
        let rule = { (name: String, priority: Int, decision: String) in
            """
            local P = { name = "\(name)", version = "1.0.0", priority = \(priority) }
            function P.solvency(request, crm)
              return { decision = "\(decision)", reason = "\(name) says so" }
            end
            return P
            """
        }
        let clash = try writePack(cli, folder: "clash", manifest: #"return { name = "clash", version = "1.0.0", plugins = { "a.lua", "b.lua" } }"#,
                                  files: ["a.lua": rule("rule-a", 0, "review"), "b.lua": rule("rule-b", 0, "reject")])
        let refused = cli.run(["pack", "install", clash])
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.stderr, "crm: error: pack clash 1.0.0 has problems:\nplugins rule-a (clash/a.lua) and rule-b "
                                       + "(clash/b.lua) both handle the rule solvency at priority 0; give one of them a higher priority\n")
        let ordered = try writePack(cli, folder: "ordered", manifest: #"return { name = "ordered", version = "1.0.0", plugins = { "a.lua", "b.lua" } }"#,
                                    files: ["a.lua": rule("rule-a", 0, "review"), "b.lua": rule("rule-b", 5, "reject")])
        cli.ok(["pack", "install", ordered])
        XCTAssertEqual(cli.ok(["plugin", "list"]).split(separator: "\n").filter { $0.hasPrefix("solvency") }.map { $0.split(separator: "\t")[2] },
                       ["rule-b", "rule-a", "default-solvency"])
        cli.ok(["account", "add", "ATELIER LUMIERE", "--siren", "732829320", "--street", "1 rue", "--postal-code", "75001", "--city", "Paris"])
        cli.ok(["contact", "add", "--account", "1", "--last-name", "Roy", "--email", "roy@example.fr"])
        cli.ok(["opening", "request", "1"])
        XCTAssertEqual(cli.sql("SELECT plugin || ' ' || json_extract(result, '$.decision') FROM decisions WHERE rule = 'solvency'"),
                       "rule-b reject")
        let decision = try XCTUnwrap(cli.json(["decision", "show", "1"]) as? [String: Any])
        XCTAssertEqual(decision["plugin"] as? String, "rule-b")
        XCTAssertEqual(decision["reason"] as? String, "rule-b says so")
        XCTAssertEqual(decision["source"] as? String, "pack ordered@1.0.0 ordered/b.lua")
    }

    func testPluginRunRuleResultAndValidation() throws {
        let cli = try CLISandbox()
        try """
            local P = { name = "terms", version = "1.0.0" }
            function P.paymentTerms(request, crm)
              if request.accountId == 2 then return { term = "NET30", method = 30 } end
              return { term = "NET30", method = "CARD" }
            end
            return P
            """.write(to: cli.folder.appendingPathComponent("terms.lua"), atomically: true, encoding: .utf8)
        XCTAssertEqual(cli.ok(["plugin", "run", "terms.lua", "--hook", "paymentTerms", "--payload", #"{"id": 1, "accountId": 1}"#]),
                       "{\n  \"term\": \"NET30\",\n  \"method\": \"CARD\"\n}\n")
        let invalid = cli.run(["plugin", "run", "terms.lua", "--hook", "paymentTerms", "--payload", #"{"id": 1, "accountId": 2}"#])
        XCTAssertEqual(invalid.status, 1)
        XCTAssertEqual(invalid.stderr, "crm: error: plugin terms (terms.lua:2): result.method must be a string, got integer\n")
        let badPayload = cli.run(["plugin", "run", "terms.lua", "--hook", "paymentTerms", "--payload", #"{"id": "1"}"#])
        XCTAssertEqual(badPayload.status, 2)
        XCTAssertTrue(badPayload.stderr.hasPrefix("crm: error: invalid --payload: payload.id must be an integer, got string\n"), badPayload.stderr)
        let badHook = cli.run(["plugin", "run", "terms.lua", "--hook", "onNothing", "--payload", "{}"])
        XCTAssertEqual(badHook.status, 2)
        XCTAssertTrue(badHook.stderr.hasPrefix("crm: error: unknown hook or rule 'onNothing' in --hook; expected one of onAccountCreated"))
        cli.ok(["user", "add", "alice", "--role", "sales"])
        let refused = cli.run(["plugin", "run", "terms.lua", "--hook", "paymentTerms", "--payload", "{}"], as: "alice")
        XCTAssertEqual(refused.stderr, "crm: error: permission denied: to run a plugin file you need the admin role (alice is sales)\n")
        XCTAssertEqual(cli.sql("SELECT count(*) FROM decisions"), "0", "a trial run stores no decision")
    }

    func testEventLoopStopsAtTheDepthLimit() throws {
        let cli = try CLISandbox()
        let path = try writePack(cli, folder: "loop", manifest: #"return { name = "loop", version = "1.0.0", plugins = { "loop.lua" } }"#,
                                 files: ["loop.lua": """
            local P = { name = "flagger", version = "1.0.0" }
            function P.onAccountUpdated(account, crm)
              crm.addFlag(account.id, "touched-" .. #account.flags)
            end
            return P
            """])
        cli.ok(["pack", "install", path])
        cli.ok(["account", "add", "ACME"])
        let result = cli.run(["account", "edit", "1", "--city", "Paris"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "crm: error: plugin flagger (loop/loop.lua:3): crm.addFlag: event onAccountUpdated nested "
                                      + "more than 8 levels deep: a plugin's writes keep firing hooks; check which hook writes what it listens to\n")
        XCTAssertEqual(cli.sql("SELECT coalesce(city, 'none') FROM accounts"), "none")
        XCTAssertEqual(cli.sql("SELECT count(*) FROM account_labels"), "0")
    }

    func testNestedFailureCaughtWithPcallStillFailsTheCommand() throws {
        let cli = try CLISandbox()
        let path = try writePack(cli, folder: "nested", manifest: #"return { name = "nested", version = "1.0.0", plugins = { "a.lua", "b.lua" } }"#,
                                 files: ["a.lua": """
            local P = { name = "swallower", version = "1.0.0" }
            function P.onAccountCreated(account, crm)
              pcall(crm.addFlag, account.id, "checked")
              crm.addNote(account.id, "kept only if nothing failed")
            end
            return P
            """, "b.lua": """
            local P = { name = "refuser", version = "1.0.0" }
            function P.onAccountUpdated(account, crm)
              error("flags are managed elsewhere")
            end
            return P
            """])
        cli.ok(["pack", "install", path])
        let result = cli.run(["account", "add", "ACME"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "crm: error: plugin refuser (nested/b.lua:3): flags are managed elsewhere\n")
        XCTAssertEqual(cli.sql("SELECT count(*) FROM accounts"), "0")
        XCTAssertEqual(cli.sql("SELECT count(*) FROM notes"), "0")
    }

    func testPluginCheckReportsEveryProblem() throws {
        let cli = try CLISandbox()
        let folder = cli.folder.appendingPathComponent("mixed")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "local P = { name = \"good\", version = \"1.0.0\" }\nfunction P.onAccountCreated(a, crm) end\nreturn P\n"
            .write(to: folder.appendingPathComponent("good.lua"), atomically: true, encoding: .utf8)
        try "local P = { name = \"typo\", version = \"1.0.0\" }\n\nfunction P.onAcountCreated(a, crm) end\nreturn P\n"
            .write(to: folder.appendingPathComponent("typo.lua"), atomically: true, encoding: .utf8)
        try "return { version = \"1.0.0\" }\n".write(to: folder.appendingPathComponent("unnamed.lua"), atomically: true, encoding: .utf8)
        let result = cli.run(["plugin", "check", "mixed"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, """
            mixed/typo.lua:3: 'onAcountCreated' is not a hook or rule; see `crm plugin docs` for the names
            mixed/unnamed.lua: the plugin table needs a 'name' string, got nil
            crm: error: 2 problems found in mixed

            """)
    }

    func testCommittedDocsMatchTheCatalogue() throws {
        let cli = try CLISandbox()
        let generated = cli.ok(["plugin", "docs"])
        let committed = try String(contentsOf: CLISandbox.projectRoot.appendingPathComponent("docs/plugins.md"), encoding: .utf8)
        XCTAssertEqual(committed, generated, "docs/plugins.md is stale: run `make docs`")
    }

    func testBundledPluginsAreEmbeddedUpToDate() throws {
        let root = CLISandbox.projectRoot
        let embedded = try String(contentsOf: root.appendingPathComponent("Sources/CRMHost/BundledPlugins.swift"), encoding: .utf8)
        let names = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("plugins").path)
            .filter { $0.hasSuffix(".lua") }.sorted()
        XCTAssertFalse(names.isEmpty)
        for name in names {
            let source = try String(contentsOf: root.appendingPathComponent("plugins/\(name)"), encoding: .utf8)
            let indented = source.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? "" : "        " + $0 }.joined(separator: "\n")
            XCTAssertTrue(embedded.contains("(\"\(name)\", ##\"\"\"\n" + indented), "\(name) changed: run `make plugins`")
        }
        XCTAssertEqual(embedded.components(separatedBy: "##\"\"\"\n").count - 1, names.count)
    }
}

final class PluginHostStartTests: XCTestCase {
    func testReadCommandsNeverStartLua() throws {
        let cli = try CLISandbox()
        let write = cli.run(["account", "add", "ACME", "--debug"])
        XCTAssertEqual(write.status, 0)
        XCTAssertTrue(write.stderr.hasPrefix("debug: plugin host started with "), write.stderr)
        for command in [["account", "list"], ["account", "show", "1"], ["search", "acme"], ["history", "account", "1"],
                        ["user", "list"], ["term", "list"], ["opening", "list"], ["inbox"]] {
            let read = cli.run(command + ["--debug"])
            XCTAssertEqual(read.status, 0, read.stderr)
            XCTAssertEqual(read.stderr, "", "crm \(command.joined(separator: " ")) started the plugin host")
        }
    }

    func testFailedWriteCaughtByAPluginLeavesNothing() throws {
        let cli = try CLISandbox()
        cli.ok(["account", "add", "ATELIER LUMIERE", "--siren", "732829320", "--street", "1 rue", "--postal-code", "75001",
                "--city", "Paris"])
        cli.ok(["contact", "add", "--account", "1", "--last-name", "Roy", "--email", "roy@example.fr"])
        try """
            local P = { name = "careful", version = "1.0.0" }
            function P.onAccountUpdated(account, crm)
              local ok = pcall(crm.requestOpening, account.id, "after an edit")
              crm.addNote(account.id, ok and "requested" or "not requested")
            end
            function P.paymentTerms(request, crm)
              return { term = "NO-SUCH-TERM", method = "CARD" }
            end
            return P
            """.write(to: cli.folder.appendingPathComponent("careful.lua"), atomically: true, encoding: .utf8)
        try #"return { name = "careful", version = "1.0.0", plugins = { "careful.lua" } }"#
            .write(to: cli.folder.appendingPathComponent("pack.lua"), atomically: true, encoding: .utf8)
        cli.ok(["pack", "install", cli.folder.path])
        cli.ok(["account", "edit", "1", "--city", "Lyon"])
        XCTAssertEqual(cli.sql("SELECT text FROM notes"), "not requested")
        XCTAssertEqual(cli.sql("SELECT city FROM accounts"), "Lyon")
        XCTAssertEqual(cli.sql("SELECT count(*) FROM opening_requests"), "0")
        XCTAssertEqual(cli.sql("SELECT count(*) FROM decisions"), "0")
        XCTAssertEqual(cli.sql("SELECT count(*) FROM notifications"), "0")
    }
}

final class PluginAPICommandTests: XCTestCase {
    func testReadsAndActivityWritesThroughTheAPI() throws {
        let cli = try CLISandbox()
        cli.ok(["account", "add", "ATELIER LUMIERE"])
        cli.ok(["contact", "add", "--account", "1", "--first-name", "Claire", "--last-name", "Martin",
                "--email", "claire.martin@example.fr", "--opt-out", "yes"])
        try """
            local P = { name = "api-user", version = "1.0.0" }
            function P.onOpportunityCreated(payload, crm)
              local deal = crm.getOpportunity(payload.id)
              local contacts = crm.getContacts(deal.accountId)
              local id = crm.planActivity("call", "Call " .. contacts[1].lastName .. " about " .. deal.title,
                                          crm.addBusinessDays(crm.today(), 3), deal.accountId, deal.id)
              crm.logActivity("note", "opted out: " .. tostring(contacts[1].optedOut), deal.accountId)
              crm.addNote(deal.accountId, "planned activity " .. id .. "; no quote: " .. tostring(crm.getQuote(99) == nil))
              local ok, message = pcall(crm.planActivity, "visit", "x", "2026-03-05", deal.accountId)
              crm.log(message)
            end
            return P
            """.write(to: cli.folder.appendingPathComponent("api.lua"), atomically: true, encoding: .utf8)
        try #"return { name = "api", version = "1.0.0", plugins = { "api.lua" } }"#
            .write(to: cli.folder.appendingPathComponent("pack.lua"), atomically: true, encoding: .utf8)
        cli.ok(["pack", "install", cli.folder.path])
        let result = cli.run(["opportunity", "add", "--account", "1", "--title", "Showroom", "--amount", "100.00",
                              "--close-date", "2026-06-30"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "plugin api-user: bad argument #1 to 'crm.planActivity' "
                                      + "(one of call, meeting, e-mail, task, note expected)\n")
        XCTAssertEqual(cli.sql("SELECT kind || '|' || subject || '|' || due_date || '|' || opportunity_id FROM activities WHERE status = 'planned' AND policy IS NULL"),
                       "call|Call Martin about Showroom|2026-03-05|1")
        XCTAssertEqual(cli.sql("SELECT subject FROM activities WHERE kind = 'note'"), "opted out: true")
        XCTAssertEqual(cli.sql("SELECT text FROM notes"), "planned activity \(cli.sql("SELECT id FROM activities WHERE kind = 'call' AND policy IS NULL")); no quote: true")
    }
}
