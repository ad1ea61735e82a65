-- Payment terms: 45 days end of month (45EOM) by bill of exchange (LCR);
-- companies younger than industrial.minimumYears, or of unknown age, pay
-- cash on order (RECEIPT, CASH).
local P = { name = "industrial-payment-terms", version = "1.0.0", api = 1 }

---@param request crm.PaymentTermsPayload
---@param crm crm.API
---@return crm.PaymentTermsResult|nil
function P.paymentTerms(request, crm)
  local account = request.account
  local minimumYears = crm.setting("industrial.minimumYears")
  if account.creationDate == nil then
    return { term = "RECEIPT", method = "CASH", reason = "company age unknown: cash on order" }
  end
  local years = crm.yearsBetween(account.creationDate, crm.today())
  if years < minimumYears then
    return {
      term = "RECEIPT",
      method = "CASH",
      reason = string.format("company younger than %d years: cash on order", minimumYears),
    }
  end
  return { term = "45EOM", method = "LCR", reason = "45 jours fin de mois by LCR, the company default" }
end

return P
