-- Default quote numbering: Q-YYYY-NNNNN, restarting at 1 each year.
-- The host takes the value from the sequence named by the quote.sequence
-- setting, quote-YEAR by default, so a new year starts a new sequence.
-- A pack that returns its own number from quoteNumber replaces this one.
return {
    name = "quote-number",
    version = "1.0.0",
    api = 1,

    quoteNumber = function(payload, crm)
        return string.format("Q-%04d-%05d", payload.year, payload.sequence)
    end,
}
