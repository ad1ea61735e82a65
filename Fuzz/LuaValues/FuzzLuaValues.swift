#if canImport(Glibc)
import Glibc
#endif
@testable import CRMCore
@testable import CRMHost

/// libFuzzer entry point for the Lua-to-Swift value bridge: the input runs
/// as a data chunk in an empty Lua environment under the standard limits,
/// and whatever it returns (deep tables, cycles, mixed keys, huge strings)
/// is converted into a `Value`. Errors are expected; crashes are bugs. A
/// converted value must also survive JSON, as every stored payload does.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLuaValues(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let source = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let value = try? LuaPlugin.evaluateData(source: source, file: "fuzz.lua", limits: .standard) else { return 0 }
    let text = JSON.encode(value)
    if let decoded = try? JSON.decode(text) {
        precondition(JSON.encode(decoded) == text, "a converted value does not survive JSON")
    }
    return 0
}

// SwiftPM links every executable with its own entry point, which replaces
// libFuzzer's main, so the entry point hands control to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<Int32>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32) -> Int32

var fuzzArgumentCount = CommandLine.argc
var fuzzArguments = CommandLine.unsafeArgv
exit(runFuzzerDriver(&fuzzArgumentCount, &fuzzArguments, fuzzLuaValues))
