#if canImport(Glibc)
import Glibc
#endif
@testable import CRMCore

/// libFuzzer entry point for the money, decimal and date parsers. The
/// first byte picks a currency; the rest is the text. Whatever parses must
/// print back to a text that parses to the same value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParsers(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let codes = ["EUR", "JPY", "KWD", "USD"]
    let currency = Currency(code: codes[Int(data[0]) % codes.count])!
    let text = String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self)

    if case let .success(money) = Money.parse(text, currency: currency) {
        guard case let .success(again) = Money.parse(money.decimalString, currency: currency) else {
            preconditionFailure("Money.parse rejects its own output \(money.decimalString)")
        }
        precondition(again == money, "Money does not survive a round trip through \(money.decimalString)")
    }
    if case let .success(decimal) = ExactDecimal.parse(text, maximumDecimals: 4) {
        guard case let .success(again) = ExactDecimal.parse(decimal.description, maximumDecimals: 4) else {
            preconditionFailure("ExactDecimal.parse rejects its own output \(decimal.description)")
        }
        precondition(again == decimal, "ExactDecimal does not survive a round trip")
    }
    if let date = CivilDate(parsing: text) {
        precondition(CivilDate(parsing: date.description) == date, "CivilDate does not survive a round trip")
        _ = date.adding(days: Int(data[0]) - 128)
        _ = date.adding(months: Int(data[0]) - 128)
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
exit(runFuzzerDriver(&fuzzArgumentCount, &fuzzArguments, fuzzParsers))
