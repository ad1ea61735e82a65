-- Sectors by département.

local function sectorOf(postalCode, country)
  local account = test.account("established")
  account.address.postalCode = postalCode
  account.country = country or "FR"
  return test.rule("sectorFor", account)
end

test.case("Île-de-France départements give IDF", function()
  for _, code in ipairs({ "75011", "77100", "78000", "91000", "92100", "93200", "94300", "95000" }) do
    test.equal(sectorOf(code), "IDF", code)
  end
end)

test.case("Auvergne-Rhône-Alpes départements give ARA", function()
  for _, code in ipairs({ "69003", "38000", "42000", "73000", "74000", "01000", "03000", "07000", "15000",
                          "26000", "43000", "63000" }) do
    test.equal(sectorOf(code), "ARA", code)
  end
end)

test.case("other départements give no sector", function()
  test.equal(sectorOf("13001"), nil)
  test.equal(sectorOf("2A004"), nil)
end)

test.case("accounts outside France give no sector", function()
  test.equal(sectorOf("75011", "BE"), nil)
  test.equal(test.rule("sectorFor", test.account("foreign")), nil)
end)
