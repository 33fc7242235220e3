-- Schema 7: an entry may be recorded on someone's behalf (a scribe writing for the commander);
-- the recorder stays `author_person`, and authority for reserved acts is theirs (decision 0028).
ALTER TABLE entries ADD COLUMN on_behalf TEXT;

-- The fold now keeps acts made without authority out of force: refold the cached state.
INSERT INTO settings (key, value) VALUES ('projections.stale', '1')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
