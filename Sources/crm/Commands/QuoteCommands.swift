import CRMCore
#if canImport(Glibc)
import Glibc
#endif

private let quoteArgument = ArgumentSpec(name: "QUOTE", help: "Quote id, DRAFT- reference or number")
private let lineArgument = ArgumentSpec(name: "LINE", help: "Line number, as `crm quote show` lists it")

private let lineOptions: [OptionSpec] = [
    .value("--description", "TEXT", "What is sold; \\n starts a new line"),
    .value("--qty", "Q", "Quantity, a decimal with at most 3 decimals, such as 2.25"),
    .value("--unit", "TEXT", "Unit of the quantity, such as h, day or piece"),
    .value("--unit-price", "P", "Unit price excluding tax in major units, at most 4 decimals, such as 348.35"),
    .value("--discount", "PCT", "Line discount in percent, 0 to 100 (default 0)"),
    .value("--vat", "RATE", "VAT rate in percent, one of `crm vat list`"),
]

private func lineChange(_ invocation: Invocation) -> QuoteLineChange {
    QuoteLineChange(description: invocation.value("--description")?.replacingEscapedNewlines,
                    quantity: invocation.value("--qty"), unit: invocation.value("--unit"),
                    unitPrice: invocation.value("--unit-price"), discount: invocation.value("--discount"),
                    vatRate: invocation.value("--vat"))
}

private func lineNumber(_ invocation: Invocation) throws(CRMError) -> Int {
    let text = invocation.required("LINE")
    guard let number = Int(text), number > 0 else {
        throw CRMError.usage("invalid LINE '\(text)': expected a line number, a positive whole number")
    }
    return number
}

private func money(_ minor: Int64, _ quote: Quote) -> String {
    Money(minor: minor, currency: quote.currency).description
}

private func printQuote(_ quote: Quote, json: Bool) throws(CRMError) {
    if json { return Output.json(try quote.jsonValue()) }
    let totals = try quote.totals()
    Output.record([
        ("Quote", quote.label), ("Reference", quote.reference), ("Status", quote.status.rawValue),
        ("Account", String(quote.accountId)), ("Opportunity", quote.opportunityId.map { String($0) }),
        ("Currency", quote.currency.code),
        ("Global discount", quote.globalDiscount.isZero ? nil : "\(quote.globalDiscount)%"),
        ("Sent", quote.issueDate?.description), ("Valid until", quote.validUntil?.description),
        ("Decline reason", quote.declineReason), ("Copied from", quote.copiedFrom.map(Quote.reference)),
    ])
    Output.line()
    Output.table(["LINE", "DESCRIPTION", "QTY", "UNIT", "UNIT PRICE", "DISCOUNT", "VAT", "NET"], quote.lines.map {
        [String($0.position), $0.description, $0.quantity.description, $0.unit ?? "", $0.unitPrice.description,
         $0.discount.isZero ? "" : "\($0.discount)%", "\($0.vatRate)%", money($0.net, quote)]
    })
    Output.line()
    Output.table(["VAT RATE", "BASE", "VAT"], totals.vat.map {
        ["\($0.rate)%", money($0.base, quote), money($0.tax, quote)]
    })
    Output.line()
    Output.record([("Total excluding tax", money(totals.excludingTax, quote)), ("VAT", money(totals.tax, quote)),
                   ("Total including tax", money(totals.includingTax, quote))])
}

/// Renders a document to `path` through a temporary file in the same
/// folder, so a failure leaves no half-written file. The file is readable
/// by its owner only, because a quote holds customer data.
private func writeDocument(_ document: QuoteDocument, format: String, to path: String) throws(CRMError) {
    let temporary = path + ".tmp-\(getpid())"
    do throws(CRMError) {
        if format == "pdf" {
            try QuotePDF.write(document, to: temporary)
        } else {
            try FileSystem.writeText(QuoteHTML.render(document), to: temporary, mode: 0o600)
        }
        guard chmod(temporary, 0o600) == 0, rename(temporary, path) == 0 else {
            throw CRMError(.io, "could not write \(path): \(String(cString: strerror(errno)))")
        }
    } catch {
        unlink(temporary)
        throw error
    }
}

private func renderFormat(_ invocation: Invocation, output: String) throws(CRMError) -> String {
    if let format = invocation.value("--format") {
        guard format == "pdf" || format == "html" else {
            throw CRMError.usage("invalid --format '\(format)': expected pdf or html")
        }
        return format
    }
    if output.lowercased().hasSuffix(".pdf") { return "pdf" }
    if output.lowercased().hasSuffix(".html") || output.lowercased().hasSuffix(".htm") { return "html" }
    throw CRMError.usage("missing --format: give pdf or html (or an --output ending in .pdf or .html)")
}

let quoteCommands: [CommandSpec] = [
    CommandSpec(
        path: ["quote", "new"], summary: "Start a draft quote for an account or an opportunity",
        options: [.value("--account", "ID", "Account to quote"),
                  .value("--opportunity", "ID", "Opportunity to quote; the quote takes its account and currency"),
                  .value("--currency", "CODE", "ISO 4217 currency, when not the account's or the opportunity's")],
        discussion: """
            The draft gets a provisional reference such as DRAFT-000001 and can change until it is sent.
            Give --account, --opportunity or both. Accepting a quote made for an opportunity wins the
            opportunity, unless it is already closed. When the opportunity's currency is not the
            account's, choose the quote's currency with --currency.
            Examples:
              crm quote new --account 1
              crm quote new --opportunity 4
            """,
        run: { (invocation) throws(CRMError) in
            let accountId = try invocation.value("--account").map { (text) throws(CRMError) in
                try Accounts.parseId(text, option: "--account")
            }
            let opportunityId = try invocation.value("--opportunity").map { (text) throws(CRMError) -> Int64 in
                guard let id = Int64(text), id > 0 else {
                    throw CRMError.usage("invalid --opportunity '\(text)': expected an opportunity id, a positive integer")
                }
                return id
            }
            guard accountId != nil || opportunityId != nil else {
                throw CRMError.usage("missing --account or --opportunity: name what the quote is for")
            }
            let quote = try Quotes.create(try invocation.context(), accountId: accountId, opportunityId: opportunityId,
                                          currency: invocation.value("--currency"))
            let target = quote.opportunityId.map { "opportunity \($0) of account \(quote.accountId)" }
                ?? "account \(quote.accountId)"
            Output.line("Created quote \(quote.reference) (draft) for \(target) in \(quote.currency.code).")
        }),
    CommandSpec(
        path: ["quote", "line", "add"], summary: "Add a line to a draft quote",
        arguments: [quoteArgument], options: lineOptions,
        discussion: """
            Line net = quantity × unit price × (1 − discount/100), rounded half-up to the currency's
            minor unit. Example:
              crm quote line add 1 --description "Service A" --qty 16 --unit-price 348.35 --discount 4 --vat 20
            """,
        run: { (invocation) throws(CRMError) in
            let quote = try Quotes.addLine(try invocation.context(), key: invocation.required("QUOTE"),
                                           lineChange(invocation))
            Output.line("Added line \(quote.lines.count) to quote \(quote.label); total excluding tax "
                        + "\(money(quote.totalExcludingTax, quote)).")
        }),
    CommandSpec(
        path: ["quote", "line", "edit"], summary: "Change fields of a line of a draft quote",
        arguments: [quoteArgument, lineArgument], options: lineOptions,
        discussion: "Give an empty --unit to clear the unit.",
        run: { (invocation) throws(CRMError) in
            let line = try lineNumber(invocation)
            let quote = try Quotes.editLine(try invocation.context(), key: invocation.required("QUOTE"), line: line,
                                            lineChange(invocation))
            Output.line("Updated line \(line) of quote \(quote.label); total excluding tax "
                        + "\(money(quote.totalExcludingTax, quote)).")
        }),
    CommandSpec(
        path: ["quote", "line", "remove"], summary: "Remove a line from a draft quote",
        arguments: [quoteArgument, lineArgument],
        discussion: "The lines after it move up one number.",
        run: { (invocation) throws(CRMError) in
            let line = try lineNumber(invocation)
            let quote = try Quotes.removeLine(try invocation.context(), key: invocation.required("QUOTE"), line: line)
            Output.line("Removed line \(line) of quote \(quote.label).")
        }),
    CommandSpec(
        path: ["quote", "discount"], summary: "Set the global discount of a draft quote",
        arguments: [quoteArgument, ArgumentSpec(name: "PCT", help: "Discount in percent, 0 to 100; 0 removes it")],
        discussion: """
            The discount applies to the base of each VAT rate, which is then rounded half-up; VAT is
            computed on the discounted bases.
            """,
        run: { (invocation) throws(CRMError) in
            let quote = try Quotes.setDiscount(try invocation.context(), key: invocation.required("QUOTE"),
                                               percent: invocation.required("PCT"))
            Output.line("Set the global discount of quote \(quote.label) to \(quote.globalDiscount)%; total excluding "
                        + "tax \(money(quote.totalExcludingTax, quote)).")
        }),
    CommandSpec(
        path: ["quote", "show"], summary: "Show a quote with its lines, VAT per rate and totals",
        arguments: [quoteArgument], access: .read,
        discussion: "With --json, amounts are {\"amount\": \"6527.81\", \"currency\": \"EUR\"} objects.",
        run: { (invocation) throws(CRMError) in
            try printQuote(try Quotes.get(try invocation.context(), key: invocation.required("QUOTE")),
                           json: invocation.json)
        }),
    CommandSpec(
        path: ["quote", "list"], summary: "List the quotes you may see",
        options: [.value("--status", "STATUS", "draft, sent, accepted, declined or expired"),
                  .value("--account", "ID", "Only quotes of this account"),
                  .value("--limit", "N", "At most N quotes (default 100, at most 10000)")],
        access: .read,
        run: { (invocation) throws(CRMError) in
            var filter = QuoteFilter()
            filter.status = try invocation.oneOf("--status", as: Quote.Status.self)
            filter.accountId = try invocation.value("--account").map { (text) throws(CRMError) in
                try Accounts.parseId(text, option: "--account")
            }
            filter.limit = try invocation.integer("--limit", default: 100, range: 1...10_000)
            let quotes = try Quotes.list(try invocation.context(), filter: filter)
            if invocation.json {
                var values: [Value] = []
                for quote in quotes { values.append(try quote.jsonValue()) }
                return Output.json(.array(values))
            }
            Output.table(["ID", "QUOTE", "ACCOUNT", "STATUS", "EXCL. TAX", "INCL. TAX", "VALID UNTIL"], quotes.map {
                [String($0.id), $0.label, String($0.accountId), $0.status.rawValue, money($0.totalExcludingTax, $0),
                 money($0.totalIncludingTax, $0), $0.validUntil?.description ?? ""]
            })
        }),
    CommandSpec(
        path: ["quote", "send"], summary: "Issue a draft: give it its final number and freeze it",
        arguments: [quoteArgument],
        discussion: """
            The number comes from the quoteNumber rule, or Q-YYYY-NNNNN when no plugin decides. The quote
            stays valid for the quote.validityDays setting (default 30) from today.
            """,
        run: { (invocation) throws(CRMError) in
            let context = try invocation.context()
            let quote = try Quotes.send(context, key: invocation.required("QUOTE"))
            Output.line("Sent quote \(quote.label) (was \(quote.reference)); valid until \(quote.validUntil!).")
            // A French quote must name the seller; the document prints what the settings hold.
            var missing: [String] = []
            for key in ["company.legalName", "company.address", "company.siret"] {
                let value = try Settings.get(context.database, key: key)?.stringValue ?? ""
                if value.isEmpty { missing.append(key) }
            }
            if !missing.isEmpty {
                Output.error("crm: warning: the quote's document lacks the seller's " + missing.joined(separator: ", ")
                             + "; set them with `crm setting set company.legalName \"...\"` and send later quotes "
                             + "with them")
            }
        }),
    CommandSpec(
        path: ["quote", "accept"], summary: "Record the customer's acceptance of a sent quote",
        arguments: [quoteArgument],
        run: { (invocation) throws(CRMError) in
            let quote = try Quotes.accept(try invocation.context(), key: invocation.required("QUOTE"))
            Output.line("Accepted quote \(quote.label).")
        }),
    CommandSpec(
        path: ["quote", "decline"], summary: "Record that the customer declined a sent quote",
        arguments: [quoteArgument], options: [.value("--reason", "TEXT", "Why the customer declined (required)")],
        run: { (invocation) throws(CRMError) in
            let quote = try Quotes.decline(try invocation.context(), key: invocation.required("QUOTE"),
                                           reason: try invocation.requiredValue("--reason"))
            Output.line("Declined quote \(quote.label).")
        }),
    CommandSpec(
        path: ["quote", "expire"], summary: "Mark sent quotes past their validity date as expired",
        discussion: "Meant for a daily cron job; it acts on the quotes the acting user may change.",
        run: { (invocation) throws(CRMError) in
            let expired = try Quotes.expire(try invocation.context())
            if expired.isEmpty { return Output.line("No quote to expire.") }
            Output.line("Expired \(expired.count) quote\(expired.count == 1 ? "" : "s"): "
                        + expired.map(\.label).joined(separator: ", ") + ".")
        }),
    CommandSpec(
        path: ["quote", "copy"], summary: "Start a new draft from the lines of an earlier quote",
        arguments: [quoteArgument],
        options: [.value("--currency", "CODE", "Currency of the copy, needed when the account's currency changed")],
        run: { (invocation) throws(CRMError) in
            let source = invocation.required("QUOTE")
            let quote = try Quotes.copy(try invocation.context(), key: source, currency: invocation.value("--currency"))
            Output.line("Copied quote \(source) to the new draft \(quote.reference).")
        }),
    CommandSpec(
        path: ["quote", "render"], summary: "Write a quote as a PDF or HTML document for the customer",
        arguments: [quoteArgument],
        options: [.value("--format", "FORMAT", "pdf or html (default: from the --output extension)"),
                  .value("--output", "FILE", "File to write, replaced if it exists (required)")],
        access: .read,
        discussion: """
            The seller block comes from the settings company.legalName, company.legalForm, company.capital,
            company.address, company.siret, company.rcsCity and company.vatNumber. A sent quote shows the
            parties as they were when it was sent. The file is readable by its owner only.
            """,
        run: { (invocation) throws(CRMError) in
            let output = try invocation.requiredValue("--output")
            let format = try renderFormat(invocation, output: output)
            let key = invocation.required("QUOTE")
            let document = try QuoteDocument.build(try invocation.context(), key: key)
            try writeDocument(document, format: format, to: output)
            if invocation.json {
                return Output.json(.object([("quote", .string(key)), ("format", .string(format)),
                                            ("output", .string(output))]))
            }
            Output.line("Wrote \(output) (\(format.uppercased()) of quote \(key)).")
        }),
]

let vatCommands: [CommandSpec] = [
    CommandSpec(
        path: ["vat", "list"], summary: "List the VAT rates quote lines may use", access: .read,
        run: { (invocation) throws(CRMError) in
            let rates = try VATRates.all(try invocation.context().database)
            if invocation.json { return Output.json(.array(rates.map { .string($0.description) })) }
            Output.table(["RATE"], rates.map { ["\($0)%"] })
        }),
    CommandSpec(
        path: ["vat", "add"], summary: "Add a VAT rate (admins)",
        arguments: [ArgumentSpec(name: "RATE", help: "Rate in percent, such as 22 or 5.5")],
        run: { (invocation) throws(CRMError) in
            let rate = try VATRates.add(try invocation.context(), rate: invocation.required("RATE"))
            Output.line("Added the VAT rate \(rate)%.")
        }),
    CommandSpec(
        path: ["vat", "remove"], summary: "Remove a VAT rate that no draft uses (admins)",
        arguments: [ArgumentSpec(name: "RATE", help: "Rate in percent")],
        discussion: "Sent quotes keep the rates they were issued with.",
        run: { (invocation) throws(CRMError) in
            let rate = try VATRates.remove(try invocation.context(), rate: invocation.required("RATE"))
            Output.line("Removed the VAT rate \(rate)%.")
        }),
]
