-- Rules of Durand & Fils Distribution, a fictional distributor of
-- industrial supplies with branches in Île-de-France and Auvergne-Rhône-Alpes.
return {
  name = "industrial-distributor",
  version = "1.0.0",
  api = 1,
  description = "Solvency by age and credit band, 45 days end of month by LCR, quote numbers per sector",
  plugins = { "solvency.lua", "payment-terms.lua", "quote-number.lua", "followups.lua", "sectors.lua" },
  tests = {
    "tests/solvency_test.lua",
    "tests/payment_terms_test.lua",
    "tests/quote_number_test.lua",
    "tests/followups_test.lua",
    "tests/sectors_test.lua",
  },
  settings = {
    -- Credit approved without review, in the account's currency.
    ["industrial.approveUpTo"] = "20000.00",
    -- Credit above approveUpTo and up to this amount goes to review; above it, reject.
    ["industrial.reviewUpTo"] = "50000.00",
    -- Companies younger than this many whole years go to review and pay on order.
    ["industrial.minimumYears"] = 2,
  },
}
