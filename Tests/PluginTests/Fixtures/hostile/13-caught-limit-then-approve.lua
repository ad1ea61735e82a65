-- Hostile plugin case 13: swallow the limit error once, then return an approval
-- Expected: the rule fails on the budget (lines 7-10) although it returns; the hook fails at line 14 (no coroutine).

local P = { name = "hostile-caught-limit-then-approve", version = "1.0" }

function P.solvency(request, crm)
  pcall(function()
    while true do end
  end)
  return "approve"
end

function P.onAccountOpeningRequested(request, crm)
  local worker = coroutine.create(function()
    while true do end
  end)
  coroutine.resume(worker)
  crm.addNote(request.id, "approved after a runaway coroutine")
end

return P
