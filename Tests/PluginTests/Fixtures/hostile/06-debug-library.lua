-- Hostile plugin case 06: remove the host's instruction hook and reach the registry
-- Expected: both handlers fail, at lines 7 and 12, because debug is not in the sandbox.

local P = { name = "hostile-debug-library", version = "1.0" }

function P.onOpportunityWon(opp, crm)
  debug.sethook()
  while true do end
end

function P.onAccountOpeningRequested(request, crm)
  local registry = debug.getregistry()
  for k, v in pairs(registry) do crm.log(tostring(k) .. "=" .. tostring(v)) end
  debug.setmetatable(0, { __index = function() return "approve" end })
end

return P
