-- Hostile plugin case 31: fractional, float-typed and NaN values where integers are required
-- Expected: every result fails validation with 'must be an integer', integral floats included.

local P = { name = "hostile-money-non-integer", version = "1.0" }

function P.defaultPaymentTermDays(account, crm)
  return 30.5
end

function P.discountCents(opp, crm)
  return opp.amountCents * 0.1
end

function P.followUps(opp, crm)
  return { { inDays = 0 / 0, note = "call back" } }
end

return P
