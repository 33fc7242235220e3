-- Server schema 1 on PostgreSQL (docs/design/sync-plan.md §5): the same tables as
-- migrations/sqlite/0001_server.sql. Tokens are stored only as SHA-256. The version lives in
-- `muster_schema`, created by the migration runner.

CREATE TABLE users (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_ms BIGINT NOT NULL
);

CREATE TABLE enrolments (
    token_hash BYTEA PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    used_ms    BIGINT
);

CREATE TABLE sessions (
    token_hash   BYTEA PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    device_id    BYTEA NOT NULL,
    created_ms   BIGINT NOT NULL,
    last_used_ms BIGINT NOT NULL,
    revoked_ms   BIGINT
);

-- A device key belongs to one user.
CREATE TABLE devices (
    device_id     BYTEA PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id),
    name          TEXT NOT NULL,
    registered_ms BIGINT NOT NULL,
    -- Registration order (breaks ties of registered_ms, as SQLite's rowid does).
    ord           BIGSERIAL NOT NULL
);

-- `last_rank` is assigned under this row's lock (the push transaction's UPDATE).
CREATE TABLE incidents (
    incident_id BYTEA PRIMARY KEY,
    created_by  BIGINT NOT NULL REFERENCES users (id),
    created_ms  BIGINT NOT NULL,
    last_rank   BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE memberships (
    incident_id BYTEA NOT NULL REFERENCES incidents (incident_id),
    user_id     BIGINT NOT NULL REFERENCES users (id),
    role        TEXT NOT NULL CHECK (role IN ('member', 'commander')),
    added_by    BIGINT NOT NULL REFERENCES users (id),
    added_ms    BIGINT NOT NULL,
    removed_ms  BIGINT,
    PRIMARY KEY (incident_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- The log as received. `rank` is the per-incident arrival order (the pull cursor).
CREATE TABLE entries (
    incident_id   BYTEA NOT NULL,
    device_id     BYTEA NOT NULL,
    seq           BIGINT NOT NULL,
    rank          BIGINT NOT NULL,
    id            BYTEA NOT NULL UNIQUE,
    hash          BYTEA NOT NULL,
    hlc_wall_ms   BIGINT NOT NULL,
    hlc_counter   BIGINT NOT NULL,
    entry_json    TEXT NOT NULL,
    received_ms   BIGINT NOT NULL,
    pushed_by     BIGINT NOT NULL REFERENCES users (id),
    clock_skew_ms BIGINT,
    PRIMARY KEY (incident_id, device_id, seq),
    UNIQUE (incident_id, rank)
);

CREATE TABLE stream_heads (
    incident_id BYTEA NOT NULL,
    device_id   BYTEA NOT NULL,
    seq         BIGINT NOT NULL,
    hash        BYTEA NOT NULL,
    hlc_wall_ms BIGINT NOT NULL,
    hlc_counter BIGINT NOT NULL,
    PRIMARY KEY (incident_id, device_id)
);

-- Quarantined entries = the alerts. Never deleted. Rows are written under the incident's row
-- lock, so that ids of one incident become visible in order (the alerts cursor).
CREATE TABLE quarantine (
    id            BIGSERIAL PRIMARY KEY,
    incident_id   BYTEA NOT NULL,
    device_id     BYTEA NOT NULL,
    seq           BIGINT NOT NULL,
    entry_id      BYTEA NOT NULL,
    hash          BYTEA NOT NULL,
    existing_hash BYTEA NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('equivocation', 'fork')),
    entry_json    TEXT NOT NULL,
    pushed_by     BIGINT NOT NULL REFERENCES users (id),
    received_ms   BIGINT NOT NULL,
    UNIQUE (incident_id, device_id, seq, hash)
);
