import CRMCore

/// Finds the command named by the leading words of the command line,
/// parses the rest against its declaration, and prints help.
struct Router {
    let commands: [CommandSpec]

    /// Checks the declarations once: a duplicate command or option is a
    /// programming error, reported all at once.
    func validate() -> [String] {
        var problems: [String] = []
        var seen: Set<String> = []
        for command in commands {
            if !seen.insert(command.name).inserted { problems.append("command '\(command.name)' is declared twice") }
            var names: Set<String> = []
            for option in command.allOptions where !names.insert(option.name).inserted {
                problems.append("option \(option.name) of '\(command.name)' is declared twice")
            }
        }
        return problems
    }

    /// Commands whose path starts with `prefix`.
    func commands(under prefix: [String]) -> [CommandSpec] {
        commands.filter { $0.path.starts(with: prefix) && $0.path.count > prefix.count }
    }

    /// Help for a group of commands (`crm account --help`) or for the root.
    func groupHelp(_ prefix: [String]) -> String {
        let title = prefix.isEmpty
            ? "crm: a CRM for sales teams, accountants and administrators, with company rules in Lua plugins."
            : "Commands of `crm \(prefix.joined(separator: " "))`:"
        var text = title + "\n\nUsage: crm \(prefix.isEmpty ? "" : prefix.joined(separator: " ") + " ")COMMAND [options]\n\nCommands:\n"
        var rows: [(String, String)] = []
        if prefix.isEmpty {
            var groups: [String] = []
            for command in commands where !groups.contains(command.path[0]) { groups.append(command.path[0]) }
            for group in groups {
                let members = commands.filter { $0.path[0] == group }
                if let leaf = members.first(where: { $0.path.count == 1 }) {
                    let others = members.filter { $0.path.count > 1 }.map { $0.path.dropFirst().joined(separator: " ") }
                    rows.append((group, leaf.summary + (others.isEmpty ? "" : "; also: " + others.joined(separator: ", "))))
                } else {
                    rows.append((group, members.map { $0.path.dropFirst().joined(separator: " ") }.joined(separator: ", ")))
                }
            }
        } else {
            rows = commands(under: prefix).map { ($0.path.dropFirst(prefix.count).joined(separator: " "), $0.summary) }
        }
        text += HelpFormatter.rows(rows)
        text += "\nRun `crm \(prefix.isEmpty ? "" : prefix.joined(separator: " ") + " ")COMMAND --help` for the options of a command.\n"
        return text
    }

    enum Outcome {
        case run(Invocation)
        case help(String)
    }

    /// Moves global options typed before the command (`crm --db x.sqlite
    /// account list`) after it, where the command's parser reads them.
    static func movingLeadingGlobalOptions(_ words: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < words.count, words[index].hasPrefix("--"), words[index] != "--help" {
            let name = String(words[index].split(separator: "=", maxSplits: 1)[0])
            guard let option = CommandSpec.globalOptions.first(where: { $0.name == name }) else { break }
            leading.append(words[index])
            index += 1
            if option.valueName != nil, !words[index - 1].contains("="), index < words.count {
                leading.append(words[index])
                index += 1
            }
        }
        return Array(words[index...]) + leading
    }

    /// Parses the words after the program name.
    func parse(_ words: [String], environment baseEnvironment: Environment,
               matched: inout CommandSpec?) throws(CRMError) -> Outcome {
        var best: CommandSpec?
        for command in commands where words.starts(with: command.path) {
            if command.path.count > (best?.path.count ?? 0) { best = command }
        }
        guard let command = best else {
            let prefix = Array(words.prefix { !$0.hasPrefix("-") })
            var known = prefix
            while !known.isEmpty, commands(under: known).isEmpty { known.removeLast() }
            if let option = words.first(where: { $0.hasPrefix("-") && $0 != "--help" && $0 != "-h" }), prefix.isEmpty {
                throw CRMError.usage("unknown option '\(option)' before the command; the options of a command come "
                                     + "after it, as in `crm account list --owner alice`")
            }
            if words.contains("--help") || words.contains("-h") || prefix.isEmpty || prefix == known {
                return .help(groupHelp(known))
            }
            let unknown = prefix[known.count]
            throw CRMError.usage("unknown command '\((known + [unknown]).joined(separator: " "))'; "
                                 + "run `crm \(known.isEmpty ? "" : known.joined(separator: " ") + " ")--help` to see the commands")
        }
        matched = command
        return try parse(Array(words.dropFirst(command.path.count)), for: command, environment: baseEnvironment)
    }

    private func parse(_ words: [String], for command: CommandSpec, environment baseEnvironment: Environment) throws(CRMError) -> Outcome {
        if words.contains("--help") || words.contains("-h") { return .help(command.help) }
        let options = command.allOptions
        var values: [String: [String]] = [:]
        var flags: Set<String> = []
        var positional: [String] = []
        var index = 0
        var optionsEnded = false
        while index < words.count {
            let word = words[index]
            index += 1
            if optionsEnded || !word.hasPrefix("--") || word == "--" {
                if word == "--", !optionsEnded { optionsEnded = true; continue }
                positional.append(word)
                continue
            }
            var name = word
            var inlineValue: String?
            if let equals = word.firstIndex(of: "=") {
                name = String(word[..<equals])
                inlineValue = String(word[word.index(after: equals)...])
            }
            guard let option = options.first(where: { $0.name == name }) else {
                throw CRMError.usage("unknown option '\(name)' for `crm \(command.name)`" + suggestion(name, options))
            }
            if option.valueName == nil {
                guard inlineValue == nil else { throw CRMError.usage("\(name) takes no value") }
                flags.insert(name)
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index < words.count else {
                    throw CRMError.usage("missing value for \(name): expected \(name) \(option.valueName!)")
                }
                value = words[index]
                index += 1
            }
            if !option.repeatable, values[name] != nil {
                throw CRMError.usage("\(name) given twice; give it once")
            }
            try checkText(value, what: name)
            values[name, default: []].append(value)
        }
        var arguments: [String: String] = [:]
        for (offset, argument) in command.arguments.enumerated() {
            if offset < positional.count {
                try checkText(positional[offset], what: argument.name)
                arguments[argument.name] = positional[offset]
            } else if !argument.optional {
                throw CRMError.usage("missing \(argument.name): \(argument.help.prefix(1).lowercased() + argument.help.dropFirst())")
            }
        }
        if positional.count > command.arguments.count {
            let extra = positional[command.arguments.count]
            throw CRMError.usage("unexpected argument '\(extra)'; quote a value that contains spaces")
        }
        var environment = baseEnvironment
        environment.databaseOption = values["--db"]?.last
        environment.userOption = values["--as"]?.last
        environment.todayOption = values["--today"]?.last
        environment.debug = flags.contains("--debug")
        environment.traceSQL = flags.contains("--trace-sql")
        return .run(Invocation(command: command, arguments: arguments, values: values, flags: flags, environment: environment))
    }

    /// Rejects control characters and overlong values in what the user typed.
    private func checkText(_ value: String, what: String) throws(CRMError) {
        if value.utf8.count > 65_536 {
            throw CRMError.usage("\(what) is \(value.utf8.count) bytes long; the maximum is 65536")
        }
        if value.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || $0.value == 0x7F }) {
            throw CRMError.usage("\(what) contains a control character; remove it")
        }
        // Embedding, override and isolate marks reorder how text is shown, so a
        // name could display differently from what is stored.
        if let mark = value.unicodeScalars.first(where: { (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value) }) {
            let hex = String(mark.value, radix: 16, uppercase: true)
            throw CRMError.usage("\(what) contains the bidirectional control character U+\(hex); remove it")
        }
    }

    private func suggestion(_ name: String, _ options: [OptionSpec]) -> String {
        let close = options.map(\.name).filter { editDistance($0, name) <= 2 }
        if let first = close.first { return "; did you mean \(first)?" }
        return "; run with --help to see the options"
    }

    private func editDistance(_ a: String, _ b: String) -> Int {
        let left = Array(a), right = Array(b)
        var previous = Array(0...right.count)
        for i in 1...max(left.count, 1) where !left.isEmpty {
            var current = [i] + Array(repeating: 0, count: right.count)
            for j in stride(from: 1, through: right.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (left[i - 1] == right[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[right.count]
    }
}
