-- Hostile plugin case 09: innocent plugin that must not see case 08's changes
-- Expected: completes and logs 'ACME GMBH owes 12', also after case 08 ran in the same process.

local P = { name = "hostile-string-metatable-victim", version = "1.0" }

function P.onOpportunityWon(opp, crm)
  local name = ("acme gmbh"):upper()
  local text = string.format("%s owes %d", name, 12)
  if name ~= "ACME GMBH" or text ~= "ACME GMBH owes 12" then
    error("string methods were changed by another plugin: " .. name)
  end
  crm.log(text)
end

return P
