-- Default follow-up policy. It plans a call two business days after an
-- opportunity is created, and a task for any open opportunity that the
-- daily sweep (`crm followup run`) finds quiet. The sweep calls this rule
-- only for opportunities with no activity for `followups.quietDays`
-- calendar days, 14 unless an admin changes the setting.
local P = {
  name = "default-followups",
  version = "1.0.0",
}

function P.followUps(event, crm)
  if event.event == "onOpportunityCreated" then
    return {
      { inDays = 2, businessDays = true, kind = "call", subject = "Call back about the new opportunity" },
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
