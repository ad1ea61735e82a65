import CRMCore
import CRMHost
#if canImport(Glibc)
import Glibc
#endif

// Measures the product's own paths for `make bench`, printing the median
// nanoseconds per operation of several runs, in the same format as the C
// baselines in bench/baselines/.
//
// dispatch: each call loads a stored account, builds its payload and runs it
// through the Lua host with its sandbox, limits and result validation.
// quote-send: each send numbers a draft through the bundled quoteNumber
// rule, computes its totals, fires onQuoteSent and commits, with the real
// Lua host and the bundled plugins, as `crm quote send` does.
//
// Usage: crm-bench dispatch event|rule|event5 [calls] [runs]
//        crm-bench quote-send [sends] [runs]

func nanoseconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) * 1e9 + Double(now.tv_nsec)
}

func median(_ samples: [Double]) -> Double {
    let sorted = samples.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// The temporary folder of this run, removed on every exit.
nonisolated(unsafe) var benchFolder: String?

/// Prints a message and exits: status 1 for a failed run, 2 for a usage error.
func fail(_ message: String, status: Int32 = 1) -> Never {
    let line = "crm-bench: \(message)\n"
    _ = line.withCString { write(STDERR_FILENO, $0, strlen($0)) }
    if let benchFolder { _ = system("rm -rf '\(benchFolder)'") }
    exit(status)
}

let eventPlugin = """
    local P = { name = "bench-event-%d", version = "1.0.0" }
    function P.onAccountCreated(account, crm)
      if account.creditLimit ~= nil and account.creditLimit > 5000000 then account.flagged = true end
    end
    return P
    """

let rulePlugin = """
    local P = { name = "bench-rule", version = "1.0.0" }
    function P.solvency(request, crm)
      local account = request.account
      if account.creditLimit > 5000000 then
        return { decision = "review", reason = "above the automatic limit" }
      end
      return { decision = "approve" }
    end
    return P
    """

/// A throwaway database with one account that has tags, a sector and a
/// credit limit, so the payload has every kind of field.
func makeContext(folder: String) throws(CRMError) -> CRMContext {
    let clock = Clock.fixed(today: CivilDate(year: 2026, month: 3, day: 2)!)
    let database = try Database.create(path: folder + "/bench.sqlite")
    try Migrations.apply(to: database, now: clock.timestamp)
    try Users.createFirstAdministrator(database, name: "admin", login: nil, clock: clock)
    let admin = try Users.find(database, name: "admin")!
    let setup = CRMContext(database: database, clock: clock, actor: admin, command: "bench")
    _ = try Sectors.add(setup, code: "IDF", name: "Île-de-France", parent: nil)
    _ = try Accounts.add(setup, legalName: "Atelier Lumière", fields: [
        .siren: "732829320", .street: "12 rue de la Forge", .postalCode: "75011", .city: "Paris",
        .sector: "IDF", .creationDate: "2015-06-01",
    ], tags: ["industry", "key-account", "paris"])
    try Accounts.edit(setup, id: 1, fields: [.creditLimit: "25000.00"])
    return setup
}

/// Times `calls` plugin calls per run and prints `dispatch.MODE <ns>`.
func benchDispatch(mode: String, calls: Int, runs: Int, folder: String) throws(CRMError) {
    let context = try makeContext(folder: folder)
    let pluginCount = mode == "event5" ? 5 : 1
    let sources = mode == "rule"
        ? [PluginSource(file: "bench-rule.lua", source: rulePlugin, origin: .file)]
        : (1...pluginCount).map { index in
            PluginSource(file: "bench-\(index).lua", source: eventPlugin.replacingPercentD(with: index), origin: .file)
        }
    let host = try LuaPluginHost(sources: sources)
    var samples: [Double] = []
    var decided = 0
    for _ in 0..<runs {
        let start = nanoseconds()
        // Hooks and rules run inside the command's write transaction, so the
        // calls of a run share one, as the events of one command do.
        try context.database.transaction(dryRun: true) { () throws(CRMError) in
            for _ in 0..<calls {
                guard let account = try Accounts.load(context.database, id: 1) else { fail("the account is missing") }
                if mode == "rule" {
                    let payload = Value.object([("id", .integer(1)), ("accountId", .integer(1)),
                                                ("account", account.pluginValue)])
                    if try host.decide("solvency", payload: payload, context: context) != nil { decided += 1 }
                } else {
                    try host.fire("onAccountCreated", payload: account.pluginValue, context: context)
                }
            }
        }
        samples.append((nanoseconds() - start) / Double(calls))
    }
    if mode == "rule" && decided != calls * runs { fail("a rule call returned no decision") }
    print("dispatch.\(mode) \(String(format1: median(samples)))")
}

/// Times `sends` quote sends per run and prints `quote.send <ns>`. The
/// drafts of every run, three lines each, are written before the clock starts.
func benchQuoteSend(sends: Int, runs: Int, folder: String) throws(CRMError) {
    let setup = try makeContext(folder: folder)
    let database = setup.database
    let context = CRMContext(database: database, clock: setup.clock, actor: setup.actor, command: "quote send",
                             makeHost: { () throws(CRMError) -> PluginHost in try LuaPluginHost.forDatabase(database) })
    let lines = [
        QuoteLineChange(description: "Oak workbench", quantity: "2", unit: "piece", unitPrice: "1249.90", vatRate: "20"),
        QuoteLineChange(description: "Delivery", quantity: "1", unitPrice: "85.00", vatRate: "20"),
        QuoteLineChange(description: "Assembly", quantity: "3.5", unit: "hour", unitPrice: "62.50", discount: "10",
                        vatRate: "20"),
    ]
    var drafts: [String] = []
    for _ in 0..<(sends * runs) {
        let draft = try Quotes.create(context, accountId: 1)
        for line in lines { _ = try Quotes.addLine(context, key: String(draft.id), line) }
        drafts.append(String(draft.id))
    }
    var samples: [Double] = []
    for run in 0..<runs {
        let start = nanoseconds()
        for key in drafts[(run * sends)..<((run + 1) * sends)] {
            let sent = try Quotes.send(context, key: key)
            guard sent.number != nil else { fail("quote \(key) was sent without a number") }
        }
        samples.append((nanoseconds() - start) / Double(sends))
    }
    let numbered = try database.scalar("SELECT count(DISTINCT number) FROM quotes WHERE status = 'sent'").integer ?? 0
    guard numbered == sends * runs else { fail("\(numbered) distinct quote numbers for \(sends * runs) sends") }
    print("quote.send \(String(format1: median(samples)))")
}

let usage = "usage: crm-bench dispatch event|rule|event5 [calls] [runs]\n       crm-bench quote-send [sends] [runs]"
let arguments = CommandLine.arguments

/// The positive whole number at `index`, or `fallback` when it is absent.
func count(at index: Int, fallback: Int) -> Int {
    guard arguments.count > index else { return fallback }
    guard let number = Int(arguments[index]), number > 0 else {
        fail("invalid count '\(arguments[index])': expected a positive whole number\n\(usage)", status: 2)
    }
    return number
}

let mode = arguments.count > 1 ? arguments[1] : ""
let dispatchMode = arguments.count > 2 ? arguments[2] : ""
switch mode {
case "dispatch" where ["event", "rule", "event5"].contains(dispatchMode), "quote-send": break
default: fail(usage, status: 2)
}
let firstCount = mode == "dispatch" ? 3 : 2
let operations = count(at: firstCount, fallback: mode == "dispatch" ? 200_000 : 1_000)
let runs = count(at: firstCount + 1, fallback: 5)

var template = Array("/tmp/crm-bench-XXXXXX".utf8CString)
guard let created = mkdtemp(&template) else { fail("cannot create a temporary folder in /tmp") }
let folder = String(cString: created)
benchFolder = folder

do throws(CRMError) {
    if mode == "dispatch" {
        try benchDispatch(mode: dispatchMode, calls: operations, runs: runs, folder: folder)
    } else {
        try benchQuoteSend(sends: operations, runs: runs, folder: folder)
    }
} catch {
    fail(error.message)
}
_ = system("rm -rf '\(folder)'")

extension String {
    /// Replaces the `%d` placeholder of a plugin template.
    func replacingPercentD(with number: Int) -> String {
        split(separator: "%d", omittingEmptySubsequences: false).joined(separator: String(number))
    }

    /// A number with one decimal, without Foundation.
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(tenths % 10)"
    }
}
