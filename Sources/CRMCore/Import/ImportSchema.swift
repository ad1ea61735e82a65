/// The tables and columns that import and export need (migration 7).
enum ImportSchema {
    static let sql = """
        -- The key columns come first: SQLite 3.40's integrity_check wrongly
        -- reports NULLs in a NOT NULL column placed between the key columns of a
        -- WITHOUT ROWID table.
        CREATE TABLE external_ids (
            entity TEXT NOT NULL CHECK (entity IN ('account', 'contact', 'opportunity', 'address')),
            source TEXT NOT NULL,
            external_id TEXT NOT NULL,
            entity_id INTEGER NOT NULL,
            PRIMARY KEY (entity, source, external_id)
        ) WITHOUT ROWID;
        CREATE INDEX external_ids_entity ON external_ids(entity, entity_id);

        ALTER TABLE accounts ADD COLUMN phone TEXT;
        ALTER TABLE accounts ADD COLUMN email TEXT;
        ALTER TABLE accounts ADD COLUMN website TEXT;
        -- Minor units of the account's currency.
        ALTER TABLE accounts ADD COLUMN annual_revenue INTEGER;
        ALTER TABLE accounts ADD COLUMN employee_count INTEGER;
        -- An exact decimal percentage as text, such as 2.5.
        ALTER TABLE accounts ADD COLUMN discount_percent TEXT;
        ALTER TABLE accounts ADD COLUMN supplier INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE accounts ADD COLUMN activity_code TEXT;
        ALTER TABLE accounts ADD COLUMN customer_since TEXT;

        CREATE TABLE account_bank_accounts (
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            iban TEXT NOT NULL,
            PRIMARY KEY (account_id, iban)
        ) WITHOUT ROWID;

        CREATE TABLE account_addresses (
            id INTEGER PRIMARY KEY,
            account_id INTEGER REFERENCES accounts(id),
            kind TEXT NOT NULL CHECK (kind IN ('delivery', 'invoice', 'other')),
            label TEXT NOT NULL,
            street TEXT,
            postal_code TEXT,
            city TEXT,
            country TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX account_addresses_account ON account_addresses(account_id);

        ALTER TABLE contacts ADD COLUMN owner_id INTEGER REFERENCES users(id);
        ALTER TABLE contacts ADD COLUMN salutation TEXT;
        ALTER TABLE contacts ADD COLUMN birthdate TEXT;

        CREATE TABLE import_runs (
            id INTEGER PRIMARY KEY,
            checksum TEXT NOT NULL,
            entity TEXT NOT NULL,
            source TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('running', 'done')),
            -- Last physical line of the file whose row is committed.
            last_line INTEGER NOT NULL DEFAULT 0,
            rows_read INTEGER NOT NULL DEFAULT 0,
            imported INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            unchanged INTEGER NOT NULL DEFAULT 0,
            skipped INTEGER NOT NULL DEFAULT 0,
            rejected INTEGER NOT NULL DEFAULT 0,
            warnings INTEGER NOT NULL DEFAULT 0,
            user_id INTEGER REFERENCES users(id),
            started_at TEXT NOT NULL,
            finished_at TEXT
        );
        CREATE INDEX import_runs_checksum ON import_runs(checksum, entity, status);

        CREATE TABLE import_issues (
            run_id INTEGER NOT NULL REFERENCES import_runs(id),
            line INTEGER NOT NULL,
            severity TEXT NOT NULL CHECK (severity IN ('rejected', 'skipped', 'warning')),
            code TEXT NOT NULL,
            column_name TEXT,
            message TEXT NOT NULL
        );
        CREATE INDEX import_issues_run ON import_issues(run_id, line);

        -- References to records that may come later in the file, resolved
        -- when the run ends.
        CREATE TABLE import_pending_links (
            run_id INTEGER NOT NULL REFERENCES import_runs(id),
            entity TEXT NOT NULL CHECK (entity IN ('account', 'contact', 'address')),
            entity_id INTEGER NOT NULL,
            reference TEXT NOT NULL,
            by_name INTEGER NOT NULL DEFAULT 0,
            line INTEGER NOT NULL,
            column_name TEXT
        );
        """
}

extension String {
    /// Replaces every occurrence of `target`; the core has no Foundation.
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
