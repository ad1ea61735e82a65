-- A call 5 business days before a sent quote's last valid day.

local function sent(validUntil)
  return {
    event = "quoteSent",
    accountId = test.fixtures.accounts.young,
    quoteId = 3,
    quote = { id = 3, accountId = test.fixtures.accounts.young, reference = "DRAFT-000003", number = "SO-2026-0003",
              status = "sent", issueDate = crm.today(), validUntil = validUntil },
  }
end

test.case("the call falls 5 business days before the last valid day", function()
  local validUntil = crm.addBusinessDays(crm.today(), 20)
  local items, plugin = test.rule("followUps", sent(validUntil))
  test.equal(plugin, "software-followups")
  test.equal(#items, 1)
  local callDay = crm.addDays(crm.today(), items[1].inDays)
  test.truthy(crm.isBusinessDay(callDay), callDay)
  test.equal(crm.addBusinessDays(callDay, 5), validUntil)
  test.equal(items[1].businessDays, false)
  test.equal(items[1].kind, "call")
  test.equal(items[1].subject, "Quote SO-2026-0003 expires on " .. validUntil .. ": call the customer")
end)

test.case("a short validity plans the call for today", function()
  local items = test.rule("followUps", sent(crm.addBusinessDays(crm.today(), 2)))
  test.equal(items[1].inDays, 0)
end)

test.case("the number of business days is a setting", function()
  test.setting("software.reminderBusinessDays", 2)
  local validUntil = crm.addBusinessDays(crm.today(), 10)
  local items = test.rule("followUps", sent(validUntil))
  test.equal(crm.addBusinessDays(crm.addDays(crm.today(), items[1].inDays), 2), validUntil)
end)

test.case("other events are left to the bundled policy", function()
  local _, plugin = test.rule("followUps", { event = "onOpportunityCreated", accountId = 1, opportunityId = 1 })
  test.equal(plugin, "default-followups")
end)
