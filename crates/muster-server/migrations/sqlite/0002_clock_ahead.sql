-- A pushed entry stamped more than a day ahead of the server's clock is held as evidence with
-- its own alert kind (docs/decisions/0022). SQLite cannot change a CHECK constraint in place:
-- the table is rebuilt with the same rows and ids.
CREATE TABLE quarantine_v2 (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id   BLOB NOT NULL,
    device_id     BLOB NOT NULL,
    seq           INTEGER NOT NULL,
    entry_id      BLOB NOT NULL,
    hash          BLOB NOT NULL,
    existing_hash BLOB NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('equivocation', 'fork', 'clock_ahead')),
    entry_json    TEXT NOT NULL,
    pushed_by     INTEGER NOT NULL REFERENCES users (id),
    received_ms   INTEGER NOT NULL,
    UNIQUE (incident_id, device_id, seq, hash)
) STRICT;
INSERT INTO quarantine_v2 SELECT * FROM quarantine;
DROP TABLE quarantine;
ALTER TABLE quarantine_v2 RENAME TO quarantine;
