-- Hostile plugin case 33: numbers passed as strings where the host expects integers
-- Expected: the string result fails validation, and line 11 raises 'integer expected, got string'.

local P = { name = "hostile-numeric-string-coercion", version = "1.0" }

function P.defaultPaymentTermDays(account, crm)
  return "30"
end

function P.onOpportunityWon(opp, crm)
  crm.setCreditLimit(opp.accountId, "45")
end

return P
