/// A short, realistic handler for every hook and rule, printed in
/// `docs/plugins.md`. A plugin test loads each one in the sandbox and runs
/// the rule examples on a sample payload, so they stay correct.
public enum PluginExamples {
    /// The handler body, without the `function P.NAME(payload, crm)` line and
    /// the closing `end`, indented by two spaces.
    public static func body(of hook: String) -> String? {
        bodies[hook]
    }

    static let bodies: [String: String] = [
        "onAccountCreated": """
              -- Welcome note for every new French prospect.
              if payload.country == "FR" and payload.siren == nil then
                crm.addNote(payload.id, "Ask for the SIREN before requesting an opening")
              end
            """,
        "onAccountUpdated": """
              -- Tell accounting when a customer's payment term is changed.
              for _, field in ipairs(payload.changed) do
                if field == "paymentTerm" and payload.status == "customer" then
                  crm.notifyRole("accounting", "Payment term changed on account " .. payload.id)
                end
              end
            """,
        "onAccountOpeningRequested": """
              -- Large requests get a second reader.
              local limit = crm.parseMoney("50000.00", "EUR")
              if (payload.requestedCreditLimit or 0) > limit then
                crm.notifyRole("manager", "Opening request " .. payload.id .. " asks for more than 50000.00 EUR")
              end
            """,
        "onAccountOpened": """
              -- Welcome the new customer and remind its rep.
              crm.addNote(payload.accountId, "Customer since " .. crm.today())
              if payload.requestedBy then
                crm.notifyUser(payload.requestedBy, "Account " .. payload.accountId .. " is now a customer")
              end
            """,
        "onAccountOpeningRejected": """
              -- Keep the reason on the account for the next rep.
              crm.addNote(payload.accountId, "Opening rejected: " .. payload.reason)
            """,
        "onOpportunityCreated": """
              -- Large deals are announced to the managers.
              if (payload.amount or 0) >= crm.parseMoney("100000.00", payload.currency or "EUR") then
                crm.notifyRole("manager", "Large opportunity " .. payload.id .. " on account " .. payload.accountId)
              end
            """,
        "onOpportunityStageChanged": """
              -- Log every move into negotiation.
              if payload.newStage == "negotiation" then
                crm.addNote(payload.accountId, "Opportunity " .. payload.id .. " entered negotiation")
              end
            """,
        "onOpportunityWon": """
              -- Ask accounting to open the account of a prospect that signed.
              local account = crm.getAccount(payload.accountId)
              if account and account.status == "prospect" and #crm.openingRequirements(account.id) == 0 then
                crm.requestOpening(account.id, "Won opportunity " .. payload.id)
              end
            """,
        "onOpportunityLost": """
              -- Keep lost deals on record for the quarterly review.
              crm.addNote(payload.accountId, "Lost opportunity " .. payload.id .. ": " .. (payload.lossReason or "no reason"))
            """,
        "onActivityLogged": """
              -- A completed meeting with an outcome goes on the account.
              if payload.kind == "meeting" and payload.status == "done" and payload.accountId and payload.outcome then
                crm.addNote(payload.accountId, "Meeting outcome: " .. payload.outcome)
              end
            """,
        "onQuoteCreated": """
              crm.log("draft " .. payload.reference .. " created on account " .. payload.accountId)
            """,
        "onQuoteSent": """
              -- Large quotes need a manager's eye before the customer answers.
              if (payload.totalIncludingTax or 0) > crm.parseMoney("20000.00", payload.currency or "EUR") then
                crm.notifyRole("manager", "Quote " .. payload.number .. " sent, valid until " .. payload.validUntil)
              end
            """,
        "onQuoteAccepted": """
              crm.addNote(payload.accountId, "Quote " .. payload.number .. " accepted on " .. crm.today())
            """,
        "onQuoteDeclined": """
              crm.addNote(payload.accountId, "Quote " .. payload.number .. " declined: " .. payload.reason)
            """,
        "onQuoteExpired": """
              crm.notifyUser(crm.getAccount(payload.accountId).owner, "Quote " .. payload.number .. " has expired")
            """,
        "solvency": """
              -- Approve established companies up to 15000.00, review the rest.
              local account = payload.account
              for _, flag in ipairs(account.flags) do
                if flag == "bad-payer" then
                  return { decision = "reject", reason = "flagged as a bad payer" }
                end
              end
              local limit = crm.parseMoney("15000.00", account.currency)
              local requested = payload.requestedCreditLimit or limit
              if account.creationDate == nil or crm.yearsBetween(account.creationDate, crm.today()) < 3 then
                return { decision = "review", creditLimit = requested, reason = "company younger than 3 years" }
              end
              if requested > limit then
                return { decision = "review", creditLimit = requested, reason = "credit above 15000.00" }
              end
              return { decision = "approve", creditLimit = requested, reason = "established company" }
            """,
        "paymentTerms": """
              -- Direct debit when an IBAN is on file, bank transfer otherwise.
              if payload.account.hasIban then
                return { term = "30EOM", method = "SEPA_DD", reason = "IBAN on file" }
              end
              return { term = "30EOM", method = "TRANSFER", reason = "no IBAN on file" }
            """,
        "quoteNumber": """
              -- DEV-IDF-2026-0042: per sector, restarting each year.
              -- Set `crm setting set quote.sequence 'quote-{year}-{sector}'` so each sector counts alone.
              return string.format("DEV-%s-%04d-%04d", payload.sector or "XX", payload.year, payload.sequence)
            """,
        "followUps": """
              -- Call 3 business days after a quote is sent; leave other events to the next plugin.
              if payload.event == "quoteSent" then
                return { { inDays = 3, businessDays = true, kind = "call",
                           subject = "Call about quote " .. payload.quote.number } }
              end
              return nil
            """,
        "sectorFor": """
              -- Sector by country; French accounts by the first two digits of the postal code.
              if payload.country ~= "FR" then
                return "EXPORT"
              end
              local postalCode = payload.address.postalCode
              if postalCode and postalCode:sub(1, 2) == "75" then
                return "IDF"
              end
              return nil
            """,
    ]
}
