/// Export of opportunities, activities and quotes. Opportunities import
/// back with `crm import opportunities --from crm`; activities and quotes
/// are written for other tools and are not imported.
extension Exporter {
    static let opportunityColumns = ["type", "id", "name", "account", "contact", "amount", "currency", "stage",
                                     "probability", "closeDate", "closedOn", "lossReason", "lossNote", "source", "note",
                                     "owner", "externalIds"]
    static let activityColumns = ["type", "id", "kind", "subject", "account", "contact", "opportunity", "quote",
                                  "owner", "status", "dueDate", "dueAt", "doneAt", "outcome", "policy", "event",
                                  "cancelReason", "createdAt"]
    static let quoteColumns = ["type", "id", "reference", "number", "status", "account", "opportunity", "currency",
                               "globalDiscount", "issueDate", "validUntil", "totalExcludingTax", "totalTax",
                               "totalIncludingTax", "declineReason", "createdBy", "createdAt", "lines"]
    /// The columns of one quote line in the CSV form, which has one row per line.
    static let quoteLineColumns = ["line", "description", "quantity", "unit", "unitPrice", "discount", "vatRate", "net"]

    private static func idText(_ value: Int64?) -> Value {
        value.map { .string(String($0)) } ?? .null
    }

    private static func moneyText(_ minor: Int64?, _ currency: Currency) -> Value {
        minor.map { .string(Money.decimalString(minor: $0, exponent: currency.exponent)) } ?? .null
    }

    static func opportunityRecords(_ context: CRMContext) throws(CRMError) -> [[(String, Value)]] {
        let database = context.database
        let scope = try Opportunities.visibility(context)
        let opportunities = try database.query("\(Opportunity.select) WHERE \(scope.sql) ORDER BY o.id",
                                               scope.parameters).map(Opportunity.init)
        var records: [[(String, Value)]] = []
        for opportunity in opportunities {
            let external = try database.query("""
                SELECT source, external_id FROM external_ids WHERE entity = 'opportunity' AND entity_id = ?
                ORDER BY source
                """, [opportunity.id]).map {
                Value.object([("source", .string($0.string(0)!)), ("id", .string($0.string(1)!))])
            }
            let record: [(String, Value)] = [
                ("type", .string("opportunity")), ("id", idText(opportunity.id)), ("name", .string(opportunity.title)),
                ("account", idText(opportunity.accountId)), ("contact", idText(opportunity.contactId)),
                ("amount", moneyText(opportunity.amount?.minor, opportunity.currency)),
                ("currency", .string(opportunity.currency.code)), ("stage", .string(opportunity.stage.code)),
                ("probability", .integer(Int64(opportunity.probability))),
                ("closeDate", .string(opportunity.expectedClose)),
                ("closedOn", opportunity.closedOn.map(Value.string) ?? .null),
                ("lossReason", opportunity.lossReason.map(Value.string) ?? .null),
                ("lossNote", opportunity.lossNote.map(Value.string) ?? .null),
                ("source", opportunity.source.map(Value.string) ?? .null),
                ("note", opportunity.description.map(Value.string) ?? .null),
                ("owner", .string(opportunity.ownerName)), ("externalIds", .array(external)),
            ]
            records.append(record)
        }
        return records
    }

    static func activityRecords(_ context: CRMContext) throws(CRMError) -> [[(String, Value)]] {
        let scope = Activities.visibility(context)
        let rows = try context.database.query("""
            SELECT t.id, t.kind, t.subject, t.account_id, t.contact_id, t.opportunity_id, t.quote_id, u.name, t.status,
                   t.due_date, t.due_at, t.done_at, t.outcome, t.policy, t.event, t.cancel_reason, t.created_at
            FROM activities t JOIN users u ON u.id = t.owner_id
            WHERE \(scope.sql) ORDER BY t.id
            """, scope.parameters)
        return rows.map { row in
            var record: [(String, Value)] = [("type", .string("activity"))]
            for (offset, name) in activityColumns.dropFirst().enumerated() {
                switch row[offset] {
                case let .integer(number):
                    record.append((name, .string(String(number))))
                case let .text(text):
                    record.append((name, .string(text)))
                default:
                    record.append((name, .null))
                }
            }
            return record
        }
    }

    static func quoteRecords(_ context: CRMContext) throws(CRMError) -> [[(String, Value)]] {
        let database = context.database
        let scope = Accounts.visibility(context)
        let ids = try database.query("SELECT q.id FROM quotes q JOIN accounts a ON a.id = q.account_id "
                                     + "WHERE \(scope.sql) ORDER BY q.id", scope.parameters).map { $0.int(0)! }
        var records: [[(String, Value)]] = []
        for id in ids {
            guard let quote = try Quotes.load(database, id: id) else { continue }
            let currency = quote.currency
            let lines: [Value] = quote.lines.map { line in
                .object([
                    ("line", .integer(Int64(line.position))), ("description", .string(line.description)),
                    ("quantity", .string(line.quantity.description)), ("unit", line.unit.map(Value.string) ?? .null),
                    ("unitPrice", .string(line.unitPrice.description)), ("discount", .string(line.discount.description)),
                    ("vatRate", .string(line.vatRate.description)), ("net", moneyText(line.net, currency)),
                ])
            }
            records.append([
                ("type", .string("quote")), ("id", idText(quote.id)), ("reference", .string(quote.reference)),
                ("number", quote.number.map(Value.string) ?? .null), ("status", .string(quote.status.rawValue)),
                ("account", idText(quote.accountId)), ("opportunity", idText(quote.opportunityId)),
                ("currency", .string(currency.code)), ("globalDiscount", .string(quote.globalDiscount.description)),
                ("issueDate", quote.issueDate.map { .string($0.description) } ?? .null),
                ("validUntil", quote.validUntil.map { .string($0.description) } ?? .null),
                ("totalExcludingTax", moneyText(quote.totalExcludingTax, currency)),
                ("totalTax", moneyText(quote.totalTax, currency)),
                ("totalIncludingTax", moneyText(quote.totalIncludingTax, currency)),
                ("declineReason", quote.declineReason.map(Value.string) ?? .null),
                ("createdBy", .string(quote.createdBy)), ("createdAt", .string(quote.createdAt)),
                ("lines", .array(lines)),
            ])
        }
        return records
    }

    /// Flattens quotes for CSV: one row per quote line, the quote's columns
    /// repeated on each, and one row with empty line columns for a quote
    /// without lines.
    static func quoteLineRows(_ records: [[(String, Value)]]) -> [[(String, Value)]] {
        var rows: [[(String, Value)]] = []
        for record in records {
            let quoteFields = record.filter { $0.0 != "lines" }
            guard case let .array(lines)? = record.first(where: { $0.0 == "lines" })?.1, !lines.isEmpty else {
                rows.append(quoteFields + quoteLineColumns.map { ($0, Value.null) })
                continue
            }
            for line in lines {
                rows.append(quoteFields + quoteLineColumns.map { ($0, line[$0] ?? .null) })
            }
        }
        return rows
    }
}
