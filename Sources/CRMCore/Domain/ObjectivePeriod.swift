/// The period of an objective: a calendar month (`2026-03`), a quarter
/// (`2026-Q1`) or a year (`2026`), from its first to its last day inclusive.
public struct ObjectivePeriod: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case month, quarter, year }

    public let kind: Kind
    public let start: CivilDate
    public let end: CivilDate

    /// Parses `YYYY`, `YYYY-MM` or `YYYY-Qn` (the `Q` in either case), for
    /// years 1 to 9999; nil for anything else.
    public init?(parsing text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count >= 4, let year = ObjectivePeriod.number(bytes[0..<4]), year >= 1 else { return nil }
        switch bytes.count {
        case 4:
            self.init(kind: .year, year: year, firstMonth: 1, months: 12)
        case 7 where bytes[4] == UInt8(ascii: "-") && (bytes[5] == UInt8(ascii: "Q") || bytes[5] == UInt8(ascii: "q")):
            guard let quarter = ObjectivePeriod.number(bytes[6..<7]), (1...4).contains(quarter) else { return nil }
            self.init(kind: .quarter, year: year, firstMonth: quarter * 3 - 2, months: 3)
        case 7 where bytes[4] == UInt8(ascii: "-"):
            guard let month = ObjectivePeriod.number(bytes[5..<7]), (1...12).contains(month) else { return nil }
            self.init(kind: .month, year: year, firstMonth: month, months: 1)
        default:
            return nil
        }
    }

    private init(kind: Kind, year: Int, firstMonth: Int, months: Int) {
        let lastMonth = firstMonth + months - 1
        self.kind = kind
        start = CivilDate(year: year, month: firstMonth, day: 1)!
        end = CivilDate(year: year, month: lastMonth, day: CivilDate.daysIn(month: lastMonth, year: year))!
    }

    /// Returns the month, quarter or year that contains `date`.
    public static func containing(_ date: CivilDate, kind: Kind) -> ObjectivePeriod {
        switch kind {
        case .month: return ObjectivePeriod(kind: .month, year: date.year, firstMonth: date.month, months: 1)
        case .quarter:
            return ObjectivePeriod(kind: .quarter, year: date.year, firstMonth: (date.month - 1) / 3 * 3 + 1, months: 3)
        case .year: return ObjectivePeriod(kind: .year, year: date.year, firstMonth: 1, months: 12)
        }
    }

    private static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        var result = 0
        for byte in bytes {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            result = result * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return result
    }

    public func contains(_ date: CivilDate) -> Bool { start <= date && date <= end }

    /// Days from `today` to the last day, both counted, while the period is
    /// open; for a period not yet begun, every day of it. Nil once it is over.
    public func daysLeft(today: CivilDate) -> Int? {
        guard today <= end else { return nil }
        let from = max(today, start)
        return end.dayNumber - from.dayNumber + 1
    }

    /// The canonical text: `2026`, `2026-Q1` or `2026-03`.
    public var description: String {
        let year = String(repeating: "0", count: 4 - String(start.year).count) + String(start.year)
        switch kind {
        case .year: return year
        case .quarter: return "\(year)-Q\((start.month + 2) / 3)"
        case .month: return "\(year)-\(start.month < 10 ? "0" : "")\(start.month)"
        }
    }
}
