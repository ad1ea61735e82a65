-- Sector of a French account from the département, the first two digits
-- of its postal code: IDF for Île-de-France, ARA for Auvergne-Rhône-Alpes.
-- Other accounts get no sector from this rule.
local P = { name = "industrial-sectors", version = "1.0.0", api = 1 }

local sectorByDepartement = {
  ["75"] = "IDF", ["77"] = "IDF", ["78"] = "IDF", ["91"] = "IDF",
  ["92"] = "IDF", ["93"] = "IDF", ["94"] = "IDF", ["95"] = "IDF",
  ["69"] = "ARA", ["38"] = "ARA", ["42"] = "ARA", ["73"] = "ARA", ["74"] = "ARA", ["01"] = "ARA",
  ["03"] = "ARA", ["07"] = "ARA", ["15"] = "ARA", ["26"] = "ARA", ["43"] = "ARA", ["63"] = "ARA",
}

---@param account crm.SectorForPayload
---@param crm crm.API
---@return string|nil
function P.sectorFor(account, crm)
  local postalCode = account.address.postalCode
  if account.country ~= "FR" or postalCode == nil or not string.match(postalCode, "^%d%d%d%d%d$") then
    return nil
  end
  return sectorByDepartement[string.sub(postalCode, 1, 2)]
end

return P
