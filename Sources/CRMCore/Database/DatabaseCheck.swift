/// One problem found by `DatabaseCheck.run`, named by entity and id only:
/// the text never carries customer data, so it can go to logs.
public struct Violation: Equatable, Sendable {
    /// A table or domain entity (`account`, `quote`, `opening`, `sequence`),
    /// or `database` for SQLite's own checks.
    public let entity: String
    /// Row id of the entity, or 0 when the problem has no single row.
    public let id: Int64
    public let problem: String

    public init(entity: String, id: Int64, problem: String) {
        self.entity = entity
        self.id = id
        self.problem = problem
    }

    public var description: String {
        id == 0 ? "\(entity): \(problem)" : "\(entity) \(id): \(problem)"
    }
}

/// Checks a database: SQLite's page-level and foreign-key checks, then the
/// invariants the workflows keep (customers were opened or imported,
/// quote totals match their lines, sequences run ahead of issued numbers,
/// packs have their files).
public enum DatabaseCheck {
    /// Runs every check and returns the problems found, SQLite's first.
    public static func run(_ database: Database) throws(CRMError) -> [Violation] {
        var found = try sqliteChecks(database)
        found += try accountChecks(database)
        found += try quoteChecks(database)
        found += try sequenceChecks(database)
        found += try packChecks(database)
        return found
    }

    static func sqliteChecks(_ database: Database) throws(CRMError) -> [Violation] {
        var found: [Violation] = []
        for row in try database.query("PRAGMA integrity_check") {
            let text = row.string(0) ?? ""
            if text != "ok" { found.append(Violation(entity: "database", id: 0, problem: "integrity check: \(text)")) }
        }
        // Columns: table, rowid of the child row, parent table, foreign key index.
        for row in try database.query("PRAGMA foreign_key_check") {
            let table = row.string(0) ?? "?"
            let parent = row.string(2) ?? "?"
            found.append(Violation(entity: table, id: row.int(1) ?? 0,
                                   problem: "refers to a row of \(parent) that does not exist"))
        }
        return found
    }

    static func accountChecks(_ database: Database) throws(CRMError) -> [Violation] {
        var found: [Violation] = []
        let unopened = try database.query("""
            SELECT a.id FROM accounts a
            WHERE a.status = 'customer'
              AND NOT EXISTS (SELECT 1 FROM opening_requests o WHERE o.account_id = a.id AND o.status = 'approved')
              AND NOT EXISTS (SELECT 1 FROM external_ids e WHERE e.entity = 'account' AND e.entity_id = a.id)
            ORDER BY a.id
            """)
        for row in unopened {
            found.append(Violation(entity: "account", id: row.int(0)!,
                                   problem: "is a customer without an approved opening and was not imported"))
        }
        let wrongLink = try database.query("""
            SELECT a.id FROM accounts a LEFT JOIN opening_requests o ON o.id = a.opened_by_request
            WHERE a.opened_by_request IS NOT NULL
              AND (o.id IS NULL OR o.status <> 'approved' OR o.account_id <> a.id OR a.status <> 'customer')
            ORDER BY a.id
            """)
        for row in wrongLink {
            found.append(Violation(entity: "account", id: row.int(0)!,
                                   problem: "names an opening request that did not open it"))
        }
        let approvedProspects = try database.query("""
            SELECT o.id FROM opening_requests o JOIN accounts a ON a.id = o.account_id
            WHERE o.status = 'approved' AND a.status <> 'customer' ORDER BY o.id
            """)
        for row in approvedProspects {
            found.append(Violation(entity: "opening", id: row.int(0)!,
                                   problem: "is approved but its account is not a customer"))
        }
        let undecided = try database.query("""
            SELECT id FROM opening_requests
            WHERE (status = 'pending') <> (decided_at IS NULL)
               OR (status = 'approved' AND (approved_term IS NULL OR approved_method IS NULL))
            ORDER BY id
            """)
        for row in undecided {
            found.append(Violation(entity: "opening", id: row.int(0)!,
                                   problem: "has a status that does not match its decision fields"))
        }
        let twice = try database.query("""
            SELECT account_id FROM opening_requests WHERE status = 'approved'
            GROUP BY account_id HAVING count(*) > 1 ORDER BY account_id
            """)
        for row in twice {
            found.append(Violation(entity: "account", id: row.int(0)!, problem: "has more than one approved opening"))
        }
        return found
    }

    /// Recomputes every quote with the quote arithmetic: each line's net
    /// from its quantity, price and discount, then the totals from the nets.
    static func quoteChecks(_ database: Database) throws(CRMError) -> [Violation] {
        var found: [Violation] = []
        for row in try database.query("SELECT id FROM quotes ORDER BY id") {
            let id = row.int(0)!
            guard let quote = try Quotes.load(database, id: id) else { continue }
            for line in quote.lines {
                let net: Int64
                do {
                    net = try QuoteCalculator.lineNet(quantity: line.quantity, unitPrice: line.unitPrice,
                                                      discount: line.discount, currency: quote.currency)
                } catch {
                    found.append(Violation(entity: "quote", id: id, problem: "line \(line.position) cannot be computed"))
                    continue
                }
                if net != line.net {
                    found.append(Violation(entity: "quote", id: id,
                                           problem: "line \(line.position) has a stored net that differs from its "
                                               + "quantity, unit price and discount"))
                }
            }
            guard let totals = try? quote.totals() else {
                found.append(Violation(entity: "quote", id: id, problem: "its totals cannot be computed"))
                continue
            }
            let stored = (quote.totalExcludingTax, quote.totalTax, quote.totalIncludingTax)
            if stored != (totals.excludingTax, totals.tax, totals.includingTax) {
                found.append(Violation(entity: "quote", id: id, problem: "stored totals differ from its lines"))
            }
        }
        let unnumbered = try database.query("""
            SELECT id FROM quotes WHERE status <> 'draft' AND (number IS NULL OR issue_date IS NULL) ORDER BY id
            """)
        for row in unnumbered {
            found.append(Violation(entity: "quote", id: row.int(0)!, problem: "is sent but has no number or issue date"))
        }
        return found
    }

    /// Numbers in the built-in format `Q-YYYY-NNNNN` come from the sequence
    /// `quote-YYYY`, so that sequence must be past every such number.
    // NOTE: numbers made by a quoteNumber plugin carry no trace of the
    // sequence value they used, so only built-in numbers are checked.
    static func sequenceChecks(_ database: Database) throws(CRMError) -> [Violation] {
        var highest: [String: Int64] = [:]
        for row in try database.query("SELECT number FROM quotes WHERE number LIKE 'Q-____-%'") {
            let number = row.string(0)!
            let parts = number.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[1].count == 4, parts[1].allSatisfy(\.isASCIIDigit),
                  parts[2].allSatisfy(\.isASCIIDigit), let value = Int64(parts[2]) else { continue }
            let name = "quote-\(parts[1])"
            highest[name] = max(highest[name] ?? 0, value)
        }
        var found: [Violation] = []
        for (name, value) in highest.sorted(by: { $0.key < $1.key }) {
            let next = try database.scalar("SELECT next_value FROM sequences WHERE name = ?", [name]).integer ?? 1
            if next <= value {
                found.append(Violation(entity: "sequence", id: 0,
                                       problem: "\(name) would issue \(next) next, but quote numbers up to \(value) "
                                           + "are already issued"))
            }
        }
        return found
    }

    /// Every file a pack's stored manifest lists under `plugins` and
    /// `tests` must be stored with it, with the manifest itself.
    static func packChecks(_ database: Database) throws(CRMError) -> [Violation] {
        var found: [Violation] = []
        for row in try database.query("SELECT id, manifest FROM packs ORDER BY id") {
            let id = row.int(0)!
            let stored = Set(try database.query("SELECT path FROM pack_files WHERE pack_id = ?", [id])
                .compactMap { $0.string(0) })
            guard let manifest = try? JSON.decode(row.string(1) ?? "") else {
                found.append(Violation(entity: "pack", id: id, problem: "has a stored manifest that is not valid JSON"))
                continue
            }
            var expected = ["pack.lua"]
            for field in ["plugins", "tests"] {
                if case let .array(items)? = manifest[field] { expected += items.compactMap(\.stringValue) }
            }
            let missing = expected.filter { !stored.contains($0) }
            if !missing.isEmpty {
                found.append(Violation(entity: "pack", id: id,
                                       problem: "is missing \(missing.count) of the files its manifest lists"))
            }
        }
        return found
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
