-- Hostile plugin case 23: unbounded Lua recursion
-- Expected: fails at line 7 with a stack overflow or the memory limit; the host does not crash.

local P = { name = "hostile-deep-lua-recursion", version = "1.0" }

local function descend(n)
  return descend(n + 1) + 1
end

function P.onOpportunityWon(opp, crm)
  return descend(1)
end

return P
