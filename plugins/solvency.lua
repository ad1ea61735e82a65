-- Default solvency rule. It approves credit up to a limit for established
-- companies, sends larger credit and young companies to review, and
-- recommends rejecting accounts flagged as bad payers. Accounting decides.
local P = {
  name = "default-solvency",
  version = "1.0.0",
  settings = {
    -- Largest credit approved without review, in the account's currency.
    ["solvency.maxAutoCredit"] = "10000.00",
    -- Companies younger than this many whole years go to review.
    ["solvency.minimumYears"] = 2,
  },
}

local function hasFlag(account, wanted)
  for _, flag in ipairs(account.flags) do
    if flag == wanted then return true end
  end
  return false
end

function P.solvency(request, crm)
  local account = request.account
  if hasFlag(account, "bad-payer") then
    return { decision = "reject", reason = "the account is flagged as a bad payer" }
  end

  local limit = crm.parseMoney(crm.setting("solvency.maxAutoCredit"), account.currency)
  local requested = request.requestedCreditLimit or limit
  local identified = account.siren ~= nil or account.siret ~= nil or account.vatNumber ~= nil
  if not identified then
    return { decision = "review", creditLimit = requested, reason = "no company identifier to check" }
  end
  if account.creationDate == nil then
    return { decision = "review", creditLimit = requested, reason = "the company's creation date is unknown" }
  end

  local years = crm.yearsBetween(account.creationDate, crm.today())
  local minimum = crm.setting("solvency.minimumYears")
  if years < minimum then
    return {
      decision = "review",
      creditLimit = requested,
      reason = string.format("company created %d year(s) ago, less than %d", years, minimum),
    }
  end
  if requested > limit then
    return {
      decision = "review",
      creditLimit = requested,
      reason = "requested credit " .. crm.formatMoney(requested, account.currency)
        .. " is above the automatic limit of " .. crm.formatMoney(limit, account.currency),
    }
  end
  return {
    decision = "approve",
    creditLimit = requested,
    reason = string.format("company created %d years ago, credit within the automatic limit of %s",
      years, crm.formatMoney(limit, account.currency)),
  }
end

return P
