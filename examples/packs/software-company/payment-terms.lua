-- NET30, paid by SEPA direct debit when the account has an IBAN on file,
-- by card otherwise.
local P = { name = "software-payment-terms", version = "1.0.0", api = 1 }

---@param request crm.PaymentTermsPayload
---@param crm crm.API
---@return crm.PaymentTermsResult|nil
function P.paymentTerms(request, crm)
  if request.account.hasIban then
    return { term = "NET30", method = "SEPA_DD", reason = "IBAN on file: SEPA direct debit" }
  end
  return { term = "NET30", method = "CARD", reason = "no IBAN on file: card payment" }
end

return P
