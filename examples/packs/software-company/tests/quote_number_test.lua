-- Quote numbers SO-<year>-<sequence>.

local function quote(year, sequence)
  return { id = 1, accountId = 1, reference = "DRAFT-000001", status = "draft", sequence = sequence,
           sequenceName = "quote-" .. year, year = year, sector = "IDF" }
end

test.case("number has the year and four digits", function()
  local number, plugin = test.rule("quoteNumber", quote(2026, 42))
  test.equal(plugin, "software-quote-number")
  test.equal(number, "SO-2026-0042")
end)

test.case("the sector does not change the number", function()
  local payload = quote(2027, 1)
  payload.sector = nil
  test.equal(test.rule("quoteNumber", payload), "SO-2027-0001")
end)
