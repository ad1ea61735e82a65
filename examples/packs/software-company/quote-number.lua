-- Quote numbers SO-<year>-<sequence>, such as SO-2026-0042, from the
-- default yearly sequence quote-{year}.
local P = { name = "software-quote-number", version = "1.0.0", api = 1 }

---@param quote crm.QuoteNumberPayload
---@param crm crm.API
---@return string|nil
function P.quoteNumber(quote, crm)
  return string.format("SO-%04d-%04d", quote.year, quote.sequence)
end

return P
