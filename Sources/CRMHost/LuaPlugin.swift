import CLua
import CRMCore

/// One plugin file loaded into its own sandboxed Lua state.
///
/// Each plugin has a state of its own, so no plugin can change what
/// another sees, the string metatable included. The state lives until
/// `close()` or `deinit`. A `LuaPlugin` is not thread-safe: call it from
/// one thread at a time.
///
/// Every call runs under `PluginLimits`: an instruction budget and a
/// memory cap that stay reached for the rest of the call once reached (a
/// `pcall` in the plugin cannot undo them), a time limit checked by the
/// count hook, and a watchdog that ends the process when a call outlives
/// the time limit by `watchdogGraceSeconds`.
public final class LuaPlugin {
    public let file: String
    public let limits: PluginLimits
    /// The plugin's `name` field.
    public private(set) var name: String
    /// The plugin's `version` field.
    public private(set) var version: String
    /// The plugin's `api` field, or `Catalogue.apiVersion` when absent.
    public private(set) var apiVersion: Int64
    /// The plugin's `priority` field, 0 when absent.
    public private(set) var priority: Int64
    /// The plugin's `settings` table as an object, `.object([])` when absent.
    public private(set) var settingsDefaults: Value
    /// Names of the function fields of the plugin table, sorted.
    public private(set) var handlerNames: [String]
    /// The clock that `os.time()` and `os.date()` read.
    public var clock: Clock {
        didSet { if let host { clua_host_set_clock(host, clock.now) } }
    }

    var host: OpaquePointer?
    let state: OpaquePointer
    var bridge: PluginAPIBridge?
    var mode: CallMode = .rule
    var identity: PluginIdentity
    private var activeCalls = 0
    /// The functions of the `crm` table: the catalogue's, plus the helpers
    /// of `crm pack test` for its test runner.
    let apiFunctions: [APIFunctionSpec]
    private var handlerReferences: [String: Int32] = [:]
    /// For a data file, the value its chunk returned.
    private var dataValue: Value?
    private var handlerLines: [String: Int] = [:]

    /// Loads `source` and reads the plugin table it returns.
    ///
    /// The chunk is compiled as text only, with the chunk name `"=" + file`,
    /// and runs under `limits`. It must return a table with a `name` and a
    /// `version` string; `api` and `priority` are optional integers and
    /// `settings` an optional table. The fields are read without running
    /// metamethods.
    public convenience init(source: String, file: String, limits: PluginLimits = .standard,
                            bridge: PluginAPIBridge, clock: Clock = .system(),
                            api: [APIFunctionSpec] = Catalogue.api) throws(PluginFailure) {
        try self.init(source: source, file: file, limits: limits, bridge: bridge, clock: clock, api: api,
                      dataOnly: false)
    }

    /// Evaluates a data file, such as a pack manifest, in an empty
    /// environment (no library, no `crm`) under `limits`, and returns the
    /// value its chunk returns.
    static func evaluateData(source: String, file: String, limits: PluginLimits) throws(PluginFailure) -> Value {
        let loader = try LuaPlugin(source: source, file: file, limits: limits, bridge: nil, clock: Clock(now: 0),
                                   api: [], dataOnly: true)
        defer { loader.close() }
        return loader.dataValue ?? .null
    }

    /// With `dataOnly`, the sandbox is not opened, so the chunk runs with no
    /// global at all, and its result is kept as a value, not read as a plugin.
    private init(source: String, file: String, limits: PluginLimits, bridge: PluginAPIBridge?, clock: Clock,
                 api: [APIFunctionSpec], dataOnly: Bool) throws(PluginFailure) {
        guard let host = clua_host_create(limits.memoryBytes) else {
            throw PluginFailure(kind: .invalidPlugin, plugin: file, file: file, line: nil,
                                message: "could not create a Lua state")
        }
        self.host = host
        self.state = clua_host_state(host)
        self.file = file
        self.limits = limits
        self.bridge = bridge
        self.clock = clock
        self.name = file
        self.version = ""
        self.apiVersion = Catalogue.apiVersion
        self.priority = 0
        self.settingsDefaults = .object([])
        self.handlerNames = []
        self.identity = PluginIdentity(name: file, version: "", file: file)
        self.apiFunctions = api
        self.dataValue = dataOnly ? .null : nil

        configureHost(host)
        if !dataOnly { try openSandbox(host) }
        try load(source)
    }

    deinit {
        close()
    }

    /// Closes the Lua state and releases the bridge. Calling the plugin
    /// afterwards, or closing it from inside one of its calls, is a
    /// programming error.
    public func close() {
        guard let host else { return }
        precondition(activeCalls == 0, "close() inside a call of the same plugin")
        self.host = nil
        bridge = nil
        clua_host_destroy(host)
    }

    /// The line where a handler is defined, for messages about its result.
    public func handlerLine(_ handler: String) -> Int? {
        handlerLines[handler]
    }

    /// Calls `handler(payload, crm)` and returns its first result.
    ///
    /// In `.rule` mode the `crm` functions that write raise an error. The
    /// call fails when a limit was reached at any point, even if the
    /// plugin caught the error and returned normally.
    public func call(_ handler: String, payload: Value, mode: CallMode) throws(PluginFailure) -> Value {
        guard let host else { preconditionFailure("call on a closed plugin") }
        guard let reference = handlerReferences[handler] else {
            throw failure(.runtime, line: nil, "the plugin has no handler named '\(handler)'")
        }

        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        lua_rawgeti(state, clua_registry_index(), lua_Integer(reference))
        pushValue(payload)
        clua_host_push_api(host)

        let outerMode = self.mode
        self.mode = mode
        activeCalls += 1
        let status = clua_host_call(host, 2)
        activeCalls -= 1
        self.mode = outerMode
        if status != CLUA_OK {
            throw failure(for: status)
        }

        do {
            return try readValue(at: lua_gettop(state))
        } catch {
            throw failure(.invalidResult, line: handlerLines[handler], "result\(error.path) \(error.message)")
        }
    }

    // MARK: - Loading

    private func configureHost(_ host: OpaquePointer) {
        let soft = nanoseconds(limits.wallClockSeconds)
        let hard = nanoseconds(limits.wallClockSeconds + limits.watchdogGraceSeconds)
        clua_host_set_limits(host, limits.instructionBudget, soft, hard)
        clua_host_set_clock(host, clock.now)
        updateWatchdogMessage()
    }

    /// Converts seconds to nanoseconds, capped at about 146 years so that
    /// adding the result to a monotonic time cannot overflow.
    private func nanoseconds(_ seconds: Double) -> Int64 {
        let cap = Double(Int64.max / 2)
        guard seconds.isFinite else { return seconds > 0 ? Int64(cap) : 0 }
        return Int64(max(0, min(seconds * 1e9, cap)))
    }

    private func updateWatchdogMessage() {
        guard let host else { return }
        let text = "plugin \(escaped(name)) (\(escaped(file))): exceeded the wall-clock limit of "
            + "\(formatSeconds(limits.wallClockSeconds)) s; the command was stopped and nothing was saved"
        clua_host_set_watchdog_message(host, PluginFailure.cut(text))
    }

    private func openSandbox(_ host: OpaquePointer) throws(PluginFailure) {
        let names = apiFunctions.map(\.name).joined(separator: "\n")
        let context = Unmanaged.passUnretained(self).toOpaque()
        let status = clua_host_open_sandbox(host, names, { context, _, index in
            let plugin = Unmanaged<LuaPlugin>.fromOpaque(context!).takeUnretainedValue()
            return plugin.handleAPICall(index: Int(index))
        }, context)
        guard status == 0 else {
            throw failure(.invalidPlugin, line: nil, "could not set up the sandbox: \(errorMessage(at: -1))")
        }
    }

    private func load(_ source: String) throws(PluginFailure) {
        guard let host else { return }
        var source = source
        let status = source.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) { text in
                clua_host_load(host, text.baseAddress, text.count, file)
            }
        }
        if status == CLUA_SYNTAX_ERROR {
            let (line, text) = splitLocation(errorMessage(at: -1))
            throw failure(.syntax, line: line, text)
        }
        if status != CLUA_OK {
            throw failure(for: status)
        }

        defer { lua_settop(state, 0) }
        if dataValue != nil {
            do {
                dataValue = try readValue(at: lua_gettop(state))
            } catch {
                throw failure(.invalidResult, line: nil, "the file returns a value that cannot be read: \(error.message)")
            }
            return
        }
        guard lua_type(state, -1) == LUA_TTABLE else {
            throw failure(.invalidPlugin, line: nil,
                          "the file must return a plugin table, got \(luaTypeName(at: -1))")
        }
        try readPluginTable(at: lua_gettop(state))
        identity = PluginIdentity(name: name, version: version, file: file)
        updateWatchdogMessage()
    }

    private func readPluginTable(at table: Int32) throws(PluginFailure) {
        name = try requiredText("name", in: table)
        version = try requiredText("version", in: table)

        if let api = try optionalInteger("api", in: table) {
            guard api >= 1 else {
                throw failure(.invalidPlugin, line: nil, "'api' must be a positive integer")
            }
            guard api <= Catalogue.apiVersion else {
                throw failure(.invalidPlugin, line: nil,
                              "the plugin needs host API version \(api), but this host provides version "
                                  + "\(Catalogue.apiVersion)")
            }
            apiVersion = api
        }
        priority = try optionalInteger("priority", in: table) ?? 0
        settingsDefaults = try readSettings(in: table)
        readHandlers(in: table)
    }

    /// Reads a string field that must be present, non-empty, at most 100
    /// bytes long and free of control characters.
    private func requiredText(_ key: String, in table: Int32) throws(PluginFailure) -> String {
        pushString(key)
        let type = lua_rawget(state, table)
        defer { clua_pop(state, 1) }
        guard type == LUA_TSTRING else {
            throw failure(.invalidPlugin, line: nil,
                          "the plugin table needs a '\(key)' string, got \(luaTypeName(at: -1))")
        }
        guard let text = readString(at: -1), !text.isEmpty, text.utf8.count <= 100,
              !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw failure(.invalidPlugin, line: nil,
                          "'\(key)' must be 1 to 100 bytes of UTF-8 text without control characters")
        }
        return text
    }

    private func optionalInteger(_ key: String, in table: Int32) throws(PluginFailure) -> Int64? {
        pushString(key)
        let type = lua_rawget(state, table)
        defer { clua_pop(state, 1) }
        if type == LUA_TNIL { return nil }
        guard type == LUA_TNUMBER, lua_isinteger(state, -1) != 0 else {
            throw failure(.invalidPlugin, line: nil, "'\(key)' must be an integer, got \(luaTypeName(at: -1))")
        }
        return lua_tointegerx(state, -1, nil)
    }

    private func readSettings(in table: Int32) throws(PluginFailure) -> Value {
        pushString("settings")
        let type = lua_rawget(state, table)
        defer { clua_pop(state, 1) }
        if type == LUA_TNIL { return .object([]) }
        guard type == LUA_TTABLE else {
            throw failure(.invalidPlugin, line: nil, "'settings' must be a table, got \(luaTypeName(at: -1))")
        }
        let value: Value
        do {
            value = try readValue(at: lua_gettop(state))
        } catch {
            throw failure(.invalidPlugin, line: nil, "settings\(error.path) \(error.message)")
        }
        switch value {
        case .object: return value
        case .array([]): return .object([])
        default: throw failure(.invalidPlugin, line: nil, "'settings' must have string keys")
        }
    }

    /// Keeps a registry reference to every function field, so later
    /// changes to the plugin table do not change what the host calls.
    private func readHandlers(in table: Int32) {
        lua_pushnil(state)
        while lua_next(state, table) != 0 {
            if lua_type(state, -2) == LUA_TSTRING, lua_type(state, -1) == LUA_TFUNCTION,
               let handler = readString(at: -2) {
                let line = Int(clua_function_line(state, -1))
                handlerLines[handler] = line > 0 ? line : nil
                lua_pushvalue(state, -1)
                handlerReferences[handler] = luaL_ref(state, clua_registry_index())
            }
            clua_pop(state, 1)
        }
        handlerNames = handlerReferences.keys.sorted()
    }

    // MARK: - Failures

    func failure(_ kind: PluginFailure.Kind, line: Int?, _ message: String) -> PluginFailure {
        PluginFailure(kind: kind, plugin: name, file: file, line: line, message: message)
    }

    /// Builds the failure for a status other than `CLUA_OK`, with the message on
    /// top of the stack for runtime errors.
    private func failure(for status: clua_status) -> PluginFailure {
        let recorded = host.map { Int(clua_host_error_line($0)) } ?? 0
        let line = recorded > 0 ? recorded : nil
        switch status {
        case CLUA_INSTRUCTION_BUDGET:
            return failure(.instructionBudget, line: line,
                           "exceeded the instruction budget of \(limits.instructionBudget) instructions")
        case CLUA_TIME_LIMIT:
            return failure(.timeLimit, line: line,
                           "exceeded the time limit of \(formatSeconds(limits.wallClockSeconds)) s")
        case CLUA_MEMORY_LIMIT:
            let suffix = line == nil ? " (line unknown)" : ""
            return failure(.memoryLimit, line: line,
                           "exceeded the memory limit of \(formatBytes(limits.memoryBytes))\(suffix)")
        default:
            let (prefixLine, text) = splitLocation(errorMessage(at: -1))
            return failure(.runtime, line: prefixLine ?? line, text)
        }
    }

    /// Reads the error value at `index` without running metamethods.
    private func errorMessage(at index: Int32) -> String {
        switch lua_type(state, index) {
        case LUA_TSTRING:
            var length = 0
            guard let pointer = clua_tostring(state, index, &length) else { return "" }
            let bytes = UnsafeRawBufferPointer(start: pointer, count: length)
            return String(decoding: bytes, as: UTF8.self)
        case LUA_TNUMBER:
            if lua_isinteger(state, index) != 0 { return String(lua_tointegerx(state, index, nil)) }
            return String(lua_tonumberx(state, index, nil))
        default:
            return "error object is a \(luaTypeName(at: index)) value"
        }
    }

    /// Splits Lua's `SOURCE:LINE: ` prefix off a message when SOURCE is the
    /// plugin file, as Lua prints it (possibly cut to its first bytes).
    func splitLocation(_ message: String) -> (line: Int?, text: String) {
        let bytes = Array(message.utf8)
        let fileBytes = Array(file.utf8)
        var colon = 0
        while colon < bytes.count {
            defer { colon += 1 }
            guard bytes[colon] == UInt8(ascii: ":"), colon > 0, colon <= fileBytes.count,
                  bytes[0..<colon].elementsEqual(fileBytes[0..<colon]) else { continue }
            var end = colon + 1
            var line = 0
            while end < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[end]), line < 100_000_000 {
                line = line * 10 + Int(bytes[end] - UInt8(ascii: "0"))
                end += 1
            }
            guard end > colon + 1, end + 1 < bytes.count, bytes[end] == UInt8(ascii: ":"),
                  bytes[end + 1] == UInt8(ascii: " ") else { continue }
            return (line, String(decoding: bytes[(end + 2)...], as: UTF8.self))
        }
        return (nil, message)
    }
}
