/// Tax base and VAT of one rate on a quote, in minor units.
public struct VATBreakdown: Equatable, Sendable {
    public let rate: ExactDecimal
    /// Sum of the rounded line nets at this rate, after the global discount.
    public let base: Int64
    public let tax: Int64
}

/// The totals of a quote, computed the EN 16931 way: VAT per rate on the
/// sum of the rounded line nets, never per line.
public struct QuoteTotals: Equatable, Sendable {
    /// One entry per VAT rate present on the quote, highest rate first.
    public let vat: [VATBreakdown]
    public let excludingTax: Int64
    public let tax: Int64
    public let includingTax: Int64

    public static let zero = QuoteTotals(vat: [], excludingTax: 0, tax: 0, includingTax: 0)
}

/// The arithmetic of quotes. Every step is exact until a rounding named
/// here, and each rounding is half-up with ties away from zero:
///
/// 1. line net = quantity × unit price × (1 − line discount / 100),
///    rounded to the currency's minor unit;
/// 2. per VAT rate, base = sum of the rounded line nets of that rate;
/// 3. with a global discount, each base becomes base × (1 − discount / 100),
///    rounded to the minor unit;
/// 4. per rate, VAT = base × rate / 100, rounded to the minor unit;
/// 5. total excluding tax = sum of bases, VAT = sum of the per-rate VAT,
///    total including tax = their sum.
public enum QuoteCalculator {
    static func tooLarge() -> CRMError {
        CRMError.invalid("the amounts of this quote are too large to compute exactly; split it into several quotes")
    }

    /// Step 1: the net amount of one line in minor units.
    public static func lineNet(quantity: ExactDecimal, unitPrice: ExactDecimal, discount: ExactDecimal,
                               currency: Currency) throws(CRMError) -> Int64 {
        guard let gross = quantity.multiplied(by: unitPrice),
              let factor = ExactDecimal.remainingFactor(afterPercent: discount),
              let net = gross.multiplied(by: factor),
              let minor = net.roundedMinorUnits(decimals: currency.exponent) else { throw tooLarge() }
        return minor
    }

    /// Steps 2 to 5, from the rounded nets of the lines and their rates.
    public static func totals(lines: [(net: Int64, vatRate: ExactDecimal)], globalDiscount: ExactDecimal,
                              currency: Currency) throws(CRMError) -> QuoteTotals {
        var bases: [ExactDecimal: Int64] = [:]
        for line in lines {
            let (sum, overflow) = bases[line.vatRate, default: 0].addingReportingOverflow(line.net)
            guard !overflow else { throw tooLarge() }
            bases[line.vatRate] = sum
        }
        guard let remaining = ExactDecimal.remainingFactor(afterPercent: globalDiscount) else { throw tooLarge() }
        var breakdown: [VATBreakdown] = []
        var excludingTax: Int64 = 0
        var tax: Int64 = 0
        for rate in bases.keys.sorted(by: >) {
            let sum = ExactDecimal.minorUnits(bases[rate]!, exponent: currency.exponent)
            guard let discounted = sum.multiplied(by: remaining),
                  let base = discounted.roundedMinorUnits(decimals: currency.exponent),
                  let fraction = ExactDecimal.fraction(ofPercent: rate),
                  let rateTax = ExactDecimal.minorUnits(base, exponent: currency.exponent).multiplied(by: fraction),
                  let roundedTax = rateTax.roundedMinorUnits(decimals: currency.exponent) else { throw tooLarge() }
            breakdown.append(VATBreakdown(rate: rate, base: base, tax: roundedTax))
            let (newExcluding, overflowA) = excludingTax.addingReportingOverflow(base)
            let (newTax, overflowB) = tax.addingReportingOverflow(roundedTax)
            guard !overflowA, !overflowB else { throw tooLarge() }
            excludingTax = newExcluding
            tax = newTax
        }
        let (includingTax, overflow) = excludingTax.addingReportingOverflow(tax)
        guard !overflow else { throw tooLarge() }
        return QuoteTotals(vat: breakdown, excludingTax: excludingTax, tax: tax, includingTax: includingTax)
    }
}
