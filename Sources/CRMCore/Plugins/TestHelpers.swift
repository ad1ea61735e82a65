/// One function or value of the `test` table that `crm pack test` gives a
/// pack's test files. Types are written as Lua Language Server annotations,
/// because these entries feed the docs and the editor definitions only.
public struct TestHelperSpec: Sendable {
    public struct Parameter: Sendable {
        public let name: String
        public let type: String
        public let optional: Bool

        public init(_ name: String, _ type: String, optional: Bool = false) {
            self.name = name
            self.type = type
            self.optional = optional
        }
    }

    public let name: String
    public let parameters: [Parameter]
    /// Result types in order; empty when the function returns nothing.
    public let returns: [String]
    public let summary: String
    /// False for a plain value such as `test.fixtures`.
    public let isFunction: Bool

    public init(_ name: String, _ parameters: [Parameter], returns: [String] = [], isFunction: Bool = true,
                _ summary: String) {
        self.name = name
        self.parameters = parameters
        self.returns = returns
        self.summary = summary
        self.isFunction = isFunction
    }
}

/// The `test` table of pack test files, and the fixtures every run starts from.
public enum TestHelpers {
    public static let helpers: [TestHelperSpec] = [
        TestHelperSpec("case", [.init("name", "string"), .init("body", "fun()")],
                       "Declares a test case. Each case runs in its own transaction, rolled back afterwards, so "
                       + "cases start from the same fixtures"),
        TestHelperSpec("equal", [.init("actual", "any"), .init("expected", "any"), .init("message", "string", optional: true)],
                       "Fails unless the values are equal; tables are compared field by field"),
        TestHelperSpec("truthy", [.init("value", "any"), .init("message", "string", optional: true)],
                       "Fails when the value is nil or false"),
        TestHelperSpec("falsy", [.init("value", "any"), .init("message", "string", optional: true)],
                       "Fails unless the value is nil or false"),
        TestHelperSpec("fails", [.init("body", "fun()"), .init("pattern", "string", optional: true)], returns: ["string"],
                       "Calls body and fails unless it raises an error whose message matches the Lua pattern; "
                       + "returns the message"),
        TestHelperSpec("rule", [.init("rule", "string"), .init("payload", "table")], returns: ["any", "string?"],
                       "Asks a rule as a command would: the pack's plugins first, then the bundled defaults. "
                       + "Returns the validated result and the name of the plugin that decided, or nil when none did"),
        TestHelperSpec("fire", [.init("event", "string"), .init("payload", "table")],
                       "Runs every handler of an event hook, as a command would after a change; raises the "
                       + "first plugin failure"),
        TestHelperSpec("account", [.init("account", "string|integer")], returns: ["crm.Account"],
                       "Returns a fixture account as plugins see it, by fixture key (such as \"young\") or id"),
        TestHelperSpec("opening", [.init("account", "string|integer"),
                                   .init("requestedCreditLimit", "integer", optional: true)],
                       returns: ["crm.OpeningRequest"],
                       "Builds the payload of the solvency and paymentTerms rules for an opening request on "
                       + "a fixture account, credit in minor units"),
        TestHelperSpec("setting", [.init("key", "string"), .init("value", "any")],
                       "Stores a database setting for the rest of the test case, as `crm setting set` does"),
        TestHelperSpec("fixtures", [], returns: ["table"], isFunction: false,
                       "The fixture data: `users` (role to user name, `sales` a list), `sectors` (codes), "
                       + "`accounts` (fixture key to account id) and `today`"),
    ]

    /// The fixture accounts, in the order they are created (ids 1 to 4).
    public static let accountKeys: [(key: String, summary: String)] = [
        ("established", "Durand Équipements SA, Paris (75011), created 12 years before the run date, SIREN, "
            + "an IBAN on file, sector IDF, owner alice"),
        ("young", "Jeune Pousse SAS, Lyon (69003), created 14 months before the run date, SIREN, no IBAN, "
            + "sector ARA, owner bob"),
        ("badPayer", "Mauvais Payeur SARL, Grenoble (38000), created 8 years before, SIREN, flagged bad-payer, "
            + "sector ARA, owner alice"),
        ("foreign", "Nordic Tools AB, Stockholm, Sweden, created 20 years before, no SIREN, sector EXPORT, "
            + "owner bob"),
    ]
}
