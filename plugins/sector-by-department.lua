-- Default sector rule. A French account goes to the sector of its
-- département, read from the postal code. Any other account goes to the
-- sector whose code is its ISO country code ("DE", "BE").
--
-- The département code is the sector code ("75", "2A", "972") unless the
-- setting sector.departments maps it to another sector, for example
--   crm setting set sector.departments '{"75": "IDF", "92": "IDF"}'
-- When the chosen sector does not exist, the rule returns nil and the
-- account has no sector, so a database without sectors never fails here.
-- A French account without a postal code has no sector until one is known.
--
-- Postal codes follow the département of their sorting office, which for a
-- few communes near a border is the neighbouring département.
local P = {
  name = "sector-by-department",
  version = "1.0.0",
  api = 1,
}

-- The département of a five-digit French postal code, or nil.
local function department(digits)
  local first3 = tonumber(digits:sub(1, 3))
  local first2 = digits:sub(1, 2)
  if first2 == "20" then
    -- Corsica: 200xx and 201xx are Corse-du-Sud, 202xx to 206xx Haute-Corse.
    if first3 <= 201 then return "2A" end
    if first3 <= 206 then return "2B" end
    return nil
  end
  if first2 == "97" then
    -- Overseas départements: Guadeloupe 971 to Mayotte 976.
    if first3 >= 971 and first3 <= 976 then return tostring(first3) end
    return nil
  end
  local number = tonumber(first2)
  if number >= 1 and number <= 95 then return first2 end
  return nil
end

-- The sector code for a French postal code, or nil.
local function frenchSector(postalCode, crm)
  local digits = postalCode:gsub("[ %-]", "")
  if not digits:match("^%d%d%d%d%d$") then return nil end
  -- Monaco uses 980xx postal codes but is not part of France.
  if digits:sub(1, 3) == "980" then return "MC" end
  local code = department(digits)
  if code == nil then return nil end
  local mapping = crm.setting("sector.departments")
  if type(mapping) == "table" and mapping[code] ~= nil then return mapping[code] end
  return code
end

function P.sectorFor(account, crm)
  local code
  if account.country == "FR" then
    local postalCode = account.address.postalCode
    if postalCode == nil then return nil end
    code = frenchSector(postalCode, crm)
  else
    code = account.country
  end
  if code ~= nil and crm.sectorExists(code) then return code end
  return nil
end

return P
