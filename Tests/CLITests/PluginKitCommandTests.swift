import Foundation
import XCTest

final class PluginKitCommandTests: XCTestCase {
    private func examplePack(_ name: String) -> String {
        CLISandbox.projectRoot.appendingPathComponent("examples/packs/\(name)").path
    }

    /// Runs a tool of the system with the arguments, in `folder`.
    private func runTool(_ path: String, _ arguments: [String], in folder: URL) -> RunResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch { return RunResult(status: -1, stdout: "", stderr: "\(error)") }
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return RunResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Adds an account (in Paris by default) with SIREN, creation date and a contact, ready for an opening request.
    private func addReadyAccount(_ cli: CLISandbox, name: String, siren: String, created: String,
                                 postalCode: String = "75011", city: String = "Paris", extra: [String] = []) {
        cli.ok(["account", "add", name, "--siren", siren, "--creation-date", created, "--street", "12 rue Oberkampf",
                "--postal-code", postalCode, "--city", city] + extra)
        let id = cli.sql("SELECT max(id) FROM accounts")
        cli.ok(["contact", "add", "--account", id, "--first-name", "Claire", "--last-name", "Durand",
                "--email", "claire\(id)@example.test"])
    }

    private func sendQuote(_ cli: CLISandbox, account: String) -> String {
        cli.ok(["quote", "new", "--account", account])
        let quote = cli.sql("SELECT max(id) FROM quotes")
        cli.ok(["quote", "line", "add", quote, "--description", "Bearings", "--qty", "10", "--unit-price", "12.50",
                "--vat", "20"])
        return cli.ok(["quote", "send", quote])
    }

    func testIndustrialPackDecidesOpeningsQuotesAndFollowUps() throws {
        let cli = try CLISandbox()
        cli.ok(["user", "add", "compta", "--role", "accounting"])
        XCTAssertEqual(cli.ok(["pack", "install", examplePack("industrial-distributor")]),
                       "Installed pack industrial-distributor 1.0.0 (5 plugins).\n")
        cli.ok(["setting", "set", "quote.sequence", "devis-{year}-{sector}"])
        cli.ok(["sector", "add", "IDF", "--name", "Ile-de-France"])
        addReadyAccount(cli, name: "Durand SA", siren: "402123459", created: "2014-05-12", extra: ["--sector", "IDF"])
        // The pack's sectorFor maps Paris to IDF; Marseille is outside its map, so this account has no sector.
        addReadyAccount(cli, name: "Jeune Pousse SAS", siren: "512345679", created: "2025-01-10",
                        postalCode: "13001", city: "Marseille")
        XCTAssertEqual(cli.sql("SELECT ifnull(sector_id, 'none') FROM accounts WHERE id = 2"), "none")

        cli.ok(["opening", "request", "1", "--credit-limit", "15000.00"])
        cli.ok(["opening", "request", "2", "--credit-limit", "30000.00"])
        XCTAssertEqual(cli.sql("""
            SELECT rule || '|' || plugin || '|' || plugin_version || '|' || result FROM decisions ORDER BY id
            """), """
            solvency|industrial-solvency|1.0.0|{"decision":"approve","creditLimit":1500000,"reason":"company created 11 years ago, credit 15000.00 EUR within 20000.00 EUR"}
            paymentTerms|industrial-payment-terms|1.0.0|{"term":"45EOM","method":"LCR","reason":"45 jours fin de mois by LCR, the company default"}
            solvency|industrial-solvency|1.0.0|{"decision":"review","creditLimit":3000000,"reason":"company created 1 whole year(s) ago, younger than 2"}
            paymentTerms|industrial-payment-terms|1.0.0|{"term":"RECEIPT","method":"CASH","reason":"company younger than 2 years: cash on order"}
            """)

        XCTAssertEqual(cli.ok(["opening", "approve", "1"], as: "compta"),
                       "Approved request 1: account 1 is a customer with 45EOM and LCR.\n")
        XCTAssertEqual(cli.sql("SELECT status, payment_term, payment_method, credit_limit FROM accounts WHERE id = 1"),
                       "customer|45EOM|LCR|1500000")
        cli.ok(["opening", "approve", "2"], as: "compta")
        XCTAssertEqual(cli.sql("SELECT payment_term, payment_method, credit_limit FROM accounts WHERE id = 2"),
                       "RECEIPT|CASH|3000000")

        XCTAssertEqual(sendQuote(cli, account: "1"), "Sent quote DEV-IDF-2026-0001 (was DRAFT-000001); valid until 2026-04-01.\n")
        XCTAssertEqual(sendQuote(cli, account: "1"), "Sent quote DEV-IDF-2026-0002 (was DRAFT-000002); valid until 2026-04-01.\n")
        XCTAssertEqual(sendQuote(cli, account: "2"), "Sent quote DEV-2026-0001 (was DRAFT-000003); valid until 2026-04-01.\n")
        // 2026-03-02 is a Monday: 3 business days is Thursday the 5th, 10 is Monday the 16th.
        XCTAssertEqual(cli.sql("""
            SELECT kind || '|' || due_date || '|' || subject || '|' || policy || '|' || account_id FROM activities
            WHERE subject LIKE '%DEV-IDF-2026-0001' ORDER BY id
            """), """
            call|2026-03-05|Call about quote DEV-IDF-2026-0001|industrial-followups|1
            task|2026-03-16|Last reminder for quote DEV-IDF-2026-0001|industrial-followups|1
            """)
        XCTAssertEqual(cli.sql("SELECT count(*) FROM activities WHERE event = 'quoteSent'"), "6")
    }

    func testSoftwarePackDecidesOpeningsQuotesAndFollowUps() throws {
        let cli = try CLISandbox()
        cli.ok(["pack", "install", examplePack("software-company")])
        addReadyAccount(cli, name: "Cabinet Martin", siren: "402123459", created: "2020-02-01",
                        extra: ["--iban", "FR7630006000011234567890189"])
        addReadyAccount(cli, name: "Atelier Roux", siren: "512345679", created: "2024-06-01")
        cli.ok(["opening", "request", "1", "--credit-limit", "1500.00"])
        cli.ok(["opening", "request", "2", "--credit-limit", "2500.00"])
        XCTAssertEqual(cli.sql("SELECT rule || '|' || plugin || '|' || result FROM decisions ORDER BY id"), """
            solvency|software-solvency|{"decision":"approve","creditLimit":150000,"reason":"small account: 1500.00 EUR within 2000.00 EUR"}
            paymentTerms|software-payment-terms|{"term":"NET30","method":"SEPA_DD","reason":"IBAN on file: SEPA direct debit"}
            solvency|software-solvency|{"decision":"review","creditLimit":250000,"reason":"requested credit 2500.00 EUR is above the automatic limit of 2000.00 EUR"}
            paymentTerms|software-payment-terms|{"term":"NET30","method":"CARD","reason":"no IBAN on file: card payment"}
            """)
        cli.ok(["opening", "approve", "1"])
        cli.ok(["opening", "approve", "2"])
        XCTAssertEqual(cli.sql("SELECT id || '|' || payment_term || '|' || payment_method || '|' || credit_limit FROM accounts"),
                       "1|NET30|SEPA_DD|150000\n2|NET30|CARD|250000")

        XCTAssertEqual(sendQuote(cli, account: "1"), "Sent quote SO-2026-0001 (was DRAFT-000001); valid until 2026-04-01.\n")
        // Valid until Wednesday 2026-04-01; 5 business days before is Wednesday 2026-03-25.
        XCTAssertEqual(cli.sql("SELECT kind || '|' || due_date || '|' || subject || '|' || policy FROM activities"),
                       "call|2026-03-25|Quote SO-2026-0001 expires on 2026-04-01: call the customer|software-followups")
        // A holiday on Friday 2026-03-27 moves the call one business day earlier.
        cli.ok(["holiday", "add", "2026-03-27", "Company day"])
        XCTAssertEqual(sendQuote(cli, account: "2"), "Sent quote SO-2026-0002 (was DRAFT-000002); valid until 2026-04-01.\n")
        XCTAssertEqual(cli.sql("SELECT due_date FROM activities WHERE account_id = 2"), "2026-03-24")
    }

    func testRulesExplainListsDecisionsNewestFirst() throws {
        let cli = try CLISandbox()
        cli.ok(["pack", "install", examplePack("software-company")])
        addReadyAccount(cli, name: "Cabinet Martin", siren: "402123459", created: "2020-02-01")
        cli.ok(["opening", "request", "1", "--credit-limit", "1500.00"])
        cli.ok(["opening", "approve", "1"])
        _ = sendQuote(cli, account: "1")
        XCTAssertEqual(cli.ok(["rules", "explain", "--account", "1"]), """
            Account 1: 4 decisions, newest first.

            Decision 4: followUps about quote 1, 2026-03-02T12:00:00Z
              Plugin:  software-followups 1.0.0 (pack software-company@1.0.0 software-company/followups.lua)
              Result:  [{"inDays":23,"businessDays":false,"kind":"call","subject":"Quote SO-2026-0001 expires on 2026-04-01: call the customer"}]
              Reason:  -
              Inputs:  {"event":"quoteSent","accountId":1,"quoteId":1,"quote":{"id":1,"accountId":1,"opportunityId":null,"status":"sent","currency":"EUR","issueDate":"2026-03-02","validUntil":"2026-04-01"}}
              Command: crm quote send by admin

            Decision 3: quoteNumber about quote 1, 2026-03-02T12:00:00Z
              Plugin:  software-quote-number 1.0.0 (pack software-company@1.0.0 software-company/quote-number.lua)
              Result:  "SO-2026-0001"
              Reason:  -
              Inputs:  {"id":1,"accountId":1,"opportunityId":null,"status":"draft","currency":"EUR","issueDate":null,"validUntil":null,"sequence":1,"sequenceName":"quote-2026","year":2026,"sector":null}
              Command: crm quote send by admin

            Decision 2: paymentTerms about opening 1, 2026-03-02T12:00:00Z
              Plugin:  software-payment-terms 1.0.0 (pack software-company@1.0.0 software-company/payment-terms.lua)
              Result:  {"term":"NET30","method":"CARD","reason":"no IBAN on file: card payment"}
              Reason:  no IBAN on file: card payment
              Inputs:  {"id":1,"accountId":1,"requestedCreditLimit":150000,"account":{"id":1,"status":"prospect","siren":"402123459","country":"FR","address":{"street":"12 rue Oberkampf","postalCode":"75011","city":"Paris"},"sector":null,"currency":"EUR","creditLimit":null,"creationDate":"2020-02-01","category":null,"flags":[],"hasIban":false}}
              Command: crm opening request by admin

            Decision 1: solvency about opening 1, 2026-03-02T12:00:00Z
              Plugin:  software-solvency 1.0.0 (pack software-company@1.0.0 software-company/solvency.lua)
              Result:  {"decision":"approve","creditLimit":150000,"reason":"small account: 1500.00 EUR within 2000.00 EUR"}
              Reason:  small account: 1500.00 EUR within 2000.00 EUR
              Inputs:  {"id":1,"accountId":1,"requestedCreditLimit":150000,"account":{"id":1,"status":"prospect","siren":"402123459","country":"FR","address":{"street":"12 rue Oberkampf","postalCode":"75011","city":"Paris"},"sector":null,"currency":"EUR","creditLimit":null,"creationDate":"2020-02-01","category":null,"flags":[],"hasIban":false}}
              Command: crm opening request by admin

            """)
        let json = cli.json(["rules", "explain", "--account", "1"]) as? [[String: Any]]
        XCTAssertEqual(json?.map { $0["rule"] as? String }, ["followUps", "quoteNumber", "paymentTerms", "solvency"])
        cli.ok(["account", "add", "Nouveau"])
        XCTAssertEqual(cli.ok(["rules", "explain", "--account", "2"]),
                       "No rule has decided anything about account 2 yet.\n")
        let missing = cli.run(["rules", "explain"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.hasPrefix("crm: error: missing --account: `crm rules explain` needs an account id\n"),
                      missing.stderr)
    }

    func testExamplePacksPassTheirTests() throws {
        let cli = try CLISandbox()
        for (name, closing) in [("industrial-distributor", "23 passed, 0 failed"), ("software-company", "16 passed, 0 failed")] {
            let result = cli.run(["pack", "test", examplePack(name)])
            XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
            XCTAssertEqual(result.stderr, "")
            let lines = result.stdout.split(separator: "\n")
            XCTAssertEqual(lines.last.map(String.init), closing)
            XCTAssertTrue(lines.dropLast().allSatisfy { $0.hasPrefix("ok tests/") }, result.stdout)
        }
        let first = cli.run(["pack", "test", examplePack("industrial-distributor")]).stdout.split(separator: "\n").first
        XCTAssertEqual(first, "ok tests/solvency_test.lua:4 established company within the limit is approved")
    }

    func testPackTestReportsFailuresWithFileAndLine() throws {
        let cli = try CLISandbox()
        let folder = cli.folder.appendingPathComponent("acme")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("tests"), withIntermediateDirectories: true)
        try """
            return { name = "acme", version = "1.0.0", plugins = { "solvency.lua" },
                     tests = { "tests/solvency_test.lua", "tests/broken_test.lua" } }
            """.write(to: folder.appendingPathComponent("pack.lua"), atomically: true, encoding: .utf8)
        try """
            local P = { name = "acme-solvency", version = "1.0.0" }
            function P.solvency(request, crm)
              if request.requestedCreditLimit > 100000 then return "review" end
              return { decision = "approve", creditLimit = request.requestedCreditLimit }
            end
            return P
            """.write(to: folder.appendingPathComponent("solvency.lua"), atomically: true, encoding: .utf8)
        try """
            test.case("small credit is approved", function()
              test.equal(test.rule("solvency", test.opening("young", 50000)).decision, "approve")
            end)

            test.case("large credit is rejected", function()
              local result = test.rule("solvency", test.opening("young", 500000))
              test.equal(result.decision, "reject", "decision")
            end)

            test.case("missing credit breaks the plugin", function()
              test.rule("solvency", test.opening("young"))
            end)

            test.case("an error is expected", function()
              test.fails(function() end)
            end)
            """.write(to: folder.appendingPathComponent("tests/solvency_test.lua"), atomically: true, encoding: .utf8)
        try "test.case(\"never declared\", function()\nend\nlocal x = \n".write(
            to: folder.appendingPathComponent("tests/broken_test.lua"), atomically: true, encoding: .utf8)
        let result = cli.run(["pack", "test", folder.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, """
            ok tests/solvency_test.lua:1 small credit is approved
            FAIL tests/solvency_test.lua:5 large credit is rejected
              tests/solvency_test.lua:7: decision: expected "reject", got "review"
            FAIL tests/solvency_test.lua:10 missing credit breaks the plugin
              tests/solvency_test.lua:11: plugin acme-solvency (acme/solvency.lua:3): attempt to compare number with nil
            FAIL tests/solvency_test.lua:14 an error is expected
              tests/solvency_test.lua:15: expected an error, but the function returned normally
            FAIL tests/broken_test.lua: the file did not load
              tests/broken_test.lua:3: ')' expected (to close '(' at line 1) near 'local'
            1 passed, 4 failed

            """)
        XCTAssertEqual(result.stderr, "crm: error: 4 of 5 pack tests failed\n")
    }

    func testPluginNewWritesAPackThatPasses() throws {
        let cli = try CLISandbox()
        XCTAssertEqual(cli.ok(["plugin", "new", "acme-terms", "--rule", "paymentTerms", "--output", "acme"]), """
            Wrote acme/pack.lua
            Wrote acme/acme-terms.lua
            Wrote acme/tests/acme-terms_test.lua
            Next: edit acme/acme-terms.lua, then `crm pack test acme` and `crm pack install acme`.

            """)
        let plugin = try String(contentsOf: cli.folder.appendingPathComponent("acme/acme-terms.lua"), encoding: .utf8)
        XCTAssertTrue(plugin.contains("-- Payload fields, result shape, limits and the crm API: docs/plugins.md"), plugin)
        XCTAssertTrue(plugin.contains("[\"acme-terms.enabled\"] = true,"), plugin)
        XCTAssertTrue(plugin.contains("---@return crm.PaymentTermsResult|nil\nfunction P.paymentTerms(payload, crm)"), plugin)
        let tested = cli.run(["pack", "test", "acme"])
        XCTAssertEqual(tested.stdout, """
            ok tests/acme-terms_test.lua:8 acme-terms decides paymentTerms
            ok tests/acme-terms_test.lua:14 acme-terms leaves paymentTerms to others when disabled
            2 passed, 0 failed

            """)
        XCTAssertEqual(tested.status, 0)

        let again = cli.run(["plugin", "new", "acme-terms", "--hook", "onAccountCreated", "--output", "acme"])
        XCTAssertEqual(again.status, 1)
        XCTAssertEqual(again.stderr, "crm: error: acme/pack.lua already exists; choose another --output folder or remove it first\n")
        XCTAssertEqual(try String(contentsOf: cli.folder.appendingPathComponent("acme/acme-terms.lua"), encoding: .utf8), plugin)

        let both = cli.run(["plugin", "new", "x", "--hook", "onAccountCreated", "--rule", "solvency"])
        XCTAssertEqual(both.status, 2)
        XCTAssertTrue(both.stderr.hasPrefix("crm: error: give --hook or --rule, not both\n"), both.stderr)
        let unknown = cli.run(["plugin", "new", "x", "--rule", "onAccountCreated"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.hasPrefix("crm: error: unknown rule 'onAccountCreated' in --rule; expected one of "
                                               + "solvency, paymentTerms, quoteNumber, followUps, sectorFor\n"), unknown.stderr)
        let badName = cli.run(["plugin", "new", "Acme Rules"])
        XCTAssertEqual(badName.status, 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.folder.appendingPathComponent("Acme Rules").path))
    }

    func testEverySkeletonPassesItsOwnTest() throws {
        let cli = try CLISandbox()
        let docs = cli.ok(["plugin", "docs"])
        let names = docs.split(separator: "\n").filter { $0.hasPrefix("### `") }.map { $0.dropFirst(5).dropLast() }
        XCTAssertEqual(names.count, 20)
        for name in names {
            let option = name.hasPrefix("on") ? "--hook" : "--rule"
            cli.ok(["plugin", "new", "sk", option, String(name), "--output", "sk-\(name)"])
            let result = cli.run(["pack", "test", "sk-\(name)"])
            XCTAssertEqual(result.status, 0, "\(name): \(result.stdout)")
            XCTAssertEqual(result.stdout.split(separator: "\n").last.map(String.init),
                           option == "--rule" ? "2 passed, 0 failed" : "1 passed, 0 failed", String(name))
        }
    }

    func testLuaLanguageServerDefinitionsCoverTheCatalogue() throws {
        let cli = try CLISandbox()
        let definitions = cli.ok(["plugin", "api", "--luals"])
        try definitions.write(to: cli.folder.appendingPathComponent("crm.d.lua"), atomically: true, encoding: .utf8)
        let compiled = runTool("/usr/bin/luac5.4", ["-p", "crm.d.lua"], in: cli.folder)
        XCTAssertEqual(compiled.status, 0, compiled.stderr)
        XCTAssertTrue(definitions.hasPrefix("---@meta crm\n"))

        let docs = cli.ok(["plugin", "docs"])
        var hookNames: [String] = []
        for line in docs.split(separator: "\n") where line.hasPrefix("### `") {
            hookNames.append(String(line.dropFirst(5).dropLast()))
        }
        XCTAssertEqual(hookNames.count, 20)
        for hook in hookNames {
            let payloadClass = "crm." + hook.prefix(1).uppercased() + hook.dropFirst() + "Payload"
            XCTAssertTrue(definitions.contains("---@class \(payloadClass)"), payloadClass)
            XCTAssertTrue(definitions.contains("---@field \(hook)? fun(payload: \(payloadClass), crm: crm.API)"), hook)
        }
        // Every payload field of the reference appears as a field of some class.
        for line in docs.split(separator: "\n") where line.hasPrefix("| `") && !line.hasPrefix("| `crm.")
            && !line.hasPrefix("| `test.") {
            let field = line.dropFirst(3).prefix { $0 != "`" }.split(separator: ".").last.map(String.init) ?? ""
            if field.contains("(") || ["established", "young", "badPayer", "foreign"].contains(field) { continue }
            XCTAssertTrue(definitions.contains("---@field \(field) ") || definitions.contains("---@field \(field)? "), field)
        }
        for line in docs.split(separator: "\n") where line.hasPrefix("| `crm.") {
            let function = line.dropFirst(3).prefix { $0 != "(" }
            XCTAssertTrue(definitions.contains("function \(function)("), String(function))
        }
        XCTAssertTrue(definitions.contains("---@field solvency? fun(payload: crm.SolvencyPayload, crm: crm.API): "
                                           + "crm.SolvencyResult|\"approve\"|\"review\"|\"reject\"|nil"), definitions)
        XCTAssertTrue(definitions.contains("---@param accountId integer\n---@return crm.Account|nil\nfunction crm.getAccount(accountId) end"))
        XCTAssertTrue(definitions.contains("function test.rule(rule, payload) end"))
    }

    func testLuacheckStandardPassesBundledAndExamplePlugins() throws {
        let cli = try CLISandbox()
        let configuration = cli.ok(["plugin", "api", "--luacheck"])
        let configPath = cli.folder.appendingPathComponent("luacheckrc").path
        try configuration.write(toFile: configPath, atomically: true, encoding: .utf8)
        let checked = runTool("/usr/bin/luacheck", ["--no-color", "--config", configPath, "plugins", "examples/packs"],
                              in: CLISandbox.projectRoot)
        XCTAssertEqual(checked.status, 0, checked.stdout)
        XCTAssertTrue(checked.stdout.hasSuffix("Total: 0 warnings / 0 errors in 28 files\n"), checked.stdout)

        try """
            local P = { name = "leaky", version = "1.0.0" }
            function P.onAccountCreated(payload, crm)
              io.write(payload.legalName)
              crm.log(debug.traceback())
            end
            return P
            """.write(to: cli.folder.appendingPathComponent("leaky.lua"), atomically: true, encoding: .utf8)
        let leaky = runTool("/usr/bin/luacheck", ["--no-color", "--config", configPath, "leaky.lua"], in: cli.folder)
        XCTAssertEqual(leaky.status, 1)
        XCTAssertTrue(leaky.stdout.contains("leaky.lua:3:3: accessing undefined variable 'io'"), leaky.stdout)
        XCTAssertTrue(leaky.stdout.contains("leaky.lua:4:11: accessing undefined variable 'debug'"), leaky.stdout)
        let usage = cli.run(["plugin", "api"])
        XCTAssertEqual(usage.status, 2)
        XCTAssertTrue(usage.stderr.hasPrefix("crm: error: give exactly one of --luals or --luacheck\n"), usage.stderr)
    }
}
