-- Default reaction to a won deal. On a prospect whose opening requirements
-- are met, it requests the account opening; otherwise it notifies accounting
-- of the win and of what the account still lacks. A failed request
-- or notification is logged and never makes the win fail.
local P = {
  name = "default-opportunity-won",
  version = "1.0.0",
}

local function notifyAccounting(crm, deal, body)
  local subject = string.format("Opportunity %d won on account %d", deal.id, deal.accountId)
  local ok, problem = pcall(crm.notifyRole, "accounting", subject, body)
  if not ok then
    crm.log("could not notify accounting: " .. tostring(problem))
  end
end

function P.onOpportunityWon(deal, crm)
  local account = crm.getAccount(deal.accountId)
  if account == nil then
    return
  end
  if account.status ~= "prospect" then
    -- A customer already has its opening; accounting only hears of the win.
    notifyAccounting(crm, deal, "The account is already a customer.")
    return
  end

  local missing = crm.openingRequirements(deal.accountId)
  if #missing > 0 then
    notifyAccounting(crm, deal, "The account opening cannot be requested yet; missing: "
      .. table.concat(missing, "; "))
    return
  end

  -- pcall keeps the win when the request fails, as when an opening is
  -- already pending. NOTE: a hook fired by the request can fail after the
  -- request row is written. Unless the host undoes a failed API call, that
  -- partial request then stays.
  local ok, problem = pcall(crm.requestOpening, deal.accountId,
    string.format("Requested after opportunity %d was won", deal.id))
  if not ok then
    crm.log("could not request the opening: " .. tostring(problem))
    notifyAccounting(crm, deal, "The account opening request failed: " .. tostring(problem))
  end
end

return P
