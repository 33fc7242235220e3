-- Server schema 1 (docs/design/sync-plan.md §5). Tokens are stored only as SHA-256.

CREATE TABLE users (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL UNIQUE,
    created_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE enrolments (
    token_hash BLOB PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    used_ms    INTEGER
) STRICT;

CREATE TABLE sessions (
    token_hash   BLOB PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    device_id    BLOB NOT NULL,
    created_ms   INTEGER NOT NULL,
    last_used_ms INTEGER NOT NULL,
    revoked_ms   INTEGER
) STRICT;

-- A device key belongs to one user.
CREATE TABLE devices (
    device_id     BLOB PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    name          TEXT NOT NULL,
    registered_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE incidents (
    incident_id BLOB PRIMARY KEY,
    created_by  INTEGER NOT NULL REFERENCES users (id),
    created_ms  INTEGER NOT NULL,
    last_rank   INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE memberships (
    incident_id BLOB NOT NULL REFERENCES incidents (incident_id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    role        TEXT NOT NULL CHECK (role IN ('member', 'commander')),
    added_by    INTEGER NOT NULL REFERENCES users (id),
    added_ms    INTEGER NOT NULL,
    removed_ms  INTEGER,
    PRIMARY KEY (incident_id, user_id)
) STRICT;
CREATE INDEX memberships_user ON memberships (user_id);

-- The log as received. `rank` is the per-incident arrival order (the pull cursor).
CREATE TABLE entries (
    incident_id   BLOB NOT NULL,
    device_id     BLOB NOT NULL,
    seq           INTEGER NOT NULL,
    rank          INTEGER NOT NULL,
    id            BLOB NOT NULL UNIQUE,
    hash          BLOB NOT NULL,
    hlc_wall_ms   INTEGER NOT NULL,
    hlc_counter   INTEGER NOT NULL,
    entry_json    TEXT NOT NULL,
    received_ms   INTEGER NOT NULL,
    pushed_by     INTEGER NOT NULL REFERENCES users (id),
    clock_skew_ms INTEGER,
    PRIMARY KEY (incident_id, device_id, seq),
    UNIQUE (incident_id, rank)
) STRICT, WITHOUT ROWID;

-- Same columns as the client's table, so that the same `Head::admits` rules read it.
CREATE TABLE stream_heads (
    incident_id BLOB NOT NULL,
    device_id   BLOB NOT NULL,
    seq         INTEGER NOT NULL,
    hash        BLOB NOT NULL,
    hlc_wall_ms INTEGER NOT NULL,
    hlc_counter INTEGER NOT NULL,
    PRIMARY KEY (incident_id, device_id)
) STRICT, WITHOUT ROWID;

-- Quarantined entries = the alerts. Never deleted.
CREATE TABLE quarantine (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id   BLOB NOT NULL,
    device_id     BLOB NOT NULL,
    seq           INTEGER NOT NULL,
    entry_id      BLOB NOT NULL,
    hash          BLOB NOT NULL,
    existing_hash BLOB NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('equivocation', 'fork')),
    entry_json    TEXT NOT NULL,
    pushed_by     INTEGER NOT NULL REFERENCES users (id),
    received_ms   INTEGER NOT NULL,
    UNIQUE (incident_id, device_id, seq, hash)
) STRICT;
