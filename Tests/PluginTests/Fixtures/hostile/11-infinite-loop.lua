-- Hostile plugin case 11: plain busy loop inside a hook
-- Expected: stopped by the instruction budget within 2 s, at a line between 8 and 10.

local P = { name = "hostile-infinite-loop", version = "1.0" }

function P.onOpportunityWon(opp, crm)
  local n = 0
  while true do
    n = n + 1
  end
end

return P
