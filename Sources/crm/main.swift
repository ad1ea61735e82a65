import CRMCore
#if canImport(Glibc)
import Glibc
#endif

/// The version printed by `crm --version`.
let crmVersion = "0.1.0"

/// The single funnel of outcomes: every error becomes one message on stderr
/// and an exit status (1 for a failed operation, 2 for a usage error).
func runCommandLine(_ words: [String]) -> Int32 {
    let router = Router(commands: allCommands)
    let problems = router.validate()
    precondition(problems.isEmpty, "command declarations are inconsistent: \(problems)")
    var environment = Environment.current()
    if environment.variables["NO_COLOR"].map({ !$0.isEmpty }) == true { Output.useColour = false }
    if words == ["--version"] {
        print("crm \(crmVersion) (host API \(Catalogue.apiVersion))")
        return 0
    }
    var command: CommandSpec?
    do throws(CRMError) {
        if let position = firstInvalidArgument() {
            throw CRMError.usage("argument \(position) is not valid UTF-8 text; retype it, or convert the text to "
                                 + "UTF-8 (iconv -t UTF-8)")
        }
        switch try router.parse(Router.movingLeadingGlobalOptions(words), environment: environment, matched: &command) {
        case let .help(text):
            print(text, terminator: "")
            return 0
        case let .run(parsed):
            environment = parsed.environment
            try parsed.command.run(parsed)
            return 0
        }
    } catch {
        report(error, command: command, debug: environment.debug || words.contains("--debug"))
        return error.exitStatus
    }
}

/// Position (from 1, after the program name) of the first argument whose
/// bytes are not valid UTF-8. Swift's `CommandLine.arguments` repairs such
/// bytes into U+FFFD, which would store a different text than typed.
func firstInvalidArgument() -> Int? {
    for index in 1..<Int(CommandLine.argc) {
        guard let pointer = CommandLine.unsafeArgv[index] else { continue }
        if String(validatingCString: pointer) == nil { return index }
    }
    return nil
}

func report(_ error: CRMError, command: CommandSpec?, debug: Bool) {
    var text = "crm: error: \(error.message)"
    if debug, let detail = error.detail { text += "\n  detail: \(detail)" }
    if error.kind == .usage {
        if let command {
            text += "\nUsage: \(command.usageLine)\nSee `crm \(command.name) --help`."
        } else {
            text += "\nSee `crm --help`."
        }
    }
    Output.error(text)
}

exit(runCommandLine(Array(CommandLine.arguments.dropFirst())))
