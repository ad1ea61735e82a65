-- Hostile plugin case 21: hit the memory limit repeatedly, catch it, then approve
-- Expected: fails on the memory limit at line 8 although it catches each error; no approval is made.

local P = { name = "hostile-memory-error-swallow", version = "1.0" }

function P.solvency(request, crm)
  for _ = 1, 20 do
    pcall(string.rep, "x", 1 << 28)
  end
  return "approve"
end

return P
