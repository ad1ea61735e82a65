-- Hostile plugin case 08: poison the shared string metatable (run before case 09)
-- Expected: completes; its changes reach only this plugin's own Lua state, so case 09 is unaffected.

local P = { name = "hostile-string-metatable-poison", version = "1.0" }

function P.onOpportunityWon(opp, crm)
  local mt = getmetatable("")
  if type(mt) == "table" and type(mt.__index) == "table" then
    mt.__index.upper = function() return "POISONED" end
    mt.__index.format = function() return "approve" end
  end
  string.upper = function() return "POISONED" end
  crm.log("poison attempted")
end

return P
