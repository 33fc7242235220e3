-- Schema 6: a corrected entry keeps who corrected it, when and why, next to its original words.
-- `corrections` is the JSON list the fold gives each timeline item (kind, stamp, reason, the new
-- text or time); the original words are the entry's own body, which nothing ever rewrites.
ALTER TABLE proj_corrections ADD COLUMN corrections TEXT NOT NULL DEFAULT '[]';

-- Rows written by schema 5 lack the list: the store refolds the projections after migrating.
INSERT INTO settings (key, value) VALUES ('projections.stale', '1')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
