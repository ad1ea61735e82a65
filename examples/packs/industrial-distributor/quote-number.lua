-- Quote numbers DEV-<sector>-<year>-<sequence>, such as DEV-IDF-2026-0042,
-- or DEV-<year>-<sequence> for an account without a sector. Each sector
-- counts on its own once the sequence name includes the sector:
--   crm setting set quote.sequence 'devis-{year}-{sector}'
local P = { name = "industrial-quote-number", version = "1.0.0", api = 1 }

---@param quote crm.QuoteNumberPayload
---@param crm crm.API
---@return string|nil
function P.quoteNumber(quote, crm)
  if quote.sector == nil then
    return string.format("DEV-%04d-%04d", quote.year, quote.sequence)
  end
  return string.format("DEV-%s-%04d-%04d", quote.sector, quote.year, quote.sequence)
end

return P
