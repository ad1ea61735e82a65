-- After a quote is sent: a call 3 business days later and a task 10
-- business days later. Other events are left to the bundled policy.
local P = { name = "industrial-followups", version = "1.0.0", api = 1 }

---@param event crm.FollowUpsPayload
---@param crm crm.API
---@return crm.FollowUpsItem[]|nil
function P.followUps(event, crm)
  if event.event ~= "quoteSent" then
    return nil
  end
  local number = event.quote.number
  return {
    { inDays = 3, businessDays = true, kind = "call", subject = "Call about quote " .. number },
    { inDays = 10, businessDays = true, kind = "task", subject = "Last reminder for quote " .. number },
  }
end

return P
