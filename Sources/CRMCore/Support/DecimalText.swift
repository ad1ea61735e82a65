/// Plain decimal text split into its sign, whole digits and fraction digits,
/// the lexical step that money amounts, exact decimals and percents share.
struct DecimalText {
    let negative: Bool
    let whole: Substring
    let fraction: Substring

    /// Splits `12`, `-3.5` or `+0.125` (a dot as decimal sign, ASCII digits).
    /// Returns nil for `.5`, `5.`, exponents, commas and spaces, and for a
    /// `+` sign when `allowPlus` is false.
    init?(_ text: String, allowPlus: Bool = true) {
        var body = Substring(text)
        var negative = false
        if body.first == "-" {
            negative = true
            body = body.dropFirst()
        } else if body.first == "+", allowPlus {
            body = body.dropFirst()
        }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count > 1 ? parts[1] : ""
        guard !whole.isEmpty, DecimalText.isDigits(whole), DecimalText.isDigits(fraction),
              parts.count == 1 || !fraction.isEmpty else { return nil }
        self.negative = negative
        self.whole = whole
        self.fraction = fraction
    }

    private static func isDigits(_ text: Substring) -> Bool {
        text.allSatisfy { $0.isASCII && $0.isNumber }
    }
}
