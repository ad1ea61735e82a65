-- Solvency of Durand & Fils Distribution: approve up to 20000.00, review
-- up to 50000.00, reject above, review companies younger than 2 years.

test.case("established company within the limit is approved", function()
  local result, plugin = test.rule("solvency", test.opening("established", 1500000))
  test.equal(plugin, "industrial-solvency")
  test.equal(result.decision, "approve")
  test.equal(result.creditLimit, 1500000)
  test.equal(result.reason, "company created 12 years ago, credit 15000.00 EUR within 20000.00 EUR")
end)

test.case("credit at the approval limit is approved", function()
  local result = test.rule("solvency", test.opening("established", 2000000))
  test.equal(result.decision, "approve")
end)

test.case("credit in the band goes to review", function()
  local result = test.rule("solvency", test.opening("established", 2000001))
  test.equal(result.decision, "review")
  test.equal(result.creditLimit, 2000001)
  test.equal(result.reason, "requested credit 20000.01 EUR is in the review band above 20000.00 EUR")
end)

test.case("credit at the top of the band goes to review", function()
  local result = test.rule("solvency", test.opening("established", 5000000))
  test.equal(result.decision, "review")
end)

test.case("credit above the band is rejected", function()
  local result = test.rule("solvency", test.opening("established", 5000001))
  test.equal(result.decision, "reject")
  test.equal(result.creditLimit, 5000000)
  test.equal(result.reason, "requested credit 50000.01 EUR is above the review band, which ends at 50000.00 EUR")
end)

test.case("young company goes to review", function()
  local result = test.rule("solvency", test.opening("young", 100000))
  test.equal(result.decision, "review")
  test.equal(result.reason, "company created 1 whole year(s) ago, younger than 2")
end)

test.case("unknown creation date goes to review", function()
  local request = test.opening("established", 100000)
  request.account.creationDate = nil
  local result = test.rule("solvency", request)
  test.equal(result.decision, "review")
  test.equal(result.reason, "the company's creation date is unknown")
end)

test.case("bad payer is rejected whatever the credit", function()
  local result = test.rule("solvency", test.opening("badPayer", 100))
  test.equal(result, { decision = "reject", creditLimit = 0, reason = "the account is flagged as a bad payer" })
end)

test.case("no requested credit means the approval limit", function()
  local result = test.rule("solvency", test.opening("established"))
  test.equal(result.decision, "approve")
  test.equal(result.creditLimit, 2000000)
end)

test.case("a database setting moves the approval limit", function()
  test.setting("industrial.approveUpTo", "40000.00")
  local result = test.rule("solvency", test.opening("established", 3000000))
  test.equal(result.decision, "approve")
end)
