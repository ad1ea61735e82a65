-- Default payment-terms rule: a term and a method from settings, with
-- different defaults per customer category or per country when the
-- settings give them, for example:
--   crm setting set paymentTerms.byCountry '{"DE": {"term": "NET30", "method": "SEPA_DD"}}'
local P = {
  name = "default-payment-terms",
  version = "1.0.0",
  settings = {
    ["paymentTerms.term"] = "30EOM",
    ["paymentTerms.method"] = "TRANSFER",
    -- Customer category or ISO country code -> { term = CODE, method = CODE }.
    ["paymentTerms.byCategory"] = {},
    ["paymentTerms.byCountry"] = {},
  },
}

function P.paymentTerms(request, crm)
  local account = request.account

  local byCategory = crm.setting("paymentTerms.byCategory") or {}
  local choice = account.category and byCategory[account.category]
  if choice then
    return { term = choice.term, method = choice.method,
             reason = "default for the customer category " .. account.category }
  end

  local byCountry = crm.setting("paymentTerms.byCountry") or {}
  choice = byCountry[account.country]
  if choice then
    return { term = choice.term, method = choice.method, reason = "default for country " .. account.country }
  end

  return {
    term = crm.setting("paymentTerms.term"),
    method = crm.setting("paymentTerms.method"),
    reason = "company default",
  }
end

return P
