/// An ISO 4217 currency with its minor-unit exponent.
public struct Currency: Hashable, Sendable, CustomStringConvertible {
    public let code: String
    /// Digits after the decimal sign: 2 for EUR, 0 for JPY, 3 for KWD.
    public let exponent: Int

    /// ISO 4217 exponents of the currencies the product accepts.
    static let exponents: [String: Int] = [
        "EUR": 2, "USD": 2, "GBP": 2, "CHF": 2, "CAD": 2, "AUD": 2, "NZD": 2,
        "SEK": 2, "NOK": 2, "DKK": 2, "PLN": 2, "CZK": 2, "HUF": 2, "RON": 2,
        "BGN": 2, "TRY": 2, "MAD": 2, "DZD": 2, "CNY": 2, "HKD": 2, "SGD": 2,
        "INR": 2, "BRL": 2, "MXN": 2, "ZAR": 2, "AED": 2, "SAR": 2, "ILS": 2,
        "JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0, "XOF": 0, "XAF": 0,
        "XPF": 0, "KWD": 3, "BHD": 3, "OMR": 3, "JOD": 3, "TND": 3, "LYD": 3,
        "IQD": 3,
    ]

    /// Looks up a currency by its code, upper-cased; nil for an unknown code.
    public init?(code: String) {
        // Stored codes are upper-case already; only typed ones need folding.
        let upper = code.utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) ? code : code.uppercased()
        guard let exponent = Currency.exponents[upper] else { return nil }
        self.code = upper
        self.exponent = exponent
    }

    public static let euro = Currency(code: "EUR")!

    /// 10 to the power of the exponent: minor units in one major unit.
    public var minorPerMajor: Int64 {
        var result: Int64 = 1
        for _ in 0..<exponent { result *= 10 }
        return result
    }

    public var description: String { code }
}

/// An amount of money as an integer count of the currency's minor unit.
/// No binary floating point is involved anywhere.
public struct Money: Hashable, Sendable, CustomStringConvertible {
    public let minor: Int64
    public let currency: Currency

    public init(minor: Int64, currency: Currency) {
        self.minor = minor
        self.currency = currency
    }

    /// Why a decimal amount could not be read.
    public enum ParseFailure: Error, Equatable {
        case notANumber
        case tooManyDecimals(allowed: Int)
        case outOfRange
    }

    /// Reads a decimal amount in major units (`5000.00`, `-12.5`, `300`) and
    /// checks that it has no more decimals than the currency allows.
    public static func parse(_ text: String, currency: Currency) -> Result<Money, ParseFailure> {
        guard let decimal = DecimalText(text) else { return .failure(.notANumber) }
        let (negative, whole, fraction) = (decimal.negative, decimal.whole, decimal.fraction)
        guard fraction.count <= currency.exponent else {
            return .failure(.tooManyDecimals(allowed: currency.exponent))
        }
        let padded = fraction + String(repeating: "0", count: currency.exponent - fraction.count)
        guard whole.count + padded.count <= 18, let value = Int64(whole + padded) else {
            return .failure(.outOfRange)
        }
        return .success(Money(minor: negative ? -value : value, currency: currency))
    }

    /// The amount as a decimal string in major units, `5000.00`.
    public var decimalString: String { Money.decimalString(minor: minor, exponent: currency.exponent) }

    public static func decimalString(minor: Int64, exponent: Int) -> String {
        let magnitude = minor.magnitude
        var digits = String(magnitude)
        if exponent > 0 {
            if digits.count <= exponent {
                digits = String(repeating: "0", count: exponent - digits.count + 1) + digits
            }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -exponent))
        }
        return (minor < 0 ? "-" : "") + digits
    }

    public var description: String { "\(decimalString) \(currency.code)" }

    /// JSON form: `{"amount": "5000.00", "currency": "EUR"}`.
    public var jsonValue: Value {
        .object([("amount", .string(decimalString)), ("currency", .string(currency.code))])
    }

    /// Rounds `numerator / denominator` half-up, ties away from zero.
    /// Traps on a zero denominator, which is a programming error.
    public static func divideRoundingHalfUp(_ numerator: Int64, by denominator: Int64) -> Int64 {
        precondition(denominator != 0, "division by zero")
        let quotient = numerator / denominator
        let remainder = numerator % denominator
        if remainder.magnitude * 2 >= denominator.magnitude {
            return quotient + ((numerator < 0) != (denominator < 0) ? -1 : 1)
        }
        return quotient
    }
}
