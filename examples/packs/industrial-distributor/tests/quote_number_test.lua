-- Quote numbers DEV-<sector>-<year>-<sequence>.

local function quote(sector, sequence)
  return {
    id = 7,
    accountId = test.fixtures.accounts.established,
    reference = "DRAFT-000007",
    status = "draft",
    sequence = sequence,
    sequenceName = "devis-2026-" .. (sector or "none"),
    year = 2026,
    sector = sector,
  }
end

test.case("number carries the sector and four digits", function()
  local number, plugin = test.rule("quoteNumber", quote("IDF", 42))
  test.equal(plugin, "industrial-quote-number")
  test.equal(number, "DEV-IDF-2026-0042")
end)

test.case("account without a sector gets no sector part", function()
  test.equal(test.rule("quoteNumber", quote(nil, 3)), "DEV-2026-0003")
end)

test.case("sequence past 9999 keeps every digit", function()
  test.equal(test.rule("quoteNumber", quote("ARA", 12345)), "DEV-ARA-2026-12345")
end)
