import CRMCore

/// The lines `--trace-sql` writes to stderr: `crm: sql: ` and a one-line
/// JSON object per statement, in the order the statements ran.
///
/// Bound values come from the database and from files, so they are shown
/// only with `--debug`; without it the line gives their count.
enum SQLTrace {
    static let prefix = "crm: sql: "

    static func line(sql: String, values: [SQLValue], showValues: Bool) -> String {
        var fields: [(String, Value)] = [("sql", .string(sql))]
        if showValues {
            fields.append(("parameters", .array(values.map(jsonValue))))
        } else {
            fields.append(("parameterCount", .integer(Int64(values.count))))
        }
        return prefix + JSON.encode(.object(fields))
    }

    private static func jsonValue(_ value: SQLValue) -> Value {
        switch value {
        case .null: return .null
        case let .integer(number): return .integer(number)
        case let .text(text): return .string(text)
        case let .real(number): return .float(number)
        }
    }
}
