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
        .target(name: "CRMCore", dependencies: ["CSQLite"]),
        .target(name: "CRMHost", dependencies: ["CRMCore", "CLua", "CCrypto"]),
        .executableTarget(name: "crm", dependencies: ["CRMCore", "CRMHost"]),
        .testTarget(name: "CRMCoreTests", dependencies: ["CRMCore"], exclude: ["Fixtures"]),
        .testTarget(name: "PluginTests", dependencies: ["CRMCore", "CRMHost"], exclude: ["Fixtures"]),
        .testTarget(name: "CLITests", dependencies: ["crm"]),
    ],
    swiftLanguageModes: [.v6]
)
