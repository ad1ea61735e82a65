/// Every extension point and every `crm` API function, in one place. The
/// argument checks, result validation, `docs/plugins.md` and the editor
/// definitions all read this catalogue.
public enum Catalogue {
    /// The host API version that plugins and packs declare with `api`.
    public static let apiVersion: Int64 = 1

    static let addressFields: [Field] = [
        Field("street", .string, optional: true, "Street lines, separated by line breaks"),
        Field("postalCode", .string, optional: true, "Postal code as text, leading zeros kept"),
        Field("city", .string, optional: true, "City"),
    ]

    /// The account as plugins see it.
    public static let accountFields: [Field] = [
        Field("id", .integer, "Account id"),
        Field("legalName", .string, "Registered name"),
        Field("tradeName", .string, optional: true, "Trade name"),
        Field("status", .oneOf(["prospect", "customer"]), "Prospect until the opening is approved"),
        Field("active", .boolean, "False once the company has ceased or the account is archived"),
        Field("legalForm", .string, optional: true, "Legal form code or label"),
        Field("siren", .string, optional: true, "9-digit SIREN, as text"),
        Field("siret", .string, optional: true, "14-digit SIRET, as text"),
        Field("vatNumber", .string, optional: true, "Intra-EU VAT number"),
        Field("country", .string, "ISO 3166 alpha-2 country code"),
        Field("address", .record(addressFields), "Billing address"),
        Field("owner", .string, "Login name of the owning sales rep"),
        Field("sector", .string, optional: true, "Sector code"),
        Field("currency", .string, "ISO 4217 currency code"),
        Field("creditLimit", .money, optional: true, "Credit limit in minor units"),
        Field("paymentTerm", .string, optional: true, "Payment-term code set by accounting"),
        Field("paymentMethod", .string, optional: true, "Payment-method code set by accounting"),
        Field("creationDate", .date, optional: true, "The company's creation date"),
        Field("category", .string, optional: true, "Customer category"),
        Field("flags", .list(.string), "Free flags such as bad-payer"),
        Field("tags", .list(.string), "Tags"),
        Field("customerCode", .string, optional: true, "Customer code"),
        Field("createdAt", .string, "Creation timestamp, ISO 8601 UTC"),
    ]

    static let opportunityFields: [Field] = [
        Field("id", .integer, "Opportunity id"),
        Field("accountId", .integer, "Account id"),
        Field("title", .string, optional: true, "Title"),
        Field("amount", .money, optional: true, "Amount in minor units"),
        Field("currency", .string, optional: true, "ISO 4217 currency code"),
        Field("stage", .string, optional: true, "Stage code"),
        Field("owner", .string, optional: true, "Login name of the owner"),
    ]

    static let openingFields: [Field] = [
        Field("id", .integer, "Opening request id"),
        Field("accountId", .integer, "Account id"),
        Field("requestedCreditLimit", .money, optional: true, "Credit limit asked by the rep, in minor units"),
        Field("requestedBy", .string, optional: true, "Login name of the requesting rep"),
        Field("account", .record(accountFields), optional: true, "The account"),
    ]

    static let quoteFields: [Field] = [
        Field("id", .integer, "Quote id"),
        Field("accountId", .integer, "Account id"),
        Field("opportunityId", .integer, optional: true, "Opportunity id"),
        Field("reference", .string, "Provisional reference, such as DRAFT-000042"),
        Field("number", .string, optional: true, "Final number once sent"),
        Field("status", .oneOf(["draft", "sent", "accepted", "declined", "expired"]), "Lifecycle status"),
        Field("totalExcludingTax", .money, optional: true, "Total excluding tax, minor units"),
        Field("totalTax", .money, optional: true, "Total VAT, minor units"),
        Field("totalIncludingTax", .money, optional: true, "Total including tax, minor units"),
        Field("currency", .string, optional: true, "ISO 4217 currency code"),
        Field("issueDate", .date, optional: true, "Send date"),
        Field("validUntil", .date, optional: true, "Last day on which the quote can be accepted"),
    ]

    static let followUpItem: Shape = .record([
        Field("inDays", .integer, "Days after the event"),
        Field("businessDays", .boolean, "Count business days rather than calendar days"),
        Field("kind", .oneOf(["call", "meeting", "e-mail", "task", "note"]), "Activity kind"),
        Field("subject", .string, "Subject of the follow-up"),
    ])

    private static func event(_ name: String, _ summary: String, when: String, payload: [Field]) -> HookSpec {
        HookSpec(name: name, kind: .event, summary: summary, firedWhen: when, payload: payload, result: nil,
                 example: "crm.log(\"\(name) \" .. payload.id)")
    }

    public static let hooks: [HookSpec] = [
        event("onAccountCreated", "An account was created", when: "after `crm account add` or an import creates an account",
              payload: accountFields),
        event("onAccountUpdated", "An account was changed", when: "after `crm account edit`, `assign` or a plugin write",
              payload: accountFields + [Field("changed", .list(.string), "Names of the fields that changed")]),
        event("onAccountOpeningRequested", "A rep asked accounting to open an account",
              when: "after `crm opening request` stores the request", payload: openingFields),
        event("onAccountOpened", "Accounting approved an opening; the account is a customer",
              when: "after `crm opening approve`", payload: openingFields),
        event("onAccountOpeningRejected", "Accounting rejected an opening", when: "after `crm opening reject`",
              payload: openingFields + [Field("reason", .string, "Reason given by accounting")]),
        event("onOpportunityCreated", "An opportunity was created", when: "after `crm opportunity add`",
              payload: opportunityFields),
        event("onOpportunityStageChanged", "An opportunity moved to another stage",
              when: "after `crm opportunity stage`",
              payload: opportunityFields + [Field("oldStage", .string, "Stage before the change"),
                                            Field("newStage", .string, "Stage after the change")]),
        event("onOpportunityWon", "An opportunity was won", when: "after `crm opportunity win` or a quote acceptance",
              payload: opportunityFields),
        event("onOpportunityLost", "An opportunity was lost", when: "after `crm opportunity lose`",
              payload: opportunityFields + [Field("lossReason", .string, optional: true, "Loss reason code")]),
        event("onActivityLogged", "An activity was logged or completed", when: "after `crm activity log` or `done`",
              payload: [Field("id", .integer, "Activity id"), Field("kind", .string, "Activity kind"),
                        Field("accountId", .integer, optional: true, "Account id")]),
        event("onQuoteCreated", "A quote draft was created", when: "after `crm quote new`", payload: quoteFields),
        event("onQuoteSent", "A quote was numbered and sent", when: "after `crm quote send`", payload: quoteFields),
        event("onQuoteAccepted", "A quote was accepted", when: "after `crm quote accept`", payload: quoteFields),
        event("onQuoteDeclined", "A quote was declined", when: "after `crm quote decline`",
              payload: quoteFields + [Field("reason", .string, "Reason the customer gave")]),
        event("onQuoteExpired", "A quote passed its validity date", when: "during `crm quote expire`",
              payload: quoteFields),
        HookSpec(
            name: "solvency", kind: .rule, summary: "Recommends approving, reviewing or rejecting an account opening",
            firedWhen: "when a rep requests an opening and when accounting rechecks it",
            payload: openingFields,
            result: .recordOrShorthand(record: [
                Field("decision", .oneOf(["approve", "review", "reject"]), "The recommendation"),
                Field("creditLimit", .money, optional: true, "Recommended credit limit in minor units"),
                Field("reason", .string, optional: true, "Why, in words an accountant can read"),
            ], shorthandField: "decision"),
            example: "return { decision = \"review\", reason = \"company younger than 2 years\" }"),
        HookSpec(
            name: "paymentTerms", kind: .rule, summary: "Proposes a payment term and a payment method",
            firedWhen: "when a rep requests an opening and when accounting rechecks it",
            payload: openingFields,
            result: .record([
                Field("term", .string, "Payment-term code, such as 30EOM"),
                Field("method", .string, "Payment-method code, such as TRANSFER"),
                Field("reason", .string, optional: true, "Why this proposal"),
            ]),
            example: "return { term = \"NET30\", method = \"TRANSFER\" }"),
        HookSpec(
            name: "quoteNumber", kind: .rule, summary: "Formats the final number of a quote being sent",
            firedWhen: "when `crm quote send` issues a quote, inside its transaction",
            payload: quoteFields + [Field("sequence", .integer, "Next value of the host-managed sequence"),
                                    Field("sequenceName", .string,
                                          "Name of that sequence, from the quote.sequence setting (quote-YEAR by default)"),
                                    Field("year", .integer, "Year of the send date"),
                                    Field("sector", .string, optional: true, "Sector code of the account")],
            result: .string,
            example: "return string.format(\"Q-%04d-%05d\", payload.year, payload.sequence)"),
        HookSpec(
            name: "followUps", kind: .rule, summary: "Lists the follow-ups to schedule after an event",
            firedWhen: "after an opportunity is created or changes stage, a quote is sent or an account opens",
            payload: [Field("event", .string, "Name of the event"),
                      Field("accountId", .integer, optional: true, "Account id"),
                      Field("opportunityId", .integer, optional: true, "Opportunity id"),
                      Field("quoteId", .integer, optional: true, "Quote id")],
            result: .list(followUpItem),
            example: "return { { inDays = 2, businessDays = true, kind = \"call\", subject = \"Call back\" } }"),
        HookSpec(
            name: "sectorFor", kind: .rule, summary: "Chooses the sector of an account, or none",
            firedWhen: "when an account is created or its address changes, unless assigned by hand",
            payload: accountFields, result: .string,
            example: "if payload.country ~= \"FR\" then return \"EXPORT\" end"),
    ]

    public static func hook(named name: String) -> HookSpec? {
        hooks.first { $0.name == name }
    }

    public static let api: [APIFunctionSpec] = [
        APIFunctionSpec(name: "log", parameters: [.init("message", .string)], returns: nil, writes: false,
                        summary: "Writes a line to stderr, prefixed with the plugin's name; long lines are cut"),
        APIFunctionSpec(name: "getAccount", parameters: [.init("accountId", .integer)],
                        returns: .record(accountFields), writes: false,
                        summary: "Returns the account with this id, or nil when it does not exist"),
        APIFunctionSpec(name: "getNotes", parameters: [.init("accountId", .integer)],
                        returns: .list(.record([Field("id", .integer, "Note id"), Field("text", .string, "Text"),
                                                Field("author", .string, "Who wrote it")])),
                        writes: false, summary: "Returns the notes of an account, oldest first"),
        APIFunctionSpec(name: "addNote", parameters: [.init("accountId", .integer), .init("text", .string)],
                        returns: .integer, writes: true,
                        summary: "Adds a note to an account and returns its id"),
        APIFunctionSpec(name: "addFlag", parameters: [.init("accountId", .integer), .init("flag", .string)],
                        returns: nil, writes: true, summary: "Adds a flag (such as bad-payer) to an account"),
        APIFunctionSpec(name: "setCreditLimit", parameters: [.init("accountId", .integer), .init("amount", .money)],
                        returns: nil, writes: true,
                        summary: "Sets an account's credit limit, in minor units of its currency"),
        APIFunctionSpec(name: "openingRequirements", parameters: [.init("accountId", .integer)],
                        returns: .list(.string), writes: false,
                        summary: "Lists what an account still lacks before its opening can be requested; empty when complete"),
        APIFunctionSpec(name: "requestOpening", parameters: [.init("accountId", .integer), .init("note", .string, optional: true)],
                        returns: .integer, writes: true,
                        summary: "Requests the opening of a prospect account, as `crm opening request` does, and returns the request id"),
        APIFunctionSpec(name: "notifyRole",
                        parameters: [.init("role", .oneOf(["sales", "accounting", "manager", "admin"])),
                                     .init("subject", .string), .init("body", .string, optional: true)],
                        returns: .integer, writes: true,
                        summary: "Sends a notification to the inbox of every active user with the role; returns how many"),
        APIFunctionSpec(name: "notifyUser",
                        parameters: [.init("user", .string), .init("subject", .string), .init("body", .string, optional: true)],
                        returns: nil, writes: true, summary: "Sends a notification to one user's inbox"),
        APIFunctionSpec(name: "dueDate", parameters: [.init("term", .string), .init("invoiceDate", .date)],
                        returns: .date, writes: false,
                        summary: "Returns the due date of an invoice under a payment-term code of the database"),
        APIFunctionSpec(name: "setting", parameters: [.init("key", .string)], returns: .any, writes: false,
                        summary: "Returns a setting: the database's value, else the pack's default, else nil"),
        APIFunctionSpec(name: "today", parameters: [], returns: .date, writes: false,
                        summary: "Returns the business date of the command (fixed by --today)"),
        APIFunctionSpec(name: "addDays", parameters: [.init("date", .date), .init("days", .integer)],
                        returns: .date, writes: false, summary: "Adds calendar days to a date"),
        APIFunctionSpec(name: "addMonths", parameters: [.init("date", .date), .init("months", .integer)],
                        returns: .date, writes: false,
                        summary: "Adds months to a date, clamping to the end of a shorter month"),
        APIFunctionSpec(name: "endOfMonth", parameters: [.init("date", .date)], returns: .date, writes: false,
                        summary: "Returns the last day of the date's month"),
        APIFunctionSpec(name: "addBusinessDays", parameters: [.init("date", .date), .init("days", .integer)],
                        returns: .date, writes: false,
                        summary: "Adds business days, skipping weekends and the holidays of the database"),
        APIFunctionSpec(name: "isBusinessDay", parameters: [.init("date", .date)], returns: .boolean, writes: false,
                        summary: "Tells whether a date is neither a weekend day nor a holiday"),
        APIFunctionSpec(name: "yearsBetween", parameters: [.init("from", .date), .init("to", .date)],
                        returns: .integer, writes: false,
                        summary: "Returns the number of whole years from one date to another"),
        APIFunctionSpec(name: "percentOf", parameters: [.init("amount", .money), .init("percent", .string)],
                        returns: .money, writes: false,
                        summary: "Returns amount times a decimal percent such as \"5.5\", rounded half-up"),
        APIFunctionSpec(name: "formatMoney", parameters: [.init("amount", .money), .init("currency", .string)],
                        returns: .string, writes: false,
                        summary: "Formats minor units as a decimal amount with its currency, such as \"5000.00 EUR\""),
        APIFunctionSpec(name: "parseMoney", parameters: [.init("text", .string), .init("currency", .string)],
                        returns: .money, writes: false,
                        summary: "Reads a decimal amount such as \"5000.00\" into minor units of the currency"),
        APIFunctionSpec(name: "divideRound",
                        parameters: [.init("numerator", .integer), .init("denominator", .integer)],
                        returns: .integer, writes: false,
                        summary: "Divides two integers, rounding half-up with ties away from zero"),
    ]
}
