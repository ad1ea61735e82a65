/// The means by which a customer pays. The raw value is the code stored
/// on accounts.
public enum PaymentMethod: String, CaseIterable, Sendable {
    case transfer = "TRANSFER"
    case sepaDirectDebit = "SEPA_DD"
    case cheque = "CHEQUE"
    case card = "CARD"
    /// Lettre de change relevé: a French electronic bill of exchange drawn
    /// by the supplier on the customer's bank account.
    case billOfExchange = "LCR"
    case cash = "CASH"

    /// The stored code, `SEPA_DD`.
    public var code: String { rawValue }

    public var englishLabel: String {
        switch self {
        case .transfer: return "Bank transfer"
        case .sepaDirectDebit: return "SEPA direct debit"
        case .cheque: return "Cheque"
        case .card: return "Card"
        case .billOfExchange: return "Bill of exchange (LCR)"
        case .cash: return "Cash"
        }
    }

    public var frenchLabel: String {
        switch self {
        case .transfer: return "Virement"
        case .sepaDirectDebit: return "Prélèvement SEPA"
        case .cheque: return "Chèque"
        case .card: return "Carte bancaire"
        case .billOfExchange: return "Lettre de change relevé (LCR)"
        case .cash: return "Espèces"
        }
    }

    /// Whether the account needs the customer's IBAN: a SEPA direct debit
    /// is collected from it.
    public var requiresIBAN: Bool { self == .sepaDirectDebit }

    /// Looks up a method by code, ignoring ASCII case and whitespace.
    public static func parse(_ code: String) -> Result<PaymentMethod, CRMError> {
        let bytes = IdentifierText.asciiUppercased(IdentifierText.bytesRemovingWhitespace(code))
        if let method = PaymentMethod(rawValue: String(decoding: bytes, as: UTF8.self)) {
            return .success(method)
        }
        let codes = allCases.map(\.rawValue).joined(separator: ", ")
        return .failure(.invalid("unknown payment method \"\(code)\": expected one of \(codes)"))
    }
}
