import CCrypto
import CRMCore

/// A pack manifest, `pack.lua`: a Lua file returning a plain data table.
public struct PackManifest: Sendable {
    public let name: String
    public let version: SemanticVersion
    public let apiVersion: Int64
    public let plugins: [String]
    public let tests: [String]
    public let settings: Value
    public let description: String?
    /// The manifest as read, stored with the pack.
    public let value: Value
}

/// A version `MAJOR.MINOR.PATCH`, compared numerically.
public struct SemanticVersion: Comparable, Sendable, CustomStringConvertible {
    public let major: Int, minor: Int, patch: Int

    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              parts.allSatisfy({ !$0.isEmpty && $0.count <= 9 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              parts.allSatisfy({ $0 == "0" || !$0.hasPrefix("0") }) else { return nil }
        major = Int(parts[0])!
        minor = Int(parts[1])!
        patch = Int(parts[2])!
    }

    public var description: String { "\(major).\(minor).\(patch)" }

    public static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }
}

/// One installed pack version.
public struct InstalledPack: Sendable {
    public let id: Int64
    public let name: String
    public let version: String
    public let apiVersion: Int64
    public let isCurrent: Bool
    public let enabled: Bool
    public let installedAt: String
    public let installedBy: String?
    public let files: [(path: String, kind: String, sha256: String)]
    public let manifest: Value

    public var jsonValue: Value {
        var object = ObjectBuilder()
        object.set("name", name)
        object.set("version", version)
        object.set("api", apiVersion)
        object.set("current", isCurrent)
        object.set("enabled", enabled)
        object.set("installedAt", installedAt)
        object.set("installedBy", installedBy)
        object.set("files", .array(files.map {
            .object([("path", .string($0.path)), ("kind", .string($0.kind)), ("sha256", .string($0.sha256))])
        }))
        object.set("settings", manifest["settings"] ?? .null)
        return object.value
    }
}

/// Rule packs: versioned folders of plugins with settings and tests, stored
/// in the database so every client runs the same rules.
public enum Packs {
    /// Largest file a pack may hold.
    static let maximumFileBytes = 1 << 20

    /// Hex SHA-256 of text, from libcrypto.
    public static func sha256(_ text: String) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBufferPointer { buffer in
            SHA256(buffer.baseAddress, buffer.count, &digest)
        }
        let digits = Array("0123456789abcdef")
        return String(digest.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }

    /// Reads and checks `DIR/pack.lua`, evaluated in an empty environment.
    public static func readManifest(directory: String) throws(CRMError) -> PackManifest {
        let path = directory + "/pack.lua"
        guard FileSystem.isRegularFile(path) else {
            throw CRMError.invalid("\(directory) has no pack.lua manifest; a pack is a folder with pack.lua and its plugins")
        }
        let source = try FileSystem.readText(path, maximumBytes: maximumFileBytes)
        let value: Value
        do {
            value = try LuaPlugin.evaluateData(source: source, file: path, limits: .standard)
        } catch {
            throw CRMError(.plugin, error.compilerStyleDescription)
        }
        return try checkManifest(value)
    }

    static func checkManifest(_ value: Value) throws(CRMError) -> PackManifest {
        func fail(_ message: String) -> CRMError { CRMError.invalid("pack.lua: \(message)") }
        guard case let .object(fields) = value else { throw fail("the manifest must return a table") }
        let known: Set<String> = ["name", "version", "api", "plugins", "tests", "settings", "description"]
        if let unknown = fields.first(where: { !known.contains($0.0) }) {
            throw fail("unknown field '\(unknown.0)'; expected name, version, api, plugins, tests, settings, description")
        }
        guard let name = value["name"]?.stringValue, !name.isEmpty, name.count <= 64,
              name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isLowercase || $0.properties.numericType != nil || $0 == "-") }) else {
            throw fail("name must be 1 to 64 lower-case ASCII letters, digits or '-'")
        }
        guard let versionText = value["version"]?.stringValue, let version = SemanticVersion(versionText) else {
            throw fail("version must be a semantic version such as \"1.2.0\"")
        }
        var api = Catalogue.apiVersion
        if let declared = value["api"] {
            guard let number = declared.integerValue else { throw fail("api must be an integer, got \(declared.typeName)") }
            api = number
        }
        guard api <= Catalogue.apiVersion else {
            throw CRMError.invalid("pack \(name) \(versionText) needs host API \(api), but this crm provides API "
                                   + "\(Catalogue.apiVersion); upgrade crm or use an older version of the pack")
        }
        let plugins = try pathList(value["plugins"], field: "plugins", required: true)
        let tests = try pathList(value["tests"], field: "tests", required: false)
        let settings = value["settings"] ?? .object([])
        switch settings {
        case .object: break
        case let .array(items) where items.isEmpty: break
        default: throw fail("settings must be a table of defaults")
        }
        return PackManifest(name: name, version: version, apiVersion: api, plugins: plugins, tests: tests,
                            settings: settings, description: value["description"]?.stringValue, value: value)
    }

    /// Reads a list of relative file paths inside the pack, with no `..`.
    static func pathList(_ value: Value?, field: String, required: Bool) throws(CRMError) -> [String] {
        guard let value else {
            if required { throw CRMError.invalid("pack.lua: \(field) is missing; list the pack's Lua files") }
            return []
        }
        guard case let .array(items) = value else { throw CRMError.invalid("pack.lua: \(field) must be a list of file names") }
        var paths: [String] = []
        for item in items {
            guard let path = item.stringValue else { throw CRMError.invalid("pack.lua: \(field) must hold strings") }
            let components = path.split(separator: "/", omittingEmptySubsequences: false)
            guard !path.isEmpty, !path.hasPrefix("/"), !components.contains(".."), !components.contains(""),
                  path.hasSuffix(".lua") else {
                throw CRMError.invalid("pack.lua: \(field) entry '\(path)' must be a relative path to a .lua file inside the pack")
            }
            guard !paths.contains(path) else { throw CRMError.invalid("pack.lua: \(field) lists '\(path)' twice") }
            paths.append(path)
        }
        if required && paths.isEmpty { throw CRMError.invalid("pack.lua: \(field) is empty") }
        return paths
    }

    /// Reads a pack folder completely and checks every plugin in the
    /// sandbox, reporting every problem at once.
    public static func load(directory: String) throws(CRMError) -> (PackManifest, [(path: String, kind: String, source: String)]) {
        let manifest = try readManifest(directory: directory)
        var files: [(path: String, kind: String, source: String)] = []
        files.append(("pack.lua", "manifest", try FileSystem.readText(directory + "/pack.lua", maximumBytes: maximumFileBytes)))
        var problems: [String] = []
        for (path, kind) in manifest.plugins.map({ ($0, "plugin") }) + manifest.tests.map({ ($0, "test") }) {
            let full = directory + "/" + path
            guard FileSystem.isRegularFile(full) else {
                problems.append("\(path): listed in pack.lua but not found (or not a regular file)")
                continue
            }
            do {
                files.append((path, kind, try FileSystem.readText(full, maximumBytes: maximumFileBytes)))
            } catch {
                problems.append("\(path): \(error.message)")
            }
        }
        let sources = files.filter { $0.kind == "plugin" }.map {
            PluginSource(file: "\(manifest.name)/\($0.path)", source: $0.source,
                         origin: .pack(name: manifest.name, version: manifest.version.description),
                         packSettings: manifest.settings)
        }
        problems += PluginChecker.problems(in: sources)
        guard problems.isEmpty else {
            throw CRMError(.plugin, "pack \(manifest.name) \(manifest.version) has problems:\n" + problems.joined(separator: "\n"))
        }
        return (manifest, files)
    }

    /// Installs a pack folder as the current version of its name. Older
    /// versions stay for `rollback`.
    public static func install(_ context: CRMContext, directory: String) throws(CRMError) -> PackManifest {
        try context.require(.admin, to: "install a pack")
        let (manifest, files) = try load(directory: directory)
        let database = context.database
        try database.transaction { () throws(CRMError) in
            let version = manifest.version.description
            if try database.first("SELECT id FROM packs WHERE name = ? AND version = ?", [manifest.name, version]) != nil {
                throw CRMError.conflict("pack \(manifest.name) \(version) is already installed; raise the version in "
                                        + "pack.lua to install a change, or `crm pack rollback \(manifest.name) --to \(version)`")
            }
            let others = try PluginSource.installed(database).filter {
                if case let .pack(name, _) = $0.origin { return name != manifest.name }
                return true
            }
            let mine = files.filter { $0.kind == "plugin" }.map {
                PluginSource(file: "\(manifest.name)/\($0.path)", source: $0.source,
                             origin: .pack(name: manifest.name, version: version), packSettings: manifest.settings)
            }
            _ = try LuaPluginHost(sources: others + mine)
            // A new version keeps the enabled state of the version it replaces.
            let enabled = try database.scalar("SELECT enabled FROM packs WHERE name = ? AND is_current = 1",
                                              [manifest.name]).integer ?? 1
            try database.query("UPDATE packs SET is_current = 0 WHERE name = ?", [manifest.name])
            let id = try database.insert("""
                INSERT INTO packs (name, version, api_version, manifest, is_current, enabled, installed_at, installed_by)
                VALUES (?, ?, ?, ?, 1, ?, ?, ?)
                """, [manifest.name, version, manifest.apiVersion, JSON.encode(manifest.value), enabled,
                      context.clock.timestamp, context.actor.id])
            for file in files {
                try database.query("INSERT INTO pack_files (pack_id, path, kind, source, sha256) VALUES (?, ?, ?, ?, ?)",
                                   [id, file.path, file.kind, file.source, sha256(file.source)])
            }
            try context.audit(entity: "pack", id: id, action: "install", field: manifest.name, old: nil, new: version)
        }
        return manifest
    }

    static func decode(_ database: Database, _ row: Row) throws(CRMError) -> InstalledPack {
        let id = row.int(0)!
        let files = try database.query("SELECT path, kind, sha256 FROM pack_files WHERE pack_id = ? ORDER BY kind, path", [id])
            .map { (path: $0.string(0)!, kind: $0.string(1)!, sha256: $0.string(2)!) }
        return InstalledPack(id: id, name: row.string(1)!, version: row.string(2)!, apiVersion: row.int(3)!,
                             isCurrent: row.bool(4), enabled: row.bool(5), installedAt: row.string(6)!,
                             installedBy: row.string(7), files: files,
                             manifest: (try? JSON.decode(row.string(8)!)) ?? .null)
    }

    static let select = """
        SELECT p.id, p.name, p.version, p.api_version, p.is_current, p.enabled, p.installed_at, u.name, p.manifest
        FROM packs p LEFT JOIN users u ON u.id = p.installed_by
        """

    /// The current version of every pack.
    public static func list(_ database: Database) throws(CRMError) -> [InstalledPack] {
        var packs: [InstalledPack] = []
        for row in try database.query("\(select) WHERE p.is_current = 1 ORDER BY p.name") {
            packs.append(try decode(database, row))
        }
        return packs
    }

    /// Every installed version of one pack, newest first.
    public static func versions(_ database: Database, name: String) throws(CRMError) -> [InstalledPack] {
        var packs: [InstalledPack] = []
        for row in try database.query("\(select) WHERE p.name = ? ORDER BY p.id DESC", [name]) {
            packs.append(try decode(database, row))
        }
        guard !packs.isEmpty else { throw CRMError.notFound("no pack named '\(name)' is installed; see `crm pack list`") }
        return packs
    }

    public static func remove(_ context: CRMContext, name: String) throws(CRMError) {
        try context.require(.admin, to: "remove a pack")
        try context.database.transaction { () throws(CRMError) in
            let versions = try versions(context.database, name: name)
            try context.database.query("DELETE FROM pack_files WHERE pack_id IN (SELECT id FROM packs WHERE name = ?)", [name])
            try context.database.query("DELETE FROM packs WHERE name = ?", [name])
            try context.audit(entity: "pack", id: versions[0].id, action: "remove", field: name,
                              old: versions.map(\.version).joined(separator: ", "), new: nil)
        }
    }

    public static func setEnabled(_ context: CRMContext, name: String, enabled: Bool) throws(CRMError) {
        try context.require(.admin, to: enabled ? "enable a pack" : "disable a pack")
        try context.database.transaction { () throws(CRMError) in
            let versions = try versions(context.database, name: name)
            if enabled {
                let others = try PluginSource.installed(context.database)
                let current = versions.first { $0.isCurrent }!
                let mine = try sources(context.database, packId: current.id, name: name, version: current.version)
                _ = try LuaPluginHost(sources: others + mine)
            }
            try context.database.query("UPDATE packs SET enabled = ? WHERE name = ?", [enabled, name])
            try context.audit(entity: "pack", id: versions[0].id, action: enabled ? "enable" : "disable", field: name,
                              old: nil, new: nil)
        }
    }

    static func sources(_ database: Database, packId: Int64, name: String, version: String) throws(CRMError) -> [PluginSource] {
        let manifest = (try? JSON.decode(try database.scalar("SELECT manifest FROM packs WHERE id = ?", [packId]).text ?? "")) ?? .null
        return try database.query("SELECT path, source FROM pack_files WHERE pack_id = ? AND kind = 'plugin' ORDER BY path", [packId]).map {
            PluginSource(file: "\(name)/\($0.string(0)!)", source: $0.string(1)!, origin: .pack(name: name, version: version),
                         packSettings: manifest["settings"] ?? .null)
        }
    }

    /// Makes an earlier version current again: the one given, or else the
    /// version installed before the current one. Returns the version.
    public static func rollback(_ context: CRMContext, name: String, to target: String?) throws(CRMError) -> String {
        try context.require(.admin, to: "roll back a pack")
        return try context.database.transaction { () throws(CRMError) -> String in
            let versions = try versions(context.database, name: name)
            guard let current = versions.first(where: { $0.isCurrent }) else {
                throw CRMError.conflict("pack \(name) has no current version")
            }
            let chosen: InstalledPack
            if let target {
                guard let found = versions.first(where: { $0.version == target }) else {
                    throw CRMError.notFound("pack \(name) has no installed version \(target); installed: "
                                            + versions.map(\.version).joined(separator: ", "))
                }
                chosen = found
            } else {
                guard let previous = versions.first(where: { $0.id < current.id }) else {
                    throw CRMError.conflict("pack \(name) \(current.version) is the oldest installed version; "
                                            + "there is nothing to roll back to")
                }
                chosen = previous
            }
            guard chosen.id != current.id else { throw CRMError.conflict("pack \(name) \(chosen.version) is already current") }
            let others = try PluginSource.installed(context.database).filter {
                if case let .pack(packName, _) = $0.origin { return packName != name }
                return true
            }
            _ = try LuaPluginHost(sources: others + sources(context.database, packId: chosen.id, name: name, version: chosen.version))
            try context.database.query("UPDATE packs SET is_current = 0 WHERE name = ?", [name])
            try context.database.query("UPDATE packs SET is_current = 1, enabled = ? WHERE id = ?", [current.enabled, chosen.id])
            try context.audit(entity: "pack", id: chosen.id, action: "rollback", field: name, old: current.version,
                              new: chosen.version)
            return chosen.version
        }
    }
}
