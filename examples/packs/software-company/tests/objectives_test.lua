-- Won deals are noted with the quarter's objective.

local function won(closedOn, amount, currency)
  return { id = 9, accountId = test.fixtures.accounts.established, amount = amount, currency = currency or "EUR",
           status = "won", closedOn = closedOn }
end

local function lastNote()
  local notes = crm.getNotes(test.fixtures.accounts.established)
  return notes[#notes]
end

test.case("a won deal is noted with its quarter's objective", function()
  test.fire("onOpportunityWon", won("2026-05-14", 1250000))
  test.equal(lastNote().text, "Won 12500.00 EUR toward the 2026-Q2 objective of 180000.00 EUR")
end)

test.case("the last day of a quarter belongs to it", function()
  test.fire("onOpportunityWon", won("2026-03-31", 100))
  test.equal(lastNote().text, "Won 1.00 EUR toward the 2026-Q1 objective of 150000.00 EUR")
end)

test.case("a quarter without an objective adds no note", function()
  local before = #crm.getNotes(test.fixtures.accounts.established)
  test.fire("onOpportunityWon", won("2027-01-05", 100))
  test.equal(#crm.getNotes(test.fixtures.accounts.established), before)
end)

test.case("deals in another currency add no note", function()
  local before = #crm.getNotes(test.fixtures.accounts.established)
  test.fire("onOpportunityWon", won("2026-05-14", 100, "USD"))
  test.equal(#crm.getNotes(test.fixtures.accounts.established), before)
end)
