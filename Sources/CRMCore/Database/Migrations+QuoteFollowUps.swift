extension Migrations {
    /// Links follow-ups to the quote whose sending planned them, so that
    /// accepting, declining or expiring the quote cancels them, and gives
    /// opportunities the free-text description that CRM exports carry.
    static let quoteFollowUps = Migration(number: 9, summary: "follow-ups of quotes, opportunity descriptions", sql: """
        ALTER TABLE activities ADD COLUMN quote_id INTEGER REFERENCES quotes(id);
        CREATE INDEX activities_quote ON activities(quote_id, status);
        ALTER TABLE opportunities ADD COLUMN description TEXT;
        """)
}
