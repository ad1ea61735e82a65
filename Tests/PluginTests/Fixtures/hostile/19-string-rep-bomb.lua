-- Hostile plugin case 19: allocate a gigabyte string in one call
-- Expected: both handlers fail on the memory limit, at line 7 and at line 13 or an unknown line; no note is kept.

local P = { name = "hostile-string-rep-bomb", version = "1.0" }

function P.onOpportunityWon(opp, crm)
  local big = string.rep("x", 1 << 30)
  crm.addNote(opp.id, big:sub(1, 10))
end

function P.onAccountOpeningRequested(request, crm)
  local s = "x"
  for _ = 1, 40 do s = s .. s end
  crm.addNote(request.id, s:sub(1, 10))
end

return P
