-- Rules of Nuage Logiciel, a fictional company selling software
-- subscriptions to small and mid-sized businesses.
return {
  name = "software-company",
  version = "1.0.0",
  api = 1,
  description = "Card or SEPA direct debit on NET30, automatic approval of small accounts, SO- quote numbers",
  plugins = { "solvency.lua", "payment-terms.lua", "quote-number.lua", "followups.lua", "objectives.lua" },
  tests = {
    "tests/solvency_test.lua",
    "tests/payment_terms_test.lua",
    "tests/quote_number_test.lua",
    "tests/followups_test.lua",
    "tests/objectives_test.lua",
  },
  settings = {
    -- Credit approved without review, in the account's currency.
    ["software.approveUpTo"] = "2000.00",
    -- Business days before a sent quote's last valid day on which to call.
    ["software.reminderBusinessDays"] = 5,
    -- Sales objective of each quarter, in EUR, keyed YEAR-Qn.
    ["software.quarterlyObjectives"] = {
      ["2026-Q1"] = "150000.00",
      ["2026-Q2"] = "180000.00",
      ["2026-Q3"] = "160000.00",
      ["2026-Q4"] = "210000.00",
    },
  },
}
