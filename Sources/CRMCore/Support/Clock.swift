#if canImport(Glibc)
import Glibc
#endif

/// The single source of "now" and "today". Commands, workflows and plugins
/// read the time only from here, so `--today`, `CRM_TODAY` and `CRM_NOW`
/// fix it for tests and demos.
public struct Clock: Sendable {
    /// Seconds since the Unix epoch, UTC.
    public let now: Int64
    /// The business date; by default the UTC date of `now`.
    public let today: CivilDate

    public init(now: Int64, today: CivilDate? = nil) {
        self.now = now
        let utcDay = Int(now >= 0 ? now / 86_400 : (now - 86_399) / 86_400)
        self.today = today ?? CivilDate(dayNumber: utcDay)!
    }

    /// Reads the system clock once.
    public static func system() -> Clock {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Clock(now: Int64(spec.tv_sec))
    }

    /// A clock fixed at a date: `now` is noon UTC of that day, so timestamps
    /// written under `--today` fall on that day.
    public static func fixed(today: CivilDate) -> Clock {
        Clock(now: Int64(today.dayNumber) * 86_400 + 43_200, today: today)
    }

    /// `now` as an ISO 8601 UTC timestamp, `2026-03-14T09:30:00Z`.
    public var timestamp: String { Clock.formatTimestamp(now) }

    public static func formatTimestamp(_ seconds: Int64) -> String {
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let secondOfDay = Int(seconds - Int64(days) * 86_400)
        let date = CivilDate(dayNumber: days)!
        func pad(_ number: Int) -> String { number < 10 ? "0\(number)" : String(number) }
        return "\(date)T\(pad(secondOfDay / 3600)):\(pad(secondOfDay / 60 % 60)):\(pad(secondOfDay % 60))Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` (or without seconds) into epoch seconds.
    public static func parseTimestamp(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20 || bytes.count == 17, bytes[10] == UInt8(ascii: "T"),
              bytes.last == UInt8(ascii: "Z"),
              let date = CivilDate(parsing: String(decoding: bytes[0..<10], as: UTF8.self)) else { return nil }
        let timePart = String(decoding: bytes[11..<(bytes.count - 1)], as: UTF8.self)
        let pieces = timePart.split(separator: ":", omittingEmptySubsequences: false)
        guard pieces.count == 2 || pieces.count == 3,
              pieces.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let hour = Int(pieces[0]), let minute = Int(pieces[1]),
              hour < 24, minute < 60 else { return nil }
        let second = pieces.count == 3 ? Int(pieces[2]) ?? 99 : 0
        guard second < 60 else { return nil }
        return Int64(date.dayNumber) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }
}
