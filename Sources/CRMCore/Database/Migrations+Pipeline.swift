extension Migrations {
    /// Opportunities with their stages and loss reasons, activities and the
    /// follow-ups that policies plan. Seeds the default stages and loss reasons.
    static let pipeline = Migration(number: 4, summary: "stages, loss reasons, opportunities, activities", sql: """
        CREATE TABLE stages (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            label TEXT NOT NULL,
            probability INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
            kind TEXT NOT NULL CHECK (kind IN ('open', 'won', 'lost')),
            position INTEGER NOT NULL
        );
        INSERT INTO stages (code, label, probability, kind, position) VALUES
            ('QUALIFY', 'Qualify', 10, 'open', 1),
            ('PROPOSE', 'Propose', 40, 'open', 2),
            ('NEGOTIATE', 'Negotiate', 70, 'open', 3),
            ('WON', 'Won', 100, 'won', 4),
            ('LOST', 'Lost', 0, 'lost', 5);
        CREATE TABLE loss_reasons (
            code TEXT PRIMARY KEY,
            label TEXT NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO loss_reasons (code, label) VALUES
            ('PRICE', 'Price too high'),
            ('COMPETITOR', 'Went to a competitor'),
            ('NO_BUDGET', 'No budget'),
            ('NO_DECISION', 'No decision made'),
            ('TIMING', 'Wrong timing'),
            ('OTHER', 'Other reason');
        CREATE TABLE opportunities (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            contact_id INTEGER REFERENCES contacts(id),
            title TEXT NOT NULL,
            -- Minor units; NULL when the amount is not known yet (imported deals).
            amount INTEGER CHECK (amount BETWEEN 0 AND 999999999999),
            currency TEXT NOT NULL,
            probability INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
            stage_id INTEGER NOT NULL REFERENCES stages(id),
            expected_close TEXT NOT NULL,
            owner_id INTEGER NOT NULL REFERENCES users(id),
            source TEXT,
            loss_reason TEXT REFERENCES loss_reasons(code),
            loss_note TEXT,
            closed_on TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX opportunities_pipeline
            ON opportunities(stage_id, currency, expected_close, amount, probability, owner_id, account_id);
        CREATE INDEX opportunities_account ON opportunities(account_id);
        CREATE INDEX opportunities_owner ON opportunities(owner_id, stage_id);
        CREATE TABLE opportunity_contacts (
            opportunity_id INTEGER NOT NULL REFERENCES opportunities(id),
            contact_id INTEGER NOT NULL REFERENCES contacts(id),
            role TEXT,
            PRIMARY KEY (opportunity_id, contact_id)
        ) WITHOUT ROWID;
        CREATE TABLE activities (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('call', 'meeting', 'e-mail', 'task', 'note')),
            subject TEXT NOT NULL,
            account_id INTEGER REFERENCES accounts(id),
            contact_id INTEGER REFERENCES contacts(id),
            opportunity_id INTEGER REFERENCES opportunities(id),
            owner_id INTEGER NOT NULL REFERENCES users(id),
            status TEXT NOT NULL CHECK (status IN ('planned', 'done', 'cancelled')),
            due_date TEXT,
            due_at TEXT,
            done_at TEXT,
            outcome TEXT,
            policy TEXT,
            policy_version TEXT,
            event TEXT,
            dedup_key TEXT UNIQUE,
            cancel_reason TEXT,
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES users(id),
            updated_at TEXT NOT NULL
        );
        CREATE INDEX activities_owner_due ON activities(owner_id, status, due_date);
        CREATE INDEX activities_due ON activities(status, due_date);
        CREATE INDEX activities_opportunity ON activities(opportunity_id, status);
        CREATE INDEX activities_account ON activities(account_id);
        """)
}
