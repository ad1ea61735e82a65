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
        // Linked with the Swift runtime built in: a read command then starts
        // without loading libswiftCore, which `make bench` measures as faster.
        .executableTarget(
            name: "crm",
            dependencies: ["CRMCore", "CRMHost", "CCairo"],
            linkerSettings: [.unsafeFlags(["-static-stdlib"])]
        ),
        // Measures the product's own paths for `make bench`.
        .executableTarget(name: "crm-bench", dependencies: ["CRMCore", "CRMHost"]),
        .testTarget(name: "CRMCoreTests", dependencies: ["CRMCore"], exclude: ["Fixtures"]),
        .testTarget(name: "PluginTests", dependencies: ["CRMCore", "CRMHost"], exclude: ["Fixtures"]),
        .testTarget(name: "CLITests", dependencies: ["crm"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
