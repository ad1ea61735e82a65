-- Follow-ups 3 and 10 business days after a quote is sent.

test.case("a sent quote plans a call and a task", function()
  local items, plugin = test.rule("followUps", {
    event = "quoteSent",
    accountId = test.fixtures.accounts.established,
    quoteId = 1,
    quote = { id = 1, accountId = test.fixtures.accounts.established, reference = "DRAFT-000001",
              number = "DEV-IDF-2026-0001", status = "sent", validUntil = "2026-04-01" },
  })
  test.equal(plugin, "industrial-followups")
  test.equal(items, {
    { inDays = 3, businessDays = true, kind = "call", subject = "Call about quote DEV-IDF-2026-0001" },
    { inDays = 10, businessDays = true, kind = "task", subject = "Last reminder for quote DEV-IDF-2026-0001" },
  })
end)

test.case("other events are left to the bundled policy", function()
  local _, plugin = test.rule("followUps", { event = "onOpportunityCreated", accountId = 1, opportunityId = 1 })
  test.equal(plugin, "default-followups")
end)
