-- Hostile plugin case 12: catch the limit error with pcall and keep spinning
-- Expected: stopped within 2 s at a line between 7 and 11, because pcall cannot reset the instruction budget.

local P = { name = "hostile-pcall-swallow-loop", version = "1.0" }

function P.onOpportunityWon(opp, crm)
  while true do
    pcall(function()
      while true do end
    end)
  end
end

return P
