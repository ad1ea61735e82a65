// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "crm",
    products: [
        .executable(name: "crm", targets: ["crm"]),
    ],
    targets: [
        // The C side of the Lua bridge: macro wrappers, the error trampoline,
        // the count hook and the capped allocator. Links Debian's liblua5.4.
        .target(
            name: "CLua",
            linkerSettings: [.linkedLibrary("lua5.4"), .linkedLibrary("m")]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // Cairo writes quote PDFs and embeds subsets of the fonts it uses.
        // Pango is left out: its pkg-config flags carry -pthread, which
        // SwiftPM rejects with a warning on every build.
        .systemLibrary(
            name: "CCairo",
            pkgConfig: "cairo",
            providers: [.apt(["libcairo2-dev"])]
        ),
        .target(name: "CRMCore", dependencies: ["CSQLite"]),
        .target(name: "CRMHost", dependencies: ["CRMCore", "CLua", "CCrypto"]),
        // Release builds link the Swift runtime into crm, so a read command
        // starts without loading libswiftCore: 7.6 ms instead of 9.2 ms for
        // `crm account list` (median of 41 runs, see docs/benchmarks.md).
        // Debug builds stay dynamic because the flag reaches the test bundle,
        // which links XCTest dynamically.
        .executableTarget(
            name: "crm",
            dependencies: ["CRMCore", "CRMHost", "CCairo"],
            linkerSettings: [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))]
        ),
        // Measures the product's own paths for `make bench`.
        .executableTarget(name: "crm-bench", dependencies: ["CRMCore", "CRMHost"]),
        .testTarget(name: "CRMCoreTests", dependencies: ["CRMCore"], exclude: ["Fixtures"]),
        .testTarget(name: "PluginTests", dependencies: ["CRMCore", "CRMHost"], exclude: ["Fixtures"]),
        .testTarget(name: "CLITests", dependencies: ["crm"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)

// libFuzzer targets for `make fuzz`, declared only when CRM_FUZZ=1: they
// have no main function of their own and link only with -sanitize=fuzzer.
if Context.environment["CRM_FUZZ"] == "1" {
    let fuzzTargets: [(product: String, target: String, folder: String, dependencies: [Target.Dependency])] = [
        ("fuzz-csv", "FuzzCSV", "Fuzz/CSV", ["CRMCore"]),
        ("fuzz-parsers", "FuzzParsers", "Fuzz/Parsers", ["CRMCore"]),
        ("fuzz-lua-values", "FuzzLuaValues", "Fuzz/LuaValues", ["CRMCore", "CRMHost"]),
    ]
    for fuzz in fuzzTargets {
        package.products.append(.executable(name: fuzz.product, targets: [fuzz.target]))
        package.targets.append(.executableTarget(name: fuzz.target, dependencies: fuzz.dependencies, path: fuzz.folder))
    }
}
