/// A public holiday: no follow-up falls due on it.
public struct Holiday: Equatable, Sendable {
    public let day: CivilDate
    public let name: String
}

/// The holiday list admins manage, which business-day arithmetic reads.
public enum Holidays {
    public static func list(_ database: Database, year: Int?) throws(CRMError) -> [Holiday] {
        let rows: [Row]
        if let year {
            guard let first = CivilDate(year: year, month: 1, day: 1) else {
                throw CRMError.usage("invalid --year '\(year)': expected a year from 1 to 9999")
            }
            rows = try database.query("SELECT day, name FROM holidays WHERE day BETWEEN ? AND ? ORDER BY day",
                                      [first.description, CivilDate(year: year, month: 12, day: 31)!.description])
        } else {
            rows = try database.query("SELECT day, name FROM holidays ORDER BY day")
        }
        return rows.compactMap { row in CivilDate(parsing: row.string(0)!).map { Holiday(day: $0, name: row.string(1)!) } }
    }

    public static func add(_ context: CRMContext, day text: String, name: String) throws(CRMError) -> Holiday {
        try context.require(.admin, to: "add a holiday")
        let day = try Opportunities.parseDate(text, option: "DATE")
        let trimmed = name.trimmingSpaces
        guard !trimmed.isEmpty else { throw CRMError.usage("NAME must not be empty") }
        try AccountValidation.checkPrintable(trimmed, option: "NAME", maximum: 100)
        try context.database.transaction { () throws(CRMError) in
            guard try context.database.first("SELECT 1 FROM holidays WHERE day = ?", [day.description]) == nil else {
                throw CRMError.conflict("\(day) is already a holiday; see `crm holiday list`")
            }
            try context.database.query("INSERT INTO holidays (day, name) VALUES (?, ?)", [day.description, trimmed])
            try context.audit(entity: "holiday", id: 0, action: "create", field: day.description, old: nil, new: trimmed)
        }
        return Holiday(day: day, name: trimmed)
    }

    /// Adds the 11 French public holidays of a year. Days already in the
    /// list keep their name. Returns the holidays added.
    public static func loadFrench(_ context: CRMContext, year: Int) throws(CRMError) -> [Holiday] {
        try context.require(.admin, to: "add holidays")
        guard let holidays = french(year: year) else {
            throw CRMError.usage("invalid YEAR '\(year)': expected a year from 1583 to 9999")
        }
        return try context.database.transaction { () throws(CRMError) -> [Holiday] in
            var added: [Holiday] = []
            for holiday in holidays {
                try context.database.query("INSERT OR IGNORE INTO holidays (day, name) VALUES (?, ?)",
                                           [holiday.day.description, holiday.name])
                guard context.database.changes > 0 else { continue }
                try context.audit(entity: "holiday", id: 0, action: "create", field: holiday.day.description, old: nil,
                                  new: holiday.name)
                added.append(holiday)
            }
            return added
        }
    }

    /// Easter Sunday of a Gregorian year (1583 and later), by the anonymous
    /// Gregorian algorithm published by Meeus, Jones and Butcher.
    public static func easterSunday(year: Int) -> CivilDate? {
        guard (1583...9999).contains(year) else { return nil }
        let a = year % 19
        let b = year / 100
        let c = year % 100
        let d = b / 4
        let e = b % 4
        let f = (b + 8) / 25
        let g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4
        let k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return CivilDate(year: year, month: month, day: day)
    }

    /// The 11 public holidays of metropolitan France in a year, in date
    /// order; Easter Monday, Ascension and Whit Monday follow Easter.
    public static func french(year: Int) -> [Holiday]? {
        guard let easter = easterSunday(year: year) else { return nil }
        func fixed(_ month: Int, _ day: Int, _ name: String) -> Holiday {
            Holiday(day: CivilDate(year: year, month: month, day: day)!, name: name)
        }
        let holidays = [
            fixed(1, 1, "Jour de l'an"),
            Holiday(day: easter.adding(days: 1)!, name: "Lundi de Pâques"),
            fixed(5, 1, "Fête du Travail"),
            fixed(5, 8, "Victoire 1945"),
            Holiday(day: easter.adding(days: 39)!, name: "Ascension"),
            Holiday(day: easter.adding(days: 50)!, name: "Lundi de Pentecôte"),
            fixed(7, 14, "Fête nationale"),
            fixed(8, 15, "Assomption"),
            fixed(11, 1, "Toussaint"),
            fixed(11, 11, "Armistice 1918"),
            fixed(12, 25, "Noël"),
        ]
        return holidays.sorted { $0.day < $1.day }
    }
}

extension BusinessDays {
    /// The date itself when it is a business day, else the next one; nil
    /// past the year 9999.
    public static func rollForward(_ date: CivilDate, database: Database) throws(CRMError) -> CivilDate? {
        var current = date
        while try !isBusinessDay(current, database: database) {
            guard let next = current.adding(days: 1) else { return nil }
            current = next
        }
        return current
    }
}
