-- Hostile plugin case 39: file that does not compile
-- Expected: loading fails with '39-syntax-error.lua:8: unexpected symbol near 'end''; no handler is registered.

local P = { name = "hostile-syntax-error", version = "1.0" }

function P.onOpportunityWon(opp, crm)
  local total = opp.amountCents +
end

return P
