import CRMCore

/// An option of a command: a flag when `valueName` is nil, otherwise it
/// takes a value (`--owner USER`), possibly several times.
struct OptionSpec: Sendable {
    let name: String
    let valueName: String?
    let help: String
    var repeatable = false

    static func flag(_ name: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, valueName: nil, help: help)
    }

    static func value(_ name: String, _ valueName: String, _ help: String, repeatable: Bool = false) -> OptionSpec {
        OptionSpec(name: name, valueName: valueName, help: help, repeatable: repeatable)
    }
}

/// A positional argument.
struct ArgumentSpec: Sendable {
    let name: String
    let help: String
    var optional = false
}

/// One command: where it sits in the noun-verb tree, what it takes, and the
/// function that runs it. Help text is generated from these declarations.
struct CommandSpec: Sendable {
    enum Access: Sendable {
        /// Needs no database (`init`, `plugin check`).
        case none
        /// Reads only; accepts `--json` and never starts a write transaction.
        case read
        /// Changes the database in one transaction.
        case write
    }

    let path: [String]
    let summary: String
    var arguments: [ArgumentSpec] = []
    var options: [OptionSpec] = []
    var access: Access = .write
    /// Extra paragraphs for `--help`: examples and rules.
    var discussion: String? = nil
    let run: @Sendable (Invocation) throws(CRMError) -> Void

    var name: String { path.joined(separator: " ") }

    /// Options every command accepts, shown in each `--help`.
    static let globalOptions: [OptionSpec] = [
        .value("--db", "PATH", "Database file (default: $CRM_DB, then $XDG_DATA_HOME/crm/crm.sqlite)"),
        .value("--as", "NAME", "Act as this user (default: $CRM_USER; a bound login acts as its own user)"),
        .value("--today", "DATE", "Business date YYYY-MM-DD for this command (default: $CRM_TODAY, then the system date)"),
        .flag("--debug", "Show customer data in error messages and the SQL behind database errors"),
        .flag("--trace-sql", "Print each SQL statement the command runs to stderr, with its values under --debug"),
        .flag("--help", "Show this help"),
    ]

    var allOptions: [OptionSpec] {
        var result = options
        if access == .read { result.append(.flag("--json", "Print JSON instead of a table")) }
        return result + CommandSpec.globalOptions
    }

    var usageLine: String {
        var parts = ["crm", name]
        for argument in arguments { parts.append(argument.optional ? "[\(argument.name)]" : argument.name) }
        if !options.isEmpty || access == .read { parts.append("[options]") }
        return parts.joined(separator: " ")
    }

    /// The full `--help` text.
    var help: String {
        var text = "\(summary)\n\nUsage: \(usageLine)\n"
        let argumentRows = arguments.map { ($0.name, $0.help) }
        let optionRows = allOptions.map { option in
            let label = option.valueName.map { "\(option.name) \($0)" } ?? option.name
            return (label, option.help + (option.repeatable ? " (repeatable)" : ""))
        }
        let width = HelpFormatter.labelWidth(argumentRows + optionRows)
        if !arguments.isEmpty {
            text += "\nArguments:\n"
            text += HelpFormatter.rows(argumentRows, width: width)
        }
        text += "\nOptions:\n"
        text += HelpFormatter.rows(optionRows, width: width)
        if let discussion { text += "\n\(discussion)\n" }
        return text
    }
}

enum HelpFormatter {
    /// Width of the label column: the longest label plus two spaces, at most 28.
    static func labelWidth(_ rows: [(String, String)]) -> Int {
        min(28, (rows.map(\.0.count).max() ?? 0) + 2)
    }

    /// Two aligned columns, the second wrapped at 100 columns.
    static func rows(_ rows: [(String, String)], width fixedWidth: Int? = nil) -> String {
        let width = fixedWidth ?? labelWidth(rows)
        var text = ""
        for (label, help) in rows {
            var line = "  " + label
            if label.count > width - 2 {
                text += line + "\n"
                line = String(repeating: " ", count: width + 2)
            } else {
                line += String(repeating: " ", count: width - label.count)
            }
            var current = line
            for word in help.split(separator: " ") {
                if current.count + word.count + 1 > 100, current.count > width + 2 {
                    text += current + "\n"
                    current = String(repeating: " ", count: width + 2)
                }
                if !current.hasSuffix(" ") { current += " " }
                current += word
            }
            text += current + "\n"
        }
        return text
    }
}
