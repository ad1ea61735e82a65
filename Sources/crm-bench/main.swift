import CRMCore
import CRMHost
#if canImport(Glibc)
import Glibc
#endif

// Measures plugin dispatch through the product: each call loads a stored
// account, builds its payload and runs it through the Lua host with its
// sandbox, limits and result validation. Prints the median nanoseconds per
// call of several runs, in the same format as the C baseline.
//
// Usage: crm-bench dispatch event|rule|event5 [calls] [runs]

func nanoseconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) * 1e9 + Double(now.tv_nsec)
}

func median(_ samples: [Double]) -> Double {
    let sorted = samples.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func fail(_ message: String) -> Never {
    let line = "crm-bench: \(message)\n"
    _ = line.withCString { write(STDERR_FILENO, $0, strlen($0)) }
    exit(1)
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

let arguments = CommandLine.arguments
guard arguments.count >= 3, arguments[1] == "dispatch", ["event", "rule", "event5"].contains(arguments[2]) else {
    fail("usage: crm-bench dispatch event|rule|event5 [calls] [runs]")
}
let mode = arguments[2]
let calls = arguments.count > 3 ? Int(arguments[3]) ?? 200_000 : 200_000
let runs = arguments.count > 4 ? Int(arguments[4]) ?? 5 : 5

var template = Array("/tmp/crm-bench-XXXXXX".utf8CString)
guard let created = mkdtemp(&template) else { fail("cannot create a temporary folder") }
let folder = String(cString: created)
defer { _ = system("rm -rf '\(folder)'") }

do throws(CRMError) {
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
        for _ in 0..<calls {
            guard let account = try Accounts.load(context.database, id: 1) else { fail("the account is missing") }
            if mode == "rule" {
                let payload = Value.object([("id", .integer(1)), ("accountId", .integer(1)), ("account", account.pluginValue)])
                if try host.decide("solvency", payload: payload, context: context) != nil { decided += 1 }
            } else {
                try host.fire("onAccountCreated", payload: account.pluginValue, context: context)
            }
        }
        samples.append((nanoseconds() - start) / Double(calls))
    }
    if mode == "rule" && decided != calls * runs { fail("a rule call returned no decision") }
    print("dispatch.\(mode) \(String(format1: median(samples)))")
} catch {
    fail(error.message)
}

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
