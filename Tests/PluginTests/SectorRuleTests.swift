import CRMCore
import CRMHost
import XCTest

/// The bundled `sector-by-department` rule, run in Lua with every sector
/// it may choose present unless a test states otherwise.
final class SectorByDepartmentTests: PluginTestCase {
    private func bundledRule(_ bridge: TestBridge) throws -> LuaPlugin {
        let source = try XCTUnwrap(PluginSource.bundled.first { $0.file == "plugins/sector-by-department.lua" })
        return try plugin(source.source, bridge: bridge, file: source.file)
    }

    private func account(country: String = "FR", postalCode: String?) -> Value {
        .object([("id", .integer(1)), ("country", .string(country)),
                 ("address", .object([("postalCode", postalCode.map(Value.string) ?? .null)]))])
    }

    private func sector(_ rule: LuaPlugin, country: String = "FR", postalCode: String?) throws -> Value {
        try rule.call("sectorFor", payload: account(country: country, postalCode: postalCode), mode: .rule)
    }

    func testFrenchPostalCodesGiveDepartments() throws {
        let bridge = TestBridge()
        bridge.sectors = ["01", "13", "2A", "2B", "69", "75", "95", "971", "972", "974", "976", "MC"]
        let rule = try bundledRule(bridge)
        let cases: [(String, Value)] = [
            ("75008", .string("75")), ("75 008", .string("75")), ("69001", .string("69")),
            ("01000", .string("01")), ("13-001", .string("13")), ("95000", .string("95")),
            // Corsica: Ajaccio, the last 201xx, Bastia, the last 206xx.
            ("20000", .string("2A")), ("20190", .string("2A")), ("20200", .string("2B")), ("20600", .string("2B")),
            // Overseas: Pointe-à-Pitre, Fort-de-France, Saint-Denis, Mamoudzou.
            ("97110", .string("971")), ("97200", .string("972")), ("97400", .string("974")),
            ("97600", .string("976")),
            // Monaco is not French; a country sector MC takes it.
            ("98000", .string("MC")),
            // No département: 207xx, Saint-Barthélemy 977, Polynesia 987, 96xxx, 00xxx, malformed.
            ("20700", .null), ("97700", .null), ("98714", .null), ("96000", .null), ("00100", .null),
            ("7500", .null), ("750080", .null), ("ABCDE", .null), ("", .null),
        ]
        for (postalCode, expected) in cases {
            XCTAssertEqual(try sector(rule, postalCode: postalCode), expected, postalCode)
        }
        XCTAssertEqual(try sector(rule, postalCode: nil), .null)
    }

    func testOtherCountriesGoByCountry() throws {
        let bridge = TestBridge()
        bridge.sectors = ["DE", "MC"]
        let rule = try bundledRule(bridge)
        XCTAssertEqual(try sector(rule, country: "DE", postalCode: "10115"), .string("DE"))
        XCTAssertEqual(try sector(rule, country: "DE", postalCode: nil), .string("DE"))
        XCTAssertEqual(try sector(rule, country: "MC", postalCode: "98000"), .string("MC"))
        XCTAssertEqual(try sector(rule, country: "BE", postalCode: "1000"), .null)
    }

    func testMissingSectorGivesNil() throws {
        let bridge = TestBridge()
        let rule = try bundledRule(bridge)
        XCTAssertEqual(try sector(rule, postalCode: "75008"), .null)
        XCTAssertEqual(bridge.calls(to: "sectorExists").map(\.arguments), [[.string("75")]])
        XCTAssertEqual(bridge.calls(to: "sectorExists").map(\.mode), [.rule])
    }

    func testSettingMapsDepartments() throws {
        let bridge = TestBridge()
        bridge.sectors = ["IDF", "13"]
        bridge.settings["sector.departments"] = .object([("75", .string("IDF")), ("92", .string("IDF")),
                                                         ("69", .string("ARA"))])
        let rule = try bundledRule(bridge)
        XCTAssertEqual(try sector(rule, postalCode: "75008"), .string("IDF"))
        XCTAssertEqual(try sector(rule, postalCode: "92100"), .string("IDF"))
        XCTAssertEqual(try sector(rule, postalCode: "13001"), .string("13"))
        // ARA does not exist, so Lyon gets no sector.
        XCTAssertEqual(try sector(rule, postalCode: "69001"), .null)
    }
}
