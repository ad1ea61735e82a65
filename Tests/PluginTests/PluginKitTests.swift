import CRMCore
import CRMHost
import XCTest

/// Checks the editor definitions and the docs' examples against a real sandbox.
final class PluginKitTests: PluginTestCase {
    /// Lists every global, and every field of the library tables, one per `crm.log` line.
    private let globalsLister = """
        local P = { name = "globals", version = "1.0.0" }
        function P.onAccountCreated(payload, crm)
          for name, value in pairs(_G) do
            if type(value) == "table" and name ~= "_G" then
              for field in pairs(value) do crm.log(name .. "." .. field) end
            else
              crm.log(name)
            end
          end
        end
        return P
        """

    private func sandboxNames() throws -> Set<String> {
        let bridge = TestBridge()
        let plugin = try LuaPlugin(source: globalsLister, file: "globals.lua", bridge: bridge)
        defer { plugin.close() }
        _ = try plugin.call("onAccountCreated", payload: Payloads.account, mode: .event)
        return Set(bridge.logLines.map { String($0.dropFirst("globals: ".count)) })
    }

    private var declaredNames: Set<String> {
        var names = Set(SandboxGlobals.base)
        for library in SandboxGlobals.libraries {
            for field in library.fields { names.insert(library.name + "." + field) }
        }
        return names
    }

    func testDeclaredGlobalsExistInSandbox() throws {
        let actual = try sandboxNames()
        for name in declaredNames.sorted() {
            XCTAssertTrue(actual.contains(name), "\(name) is declared but missing from the sandbox")
        }
    }

    func testSandboxHasNoUndeclaredGlobals() throws {
        // A system Lua built with 5.3 compatibility adds these to math; they stay undeclared on purpose.
        let compatibility: Set<String> = ["math.atan2", "math.cosh", "math.sinh", "math.tanh", "math.pow",
                                          "math.frexp", "math.ldexp", "math.log10"]
        let undeclared = try sandboxNames().subtracting(declaredNames).subtracting(compatibility)
        XCTAssertEqual(undeclared.sorted(), [])
    }

    func testEveryHookHasAnExampleThatLoads() throws {
        for hook in Catalogue.hooks {
            guard let body = PluginExamples.body(of: hook.name) else {
                XCTFail("\(hook.name) has no example")
                continue
            }
            let source = "local P = { name = \"example\", version = \"1.0.0\" }\n"
                + "function P.\(hook.name)(payload, crm)\n\(body)\nend\nreturn P\n"
            let plugin = try LuaPlugin(source: source, file: "\(hook.name).lua", bridge: TestBridge())
            XCTAssertEqual(plugin.handlerNames, [hook.name])
            plugin.close()
        }
    }

    func testRuleExamplesReturnValidResults() throws {
        let account: Value = .object([
            ("id", .integer(1)), ("country", .string("FR")), ("currency", .string("EUR")), ("flags", .array([])),
            ("creationDate", .string("2010-01-15")), ("hasIban", .bool(true)),
            ("address", .object([("postalCode", .string("75011"))])),
        ])
        let payloads: [String: Value] = [
            "solvency": .object([("id", .integer(1)), ("accountId", .integer(1)),
                                 ("requestedCreditLimit", .integer(1_000_000)), ("account", account)]),
            "paymentTerms": .object([("id", .integer(1)), ("accountId", .integer(1)), ("account", account)]),
            "quoteNumber": .object([("sequence", .integer(42)), ("year", .integer(2026)), ("sector", .string("IDF"))]),
            "followUps": .object([("event", .string("quoteSent")),
                                  ("quote", .object([("number", .string("Q-2026-00001"))]))]),
            "sectorFor": account,
        ]
        let expected: [String: Value] = [
            "solvency": .object([("decision", .string("approve")), ("creditLimit", .integer(1_000_000)),
                                 ("reason", .string("established company"))]),
            "paymentTerms": .object([("term", .string("30EOM")), ("method", .string("SEPA_DD")),
                                     ("reason", .string("IBAN on file"))]),
            "quoteNumber": .string("DEV-IDF-2026-0042"),
            "followUps": .array([.object([("inDays", .integer(3)), ("businessDays", .bool(true)),
                                          ("kind", .string("call")), ("subject", .string("Call about quote Q-2026-00001"))])]),
            "sectorFor": .string("IDF"),
        ]
        for hook in Catalogue.hooks where hook.kind == .rule {
            let source = "local P = { name = \"example\", version = \"1.0.0\" }\n"
                + "function P.\(hook.name)(payload, crm)\n\(PluginExamples.body(of: hook.name)!)\nend\nreturn P\n"
            let plugin = try LuaPlugin(source: source, file: "\(hook.name).lua", bridge: ExampleBridge())
            defer { plugin.close() }
            let result = try plugin.call(hook.name, payload: payloads[hook.name]!, mode: .rule)
            XCTAssertEqual(try validate(result, against: hook.result!, path: "result"), expected[hook.name], hook.name)
        }
    }
}

/// The pure `crm` functions that the rule examples call, for EUR and the date 2026-03-14.
private final class ExampleBridge: PluginAPIBridge {
    func call(_ function: APIFunctionSpec, arguments: [Value], plugin: PluginIdentity,
              mode: CallMode) throws(APICallError) -> Value {
        switch function.name {
        case "today":
            return .string("2026-03-14")
        case "parseMoney":
            let text = arguments[0].stringValue ?? ""
            guard let minor = Int64(text.replacing(".", with: "")), text.split(separator: ".").last?.count == 2 else {
                throw APICallError("not an amount with two decimals: \(text)")
            }
            return .integer(minor)
        case "yearsBetween":
            let from = CivilDate(parsing: arguments[0].stringValue ?? "")!
            let to = CivilDate(parsing: arguments[1].stringValue ?? "")!
            let beforeAnniversary = (to.month, to.day) < (from.month, from.day)
            return .integer(Int64(to.year - from.year - (beforeAnniversary ? 1 : 0)))
        default:
            throw APICallError("crm.\(function.name) is not available in this test")
        }
    }
}
