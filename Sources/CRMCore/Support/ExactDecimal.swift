/// An exact decimal number: an integer mantissa and a count of decimal
/// digits, `mantissa × 10^-scale`. Quote quantities, unit prices, discounts
/// and VAT rates use it, so no binary floating point touches an amount.
///
/// Arithmetic runs on 128-bit integers and reports overflow instead of
/// wrapping. `2.50` keeps its scale of 2 but compares, hashes and prints
/// (`2.5`) as the same value as `2.5`.
public struct ExactDecimal: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let mantissa: Int128
    public let scale: Int

    /// Most decimal digits a value may carry, enough for the product of a
    /// quantity (3), a unit price (4) and two percents (4 each, as fractions).
    public static let maximumScale = 30

    public init(mantissa: Int128, scale: Int) {
        precondition((0...ExactDecimal.maximumScale).contains(scale), "decimal scale \(scale) out of range")
        self.mantissa = mantissa
        self.scale = scale
    }

    public init(_ integer: Int64) {
        self.init(mantissa: Int128(integer), scale: 0)
    }

    public static let zero = ExactDecimal(0)
    public static let hundred = ExactDecimal(100)

    /// The reason a decimal text could not be read.
    public enum ParseFailure: Error, Equatable {
        case notANumber
        case tooManyDecimals(allowed: Int)
        case outOfRange
    }

    /// Reads plain decimal text with a dot (`12`, `-3.5`, `+0.125`). Rejects
    /// `.5`, `5.`, exponents, commas, spaces, more than 18 significant digits
    /// before the dot and more than `maximumDecimals` after it.
    public static func parse(_ text: String, maximumDecimals: Int) -> Result<ExactDecimal, ParseFailure> {
        guard let decimal = DecimalText(text) else { return .failure(.notANumber) }
        let (negative, whole, fraction) = (decimal.negative, decimal.whole, decimal.fraction)
        guard fraction.count <= maximumDecimals else { return .failure(.tooManyDecimals(allowed: maximumDecimals)) }
        let significant = whole.drop { $0 == "0" }
        guard significant.count <= 18, let value = Int128(String(whole + fraction)) else {
            return .failure(.outOfRange)
        }
        return .success(ExactDecimal(mantissa: negative ? -value : value, scale: fraction.count))
    }

    public var isNegative: Bool { mantissa < 0 }
    public var isZero: Bool { mantissa == 0 }

    /// The same value with `target` decimals, exact; nil when that would
    /// drop non-zero digits or overflow.
    public func rescaled(to target: Int) -> ExactDecimal? {
        if target == scale { return self }
        if target > scale {
            guard let factor = ExactDecimal.powerOfTen(target - scale) else { return nil }
            let (value, overflow) = mantissa.multipliedReportingOverflow(by: factor)
            return overflow ? nil : ExactDecimal(mantissa: value, scale: target)
        }
        let factor = ExactDecimal.powerOfTen(scale - target)!
        guard mantissa % factor == 0 else { return nil }
        return ExactDecimal(mantissa: mantissa / factor, scale: target)
    }

    /// 10^exponent, or nil beyond what 128 bits hold.
    static func powerOfTen(_ exponent: Int) -> Int128? {
        guard (0...38).contains(exponent) else { return nil }
        var result: Int128 = 1
        for _ in 0..<exponent { result *= 10 }
        return result
    }

    /// The exact product, or nil on overflow.
    public func multiplied(by other: ExactDecimal) -> ExactDecimal? {
        let (value, overflow) = mantissa.multipliedReportingOverflow(by: other.mantissa)
        let combinedScale = scale + other.scale
        guard !overflow, combinedScale <= ExactDecimal.maximumScale else { return nil }
        return ExactDecimal(mantissa: value, scale: combinedScale)
    }

    /// The exact sum, or nil on overflow.
    public func adding(_ other: ExactDecimal) -> ExactDecimal? {
        let common = max(scale, other.scale)
        guard let left = rescaled(to: common), let right = other.rescaled(to: common) else { return nil }
        let (value, overflow) = left.mantissa.addingReportingOverflow(right.mantissa)
        return overflow ? nil : ExactDecimal(mantissa: value, scale: common)
    }

    /// The exact difference, or nil on overflow.
    public func subtracting(_ other: ExactDecimal) -> ExactDecimal? {
        adding(ExactDecimal(mantissa: -other.mantissa, scale: other.scale))
    }

    /// `percent / 100` as an exact fraction: the factor a VAT rate applies.
    public static func fraction(ofPercent percent: ExactDecimal) -> ExactDecimal? {
        guard percent.scale + 2 <= maximumScale else { return nil }
        return ExactDecimal(mantissa: percent.mantissa, scale: percent.scale + 2)
    }

    /// `1 - percent / 100`, the factor that a discount of `percent` leaves.
    public static func remainingFactor(afterPercent percent: ExactDecimal) -> ExactDecimal? {
        fraction(ofPercent: percent).flatMap { ExactDecimal(1).subtracting($0) }
    }

    /// Rounds to `decimals` digits, half-up with ties away from zero (so
    /// -2.5 becomes -3), and returns the result as an integer count of
    /// 10^-decimals units: the minor units of a currency with that exponent.
    /// Nil when the result does not fit in 64 bits.
    public func roundedMinorUnits(decimals: Int) -> Int64? {
        let value: Int128
        if decimals >= scale {
            guard let exact = rescaled(to: decimals) else { return nil }
            value = exact.mantissa
        } else {
            let divisor = ExactDecimal.powerOfTen(scale - decimals)!
            let quotient = mantissa / divisor
            let remainder = mantissa % divisor
            if remainder.magnitude * 2 >= divisor.magnitude {
                value = quotient + (mantissa < 0 ? -1 : 1)
            } else {
                value = quotient
            }
        }
        return Int64(exactly: value)
    }

    /// An amount in minor units as a decimal with the currency's exponent.
    public static func minorUnits(_ minor: Int64, exponent: Int) -> ExactDecimal {
        ExactDecimal(mantissa: Int128(minor), scale: exponent)
    }

    /// Orders by value whatever the scales, without overflow: integer
    /// parts first, then the fractions brought to a common scale.
    public static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        let leftDivisor = powerOfTen(lhs.scale)!, rightDivisor = powerOfTen(rhs.scale)!
        let leftWhole = lhs.mantissa / leftDivisor, rightWhole = rhs.mantissa / rightDivisor
        if leftWhole != rightWhole { return leftWhole < rightWhole }
        let common = max(lhs.scale, rhs.scale)
        let leftFraction = (lhs.mantissa % leftDivisor) * powerOfTen(common - lhs.scale)!
        let rightFraction = (rhs.mantissa % rightDivisor) * powerOfTen(common - rhs.scale)!
        return leftFraction < rightFraction
    }

    /// Equal values are equal whatever their scales: `2.50 == 2.5`.
    public static func == (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        !(lhs < rhs) && !(rhs < lhs)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(description)
    }

    /// The shortest exact text: `5.5`, `20`, `-0.125`.
    public var description: String {
        var magnitude = mantissa.magnitude
        var digits = scale
        while digits > 0, magnitude % 10 == 0 {
            magnitude /= 10
            digits -= 1
        }
        var text = String(magnitude)
        if digits > 0 {
            if text.count <= digits { text = String(repeating: "0", count: digits - text.count + 1) + text }
            text.insert(".", at: text.index(text.endIndex, offsetBy: -digits))
        }
        return (mantissa < 0 && magnitude != 0 ? "-" : "") + text
    }
}
