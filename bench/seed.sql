-- Seeds a database made by `crm init` for `make bench`: sales reps, then
-- accounts, opportunities and activities spread evenly over the reps, so
-- the schema and its indexes are the product's own. Every value follows
-- from the row number, so two seeded files with the same counts are equal.
--
-- Set the counts with `.parameter set` before `.read seed.sql`:
--   @reps, @accounts, @opportunities, @activities
-- Rep i is named `rep<i>` and owns the accounts whose id is i modulo
-- @reps, with their opportunities and activities. Two activities in five
-- are follow-ups still planned, due over the 365 days from 2025-09-01, so
-- 2026-03-02 falls in the middle of the range.
-- The rows go in without a rollback journal and with a large page cache,
-- which keeps seeding a million rows under a minute; the file is switched
-- back to WAL, the mode crm expects, at the end.
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -131072;
PRAGMA foreign_keys = ON;
BEGIN IMMEDIATE;

INSERT INTO users (name, role, created_at)
WITH RECURSIVE n(i) AS (SELECT 1 WHERE @reps >= 1 UNION ALL SELECT i + 1 FROM n WHERE i < @reps)
SELECT printf('rep%d', i), 'sales', '2025-01-05T09:00:00Z' FROM n;

CREATE TEMP TABLE first_rep AS SELECT id FROM users WHERE name = 'rep1';

INSERT INTO accounts (id, legal_name, siren, country, owner_id, status, currency, creation_date,
                      name_key, created_at, updated_at)
WITH RECURSIVE n(i) AS (SELECT 1 WHERE @accounts >= 1 UNION ALL SELECT i + 1 FROM n WHERE i < @accounts)
SELECT i, name, printf('%09d', 100000000 + i), 'FR', (SELECT id FROM first_rep) + (i - 1) % @reps,
       CASE WHEN i % 3 = 0 THEN 'customer' ELSE 'prospect' END, 'EUR',
       date('1990-01-01', printf('+%d days', i % 12000)), lower(name),
       '2025-06-01T08:00:00Z', '2025-06-01T08:00:00Z'
FROM (SELECT i, char(65 + (i * 7) % 26) || printf('TELIER %s %07d',
             CASE i % 4 WHEN 0 THEN 'DU LAC' WHEN 1 THEN 'ARMOR' WHEN 2 THEN 'HORIZON' ELSE 'BELLEVUE' END, i) AS name
      FROM n);

INSERT INTO opportunities (account_id, title, amount, currency, probability, stage_id, expected_close, owner_id,
                           closed_on, created_at, updated_at)
WITH RECURSIVE n(i) AS (SELECT 1 WHERE @opportunities >= 1 UNION ALL SELECT i + 1 FROM n WHERE i < @opportunities)
SELECT account, printf('Deal %d', i), (i * 7919) % 5000000 + 10000,
       CASE WHEN i % 10 = 0 THEN 'USD' ELSE 'EUR' END,
       (SELECT probability FROM stages WHERE id = stage), stage,
       date('2026-01-01', printf('+%d days', (i * 13) % 365)),
       (SELECT id FROM first_rep) + (account - 1) % @reps,
       CASE WHEN stage >= 4 THEN '2026-02-15' END, '2025-09-01T08:00:00Z', '2025-09-01T08:00:00Z'
FROM (SELECT i, (i - 1) % @accounts + 1 AS account, (i - 1) % 5 + 1 AS stage FROM n);

INSERT INTO activities (kind, subject, account_id, owner_id, status, due_date, done_at, policy, policy_version,
                        event, created_at, updated_at)
WITH RECURSIVE n(i) AS (SELECT 1 WHERE @activities >= 1 UNION ALL SELECT i + 1 FROM n WHERE i < @activities)
SELECT CASE i % 5 WHEN 0 THEN 'call' WHEN 1 THEN 'e-mail' WHEN 2 THEN 'meeting' WHEN 3 THEN 'task' ELSE 'note' END,
       printf('Follow-up %d', i), account, (SELECT id FROM first_rep) + (account - 1) % @reps,
       CASE WHEN planned THEN 'planned' ELSE 'done' END,
       date('2025-09-01', printf('+%d days', (i * 37) % 367)),
       CASE WHEN planned THEN NULL ELSE '2025-09-01T10:00:00Z' END,
       CASE WHEN planned THEN 'default-followups' END, CASE WHEN planned THEN '1.0.0' END,
       CASE WHEN planned THEN 'quoteSent' END, '2025-09-01T08:00:00Z', '2025-09-01T08:00:00Z'
FROM (SELECT i, (i * 31) % @accounts + 1 AS account, i % 5 < 2 AS planned FROM n);

COMMIT;
PRAGMA journal_mode = WAL;
