extension Migrations {
    /// Objectives per rep or sector and period, and the owner and sector
    /// recorded when a deal is won, an account opens or an activity is done.
    ///
    /// Attainment credits the owner of a record at the time of the event:
    /// a rep who moves to another sector, or an account assigned to another
    /// sector, leaves past results where they were earned. Triggers record
    /// the owner and sector, so every path that wins a deal, approves an
    /// opening or completes an activity records them, including future ones.
    static let objectives = Migration(number: 6, summary: "objectives; owner and sector at win, opening and activity",
                                      sql: """
        CREATE TABLE objectives (
            id INTEGER PRIMARY KEY,
            user_id INTEGER REFERENCES users(id),
            sector_id INTEGER REFERENCES sectors(id),
            -- 2026-03, 2026-Q1 or 2026, with its first and last day.
            period TEXT NOT NULL,
            starts_on TEXT NOT NULL,
            ends_on TEXT NOT NULL,
            metric TEXT NOT NULL CHECK (metric IN ('revenue', 'deals', 'customers', 'activities')),
            -- ISO 4217 code of a revenue objective; the target is in its minor unit.
            currency TEXT,
            activity_kind TEXT CHECK (activity_kind IN ('call', 'meeting', 'e-mail', 'task', 'note')),
            target INTEGER NOT NULL CHECK (target > 0),
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES users(id),
            updated_at TEXT NOT NULL,
            CHECK ((user_id IS NULL) <> (sector_id IS NULL)),
            CHECK ((metric = 'revenue') = (currency IS NOT NULL)),
            CHECK (activity_kind IS NULL OR metric = 'activities')
        );
        CREATE UNIQUE INDEX objectives_key ON objectives (
            ifnull(user_id, 0), ifnull(sector_id, 0), period, metric, ifnull(currency, ''), ifnull(activity_kind, ''));
        CREATE INDEX objectives_period ON objectives (starts_on, ends_on);

        ALTER TABLE opportunities ADD COLUMN won_owner_id INTEGER REFERENCES users(id);
        ALTER TABLE opportunities ADD COLUMN won_sector_id INTEGER REFERENCES sectors(id);
        UPDATE opportunities SET won_owner_id = owner_id,
            won_sector_id = (SELECT a.sector_id FROM accounts a WHERE a.id = opportunities.account_id)
        WHERE stage_id IN (SELECT id FROM stages WHERE kind = 'won');
        CREATE INDEX opportunities_won_owner ON opportunities (won_owner_id, closed_on) WHERE won_owner_id IS NOT NULL;
        CREATE INDEX opportunities_won_sector ON opportunities (won_sector_id, closed_on) WHERE won_sector_id IS NOT NULL;
        CREATE TRIGGER opportunities_won_on_insert AFTER INSERT ON opportunities
        WHEN (SELECT kind FROM stages WHERE id = NEW.stage_id) = 'won'
        BEGIN
            UPDATE opportunities SET won_owner_id = NEW.owner_id,
                won_sector_id = (SELECT sector_id FROM accounts WHERE id = NEW.account_id)
            WHERE id = NEW.id;
        END;
        CREATE TRIGGER opportunities_won_on_stage AFTER UPDATE OF stage_id ON opportunities
        WHEN (SELECT kind FROM stages WHERE id = NEW.stage_id) = 'won'
             AND (SELECT kind FROM stages WHERE id = OLD.stage_id) <> 'won'
        BEGIN
            UPDATE opportunities SET won_owner_id = NEW.owner_id,
                won_sector_id = (SELECT sector_id FROM accounts WHERE id = NEW.account_id)
            WHERE id = NEW.id;
        END;
        CREATE TRIGGER opportunities_unwon_on_stage AFTER UPDATE OF stage_id ON opportunities
        WHEN (SELECT kind FROM stages WHERE id = NEW.stage_id) <> 'won'
        BEGIN
            UPDATE opportunities SET won_owner_id = NULL, won_sector_id = NULL WHERE id = NEW.id;
        END;

        ALTER TABLE opening_requests ADD COLUMN approved_owner_id INTEGER REFERENCES users(id);
        ALTER TABLE opening_requests ADD COLUMN approved_sector_id INTEGER REFERENCES sectors(id);
        UPDATE opening_requests SET
            approved_owner_id = (SELECT a.owner_id FROM accounts a WHERE a.id = opening_requests.account_id),
            approved_sector_id = (SELECT a.sector_id FROM accounts a WHERE a.id = opening_requests.account_id)
        WHERE status = 'approved';
        CREATE TRIGGER opening_requests_approved AFTER UPDATE OF status ON opening_requests
        WHEN NEW.status = 'approved' AND OLD.status <> 'approved'
        BEGIN
            UPDATE opening_requests SET
                approved_owner_id = (SELECT owner_id FROM accounts WHERE id = NEW.account_id),
                approved_sector_id = (SELECT sector_id FROM accounts WHERE id = NEW.account_id)
            WHERE id = NEW.id;
        END;

        ALTER TABLE activities ADD COLUMN done_sector_id INTEGER REFERENCES sectors(id);
        UPDATE activities SET done_sector_id = (SELECT a.sector_id FROM accounts a WHERE a.id = activities.account_id)
        WHERE status = 'done';
        CREATE TRIGGER activities_done_on_insert AFTER INSERT ON activities
        WHEN NEW.status = 'done'
        BEGIN
            UPDATE activities SET done_sector_id = (SELECT sector_id FROM accounts WHERE id = NEW.account_id)
            WHERE id = NEW.id;
        END;
        CREATE TRIGGER activities_done_on_status AFTER UPDATE OF status ON activities
        WHEN NEW.status = 'done' AND OLD.status <> 'done'
        BEGIN
            UPDATE activities SET done_sector_id = (SELECT sector_id FROM accounts WHERE id = NEW.account_id)
            WHERE id = NEW.id;
        END;
        """)
}
