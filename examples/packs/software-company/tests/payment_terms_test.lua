-- NET30 by SEPA direct debit with an IBAN, by card without.

test.case("account with an IBAN pays by SEPA direct debit", function()
  local result, plugin = test.rule("paymentTerms", test.opening("established"))
  test.equal(plugin, "software-payment-terms")
  test.equal(result, { term = "NET30", method = "SEPA_DD", reason = "IBAN on file: SEPA direct debit" })
end)

test.case("account without an IBAN pays by card", function()
  local result = test.rule("paymentTerms", test.opening("young"))
  test.equal(result, { term = "NET30", method = "CARD", reason = "no IBAN on file: card payment" })
end)
