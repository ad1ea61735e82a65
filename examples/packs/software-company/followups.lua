-- A call software.reminderBusinessDays business days (5 by default)
-- before a sent quote's last valid day. When that day is today or already
-- past, the call is planned for today.
local P = { name = "software-followups", version = "1.0.0", api = 1 }

-- The business day that comes `count` business days before `date`.
local function businessDaysBefore(date, count, crm)
  local day = date
  local remaining = count
  while remaining > 0 do
    day = crm.addDays(day, -1)
    if crm.isBusinessDay(day) then
      remaining = remaining - 1
    end
  end
  return day
end

-- Calendar days from `from` to a later or equal `to`; dates compare as text.
local function daysUntil(from, to, crm)
  local days = 0
  local day = from
  while day < to do
    day = crm.addDays(day, 1)
    days = days + 1
  end
  return days
end

---@param event crm.FollowUpsPayload
---@param crm crm.API
---@return crm.FollowUpsItem[]|nil
function P.followUps(event, crm)
  if event.event ~= "quoteSent" or event.quote == nil or event.quote.validUntil == nil then
    return nil
  end
  local quote = event.quote
  local callDay = businessDaysBefore(quote.validUntil, crm.setting("software.reminderBusinessDays"), crm)
  return {
    {
      inDays = daysUntil(crm.today(), callDay, crm),
      businessDays = false,
      kind = "call",
      subject = "Quote " .. quote.number .. " expires on " .. quote.validUntil .. ": call the customer",
    },
  }
end

return P
