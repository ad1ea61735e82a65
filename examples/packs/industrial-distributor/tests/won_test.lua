-- A won deal plans the delivery kick-off and says so on the account.

test.case("a won deal notes the kick-off five business days later", function()
  local account = test.fixtures.accounts.established
  test.fire("onOpportunityWon", { id = 7, accountId = account, title = "Conveyor belts", status = "won" })
  local notes = crm.getNotes(account)
  local day = crm.addBusinessDays(crm.today(), 5)
  test.equal(notes[#notes].text, "Deal won: Conveyor belts; delivery kick-off planned on " .. day)
end)
