-- Sessions end, and devices, users and memberships can be revoked ("Trust nobody" 3,
-- docs/decisions/0024).

-- Sessions get an id to be named by (`muster server session list|revoke`) and the reason they
-- ended. The table is rebuilt (SQLite adds no AUTOINCREMENT column in place), rows kept.
CREATE TABLE sessions_v4 (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash   BLOB NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    device_id    BLOB NOT NULL,
    created_ms   INTEGER NOT NULL,
    last_used_ms INTEGER NOT NULL,
    revoked_ms   INTEGER,
    -- idle | lifetime | session | device | user: what ended it.
    ended_by     TEXT
) STRICT;
INSERT INTO sessions_v4 (token_hash, user_id, device_id, created_ms, last_used_ms, revoked_ms, ended_by)
    SELECT token_hash, user_id, device_id, created_ms, last_used_ms, revoked_ms,
           CASE WHEN revoked_ms IS NULL THEN NULL ELSE 'session' END
    FROM sessions ORDER BY created_ms;
DROP TABLE sessions;
ALTER TABLE sessions_v4 RENAME TO sessions;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_device ON sessions (device_id);

ALTER TABLE users ADD COLUMN revoked_ms INTEGER;
ALTER TABLE devices ADD COLUMN revoked_ms INTEGER;

-- Every grant, role change and removal of a membership, with who and when; `memberships`
-- stays the current state. Rows from before schema 4 are reconstructed from `memberships`:
-- its last grant (with the role held now) and its removal (by someone not recorded).
CREATE TABLE membership_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id BLOB NOT NULL REFERENCES incidents (incident_id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    action      TEXT NOT NULL CHECK (action IN ('granted', 'role_changed', 'removed')),
    role        TEXT CHECK (role IN ('member', 'commander')),
    -- NULL: not recorded (a removal before schema 4).
    by_user     INTEGER REFERENCES users (id),
    at_ms       INTEGER NOT NULL
) STRICT;
CREATE INDEX membership_events_member ON membership_events (incident_id, user_id, at_ms);
INSERT INTO membership_events (incident_id, user_id, action, role, by_user, at_ms)
    SELECT incident_id, user_id, 'granted', role, added_by, added_ms FROM memberships ORDER BY added_ms;
INSERT INTO membership_events (incident_id, user_id, action, role, by_user, at_ms)
    SELECT incident_id, user_id, 'removed', NULL, NULL, removed_ms FROM memberships
    WHERE removed_ms IS NOT NULL ORDER BY removed_ms;

-- Two more alert kinds: entries of a revoked device, and of a removed member, relayed after.
CREATE TABLE quarantine_v4 (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id   BLOB NOT NULL,
    device_id     BLOB NOT NULL,
    seq           INTEGER NOT NULL,
    entry_id      BLOB NOT NULL,
    hash          BLOB NOT NULL,
    existing_hash BLOB NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('equivocation', 'fork', 'clock_ahead', 'device_revoked', 'member_removed')),
    entry_json    TEXT NOT NULL,
    pushed_by     INTEGER NOT NULL REFERENCES users (id),
    received_ms   INTEGER NOT NULL,
    UNIQUE (incident_id, device_id, seq, hash)
) STRICT;
INSERT INTO quarantine_v4 SELECT * FROM quarantine;
DROP TABLE quarantine;
ALTER TABLE quarantine_v4 RENAME TO quarantine;
