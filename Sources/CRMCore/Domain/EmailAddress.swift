/// An e-mail address checked with pragmatic rules rather than the full
/// RFC 5322 grammar: it rejects what mail systems reject in practice and
/// accepts internationalised domain names written in Unicode.
///
/// Two addresses are equal when their lower-cased forms are equal, so
/// `Anne.Martin@Example.FR` and `anne.martin@example.fr` are one contact.
public struct EmailAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address as given, without surrounding whitespace.
    public let text: String
    /// The lower-cased address, used for equality and look-ups.
    public let comparisonKey: String

    private init(text: String) {
        self.text = text
        self.comparisonKey = text.lowercased()
    }

    /// The part before the @ sign, as given.
    public var localPart: String { String(text[..<atIndex]) }

    /// The domain after the @ sign, as given.
    public var domain: String { String(text[text.index(after: atIndex)...]) }

    private var atIndex: String.Index { text.firstIndex(of: "@")! }

    public var description: String { text }

    public static func == (lhs: EmailAddress, rhs: EmailAddress) -> Bool {
        lhs.comparisonKey == rhs.comparisonKey
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(comparisonKey)
    }

    /// Maximum length of the local part in bytes (RFC 5321).
    public static let maximumLocalPartLength = 64
    /// Maximum length of the whole address in bytes (RFC 5321).
    public static let maximumLength = 254
    /// Maximum length of an ASCII domain label (RFC 1035).
    public static let maximumLabelLength = 63

    /// Validates an address after trimming surrounding whitespace.
    ///
    /// An address has exactly one @ sign. The local part before it is not
    /// empty and contains no whitespace or control character. The domain
    /// after it is at least two labels separated by dots. Each label is
    /// letters of any script, digits and hyphens, and neither starts nor
    /// ends with a hyphen.
    public static func parse(_ text: String) -> Result<EmailAddress, InvalidIdentifier> {
        let trimmed = IdentifierText.trimmingWhitespace(text)
        if trimmed.isEmpty { return failure(.empty) }

        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        if parts.count == 1 { return failure(.missingAtSign) }
        if parts.count > 2 { return failure(.tooManyAtSigns) }

        let local = parts[0]
        let domain = parts[1]
        if local.isEmpty { return failure(.emptyLocalPart) }
        let hasSpaceOrControl = local.unicodeScalars.contains {
            $0.properties.isWhitespace || $0.properties.generalCategory == .control
        }
        if hasSpaceOrControl { return failure(.invalidLocalPart) }
        if local.utf8.count > maximumLocalPartLength {
            return failure(.localPartTooLong(maximum: maximumLocalPartLength))
        }

        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count < 2 { return failure(.domainWithoutDot) }
        if !labels.allSatisfy(isValidLabel) { return failure(.invalidDomainLabel) }
        if trimmed.utf8.count > maximumLength {
            return failure(.tooLong(maximum: maximumLength))
        }
        return .success(EmailAddress(text: trimmed))
    }

    private static func failure(_ problem: IdentifierProblem) -> Result<EmailAddress, InvalidIdentifier> {
        .failure(InvalidIdentifier(.email, problem))
    }

    /// Returns whether a domain label is ASCII letters, digits and hyphens,
    /// or letters of any script with their combining marks, not starting
    /// or ending with a hyphen.
    // NOTE: the 63-character limit is applied to ASCII labels only. A
    // Unicode label is limited after its conversion to Punycode, which this
    // type does not perform.
    private static func isValidLabel(_ label: Substring) -> Bool {
        guard let first = label.unicodeScalars.first, let last = label.unicodeScalars.last,
              first != "-", last != "-" else { return false }

        var isASCII = true
        for scalar in label.unicodeScalars {
            if scalar.isASCII {
                let byte = UInt8(scalar.value)
                let allowed = IdentifierText.isDigit(byte) || IdentifierText.isLetter(byte) || scalar == "-"
                if !allowed { return false }
            } else {
                isASCII = false
                let category = scalar.properties.generalCategory
                let isMark = category == .nonspacingMark || category == .spacingMark
                if !scalar.properties.isAlphabetic && !isMark { return false }
            }
        }
        return !isASCII || label.utf8.count <= maximumLabelLength
    }
}
