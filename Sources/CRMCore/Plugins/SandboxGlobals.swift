/// The globals that the plugin sandbox gives every plugin, as the editor
/// definitions and the luacheck standard declare them. A plugin test loads
/// a real sandbox and checks that each name listed here exists in it.
public enum SandboxGlobals {
    /// Functions and values of the base library that the sandbox keeps.
    /// `print` writes through `crm.log`; `load` takes text chunks only.
    public static let base: [String] = [
        "_G", "_VERSION", "assert", "collectgarbage", "error", "getmetatable", "ipairs", "load", "next", "pairs",
        "pcall", "print", "rawequal", "rawget", "rawlen", "rawset", "select", "setmetatable", "tonumber",
        "tostring", "type", "xpcall",
    ]

    /// Library tables and the fields each one keeps. `math` lists the Lua 5.4
    /// functions only: a system Lua built with 5.3 compatibility also has
    /// `math.pow` and others, and declaring them would let plugins depend on
    /// that build option.
    public static let libraries: [(name: String, fields: [String])] = [
        ("string", ["byte", "char", "find", "format", "gmatch", "gsub", "len", "lower", "match", "pack", "packsize",
                    "rep", "reverse", "sub", "unpack", "upper"]),
        ("table", ["concat", "insert", "move", "pack", "remove", "sort", "unpack"]),
        ("math", ["abs", "acos", "asin", "atan", "ceil", "cos", "deg", "exp", "floor", "fmod", "huge", "log", "max",
                  "maxinteger", "min", "mininteger", "modf", "pi", "rad", "random", "randomseed", "sin", "sqrt",
                  "tan", "tointeger", "type", "ult"]),
        ("utf8", ["char", "charpattern", "codepoint", "codes", "len", "offset"]),
        ("os", ["clock", "date", "time"]),
    ]
}
