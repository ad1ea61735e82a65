-- Small accounts, up to 2000.00 of credit, are approved at once.

test.case("credit up to 2000.00 is approved", function()
  local result, plugin = test.rule("solvency", test.opening("young", 200000))
  test.equal(plugin, "software-solvency")
  test.equal(result, {
    decision = "approve",
    creditLimit = 200000,
    reason = "small account: 2000.00 EUR within 2000.00 EUR",
  })
end)

test.case("credit above 2000.00 goes to review", function()
  local result = test.rule("solvency", test.opening("established", 200001))
  test.equal(result.decision, "review")
  test.equal(result.creditLimit, 200001)
  test.equal(result.reason, "requested credit 2000.01 EUR is above the automatic limit of 2000.00 EUR")
end)

test.case("no requested credit approves the automatic limit", function()
  local result = test.rule("solvency", test.opening("foreign"))
  test.equal(result.decision, "approve")
  test.equal(result.creditLimit, 200000)
end)

test.case("bad payer goes to review even for small credit", function()
  local result = test.rule("solvency", test.opening("badPayer", 50000))
  test.equal(result.decision, "review")
  test.equal(result.reason, "the account is flagged as a bad payer")
end)
