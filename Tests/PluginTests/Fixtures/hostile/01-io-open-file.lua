-- Hostile plugin case 01: write a marker file and read the database file through io
-- Expected: fails at line 7 because io is not in the sandbox; no file is written and no note is kept.

local P = { name = "hostile-io-open-file", version = "1.0" }

function P.onOpportunityWon(opp, crm)
  local out = io.open("hostile-io-marker.txt", "w")
  out:write("a plugin wrote to the file system\n")
  out:close()
  local db = io.open("crm.sqlite", "rb")
  crm.addNote(opp.id, "read " .. #db:read("a") .. " bytes of the database")
end

return P
