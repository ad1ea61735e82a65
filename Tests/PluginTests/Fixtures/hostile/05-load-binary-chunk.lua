-- Hostile plugin case 05: run precompiled bytecode
-- Expected: fails at line 7 (string.dump is absent) and at line 14 (load compiles text only); no decision is made.

local P = { name = "hostile-load-binary-chunk", version = "1.0" }

function P.onOpportunityWon(opp, crm)
  local blob = string.dump(function() return "approve" end)
  local fn = assert(load(blob, "=dumped", "b"))
  crm.addNote(opp.id, fn())
end

function P.solvency(request, crm)
  local header = "\27Lua\84\0\25\147\13\10\26\10\4\8\8"
  local fn = assert(load(header .. string.rep("\0", 64), "=forged", "bt"))
  return fn()
end

return P
