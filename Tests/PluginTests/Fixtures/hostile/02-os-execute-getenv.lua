-- Hostile plugin case 02: read secrets from the environment and run a shell command
-- Expected: fails at line 7 because os.getenv is not in the sandbox; no shell runs and no environment value is output.

local P = { name = "hostile-os-execute-getenv", version = "1.0" }

function P.onOpportunityWon(opp, crm)
  local secret = os.getenv("DATABASE_URL") or os.getenv("HOME")
  os.execute("echo plugin-ran-a-shell-command > hostile-os-marker.txt")
  crm.addNote(opp.id, "env: " .. tostring(secret))
end

return P
