import CRMCore

/// Loads plugin files in the sandbox and lists every problem as
/// `FILE:LINE: message`, the way compilers report.
public enum PluginChecker {
    /// A bridge for checking: loading a file may not call the API.
    final class NoAPI: PluginAPIBridge {
        func call(_ function: APIFunctionSpec, arguments: [Value], plugin: PluginIdentity,
                  mode: CallMode) throws(APICallError) -> Value {
            throw APICallError("crm.\(function.name) is not available while a plugin file loads")
        }
    }

    /// Every problem of the given files; empty when all load cleanly.
    public static func problems(in sources: [PluginSource]) -> [String] {
        var problems: [String] = []
        var loaded: [PluginSet.Entry] = []
        let known = Set(Catalogue.hooks.map(\.name))
        for (position, source) in sources.enumerated() {
            let plugin: LuaPlugin
            do {
                plugin = try LuaPlugin(source: source.source, file: source.file, limits: .standard, bridge: NoAPI())
            } catch {
                problems.append(error.compilerStyleDescription)
                continue
            }
            for handler in plugin.handlerNames where !known.contains(handler) {
                problems.append("\(source.file):\(plugin.handlerLine(handler) ?? 0): '\(handler)' is not a hook or rule; "
                                + "see `crm plugin docs` for the names")
            }
            loaded.append(PluginSet.Entry(plugin: plugin, source: source, position: position))
        }
        problems += PluginSet.ruleConflicts(loaded)
        return problems
    }

    /// The plugin files of a path: the file itself, or for a folder its
    /// `*.lua` files except `pack.lua` and test files listed by its manifest.
    public static func files(at path: String) throws(CRMError) -> [PluginSource] {
        if FileSystem.isDirectory(path) {
            var skipped: Set<String> = ["pack.lua"]
            if FileSystem.isRegularFile(path + "/pack.lua") {
                let manifest = try Packs.readManifest(directory: path)
                return try manifest.plugins.map { (file) throws(CRMError) in
                    PluginSource(file: "\(path)/\(file)", source: try FileSystem.readText("\(path)/\(file)"), origin: .file,
                                 packSettings: manifest.settings)
                }
            }
            skipped.insert("")
            return try FileSystem.list(path).filter { $0.hasSuffix(".lua") && !skipped.contains($0) }.map { (name) throws(CRMError) in
                PluginSource(file: "\(path)/\(name)", source: try FileSystem.readText("\(path)/\(name)"), origin: .file)
            }
        }
        guard FileSystem.isRegularFile(path) else {
            throw CRMError.notFound("no plugin file or folder at \(path)")
        }
        return [PluginSource(file: path, source: try FileSystem.readText(path), origin: .file)]
    }
}
