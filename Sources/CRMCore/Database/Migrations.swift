/// Numbered schema migrations. Each runs once, in number order, inside one
/// transaction, and is recorded in `schema_migrations`.
public enum Migrations {
    public struct Migration: Sendable {
        public let number: Int
        public let summary: String
        public let sql: String
    }

    public static let all: [Migration] = [
        Migration(number: 1, summary: "users, sectors, accounts, contacts, audit log", sql: """
            CREATE TABLE schema_migrations (
                number INTEGER PRIMARY KEY,
                summary TEXT NOT NULL,
                applied_at TEXT NOT NULL
            );
            CREATE TABLE users (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                role TEXT NOT NULL CHECK (role IN ('sales', 'accounting', 'manager', 'admin')),
                login TEXT UNIQUE,
                active INTEGER NOT NULL DEFAULT 1,
                created_at TEXT NOT NULL
            );
            CREATE TABLE sectors (
                id INTEGER PRIMARY KEY,
                code TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                parent_id INTEGER REFERENCES sectors(id),
                manager_id INTEGER REFERENCES users(id),
                created_at TEXT NOT NULL
            );
            CREATE TABLE sector_reps (
                sector_id INTEGER NOT NULL REFERENCES sectors(id),
                user_id INTEGER NOT NULL REFERENCES users(id),
                PRIMARY KEY (sector_id, user_id)
            );
            CREATE TABLE accounts (
                id INTEGER PRIMARY KEY,
                legal_name TEXT NOT NULL,
                trade_name TEXT,
                legal_form TEXT,
                siren TEXT,
                siret TEXT,
                vat_number TEXT,
                street TEXT,
                postal_code TEXT,
                city TEXT,
                country TEXT NOT NULL,
                owner_id INTEGER NOT NULL REFERENCES users(id),
                sector_id INTEGER REFERENCES sectors(id),
                sector_manual INTEGER NOT NULL DEFAULT 0,
                status TEXT NOT NULL DEFAULT 'prospect' CHECK (status IN ('prospect', 'customer')),
                currency TEXT NOT NULL DEFAULT 'EUR',
                credit_limit INTEGER,
                payment_term TEXT,
                payment_method TEXT,
                creation_date TEXT,
                category TEXT,
                parent_id INTEGER REFERENCES accounts(id),
                iban TEXT,
                active INTEGER NOT NULL DEFAULT 1,
                customer_code TEXT UNIQUE,
                archived_at TEXT,
                merged_into INTEGER REFERENCES accounts(id),
                name_key TEXT NOT NULL,
                trade_key TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE UNIQUE INDEX accounts_siren ON accounts(siren)
                WHERE siren IS NOT NULL AND archived_at IS NULL;
            CREATE INDEX accounts_owner ON accounts(owner_id);
            CREATE INDEX accounts_sector ON accounts(sector_id);
            CREATE INDEX accounts_name ON accounts(name_key);
            CREATE TABLE account_labels (
                account_id INTEGER NOT NULL REFERENCES accounts(id),
                kind TEXT NOT NULL CHECK (kind IN ('tag', 'flag')),
                label TEXT NOT NULL,
                PRIMARY KEY (account_id, kind, label)
            ) WITHOUT ROWID;
            CREATE TABLE contacts (
                id INTEGER PRIMARY KEY,
                -- Empty for a contact imported without a known company.
                account_id INTEGER REFERENCES accounts(id),
                first_name TEXT,
                last_name TEXT NOT NULL,
                role TEXT,
                email TEXT,
                email_key TEXT,
                phone TEXT,
                mobile TEXT,
                opted_out INTEGER NOT NULL DEFAULT 0,
                name_key TEXT NOT NULL,
                phone_key TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE UNIQUE INDEX contacts_email ON contacts(account_id, email_key) WHERE email_key IS NOT NULL;
            CREATE INDEX contacts_account ON contacts(account_id);
            
            CREATE TABLE notes (
                id INTEGER PRIMARY KEY,
                account_id INTEGER NOT NULL REFERENCES accounts(id),
                text TEXT NOT NULL,
                author_id INTEGER REFERENCES users(id),
                plugin TEXT,
                created_at TEXT NOT NULL
            );
            CREATE INDEX notes_account ON notes(account_id);
            CREATE TABLE audit_log (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                user_id INTEGER REFERENCES users(id),
                entity TEXT NOT NULL,
                entity_id INTEGER NOT NULL,
                account_id INTEGER,
                action TEXT NOT NULL,
                field TEXT,
                old_value TEXT,
                new_value TEXT,
                command TEXT NOT NULL,
                plugin TEXT
            );
            CREATE INDEX audit_entity ON audit_log(entity, entity_id);
            CREATE INDEX audit_account ON audit_log(account_id);
            """),
        Migration(number: 2, summary: "settings, rule packs, rule decisions, holidays", sql: """
            CREATE TABLE settings (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                updated_by INTEGER REFERENCES users(id)
            );
            CREATE TABLE packs (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                version TEXT NOT NULL,
                api_version INTEGER NOT NULL,
                manifest TEXT NOT NULL,
                is_current INTEGER NOT NULL DEFAULT 0,
                enabled INTEGER NOT NULL DEFAULT 1,
                installed_at TEXT NOT NULL,
                installed_by INTEGER REFERENCES users(id),
                UNIQUE (name, version)
            );
            CREATE UNIQUE INDEX packs_current ON packs(name) WHERE is_current = 1;
            CREATE TABLE pack_files (
                pack_id INTEGER NOT NULL REFERENCES packs(id) ON DELETE CASCADE,
                path TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('manifest', 'plugin', 'test')),
                source TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                PRIMARY KEY (pack_id, path)
            ) WITHOUT ROWID;
            CREATE TABLE decisions (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                rule TEXT NOT NULL,
                plugin TEXT NOT NULL,
                plugin_version TEXT NOT NULL,
                source TEXT NOT NULL,
                entity TEXT,
                entity_id INTEGER,
                inputs TEXT NOT NULL,
                result TEXT NOT NULL,
                reason TEXT,
                command TEXT NOT NULL,
                user_id INTEGER REFERENCES users(id)
            );
            CREATE INDEX decisions_entity ON decisions(entity, entity_id);
            CREATE TABLE holidays (
                day TEXT PRIMARY KEY,
                name TEXT NOT NULL
            ) WITHOUT ROWID;
            """),
        Migration(number: 3, summary: "payment terms, account openings, notifications", sql: """
            CREATE TABLE payment_terms (
                code TEXT PRIMARY KEY,
                label TEXT NOT NULL,
                french_label TEXT NOT NULL,
                definition TEXT NOT NULL,
                created_at TEXT
            ) WITHOUT ROWID;
            CREATE TABLE opening_requests (
                id INTEGER PRIMARY KEY,
                account_id INTEGER NOT NULL REFERENCES accounts(id),
                requested_by INTEGER NOT NULL REFERENCES users(id),
                requested_at TEXT NOT NULL,
                requested_credit_limit INTEGER,
                note TEXT,
                status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
                solvency_decision_id INTEGER REFERENCES decisions(id),
                terms_decision_id INTEGER REFERENCES decisions(id),
                decided_by INTEGER REFERENCES users(id),
                decided_by_rule TEXT,
                decided_at TEXT,
                approved_term TEXT,
                approved_method TEXT,
                approved_credit_limit INTEGER,
                rejection_reason TEXT
            );
            CREATE UNIQUE INDEX opening_requests_pending ON opening_requests(account_id) WHERE status = 'pending';
            CREATE INDEX opening_requests_status ON opening_requests(status);
            CREATE TABLE notifications (
                id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL REFERENCES users(id),
                created_at TEXT NOT NULL,
                sender TEXT NOT NULL,
                subject TEXT NOT NULL,
                body TEXT,
                entity TEXT,
                entity_id INTEGER,
                read_at TEXT
            );
            CREATE INDEX notifications_user ON notifications(user_id, read_at);
            ALTER TABLE accounts ADD COLUMN opened_by_request INTEGER REFERENCES opening_requests(id);
            """ + PaymentTerms.seedSQL),
        Migration(number: 5, summary: "quotes, quote lines, VAT rates, named sequences", sql: """
            CREATE TABLE sequences (
                name TEXT PRIMARY KEY,
                next_value INTEGER NOT NULL CHECK (next_value > 0)
            ) WITHOUT ROWID;
            CREATE TABLE vat_rates (
                rate TEXT PRIMARY KEY
            ) WITHOUT ROWID;
            INSERT INTO vat_rates (rate) VALUES ('20'), ('10'), ('5.5'), ('2.1'), ('0'), ('8.5');
            CREATE TABLE quotes (
                id INTEGER PRIMARY KEY,
                account_id INTEGER NOT NULL REFERENCES accounts(id),
                opportunity_id INTEGER,
                number TEXT UNIQUE,
                status TEXT NOT NULL DEFAULT 'draft'
                    CHECK (status IN ('draft', 'sent', 'accepted', 'declined', 'expired')),
                currency TEXT NOT NULL,
                global_discount TEXT NOT NULL DEFAULT '0',
                total_excluding_tax INTEGER NOT NULL DEFAULT 0,
                total_tax INTEGER NOT NULL DEFAULT 0,
                total_including_tax INTEGER NOT NULL DEFAULT 0,
                issue_date TEXT,
                valid_until TEXT,
                parties TEXT,
                decline_reason TEXT,
                copied_from INTEGER REFERENCES quotes(id),
                created_by INTEGER NOT NULL REFERENCES users(id),
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                closed_at TEXT,
                CHECK ((status = 'draft') = (number IS NULL))
            );
            CREATE INDEX quotes_account ON quotes(account_id);
            CREATE INDEX quotes_status ON quotes(status, valid_until);
            CREATE TABLE quote_lines (
                id INTEGER PRIMARY KEY,
                quote_id INTEGER NOT NULL REFERENCES quotes(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                description TEXT NOT NULL,
                quantity TEXT NOT NULL,
                unit TEXT,
                unit_price TEXT NOT NULL,
                discount TEXT NOT NULL DEFAULT '0',
                vat_rate TEXT NOT NULL,
                net INTEGER NOT NULL,
                UNIQUE (quote_id, position)
            );
            """),
        pipeline,
        objectives,
        Migration(number: 7, summary: "import: source ids, import runs, account details, unlinked contacts",
                  sql: ImportSchema.sql),
    ]

    /// Brings the schema up to date. `PRAGMA user_version` holds how many
    /// migrations the file has, so a current database costs one pragma
    /// read; otherwise every migration missing from `schema_migrations` is
    /// applied in number order. A database with more migrations than this
    /// program knows is refused rather than guessed at.
    public static func apply(to database: Database, now: String) throws(CRMError) {
        let current = Int(try database.scalar("PRAGMA user_version").integer ?? 0)
        if current == all.count { return }
        guard current < all.count else {
            throw CRMError(.database, "the database has \(current) schema migrations but this crm knows only "
                                + "\(all.count); use a newer crm")
        }
        try database.transaction { () throws(CRMError) in
            // Re-read inside the write lock: another process may have migrated meanwhile.
            var applied: Set<Int64> = []
            if try database.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'schema_migrations'").integer == 1 {
                applied = Set(try database.query("SELECT number FROM schema_migrations").compactMap { $0.int(0) })
            }
            for migration in all.sorted(by: { $0.number < $1.number }) where !applied.contains(Int64(migration.number)) {
                try database.execute(migration.sql)
                try database.query("INSERT INTO schema_migrations (number, summary, applied_at) VALUES (?, ?, ?)",
                                   [migration.number, migration.summary, now])
            }
            try database.execute("PRAGMA user_version = \(all.count)")
        }
    }
}
