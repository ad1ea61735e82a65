/// A payment term: the rule that turns an invoice date into a due date.
///
/// Accounting sets one on each account when it approves the opening. The
/// bundled terms cover French and European practice. Administrators add
/// their own with `PaymentTerm.define`, from a compact definition text:
///
/// | definition | kind | due date |
/// | --- | --- | --- |
/// | `receipt` | `.onReceipt` | the invoice date |
/// | `net:N` | `.net(days: N)` | invoice date + N days |
/// | `eom-a:N` | `.daysThenEndOfMonth(days: N)` | invoice date + N days, then the end of that month |
/// | `eom-b:N` | `.endOfMonthThenDays(days: N)` | end of the invoice month, then + N days |
/// | `eom-day:N:D` | `.daysThenEndOfMonthThenDay(days: N, day: D)` | invoice date + N days, the end of that month, then day D of the next month |
/// | `next-eom` | `.endOfNextMonth` | end of the month after the invoice month |
///
/// N is a whole number of days from 0 to 365 and D a day of the month
/// from 1 to 31. A day D that the month lacks becomes its last day. Names
/// are case-insensitive and surrounding whitespace is ignored.
public struct PaymentTerm: Hashable, Sendable {
    /// The rule that gives the due date from the invoice date.
    public enum Kind: Hashable, Sendable {
        /// Due on the invoice date.
        case onReceipt
        /// Due a number of days after the invoice date.
        case net(days: Int)
        /// "N days end of month", reading A: the invoice date plus N days,
        /// then the last day of that month. This is the usual French reading
        /// of "30 jours fin de mois".
        case daysThenEndOfMonth(days: Int)
        /// "N days end of month", reading B: the last day of the invoice
        /// month, then N days more.
        case endOfMonthThenDays(days: Int)
        /// "N days end of month on day D": the invoice date plus N days, the
        /// end of that month, then day D of the following month, or that
        /// month's last day when it has no day D.
        case daysThenEndOfMonthThenDay(days: Int, day: Int)
        /// The last day of the month after the invoice month.
        case endOfNextMonth

        /// Computes the due date for an invoice date. Returns nil when it
        /// would fall after the year 9999.
        public func dueDate(from invoiceDate: CivilDate) -> CivilDate? {
            switch self {
            case .onReceipt:
                return invoiceDate
            case let .net(days):
                return invoiceDate.adding(days: days)
            case let .daysThenEndOfMonth(days):
                return invoiceDate.adding(days: days)?.endOfMonth
            case let .endOfMonthThenDays(days):
                return invoiceDate.endOfMonth.adding(days: days)
            case let .daysThenEndOfMonthThenDay(days, day):
                guard let shifted = invoiceDate.adding(days: days),
                      let nextMonth = Kind.firstOfMonth(shifted).adding(months: 1) else { return nil }
                let lastDay = CivilDate.daysIn(month: nextMonth.month, year: nextMonth.year)
                return CivilDate(year: nextMonth.year, month: nextMonth.month, day: min(day, lastDay))
            case .endOfNextMonth:
                return Kind.firstOfMonth(invoiceDate).adding(months: 1)?.endOfMonth
            }
        }

        private static func firstOfMonth(_ date: CivilDate) -> CivilDate {
            CivilDate(year: date.year, month: date.month, day: 1)!
        }
    }

    /// A short upper-case code such as `NET30` or `30EOM`, stored on accounts.
    public let code: String
    public let englishLabel: String
    public let frenchLabel: String
    public let kind: Kind

    /// Creates a term without checking the code; `define` checks it.
    public init(code: String, englishLabel: String, frenchLabel: String, kind: Kind) {
        self.code = code
        self.englishLabel = englishLabel
        self.frenchLabel = frenchLabel
        self.kind = kind
    }

    /// Computes the due date of an invoice dated `invoiceDate`. Returns nil
    /// when it would fall after the year 9999.
    public func dueDate(from invoiceDate: CivilDate) -> CivilDate? {
        kind.dueDate(from: invoiceDate)
    }

    /// A warning when some invoice date gets a due date beyond the French
    /// legal maximum, nil when none does.
    ///
    /// French commercial law caps agreed payment terms at 60 days from the
    /// invoice date or, by agreement, 45 days end of month. Both readings
    /// of "45 days end of month" count as allowed. So an invoice's limit is
    /// the latest of three dates: invoice date + 60 days, the end of the
    /// month of invoice date + 45 days, and the end of the invoice month +
    /// 45 days.
    public var legalLimitWarning: String? {
        guard kind.firstInvoiceDateExceedingFrenchLimit() != nil else { return nil }
        return "term \(code) can exceed the French legal maximum of 60 days from the invoice date "
            + "(45 days end of month)"
    }
}

extension PaymentTerm.Kind {
    /// Computes the latest due date French law allows for an invoice date,
    /// as `PaymentTerm.legalLimitWarning` describes it.
    static func frenchLegalLimit(for invoiceDate: CivilDate) -> CivilDate? {
        guard let sixtyDays = invoiceDate.adding(days: 60),
              let readingA = invoiceDate.adding(days: 45)?.endOfMonth,
              let readingB = invoiceDate.endOfMonth.adding(days: 45) else { return nil }
        return max(sixtyDays, readingA, readingB)
    }

    /// Finds the first invoice date from 2023-01-01 to 2028-12-31 whose
    /// due date is later than the French legal limit. Returns nil when
    /// there is none.
    ///
    /// A due date depends only on the day of the month and the lengths of
    /// the months that follow. These six years contain every sequence of
    /// month lengths, with February of 28 and of 29 days, so a term that
    /// passes here passes for any year.
    func firstInvoiceDateExceedingFrenchLimit() -> CivilDate? {
        let first = CivilDate(year: 2023, month: 1, day: 1)!.dayNumber
        let last = CivilDate(year: 2028, month: 12, day: 31)!.dayNumber
        for dayNumber in first...last {
            let invoiceDate = CivilDate(dayNumber: dayNumber)!
            guard let due = dueDate(from: invoiceDate),
                  let limit = Self.frenchLegalLimit(for: invoiceDate) else { continue }
            if due > limit { return invoiceDate }
        }
        return nil
    }
}

extension PaymentTerm {
    /// The terms every installation has. Reading A is the default for
    /// "N days end of month": `30EOM` and `45EOM` use it, and `30EOM-B` and
    /// `45EOM-B` use reading B.
    public static let bundled: [PaymentTerm] = [
        PaymentTerm(code: "RECEIPT", englishLabel: "Due on receipt",
                    frenchLabel: "Paiement à réception", kind: .onReceipt),
        PaymentTerm(code: "NET30", englishLabel: "30 days net",
                    frenchLabel: "30 jours net", kind: .net(days: 30)),
        PaymentTerm(code: "NET45", englishLabel: "45 days net",
                    frenchLabel: "45 jours net", kind: .net(days: 45)),
        PaymentTerm(code: "NET60", englishLabel: "60 days net",
                    frenchLabel: "60 jours net", kind: .net(days: 60)),
        PaymentTerm(code: "30EOM", englishLabel: "30 days end of month",
                    frenchLabel: "30 jours fin de mois", kind: .daysThenEndOfMonth(days: 30)),
        PaymentTerm(code: "45EOM", englishLabel: "45 days end of month",
                    frenchLabel: "45 jours fin de mois", kind: .daysThenEndOfMonth(days: 45)),
        PaymentTerm(code: "30EOM-B", englishLabel: "End of month plus 30 days",
                    frenchLabel: "Fin de mois plus 30 jours", kind: .endOfMonthThenDays(days: 30)),
        PaymentTerm(code: "45EOM-B", englishLabel: "End of month plus 45 days",
                    frenchLabel: "Fin de mois plus 45 jours", kind: .endOfMonthThenDays(days: 45)),
        PaymentTerm(code: "NEXT-EOM", englishLabel: "End of the following month",
                    frenchLabel: "Fin du mois suivant", kind: .endOfNextMonth),
        PaymentTerm(code: "30EOM10", englishLabel: "30 days end of month, on the 10th",
                    frenchLabel: "30 jours fin de mois le 10",
                    kind: .daysThenEndOfMonthThenDay(days: 30, day: 10)),
    ]

    /// Finds the bundled term with this code, compared case-insensitively.
    public static func bundled(code: String) -> PaymentTerm? {
        let upper = code.uppercased()
        return bundled.first { $0.code == upper }
    }

    /// Finds the bundled term whose English or French label matches,
    /// ignoring case, accents and extra spaces: "30 JOURS FIN DE MOIS" is
    /// `30EOM`.
    public static func bundled(label: String) -> PaymentTerm? {
        let key = searchKey(label)
        return bundled.first { searchKey($0.englishLabel) == key || searchKey($0.frenchLabel) == key }
    }
}
