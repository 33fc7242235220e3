-- One more alert kind: an entry a registered device signed, after its registration, in another
-- person's name ("Trust nobody" 5, docs/decisions/0028). SQLite cannot change a CHECK constraint
-- in place: the table is rebuilt with the same rows.
CREATE TABLE quarantine_v6 (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id   BLOB NOT NULL,
    device_id     BLOB NOT NULL,
    seq           INTEGER NOT NULL,
    entry_id      BLOB NOT NULL,
    hash          BLOB NOT NULL,
    existing_hash BLOB NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('equivocation', 'fork', 'clock_ahead', 'device_revoked', 'member_removed', 'recorder_mismatch')),
    entry_json    TEXT NOT NULL,
    pushed_by     INTEGER NOT NULL REFERENCES users (id),
    received_ms   INTEGER NOT NULL,
    UNIQUE (incident_id, device_id, seq, hash)
) STRICT;
INSERT INTO quarantine_v6 SELECT * FROM quarantine;
DROP TABLE quarantine;
ALTER TABLE quarantine_v6 RENAME TO quarantine;
