-- Hostile plugin case 03: terminate the CLI with a success status from inside a rule
-- Expected: fails at line 7 because os.exit is not in the sandbox; no decision is made and the process goes on.

local P = { name = "hostile-os-exit-zero", version = "1.0" }

function P.solvency(request, crm)
  os.exit(0, true)
  return "approve"
end

return P
