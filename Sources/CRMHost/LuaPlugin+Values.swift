import CLua
import CRMCore

/// A Lua value that cannot become a host `Value`. `path` locates it inside
/// the converted value (`.items[3]`), `message` completes the sentence
/// that starts with that path.
struct ValueConversionError: Error {
    var path: String
    var message: String
}

/// The conversions between Lua values and `Value`. Every call here is one
/// that cannot raise a Lua error, and none runs a metamethod.
extension LuaPlugin {
    // MARK: - Host to Lua

    /// Pushes a host value. Objects become tables with string keys (a
    /// `.null` field is left out) and arrays tables with keys 1 to n.
    func pushValue(_ value: Value) {
        switch value {
        case .null:
            lua_pushnil(state)
        case let .bool(flag):
            lua_pushboolean(state, flag ? 1 : 0)
        case let .integer(number):
            lua_pushinteger(state, number)
        case let .float(number):
            lua_pushnumber(state, number)
        case let .string(text):
            pushString(text)
        case let .array(items):
            // Host payloads follow the catalogue and nest a few levels at
            // most, so a stack that cannot grow is a host bug.
            precondition(lua_checkstack(state, 3) != 0, "payload nested too deeply for the Lua stack")
            lua_createtable(state, Int32(clamping: items.count), 0)
            for (offset, item) in items.enumerated() {
                pushValue(item)
                lua_rawseti(state, -2, lua_Integer(offset + 1))
            }
        case let .object(fields):
            precondition(lua_checkstack(state, 3) != 0, "payload nested too deeply for the Lua stack")
            lua_createtable(state, 0, Int32(clamping: fields.count))
            for (key, item) in fields {
                if case .null = item { continue }
                pushString(key)
                pushValue(item)
                lua_rawset(state, -3)
            }
        }
    }

    /// Pushes the UTF-8 bytes of `text` in one copy.
    func pushString(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { characters in
                _ = lua_pushlstring(state, characters.baseAddress, characters.count)
            }
        }
    }

    // MARK: - Lua to host

    /// Returns the string at `index`, or nil when it is not valid UTF-8. Call only
    /// on a value whose type is `LUA_TSTRING`, because Lua converts a
    /// number in place.
    func readString(at index: Int32) -> String? {
        var length = 0
        guard let pointer = clua_tostring(state, index, &length) else { return nil }
        let bytes = UnsafeRawBufferPointer(start: pointer, count: length)
        return String(validating: bytes, as: UTF8.self)
    }

    /// Returns the Lua type name of the value at `index`, with numbers as
    /// `integer` or `float`.
    func luaTypeName(at index: Int32) -> String {
        let type = lua_type(state, index)
        if type == LUA_TNUMBER {
            return lua_isinteger(state, index) != 0 ? "integer" : "float"
        }
        if type == LUA_TNONE { return "no value" }
        return String(cString: lua_typename(state, type))
    }

    /// Converts the value at the absolute `index`. Integers and floats stay
    /// distinct, NaN and infinities included. A table with keys 1 to n
    /// becomes `.array`, a table with string keys `.object` sorted by key,
    /// and an empty table `.array([])`.
    func readValue(at index: Int32, depth: Int = 0) throws(ValueConversionError) -> Value {
        switch lua_type(state, index) {
        case LUA_TNIL, LUA_TNONE:
            return .null
        case LUA_TBOOLEAN:
            return .bool(lua_toboolean(state, index) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(state, index) != 0 {
                return .integer(lua_tointegerx(state, index, nil))
            }
            return .float(lua_tonumberx(state, index, nil))
        case LUA_TSTRING:
            return .string(try readCheckedString(at: index))
        case LUA_TTABLE:
            return try readTable(at: index, depth: depth)
        default:
            throw ValueConversionError(
                path: "",
                message: "is a \(luaTypeName(at: index)) value; only nil, booleans, numbers, strings "
                    + "and tables can be passed to the host")
        }
    }

    private func readCheckedString(at index: Int32) throws(ValueConversionError) -> String {
        let length = Int(lua_rawlen(state, index))
        guard length <= limits.maxStringBytes else {
            throw ValueConversionError(path: "", message: "is a string longer than \(limits.maxStringBytes) bytes")
        }
        guard let text = readString(at: index) else {
            throw ValueConversionError(path: "", message: "is a string that is not valid UTF-8")
        }
        return text
    }

    private func readTable(at index: Int32, depth: Int) throws(ValueConversionError) -> Value {
        guard depth < limits.maxDepth else {
            throw ValueConversionError(
                path: "", message: "is nested deeper than \(limits.maxDepth) levels, or contains itself")
        }
        guard lua_checkstack(state, 4) != 0 else {
            throw ValueConversionError(path: "", message: "is nested too deeply for the Lua stack")
        }

        var positional: [(Int64, Value)] = []
        var named: [(String, Value)] = []
        lua_pushnil(state)
        while lua_next(state, index) != 0 {
            // Stack: ... key value
            let value: Value
            let keyType = lua_type(state, -2)
            if keyType == LUA_TSTRING {
                guard let key = readString(at: -2) else {
                    throw ValueConversionError(path: "", message: "has a key that is not valid UTF-8")
                }
                value = try readElement(path: "." + key, depth: depth)
                named.append((key, value))
            } else if keyType == LUA_TNUMBER, lua_isinteger(state, -2) != 0 {
                let key = lua_tointegerx(state, -2, nil)
                value = try readElement(path: "[\(key)]", depth: depth)
                positional.append((key, value))
            } else {
                throw ValueConversionError(
                    path: "",
                    message: "has a \(luaTypeName(at: -2)) key; tables need string keys or integer keys 1 to n")
            }
            clua_pop(state, 1) // the value; the key stays for lua_next
        }

        if positional.isEmpty {
            return named.isEmpty ? .array([]) : .object(named.sorted { $0.0 < $1.0 })
        }
        guard named.isEmpty else {
            throw ValueConversionError(path: "", message: "mixes integer and string keys")
        }
        positional.sort { $0.0 < $1.0 }
        for (offset, entry) in positional.enumerated() where entry.0 != Int64(offset + 1) {
            throw ValueConversionError(path: "", message: "has integer keys that are not 1 to n")
        }
        return .array(positional.map(\.1))
    }

    /// Converts the value on top of the stack, prefixing `path` to the
    /// location of any error.
    private func readElement(path: String, depth: Int) throws(ValueConversionError) -> Value {
        do {
            return try readValue(at: lua_gettop(state), depth: depth + 1)
        } catch {
            throw ValueConversionError(path: path + error.path, message: error.message)
        }
    }
}
