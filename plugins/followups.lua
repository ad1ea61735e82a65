-- Default follow-up policy. It plans a call two business days after an
-- opportunity is created, two calls 3 and 10 business days after a quote
-- is sent, and a task for any open opportunity that the daily sweep
-- (`crm followup run`) finds quiet. The core cancels the calls of a quote
-- when the quote is accepted, declined or expires, so the second call
-- happens only while the quote is still open. The sweep calls this rule
-- only for opportunities with no activity for `followups.quietDays`
-- calendar days, 14 unless an admin changes the setting.
local P = {
  name = "default-followups",
  version = "1.1.0",
}

function P.followUps(event, crm)
  if event.event == "onOpportunityCreated" then
    return {
      { inDays = 2, businessDays = true, kind = "call", subject = "Call back about the new opportunity" },
    }
  end
  if event.event == "quoteSent" then
    return {
      { inDays = 3, businessDays = true, kind = "call", subject = "Call about the quote sent 3 business days ago" },
      { inDays = 10, businessDays = true, kind = "call", subject = "Call again: the quote is still open" },
    }
  end
  if event.event == "sweep" then
    return {
      {
        inDays = 0,
        businessDays = false,
        kind = "task",
        subject = string.format("No activity for %d days: plan the next step", event.daysQuiet),
      },
    }
  end
  return nil
end

return P
