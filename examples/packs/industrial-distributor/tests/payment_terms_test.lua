-- Payment terms: 45EOM by LCR, cash on order for young companies.

test.case("established company pays 45 days end of month by LCR", function()
  local result, plugin = test.rule("paymentTerms", test.opening("established", 1000000))
  test.equal(plugin, "industrial-payment-terms")
  test.equal(result, { term = "45EOM", method = "LCR", reason = "45 jours fin de mois by LCR, the company default" })
end)

test.case("young company pays cash on order", function()
  local result = test.rule("paymentTerms", test.opening("young", 1000000))
  test.equal(result.term, "RECEIPT")
  test.equal(result.method, "CASH")
  test.equal(result.reason, "company younger than 2 years: cash on order")
end)

test.case("company of unknown age pays cash on order", function()
  local request = test.opening("foreign")
  request.account.creationDate = nil
  local result = test.rule("paymentTerms", request)
  test.equal(result.term, "RECEIPT")
  test.equal(result.method, "CASH")
end)

test.case("a company two years old to the day gets 45EOM", function()
  local request = test.opening("young")
  request.account.creationDate = crm.addMonths(crm.today(), -24)
  test.equal(test.rule("paymentTerms", request).term, "45EOM")
end)
