-- An entry id is unique within its incident, no longer across the server ("Trust nobody" 11):
-- with one index over every incident, a member pushing an entry into their own incident learnt
-- from `ingest.id_reused` whether that id existed in an incident they are not a member of.
-- SQLite cannot drop a column's UNIQUE in place: the table is rebuilt with the same rows.
CREATE TABLE entries_v3 (
    incident_id   BLOB NOT NULL,
    device_id     BLOB NOT NULL,
    seq           INTEGER NOT NULL,
    rank          INTEGER NOT NULL,
    id            BLOB NOT NULL,
    hash          BLOB NOT NULL,
    hlc_wall_ms   INTEGER NOT NULL,
    hlc_counter   INTEGER NOT NULL,
    entry_json    TEXT NOT NULL,
    received_ms   INTEGER NOT NULL,
    pushed_by     INTEGER NOT NULL REFERENCES users (id),
    clock_skew_ms INTEGER,
    PRIMARY KEY (incident_id, device_id, seq),
    UNIQUE (incident_id, rank),
    UNIQUE (incident_id, id)
) STRICT, WITHOUT ROWID;
INSERT INTO entries_v3 SELECT * FROM entries;
DROP TABLE entries;
ALTER TABLE entries_v3 RENAME TO entries;
