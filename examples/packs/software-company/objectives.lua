-- Notes each won deal on its account with the quarter's objective from
-- the software.quarterlyObjectives setting, so reps see what it counts toward.
local P = { name = "software-objectives", version = "1.0.0", api = 1 }

-- "2026-05-14" -> "2026-Q2"
local function quarterOf(date)
  local year, month = string.match(date, "^(%d%d%d%d)-(%d%d)")
  return string.format("%s-Q%d", year, (tonumber(month) - 1) // 3 + 1)
end

---@param deal crm.OnOpportunityWonPayload
---@param crm crm.API
function P.onOpportunityWon(deal, crm)
  if deal.amount == nil or deal.currency ~= "EUR" then
    return
  end
  local quarter = quarterOf(deal.closedOn or crm.today())
  local objectives = crm.setting("software.quarterlyObjectives") or {}
  local objective = objectives[quarter]
  if objective == nil then
    return
  end
  crm.addNote(deal.accountId, string.format("Won %s toward the %s objective of %s", crm.formatMoney(deal.amount, "EUR"),
    quarter, crm.formatMoney(crm.parseMoney(objective, "EUR"), "EUR")))
end

return P
