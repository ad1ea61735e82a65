-- Hostile plugin case 16: finalizer that never returns (count hooks do not run inside __gc)
-- Expected: fails at line 7 because setmetatable rejects metatables with a __gc field.

local P = { name = "hostile-gc-finalizer-loop", version = "1.0" }

function P.onOpportunityWon(opp, crm)
  setmetatable({}, { __gc = function()
    while true do end
  end })
  local junk = {}
  for i = 1, 200000 do junk[i] = { i } end
  crm.log("allocated; a collection cycle will run the finalizer")
end

return P
