/// The files `crm plugin new` writes: a pack manifest, a plugin with one
/// handler, and a test file that `crm pack test` runs against the fixtures.
public enum PluginTemplates {
    /// Writes `pack.lua` for a one-plugin pack.
    public static func manifest(name: String) -> String {
        """
        -- Pack manifest: a data table, evaluated without any library.
        return {
          name = "\(name)",
          version = "0.1.0",
          api = \(Catalogue.apiVersion),
          description = "Rules of \(name)",
          plugins = { "\(name).lua" },
          tests = { "tests/\(name)_test.lua" },
          -- Defaults for every plugin of the pack, over the plugins' own.
          settings = {},
        }

        """
    }

    /// The plugin file, with the catalogue's example as the handler body.
    public static func plugin(name: String, hook: HookSpec) -> String {
        let payloadClass = "crm." + PluginDefinitions.capitalised(hook.name) + "Payload"
        var annotations = ["---@param payload \(payloadClass)", "---@param crm crm.API"]
        if let result = hook.result {
            var writer = PluginDefinitions.ClassWriter()
            var unused: [String] = []
            let type = writer.resultType(result, className: "crm." + PluginDefinitions.capitalised(hook.name) + "Result",
                                         into: &unused)
            annotations.append("---@return \(type)|nil")
        }
        let body = PluginExamples.body(of: hook.name) ?? "  " + hook.example
        let kind = hook.kind == .rule ? "rule" : "event hook"
        return """
            -- \(name): the \(hook.name) \(kind). \(hook.summary).
            -- Payload fields, result shape, limits and the crm API: docs/plugins.md
            -- (or `crm plugin docs`). Editor definitions: `crm plugin api --luals > crm.d.lua`.
            local P = {
              name = "\(name)",
              version = "0.1.0",
              api = \(Catalogue.apiVersion),
              settings = {
                -- Read with crm.setting; change per database with `crm setting set \(name).enabled false`.
                ["\(name).enabled"] = true,
              },
            }

            \(annotations.joined(separator: "\n"))
            function P.\(hook.name)(payload, crm)
              if not crm.setting("\(name).enabled") then
                return nil
              end
            \(body)
            end

            return P

            """
    }

    /// The test file: the handler runs on a payload built from the fixtures,
    /// and for a rule, the plugin decides unless its setting turns it off.
    public static func test(name: String, hook: HookSpec) -> String {
        var lines = [
            "-- Tests of \(name), run by `crm pack test DIR` on a throwaway database with fixtures.",
            "-- The test helpers and the fixtures are described in docs/plugins.md, \"Testing a pack\".",
            "",
            "local function payload()",
            "  return \(samplePayload(hook))",
            "end",
            "",
        ]
        if hook.kind == .rule {
            lines += [
                "test.case(\"\(name) decides \(hook.name)\", function()",
                "  local result, plugin = test.rule(\"\(hook.name)\", payload())",
                "  test.equal(plugin, \"\(name)\")",
                "  test.truthy(result)",
                "end)",
                "",
                "test.case(\"\(name) leaves \(hook.name) to others when disabled\", function()",
                "  test.setting(\"\(name).enabled\", false)",
                "  local _, plugin = test.rule(\"\(hook.name)\", payload())",
                "  test.truthy(plugin ~= \"\(name)\")",
                "end)",
            ]
        } else {
            lines += [
                "test.case(\"\(hook.name) runs on a fixture\", function()",
                "  test.fire(\"\(hook.name)\", payload())",
                "end)",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A Lua expression for a payload of the hook, built from the fixture
    /// account `established` and sample values.
    static func samplePayload(_ hook: HookSpec) -> String {
        var base = "{}"
        var fields = hook.payload
        if Array(fields.prefix(Catalogue.accountFields.count)) == Catalogue.accountFields {
            base = "test.account(\"established\")"
            fields = Array(fields.dropFirst(Catalogue.accountFields.count))
        } else if Array(fields.prefix(Catalogue.openingFields.count)) == Catalogue.openingFields {
            base = "test.opening(\"established\", 500000)"
            fields = Array(fields.dropFirst(Catalogue.openingFields.count))
        }
        if fields.isEmpty { return base }
        let assignments = fields.map { "\($0.name) = \(sample($0, indent: "    "))" }
        if base == "{}" {
            return "{\n    " + assignments.joined(separator: ",\n    ") + ",\n  }"
        }
        return "(function()\n    local value = \(base)\n"
            + assignments.map { "    value.\($0)\n" }.joined() + "    return value\n  end)()"
    }

    static let sampleStrings: [String: String] = [
        "event": "quoteSent", "reference": "DRAFT-000001", "number": "Q-2026-00001", "reason": "Price too high",
        "stage": "negotiation", "oldStage": "proposal", "newStage": "negotiation", "kind": "meeting",
        "owner": "alice", "sector": "IDF", "sequenceName": "quote-2026", "subject": "Discovery meeting",
        "title": "Conveyor upgrade", "currency": "EUR", "lossReason": "price",
    ]

    static func sample(_ field: Field, indent: String) -> String {
        if field.name == "accountId" { return "test.fixtures.accounts.established" }
        if field.name == "changed" { return "{ \"paymentTerm\" }" }
        switch field.shape {
        case .string: return "\"\(sampleStrings[field.name] ?? "sample")\""
        case .integer:
            if field.name == "year" { return "2026" }
            if field.name == "sequence" { return "42" }
            return "1"
        case .money: return "1200000"
        case .boolean: return "true"
        case .date: return field.name == "validUntil" ? "\"2026-04-01\"" : "\"2026-03-02\""
        case let .oneOf(values): return "\"\(values[0])\""
        case .list: return "{}"
        case let .record(nested):
            let inner = indent + "  "
            let parts = nested.filter { !$0.optional || ["number", "validUntil", "issueDate", "amount"].contains($0.name) }
                .map { "\(inner)\($0.name) = \(sample($0, indent: inner))," }
            return "{\n" + parts.joined(separator: "\n") + "\n\(indent)}"
        case .recordOrShorthand, .any: return "nil"
        }
    }
}
