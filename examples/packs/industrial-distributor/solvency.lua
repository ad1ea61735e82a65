-- Solvency of an account opening. Bad payers are rejected. The requested
-- credit is approved up to industrial.approveUpTo, reviewed up to
-- industrial.reviewUpTo and rejected above. Young companies go to review.
local P = { name = "industrial-solvency", version = "1.0.0", api = 1 }

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
  if isBadPayer(account) then
    return { decision = "reject", creditLimit = 0, reason = "the account is flagged as a bad payer" }
  end

  local approveUpTo = crm.parseMoney(crm.setting("industrial.approveUpTo"), currency)
  local reviewUpTo = crm.parseMoney(crm.setting("industrial.reviewUpTo"), currency)
  local requested = request.requestedCreditLimit or approveUpTo
  if requested > reviewUpTo then
    return {
      decision = "reject",
      creditLimit = reviewUpTo,
      reason = "requested credit " .. crm.formatMoney(requested, currency)
        .. " is above the review band, which ends at " .. crm.formatMoney(reviewUpTo, currency),
    }
  end

  if account.creationDate == nil then
    return { decision = "review", creditLimit = requested, reason = "the company's creation date is unknown" }
  end
  local years = crm.yearsBetween(account.creationDate, crm.today())
  local minimumYears = crm.setting("industrial.minimumYears")
  if years < minimumYears then
    return {
      decision = "review",
      creditLimit = requested,
      reason = string.format("company created %d whole year(s) ago, younger than %d", years, minimumYears),
    }
  end

  if requested > approveUpTo then
    return {
      decision = "review",
      creditLimit = requested,
      reason = "requested credit " .. crm.formatMoney(requested, currency) .. " is in the review band above "
        .. crm.formatMoney(approveUpTo, currency),
    }
  end
  return {
    decision = "approve",
    creditLimit = requested,
    reason = string.format("company created %d years ago, credit %s within %s", years,
      crm.formatMoney(requested, currency), crm.formatMoney(approveUpTo, currency)),
  }
end

return P
