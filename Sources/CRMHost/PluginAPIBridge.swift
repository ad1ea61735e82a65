import CRMCore

/// The host side of the `crm` table. `LuaPlugin` checks every argument
/// against the function's catalogue entry before it calls `call`, and
/// rejects write functions in rule mode, so an implementation receives
/// only well-typed arguments: integers for `.integer` and `.money`,
/// `YYYY-MM-DD` strings for `.date`, and `.null` for a missing optional.
public protocol PluginAPIBridge: AnyObject {
    func call(_ function: APIFunctionSpec, arguments: [Value], plugin: PluginIdentity,
              mode: CallMode) throws(APICallError) -> Value
}

/// A failed `crm` API call. The plugin receives it as a Lua error raised at
/// its call site, `crm.NAME: message`, which it may catch with `pcall`
/// like an error of Lua's own libraries.
public struct APICallError: Error, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
