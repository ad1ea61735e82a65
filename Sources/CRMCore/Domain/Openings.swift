/// A request to turn a prospect into a customer, decided by accounting.
public struct OpeningRequest: Sendable {
    public enum Status: String, Sendable { case pending, approved, rejected }

    public let id: Int64
    public let accountId: Int64
    public let accountName: String
    public let requestedBy: String
    public let requestedAt: String
    public let requestedCreditLimit: Int64?
    public let note: String?
    public let status: Status
    public let solvencyDecisionId: Int64?
    public let termsDecisionId: Int64?
    public let decidedBy: String?
    public let decidedByRule: String?
    public let decidedAt: String?
    public let approvedTerm: String?
    public let approvedMethod: String?
    public let approvedCreditLimit: Int64?
    public let rejectionReason: String?
    public let currency: Currency

    static let select = """
        SELECT r.id, r.account_id, a.legal_name, u.name, r.requested_at, r.requested_credit_limit, r.note, r.status,
               r.solvency_decision_id, r.terms_decision_id, d.name, r.decided_by_rule, r.decided_at, r.approved_term,
               r.approved_method, r.approved_credit_limit, r.rejection_reason, a.currency
        FROM opening_requests r JOIN accounts a ON a.id = r.account_id JOIN users u ON u.id = r.requested_by
        LEFT JOIN users d ON d.id = r.decided_by
        """

    init(row: Row) {
        id = row.int(0)!
        accountId = row.int(1)!
        accountName = row.string(2)!
        requestedBy = row.string(3)!
        requestedAt = row.string(4)!
        requestedCreditLimit = row.int(5)
        note = row.string(6)
        status = Status(rawValue: row.string(7)!) ?? .pending
        solvencyDecisionId = row.int(8)
        termsDecisionId = row.int(9)
        decidedBy = row.string(10)
        decidedByRule = row.string(11)
        decidedAt = row.string(12)
        approvedTerm = row.string(13)
        approvedMethod = row.string(14)
        approvedCreditLimit = row.int(15)
        rejectionReason = row.string(16)
        currency = Currency(code: row.string(17)!) ?? .euro
    }

    /// The decider: a user's name, or the rule's plugin when recommendations are binding.
    public var decider: String? { decidedBy ?? decidedByRule.map { "plugin \($0)" } }

    func money(_ minor: Int64?) -> Value { minor.map { Money(minor: $0, currency: currency).jsonValue } ?? .null }

    public var jsonValue: Value {
        var object = ObjectBuilder()
        object.set("id", id)
        object.set("accountId", accountId)
        object.set("account", accountName)
        object.set("requestedBy", requestedBy)
        object.set("requestedAt", requestedAt)
        object.set("requestedCreditLimit", money(requestedCreditLimit))
        object.set("note", note)
        object.set("status", status.rawValue)
        object.set("decidedBy", decider)
        object.set("decidedAt", decidedAt)
        object.set("paymentTerm", approvedTerm)
        object.set("paymentMethod", approvedMethod)
        object.set("creditLimit", money(approvedCreditLimit))
        object.set("rejectionReason", rejectionReason)
        return object.value
    }
}

/// The account-opening workflow: a rep requests, the `solvency` and
/// `paymentTerms` rules advise, accounting approves or rejects.
public enum Openings {
    /// Setting that makes the solvency recommendation binding: an approve
    /// or reject recommendation then decides at once.
    public static let bindingSetting = "opening.bindingRecommendations"

    // MARK: Requirements

    /// Lists what an account still lacks before its opening can be requested,
    /// in words a rep can act on. Empty when the account is complete.
    public static func requirements(_ database: Database, account: Account) throws(CRMError) -> [String] {
        var missing: [String] = []
        if account.legalName.trimmingSpaces.isEmpty { missing.append("a legal name (--legal-name)") }
        let country = CountryCode(account.country)
        if account.country == "FR" {
            let validSIREN = account.siren.map { if case .success = SIREN.parse($0) { return true } else { return false } } ?? false
            let validSIRET = account.siret.map { if case .success = SIRET.parse($0) { return true } else { return false } } ?? false
            if !validSIREN && !validSIRET { missing.append("a valid SIREN or SIRET for a French company (--siren or --siret)") }
        } else if country?.isEUMember == true {
            let validVAT = account.vatNumber.map { if case .success = VATNumber.parse($0) { return true } else { return false } } ?? false
            if !validVAT { missing.append("a valid VAT number for an EU company outside France (--vat)") }
        }
        let street = account.street?.trimmingSpaces ?? "", postal = account.postalCode ?? "", city = account.city ?? ""
        if street.isEmpty || postal.isEmpty || city.isEmpty {
            missing.append("a billing address with street, postal code and city (--street, --postal-code, --city)")
        }
        let withEmail = try database.scalar("SELECT count(*) FROM contacts WHERE account_id = ? AND email IS NOT NULL",
                                            [account.id]).integer ?? 0
        if withEmail == 0 { missing.append("at least one contact with an e-mail (crm contact add --account \(account.id) --email ...)") }
        return missing
    }

    // MARK: Reading

    public static func get(_ context: CRMContext, id: Int64) throws(CRMError) -> OpeningRequest {
        guard let request = try context.database.first("\(OpeningRequest.select) WHERE r.id = ?", [id]).map(OpeningRequest.init) else {
            throw CRMError.notFound("opening request \(id) not found; see `crm opening list`")
        }
        if context.actor.role == .sales || context.actor.role == .manager {
            _ = try Accounts.get(context, id: request.accountId)
        }
        return request
    }

    public static func list(_ context: CRMContext, pendingOnly: Bool) throws(CRMError) -> [OpeningRequest] {
        let scope = Accounts.visibility(context)
        var sql = "\(OpeningRequest.select) WHERE \(scope.sql)"
        if pendingOnly { sql += " AND r.status = 'pending'" }
        return try context.database.query(sql + " ORDER BY r.id", scope.parameters).map(OpeningRequest.init)
    }

    /// Builds the payload the opening rules and hooks receive.
    static func payload(_ database: Database, request: OpeningRequest, extra: [(String, Value)] = []) throws(CRMError) -> Value {
        let account = try Accounts.load(database, id: request.accountId)!
        var object = ObjectBuilder()
        object.set("id", request.id)
        object.set("accountId", request.accountId)
        object.set("requestedCreditLimit", request.requestedCreditLimit)
        object.set("requestedBy", request.requestedBy)
        object.set("account", account.pluginValue)
        for (key, value) in extra { object.set(key, value) }
        return object.value
    }

    // MARK: Requesting

    /// Requests the opening of a prospect, runs both rules once, stores their
    /// results with the request, alerts every accounting user and fires
    /// `onAccountOpeningRequested`, all in one transaction.
    @discardableResult
    public static func request(_ context: CRMContext, account accountId: Int64, creditLimit: String?,
                               note: String?) throws(CRMError) -> OpeningRequest {
        try context.require(.sales, .manager, .admin, to: "request an account opening")
        let database = context.database
        return try database.transaction { () throws(CRMError) -> OpeningRequest in
            let account = try Accounts.get(context, id: accountId)
            try Accounts.requireWrite(context, account)
            guard account.archivedAt == nil else { throw CRMError.conflict("account \(accountId) is archived") }
            guard account.status == .prospect else {
                throw CRMError.conflict("account \(accountId) is already a customer; there is nothing to open")
            }
            if let pending = try database.scalar("SELECT id FROM opening_requests WHERE account_id = ? AND status = 'pending'",
                                                 [accountId]).integer {
                throw CRMError.conflict("account \(accountId) already has an open opening request (request \(pending)); "
                                        + "see `crm opening review \(pending)`")
            }
            let missing = try requirements(database, account: account)
            guard missing.isEmpty else {
                throw CRMError.invalid("account \(accountId) cannot be opened yet; missing: " + missing.joined(separator: "; "))
            }
            var requested: Int64?
            if let creditLimit {
                requested = try parseCreditLimit(creditLimit, currency: account.currency, option: "--credit-limit")
            }
            if let note { try AccountValidation.checkPrintable(note, option: "--note", maximum: 2000, allowNewlines: true) }
            let id = try database.insert("""
                INSERT INTO opening_requests (account_id, requested_by, requested_at, requested_credit_limit, note)
                VALUES (?, ?, ?, ?, ?)
                """, [accountId, context.actor.id, context.clock.timestamp, requested, note])
            try context.audit(entity: "opening", id: id, account: accountId, action: "create", field: nil, old: nil, new: nil)
            try runRules(context, requestId: id)
            try Notifications.notifyRole(context, role: .accounting,
                                         subject: "Account opening requested: account \(accountId) (request \(id))",
                                         body: "\(context.actor.name) asks to open \(account.legalName). "
                                             + "Review it with `crm opening review \(id)`.",
                                         entity: "opening", entityId: id)
            let stored = try get(context, id: id)
            try context.fire("onAccountOpeningRequested", payload: try payload(database, request: stored))
            try applyBindingRecommendation(context, requestId: id)
            return try get(context, id: id)
        }
    }

    static func parseCreditLimit(_ text: String, currency: Currency, option: String) throws(CRMError) -> Int64 {
        switch Money.parse(text, currency: currency) {
        case let .success(money) where money.minor >= 0: return money.minor
        case .success: throw CRMError.invalid("invalid \(option) '\(text)': a credit limit cannot be negative")
        case let .failure(failure):
            throw CRMError.invalid("invalid \(option) '\(text)': " + AccountValidation.moneyReason(failure, currency: currency))
        }
    }

    /// Runs `solvency` and `paymentTerms` and links their stored decisions
    /// to the request. Results the core cannot use (an unknown term code, a
    /// negative credit limit) fail with the plugin's file and line.
    static func runRules(_ context: CRMContext, requestId: Int64) throws(CRMError) {
        let database = context.database
        let request = try get(context, id: requestId)
        let input = try payload(database, request: request)
        if let solvency = try context.decide("solvency", payload: input, entity: "opening", entityId: requestId) {
            if let limit = solvency.result["creditLimit"]?.integerValue, limit < 0 {
                throw solvency.invalidResult("result.creditLimit must not be negative")
            }
            try database.query("UPDATE opening_requests SET solvency_decision_id = ? WHERE id = ?",
                               [solvency.decisionId, requestId])
        }
        if let terms = try context.decide("paymentTerms", payload: input, entity: "opening", entityId: requestId) {
            let code = terms.result["term"]?.stringValue ?? ""
            guard try PaymentTerms.find(database, code: code) != nil else {
                throw terms.invalidResult("result.term '\(code)' is not a payment term of this database; see `crm term list`")
            }
            let method = terms.result["method"]?.stringValue ?? ""
            guard PaymentMethod(rawValue: method) != nil else {
                let codes = PaymentMethod.allCases.map(\.code).joined(separator: ", ")
                throw terms.invalidResult("result.method '\(method)' is not a payment method; expected one of \(codes)")
            }
            try database.query("UPDATE opening_requests SET terms_decision_id = ? WHERE id = ?",
                               [terms.decisionId, requestId])
        }
    }

    /// With binding recommendations on, an approve or reject recommendation
    /// decides the request at once; review leaves it pending.
    private static func applyBindingRecommendation(_ context: CRMContext, requestId: Int64) throws(CRMError) {
        guard try Settings.get(context.database, key: bindingSetting) == .bool(true) else { return }
        let request = try get(context, id: requestId)
        guard let decisionId = request.solvencyDecisionId else { return }
        let solvency = try Decisions.load(context.database, id: decisionId)
        switch solvency.result["decision"]?.stringValue {
        case "approve":
            try decideApproval(context, request: request, term: nil, method: nil, creditLimit: nil, byRule: solvency.plugin)
        case "reject":
            try decideRejection(context, request: request, reason: solvency.reason ?? "rejected by the solvency rule",
                                byRule: solvency.plugin)
        default:
            return
        }
    }

    // MARK: Deciding

    /// Runs both rules again and stores the new results beside the old ones.
    public static func recheck(_ context: CRMContext, id: Int64) throws(CRMError) -> OpeningRequest {
        try context.require(.accounting, .admin, to: "recheck an account opening")
        return try context.database.transaction { () throws(CRMError) -> OpeningRequest in
            let request = try get(context, id: id)
            try requirePending(request)
            try runRules(context, requestId: id)
            try context.audit(entity: "opening", id: id, account: request.accountId, action: "recheck", field: nil,
                              old: nil, new: nil)
            return try get(context, id: id)
        }
    }

    private static func requirePending(_ request: OpeningRequest) throws(CRMError) {
        guard request.status == .pending else {
            let verb = request.status == .approved ? "approved" : "rejected"
            throw CRMError.conflict("request \(request.id) was already \(verb) by \(request.decider ?? "someone") "
                                    + "on \(request.decidedAt.map { String($0.prefix(10)) } ?? "an unknown date")")
        }
    }

    /// Approves a request: the account becomes a customer with a payment
    /// term, a method and a credit limit, taken from the options or else
    /// from the stored proposals. Returns warnings to show (legal limits).
    @discardableResult
    public static func approve(_ context: CRMContext, id: Int64, term: String?, method: String?,
                               creditLimit: String?) throws(CRMError) -> [String] {
        try context.require(.accounting, .admin, to: "approve an account opening")
        return try context.database.transaction { () throws(CRMError) -> [String] in
            let request = try get(context, id: id)
            try requirePending(request)
            return try decideApproval(context, request: request, term: term, method: method, creditLimit: creditLimit,
                                      byRule: nil)
        }
    }

    @discardableResult
    private static func decideApproval(_ context: CRMContext, request: OpeningRequest, term termOption: String?,
                                       method methodOption: String?, creditLimit: String?,
                                       byRule rule: String?) throws(CRMError) -> [String] {
        let database = context.database
        let proposal = try request.termsDecisionId.map { (id) throws(CRMError) in try Decisions.load(database, id: id) }
        let solvency = try request.solvencyDecisionId.map { (id) throws(CRMError) in try Decisions.load(database, id: id) }
        guard let termCode = termOption ?? proposal?.result["term"]?.stringValue else {
            throw CRMError.usage("no payment term was proposed for request \(request.id); pass --term CODE (see `crm term list`)")
        }
        guard let methodCode = methodOption ?? proposal?.result["method"]?.stringValue else {
            throw CRMError.usage("no payment method was proposed for request \(request.id); pass --method METHOD")
        }
        let term = try PaymentTerms.require(database, code: termCode, option: termOption == nil ? "the proposal" : "--term")
        let method: PaymentMethod
        switch PaymentMethod.parse(methodCode) {
        case let .success(parsed): method = parsed
        case let .failure(error): throw error
        }
        let account = try Accounts.load(database, id: request.accountId)!
        if method.requiresIBAN && account.iban == nil {
            throw CRMError.invalid("\(method.code) needs an IBAN on account \(account.id); add one with "
                                   + "`crm account edit \(account.id) --iban ...` or choose another --method")
        }
        var limit: Int64?
        if let creditLimit {
            limit = try parseCreditLimit(creditLimit, currency: account.currency, option: "--credit-limit")
        } else {
            limit = solvency?.result["creditLimit"]?.integerValue ?? request.requestedCreditLimit
        }
        let now = context.clock.timestamp
        try database.query("""
            UPDATE opening_requests SET status = 'approved', decided_by = ?, decided_by_rule = ?, decided_at = ?,
                approved_term = ?, approved_method = ?, approved_credit_limit = ? WHERE id = ? AND status = 'pending'
            """, [rule == nil ? context.actor.id : nil, rule, now, term.code, method.code, limit, request.id])
        try database.query("""
            UPDATE accounts SET status = 'customer', payment_term = ?, payment_method = ?, credit_limit = ?,
                opened_by_request = ?, updated_at = ? WHERE id = ?
            """, [term.code, method.code, limit, request.id, now, account.id])
        let changes: [(String, String?, String?)] = [
            ("status", "prospect", "customer"), ("payment-term", account.paymentTerm, term.code),
            ("payment-method", account.paymentMethod, method.code),
            ("credit-limit", account.creditLimit.map { String($0) }, limit.map { String($0) }),
        ]
        for (field, old, new) in changes where old != new {
            try context.audit(entity: "account", id: account.id, account: account.id, action: "update", field: field,
                              old: old, new: new)
        }
        try context.audit(entity: "opening", id: request.id, account: account.id, action: "approve", field: nil, old: nil,
                          new: "\(term.code) \(method.code)")
        let requester = try Users.find(database, name: request.requestedBy)!
        try Notifications.notifyUser(context, userId: requester.id,
                                     subject: "Account opening approved: account \(account.id) (request \(request.id))",
                                     body: "\(account.legalName) is now a customer: \(term.code), \(method.code).",
                                     entity: "opening", entityId: request.id)
        let approved = try get(context, id: request.id)
        try FollowUps.applyPolicies(context, event: "onAccountOpened", account: try Accounts.load(database, id: account.id)!)
        try context.fire("onAccountOpened", payload: try payload(database, request: approved))
        return [term.legalLimitWarning].compactMap { $0 }
    }

    public static func reject(_ context: CRMContext, id: Int64, reason: String) throws(CRMError) {
        try context.require(.accounting, .admin, to: "reject an account opening")
        let trimmed = reason.trimmingSpaces
        guard !trimmed.isEmpty else { throw CRMError.usage("missing --reason: the rep is told why the opening was rejected") }
        try AccountValidation.checkPrintable(trimmed, option: "--reason", maximum: 2000, allowNewlines: true)
        try context.database.transaction { () throws(CRMError) in
            let request = try get(context, id: id)
            try requirePending(request)
            try decideRejection(context, request: request, reason: trimmed, byRule: nil)
        }
    }

    private static func decideRejection(_ context: CRMContext, request: OpeningRequest, reason: String,
                                        byRule rule: String?) throws(CRMError) {
        let database = context.database
        try database.query("""
            UPDATE opening_requests SET status = 'rejected', decided_by = ?, decided_by_rule = ?, decided_at = ?,
                rejection_reason = ? WHERE id = ? AND status = 'pending'
            """, [rule == nil ? context.actor.id : nil, rule, context.clock.timestamp, reason, request.id])
        try context.audit(entity: "opening", id: request.id, account: request.accountId, action: "reject", field: nil,
                          old: nil, new: reason)
        let requester = try Users.find(database, name: request.requestedBy)!
        try Notifications.notifyUser(context, userId: requester.id,
                                     subject: "Account opening rejected: account \(request.accountId) (request \(request.id))",
                                     body: "Reason: \(reason)", entity: "opening", entityId: request.id)
        let rejected = try get(context, id: request.id)
        try context.fire("onAccountOpeningRejected", payload: try payload(database, request: rejected,
                                                                         extra: [("reason", .string(reason))]))
    }

    /// Returns every rule decision stored for a request, oldest first.
    public static func decisions(_ context: CRMContext, id: Int64) throws(CRMError) -> [Decision] {
        try context.database.query("\(Decisions.select) WHERE d.entity = 'opening' AND d.entity_id = ? ORDER BY d.id", [id])
            .map(Decisions.decode)
    }
}
