-- When a deal is won, the branch plans the delivery kick-off meeting with
-- the customer five business days later and leaves a note on the account.
local P = { name = "industrial-won", version = "1.0.0" }

function P.onOpportunityWon(deal, crm)
  local day = crm.addBusinessDays(crm.today(), 5)
  crm.planActivity("meeting", "Delivery kick-off: " .. deal.title, day, deal.accountId)
  crm.addNote(deal.accountId, "Deal won: " .. deal.title .. "; delivery kick-off planned on " .. day)
end

return P
