@testable import CRMCore
#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer entry point: writes the input to a file and reads it back as
/// CSV, with the encoding and delimiter detected, as `crm import` does.
/// Errors are expected; a crash, a hang or a sanitizer report is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let path = "/tmp/crm-fuzz-csv-\(getpid()).csv"
    guard let file = fopen(path, "wb") else { return 0 }
    fwrite(data, 1, size, file)
    fclose(file)
    defer { unlink(path) }
    guard let reader = try? CSVReader(path: path) else { return 0 }
    var records = 0
    while let item = try? reader.next() {
        if case let .record(record) = item {
            precondition(record.line <= record.lastLine, "a record ends before it starts")
            records += 1
        }
        if records > 100_000 { break }
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
exit(runFuzzerDriver(&fuzzArgumentCount, &fuzzArguments, fuzzCSV))
