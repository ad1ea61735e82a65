import CRMCore

/// The limits each plugin call runs under. Loading a plugin file runs
/// under the same limits.
public struct PluginLimits: Sendable, Equatable {
    /// Lua VM instructions one call may execute. The count hook checks it
    /// every 10,000 instructions, so a call may run up to that many more.
    public var instructionBudget: Int64
    /// Bytes the plugin's Lua state may hold, its libraries included.
    public var memoryBytes: Int
    /// Seconds one call may run. Lua code is stopped at this limit by the
    /// count hook, with a normal plugin failure.
    public var wallClockSeconds: Double
    /// Seconds after `wallClockSeconds` at which the watchdog thread ends
    /// the process with exit status 1. This catches what the count hook
    /// cannot stop: a single long C call or a finalizer.
    public var watchdogGraceSeconds: Double
    /// Maximum length, in bytes, of a string passed from Lua to the host.
    public var maxStringBytes: Int
    /// Maximum nesting of tables passed from Lua to the host.
    public var maxDepth: Int

    public init(instructionBudget: Int64 = 50_000_000, memoryBytes: Int = 32 << 20,
                wallClockSeconds: Double = 3, watchdogGraceSeconds: Double = 1,
                maxStringBytes: Int = 1 << 20, maxDepth: Int = 32) {
        self.instructionBudget = instructionBudget
        self.memoryBytes = memoryBytes
        self.wallClockSeconds = wallClockSeconds
        self.watchdogGraceSeconds = watchdogGraceSeconds
        self.maxStringBytes = maxStringBytes
        self.maxDepth = maxDepth
    }

    /// 50 million instructions, 32 MiB, 3 s (process ended at 4 s),
    /// 1 MiB strings, 32 levels of tables.
    public static let standard = PluginLimits()
}

/// The mode of a handler call. Events may write through the `crm` API,
/// rules may not.
public enum CallMode: Sendable {
    case event
    case rule
}

/// The plugin on whose behalf the `crm` API is called.
public struct PluginIdentity: Sendable, Hashable {
    public let name: String
    public let version: String
    public let file: String

    public init(name: String, version: String, file: String) {
        self.name = name
        self.version = version
        self.file = file
    }
}

/// Formats a number of seconds the way messages print it: `3`, `0.5`.
func formatSeconds(_ seconds: Double) -> String {
    if seconds == seconds.rounded(), abs(seconds) < 1e15 {
        return String(Int64(seconds))
    }
    return String(seconds)
}

/// Formats a byte count the way messages print it: `32 MiB`, `1000 bytes`.
func formatBytes(_ bytes: Int) -> String {
    let mebibyte = 1 << 20
    if bytes >= mebibyte, bytes % mebibyte == 0 {
        return "\(bytes / mebibyte) MiB"
    }
    return "\(bytes) bytes"
}
