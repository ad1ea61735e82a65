/// Follow-ups of sent quotes: planned by the `followUps` rule when a quote
/// is sent, cancelled when the quote is accepted, declined or expires.
extension FollowUps {
    /// The event name the `followUps` rule receives when a quote is sent.
    public static let quoteSentEvent = "quoteSent"

    /// Asks the `followUps` rule about a quote just sent and creates what it
    /// lists, linked to the quote and to its opportunity when it has one.
    /// The payload carries the quote, so a policy can plan from its validity date.
    /// The follow-ups go to the opportunity's owner, or to the account's
    /// owner for a quote made without an opportunity.
    @discardableResult
    public static func applyPolicies(_ context: CRMContext, quoteSent quote: Quote) throws(CRMError) -> FollowUpRun {
        let database = context.database
        var payload: [(String, Value)] = [("event", .string(quoteSentEvent)), ("accountId", .integer(quote.accountId))]
        var opportunity: Opportunity?
        if let id = quote.opportunityId {
            opportunity = try Opportunities.load(database, id: id)
            payload.append(("opportunityId", .integer(id)))
        }
        payload += [("quoteId", .integer(quote.id)), ("quote", quote.pluginValue)]
        if let opportunity {
            payload += [("stage", .string(opportunity.stage.code)), ("opportunity", opportunity.pluginValue)]
        }
        guard let outcome = try context.decide("followUps", payload: .object(payload), entity: "quote",
                                               entityId: quote.id) else { return FollowUpRun() }
        let items = try items(of: outcome)
        let owner: Int64
        if let opportunity {
            owner = opportunity.ownerId
        } else {
            guard let accountOwner = try database.scalar("SELECT owner_id FROM accounts WHERE id = ?",
                                                         [quote.accountId]).integer else {
                throw CRMError(.database, "quote \(quote.id) names account \(quote.accountId), which is missing; "
                                          + "the database is damaged")
            }
            owner = accountOwner
        }
        return try create(context, items: items, outcome: outcome, event: quoteSentEvent, entity: "quote:\(quote.id)",
                          account: quote.accountId, opportunity: opportunity?.id, quote: quote.id,
                          contact: opportunity?.contactId, owner: owner)
    }

    /// Cancels the pending follow-ups planned for a quote, recording why
    /// (such as "quote accepted"). Activities a user planned by hand stay.
    @discardableResult
    public static func cancelPending(_ context: CRMContext, quote: Int64, reason: String) throws(CRMError) -> Int {
        try cancelPending(context, linkedBy: "quote_id", to: quote, reason: reason)
    }
}
