/// An opportunity read from one row, checked and ready to store.
struct OpportunityDraft {
    var line: Int
    var externalId: String?
    var title: String
    var accountId: Int64
    var contactId: Int64?
    var currency: Currency
    /// Minor units; nil when the source leaves the amount empty.
    var amount: Int64?
    var stage: Stage
    var probability: Int
    var expectedClose: CivilDate
    var closedOn: String?
    var lossReason: String?
    var lossNote: String?
    var source: String?
    var description: String?
    var ownerId: Int64?
}

/// Opportunities from Salesforce's Opportunity object, from `crm export`
/// and from hand-made files.
extension ImportRun {
    /// Source stage names that close a deal, folded with `searchKey`.
    static let wonStageNames: Set<String> = ["closed won", "won", "gagne", "gagnee", "signe"]
    static let lostStageNames: Set<String> = ["closed lost", "lost", "perdu", "perdue"]

    func opportunityDraft(_ fields: [ImportField: String], line: Int) throws(CRMError) -> OpportunityDraft? {
        guard let title = fields[.name].map({ cleanText($0) }), !title.isEmpty else {
            try reject(line: line, code: "missing_required_name", field: .name,
                       "the title is empty; an opportunity needs a title")
            return nil
        }
        guard let closeText = fields[.closeDate] else {
            try reject(line: line, code: "missing_close_date", field: .closeDate,
                       "the close date is empty; an opportunity needs an expected close date")
            return nil
        }
        guard let close = ImportDate.parse(closeText, order: dateOrder) else {
            try reject(line: line, code: "invalid_date", field: .closeDate,
                       "the close date does not exist or is not a date; correct it and import the row again",
                       detail: closeText)
            return nil
        }
        guard let reference = fields[.account] else {
            try reject(line: line, code: "missing_account", field: .account,
                       "the account is empty; an opportunity belongs to an account")
            return nil
        }
        guard let account = try opportunityAccount(reference) else {
            try reject(line: line, code: "unknown_reference", field: .account,
                       "the account is neither imported from this source nor stored; import the accounts first",
                       detail: reference)
            return nil
        }

        let currency = try opportunityCurrency(fields, line: line, account: account.currency)
        let probability = try sourceProbability(fields, line: line)
        var draft = OpportunityDraft(
            line: line, externalId: fields[.id], title: String(title.prefix(200)), accountId: account.id,
            currency: currency, stage: try resolveStage(fields[.stage], probability: probability, line: line),
            probability: 0, expectedClose: close)
        draft.probability = draft.stage.kind == .open ? probability ?? draft.stage.probability : draft.stage.probability
        if draft.stage.kind != .open {
            draft.closedOn = fields[.closedOn].flatMap { ImportDate.parse($0, order: dateOrder) }?.description
                ?? close.description
        }

        if let text = fields[.amount] {
            let amount = try self.amount(text, field: .amount, line: line, currency: currency).integer
            if let amount, !(0...999_999_999_999).contains(amount) {
                try warn(line: line, code: "invalid_number", field: .amount,
                         "the amount is negative or above 999999999999 minor units; it is cleared")
            } else {
                draft.amount = amount
            }
        }

        if draft.stage.kind == .lost { try readLoss(fields, line: line, into: &draft) }
        draft.contactId = try opportunityContact(fields[.contact], account: account.id)
        draft.source = fields[.source].map { String(cleanText($0).prefix(100)) }
        draft.description = fields[.note].map { String($0.prefix(Notes.maximumLength)) }
        draft.ownerId = try owner(named: fields[.owner].map { options.mapping?.translate(.owner, $0) ?? $0 }, line: line)
        return draft
    }

    /// Finds the account a row names: by its id in the same source, then,
    /// for a `crm` or generic file, by its id in this database or by its name.
    private func opportunityAccount(_ reference: String) throws(CRMError) -> (id: Int64, currency: Currency)? {
        var id = try storedEntity("account", externalId: reference)
        if id == nil, layout.source == .crm || layout.source == .generic, let number = Int64(reference) {
            id = try database.scalar("SELECT id FROM accounts WHERE id = ? AND archived_at IS NULL", [number]).integer
        }
        if id == nil, layout.source == .generic {
            let key = identityKey(reference)
            let matches = identities.filter { $0.key.hasPrefix(key + "\u{1F}") }.flatMap(\.value)
            if matches.count == 1 { id = matches[0].id }
        }
        guard let id, let row = try database.first("SELECT currency FROM accounts WHERE id = ?", [id]) else {
            return nil
        }
        return (id, Currency(code: row.string(0) ?? "EUR") ?? .euro)
    }

    private func opportunityCurrency(_ fields: [ImportField: String], line: Int,
                                     account: Currency) throws(CRMError) -> Currency {
        guard let text = fields[.currency] else { return account }
        if let currency = Currency(code: text.trimmingSpaces) { return currency }
        try warn(line: line, code: "unknown_currency", field: .currency,
                 "the currency is not an ISO 4217 code this CRM knows; the account's currency is used", detail: text)
        return account
    }

    private func sourceProbability(_ fields: [ImportField: String], line: Int) throws(CRMError) -> Int? {
        guard let text = fields[.probability] else { return nil }
        let digits = text.hasSuffix("%") ? String(text.dropLast()).trimmingSpaces : text
        if let decimal = ImportDecimal.parse(digits, locale: locale), let whole = decimal.integer, (0...100).contains(whole) {
            return Int(whole)
        }
        try warn(line: line, code: "invalid_number", field: .probability,
                 "the probability is not a whole percent from 0 to 100; the stage's default is used", detail: text)
        return nil
    }

    /// Chooses the stage of a row: a `--mapping` value, a stage code or label of
    /// this CRM, or a won or lost name such as Salesforce's `Closed Won`.
    /// Any other name goes to the open stage whose default probability is
    /// nearest the row's probability (the earlier stage on a tie), or to
    /// the first open stage without one, with an `unknown_stage` warning.
    func resolveStage(_ text: String?, probability: Int?, line: Int) throws(CRMError) -> Stage {
        let stages = try Stages.all(database)
        let open = stages.filter { $0.kind == .open }
        guard let text else {
            if let stage = nearest(open, to: probability) ?? open.first { return stage }
            return try Stages.first(database, kind: .open)
        }
        let wanted = options.mapping?.translate(.stage, text) ?? text
        let key = searchKey(wanted)
        if let stage = stages.first(where: { searchKey($0.code) == key || searchKey($0.label) == key }) {
            return stage
        }
        if ImportRun.wonStageNames.contains(key), let won = stages.first(where: { $0.kind == .won }) { return won }
        if ImportRun.lostStageNames.contains(key), let lost = stages.first(where: { $0.kind == .lost }) { return lost }
        let chosen: Stage
        if let stage = nearest(open, to: probability) {
            chosen = stage
        } else {
            chosen = try Stages.first(database, kind: .open)
        }
        let basis = probability.map { "one whose default probability is nearest \($0)%" } ?? "first"
        try warn(line: line, code: "unknown_stage", field: .stage,
                 "the stage is not one of this CRM; the deal goes to the open stage \(chosen.code), the \(basis); "
                 + "map stages with a --mapping file", detail: text)
        return chosen
    }

    private func nearest(_ stages: [Stage], to probability: Int?) -> Stage? {
        guard let probability else { return nil }
        return stages.min { abs($0.probability - probability) < abs($1.probability - probability) }
    }

    private func readLoss(_ fields: [ImportField: String], line: Int, into draft: inout OpportunityDraft) throws(CRMError) {
        if let code = fields[.lossReason] {
            if try database.first("SELECT 1 FROM loss_reasons WHERE code = ?", [code]) != nil {
                draft.lossReason = code
            } else {
                try warn(line: line, code: "unknown_loss_reason", field: .lossReason,
                         "the loss reason is not in `crm lossreason list`; it is cleared", detail: code)
            }
        }
        draft.lossNote = fields[.lossNote].map { String(cleanText($0).prefix(1000)) }
    }

    /// The main contact of a row, when it is a contact of the deal's account.
    private func opportunityContact(_ reference: String?, account: Int64) throws(CRMError) -> Int64? {
        guard let reference else { return nil }
        var id = try storedEntity("contact", externalId: reference)
        if id == nil, layout.source == .crm, let number = Int64(reference) { id = number }
        guard let id else { return nil }
        return try database.scalar("SELECT id FROM contacts WHERE id = ? AND account_id = ?", [id, account]).integer
    }

    /// Inserts a new opportunity and returns its id; nil when the row
    /// repeats an earlier row or an opportunity imported before.
    @discardableResult
    func store(_ draft: OpportunityDraft) throws(CRMError) -> Int64? {
        if let externalId = draft.externalId {
            guard seenExternalIds.insert(externalId).inserted else {
                try reject(line: draft.line, code: "duplicate_key", column: layout.column(of: .id),
                           "the source id repeats an earlier row of this file")
                return nil
            }
            if try storedEntity("opportunity", externalId: externalId) != nil {
                summary.unchanged += 1
                return nil
            }
        }
        let now = context.clock.timestamp
        let id = try database.insert("""
            INSERT INTO opportunities (account_id, contact_id, title, amount, currency, probability, stage_id,
                                       expected_close, owner_id, source, loss_reason, loss_note, closed_on,
                                       description, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [draft.accountId, draft.contactId, draft.title, draft.amount, draft.currency.code, draft.probability,
                  draft.stage.id, draft.expectedClose.description, draft.ownerId ?? ownerId, draft.source,
                  draft.lossReason, draft.lossNote, draft.closedOn, draft.description, now, now])
        try saveExternalId("opportunity", id: id, externalId: draft.externalId)
        try context.audit(entity: "opportunity", id: id, account: draft.accountId, action: "create", field: nil,
                          old: nil, new: draft.stage.code)
        summary.imported += 1
        guard let created = try Opportunities.load(database, id: id) else {
            throw CRMError(.database, "opportunity \(id) vanished while it was being imported")
        }
        try context.fire("onOpportunityCreated", payload: created.pluginValue)
        return id
    }
}
