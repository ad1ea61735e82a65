-- Hostile plugin case 37: writes followed by an error, writes followed by a runaway loop, writes from a rule
-- Expected: the hooks fail at line 9 and at line 14 (budget) and their notes are rolled back; the rule fails at line 18.

local P = { name = "hostile-db-write-rollback", version = "1.0" }

function P.onOpportunityWon(opp, crm)
  crm.addNote(opp.id, "partial write 1")
  crm.addNote(opp.id, "x'); DROP TABLE opportunities; --")
  error("failing after two writes")
end

function P.onAccountOpeningRequested(request, crm)
  crm.addNote(request.id, "written just before a runaway loop")
  while true do end
end

function P.solvency(request, crm)
  crm.addNote(request.id, "rule functions must not write")
  return "reject"
end

return P
