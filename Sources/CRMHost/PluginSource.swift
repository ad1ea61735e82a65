import CRMCore

/// The text of one plugin file and where it came from.
public struct PluginSource: Sendable {
    public enum Origin: Sendable, Equatable {
        /// Shipped inside the `crm` binary, from the project's `plugins/` folder.
        case bundled
        /// Stored in the database by `crm pack install`.
        case pack(name: String, version: String)
        /// A file named on the command line (`crm plugin run`, `crm pack test`).
        case file
    }

    /// The file name shown in messages, such as `acme/solvency.lua`.
    public let file: String
    public let source: String
    public let origin: Origin
    /// Settings defaults from the pack's manifest; `.null` outside packs.
    public let packSettings: Value

    public init(file: String, source: String, origin: Origin, packSettings: Value = .null) {
        self.file = file
        self.source = source
        self.origin = origin
        self.packSettings = packSettings
    }

    /// Where the plugin came from, as `crm plugin list` shows it.
    public var originLabel: String {
        switch origin {
        case .bundled: return "bundled"
        case let .pack(name, version): return "pack \(name)@\(version)"
        case .file: return "file"
        }
    }

    /// Handlers of bundled plugins run after those of packs at any priority,
    /// so a pack always overrides the defaults.
    var tier: Int {
        switch origin {
        case .file, .pack: return 0
        case .bundled: return 1
        }
    }

    /// The bundled plugins, in file-name order.
    public static var bundled: [PluginSource] {
        BundledPlugins.files.map { PluginSource(file: "plugins/\($0.name)", source: $0.source, origin: .bundled) }
    }

    /// The plugins of every enabled pack's current version, by pack name and
    /// then in the order the manifest lists them.
    public static func installed(_ database: Database) throws(CRMError) -> [PluginSource] {
        var sources: [PluginSource] = []
        let packs = try database.query("""
            SELECT id, name, version, manifest FROM packs WHERE is_current = 1 AND enabled = 1 ORDER BY name
            """)
        for pack in packs {
            let manifest = (try? JSON.decode(pack.string(3)!)) ?? .null
            let name = pack.string(1)!, version = pack.string(2)!
            let files = try database.query("SELECT path, source FROM pack_files WHERE pack_id = ? AND kind = 'plugin'",
                                           [pack.int(0)!])
            var byPath: [String: String] = [:]
            for file in files { byPath[file.string(0)!] = file.string(1)! }
            let order: [String]
            if case let .array(listed)? = manifest["plugins"] { order = listed.compactMap(\.stringValue) } else { order = byPath.keys.sorted() }
            for path in order {
                guard let source = byPath[path] else { continue }
                sources.append(PluginSource(file: "\(name)/\(path)", source: source,
                                            origin: .pack(name: name, version: version),
                                            packSettings: manifest["settings"] ?? .null))
            }
        }
        return sources
    }
}
