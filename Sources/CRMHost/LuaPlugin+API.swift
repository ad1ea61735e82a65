import CLua
import CRMCore

/// The `crm` functions: argument checks from the catalogue, then the
/// bridge. This code runs inside a C trampoline that raises the error
/// message after it returns, so it must not raise a Lua error itself.
extension LuaPlugin {
    /// Runs the `crm` function registered under `index` with the arguments
    /// on the stack. Returns the number of results pushed, or -1 after
    /// pushing an error message.
    func handleAPICall(index: Int) -> Int32 {
        let function = apiFunctions[index]
        do throws(APICallError) {
            if mode == .rule, function.writes {
                throw APICallError("crm.\(function.name) writes to the database and is not available in rules")
            }
            let arguments = try checkedArguments(for: function)
            guard let bridge else { throw APICallError("crm.\(function.name): the plugin was closed") }
            let result: Value
            do {
                result = try bridge.call(function, arguments: arguments, plugin: identity, mode: mode)
            } catch {
                // Messages that already name the function (`crm.addNote: ...`,
                // `bad argument #2 to 'crm.addNote'`) are passed on as they are.
                let name = "crm.\(function.name)"
                if error.message.hasPrefix(name + ":") || error.message.contains("'\(name)'") { throw error }
                throw APICallError("\(name): \(error.message)")
            }
            guard function.returns != nil else { return 0 }
            pushValue(result)
            return 1
        } catch {
            pushString(error.message)
            return -1
        }
    }

    /// Reads the arguments exactly as the catalogue declares them. No
    /// coercion happens: a numeric string is not an integer and a float is
    /// not an integer even when it is integral.
    private func checkedArguments(for function: APIFunctionSpec) throws(APICallError) -> [Value] {
        let parameters = function.parameters
        let count = Int(lua_gettop(state))
        if count > parameters.count {
            throw argumentError(parameters.count + 1, function, "no value expected")
        }

        var arguments: [Value] = []
        arguments.reserveCapacity(parameters.count)
        for (offset, parameter) in parameters.enumerated() {
            let position = offset + 1
            let index = Int32(position)
            let type = lua_type(state, index)
            if type == LUA_TNIL || type == LUA_TNONE {
                guard parameter.optional else {
                    throw argumentError(position, function,
                                        "\(expectedName(parameter.shape)) expected, got \(luaTypeName(at: index))")
                }
                arguments.append(.null)
                continue
            }
            arguments.append(try checkedArgument(at: index, shape: parameter.shape, position, function))
        }
        return arguments
    }

    private func checkedArgument(at index: Int32, shape: Shape, _ position: Int,
                                 _ function: APIFunctionSpec) throws(APICallError) -> Value {
        let type = lua_type(state, index)
        let got = luaTypeName(at: index)
        switch shape {
        case .string:
            guard type == LUA_TSTRING else { throw argumentError(position, function, "string expected, got \(got)") }
            return .string(try checkedText(at: index, position, function))
        case .integer, .money:
            guard type == LUA_TNUMBER, lua_isinteger(state, index) != 0 else {
                throw argumentError(position, function, "integer expected, got \(got)")
            }
            let number = lua_tointegerx(state, index, nil)
            if shape == .money, number.magnitude > Shape.maxMoneyMagnitude.magnitude {
                throw argumentError(position, function, "amount out of range: at most 10^15 minor units")
            }
            return .integer(number)
        case .boolean:
            guard type == LUA_TBOOLEAN else { throw argumentError(position, function, "boolean expected, got \(got)") }
            return .bool(lua_toboolean(state, index) != 0)
        case .date:
            guard type == LUA_TSTRING else {
                throw argumentError(position, function, "date string expected, got \(got)")
            }
            let text = try checkedText(at: index, position, function)
            guard CivilDate(parsing: text) != nil else {
                throw argumentError(position, function, "invalid date, expected YYYY-MM-DD")
            }
            return .string(text)
        case let .oneOf(options):
            guard type == LUA_TSTRING, let text = readString(at: index), options.contains(text) else {
                throw argumentError(position, function, "one of \(options.joined(separator: ", ")) expected")
            }
            return .string(text)
        case .list, .record, .recordOrShorthand, .any:
            return try checkedStructure(at: index, shape: shape, position, function)
        }
    }

    private func checkedText(at index: Int32, _ position: Int,
                             _ function: APIFunctionSpec) throws(APICallError) -> String {
        guard Int(lua_rawlen(state, index)) <= limits.maxStringBytes else {
            throw argumentError(position, function, "string longer than \(limits.maxStringBytes) bytes")
        }
        guard let text = readString(at: index) else {
            throw argumentError(position, function, "string is not valid UTF-8")
        }
        return text
    }

    private func checkedStructure(at index: Int32, shape: Shape, _ position: Int,
                                  _ function: APIFunctionSpec) throws(APICallError) -> Value {
        let value: Value
        do {
            value = try readValue(at: index)
        } catch {
            throw argumentError(position, function, "argument\(error.path) \(error.message)")
        }
        if shape == .any { return value }
        do {
            return try validate(value, against: shape, path: "argument")
        } catch {
            throw argumentError(position, function, error.message)
        }
    }

    private func argumentError(_ position: Int, _ function: APIFunctionSpec, _ detail: String) -> APICallError {
        APICallError("bad argument #\(position) to 'crm.\(function.name)' (\(detail))")
    }

    private func expectedName(_ shape: Shape) -> String {
        switch shape {
        case .date: return "date string"
        case let .oneOf(options): return "one of \(options.joined(separator: ", "))"
        default: return shape.luaTypeName
        }
    }
}
