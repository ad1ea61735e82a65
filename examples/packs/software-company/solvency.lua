-- Small accounts are approved at once: requested credit up to
-- software.approveUpTo (2000.00 by default). Larger credit and accounts
-- flagged as bad payers go to review.
local P = { name = "software-solvency", version = "1.0.0", api = 1 }

local function isBadPayer(account)
  for _, flag in ipairs(account.flags) do
    if flag == "bad-payer" then return true end
  end
  return false
end

---@param request crm.SolvencyPayload
---@param crm crm.API
---@return crm.SolvencyResult|nil
function P.solvency(request, crm)
  local account = request.account
  local currency = account.currency
  local approveUpTo = crm.parseMoney(crm.setting("software.approveUpTo"), currency)
  local requested = request.requestedCreditLimit or approveUpTo
  if isBadPayer(account) then
    return { decision = "review", creditLimit = requested, reason = "the account is flagged as a bad payer" }
  end
  if requested > approveUpTo then
    return {
      decision = "review",
      creditLimit = requested,
      reason = "requested credit " .. crm.formatMoney(requested, currency) .. " is above the automatic limit of "
        .. crm.formatMoney(approveUpTo, currency),
    }
  end
  return {
    decision = "approve",
    creditLimit = requested,
    reason = "small account: " .. crm.formatMoney(requested, currency) .. " within "
      .. crm.formatMoney(approveUpTo, currency),
  }
end

return P
