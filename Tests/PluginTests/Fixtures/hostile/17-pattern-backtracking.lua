-- Hostile plugin case 17: string patterns whose matching time explodes inside one C call
-- Expected: fails at line 9 (too many repetition items) and at line 15 (subject too long), before matching starts.

local P = { name = "hostile-pattern-backtracking", version = "1.0" }

function P.solvency(request, crm)
  local subject = string.rep("a", 30)
  local pattern = string.rep("a-", 12) .. "b"
  if subject:find(pattern) then return "reject" end
  return "approve"
end

function P.onOpportunityWon(opp, crm)
  local subject = string.rep("x", 200000)
  local found = subject:find(".-y")
  crm.log("found: " .. tostring(found))
end

return P
