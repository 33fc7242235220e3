-- Schema 1: the signed log, stream heads, settings, and projections (caches rebuilt from the log).

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- The log. Rows are only ever inserted. rowid is arrival order; within a stream it must follow seq.
CREATE TABLE entries (
    rowid             INTEGER PRIMARY KEY,
    id                BLOB NOT NULL UNIQUE,
    incident_id       BLOB NOT NULL,
    device_id         BLOB NOT NULL,
    seq               INTEGER NOT NULL,
    prev_hash         BLOB NOT NULL,
    hlc_wall_ms       INTEGER NOT NULL,
    hlc_counter       INTEGER NOT NULL,
    recorded_utc_ms   INTEGER NOT NULL,
    recorded_offset_s INTEGER NOT NULL,
    recorded_zone     TEXT NOT NULL,
    author_person     TEXT NOT NULL,
    author_position   TEXT,
    kind              TEXT NOT NULL,
    body_version      INTEGER NOT NULL,
    body              TEXT NOT NULL,
    signature         BLOB NOT NULL,
    hash              BLOB NOT NULL,
    -- Where this copy came from (Yaak-style write tagging): local, import, sync, demo.
    source            TEXT NOT NULL,
    received_utc_ms   INTEGER NOT NULL,
    UNIQUE (incident_id, device_id, seq)
) STRICT;
CREATE INDEX entries_fold_order ON entries (incident_id, hlc_wall_ms, hlc_counter, device_id, seq);
CREATE INDEX entries_by_kind ON entries (incident_id, kind);
CREATE INDEX entries_latest_hlc ON entries (hlc_wall_ms, hlc_counter);

-- The last entry of every (incident, device) stream. Lets verify notice a removed tail.
CREATE TABLE stream_heads (
    incident_id BLOB NOT NULL,
    device_id   BLOB NOT NULL,
    seq         INTEGER NOT NULL,
    hash        BLOB NOT NULL,
    PRIMARY KEY (incident_id, device_id)
) STRICT, WITHOUT ROWID;

-- Projections. Everything below is derived from `entries` and can be dropped and rebuilt.
CREATE TABLE proj_incidents (
    incident_id         BLOB PRIMARY KEY,
    title               TEXT,
    drill               INTEGER NOT NULL DEFAULT 0,
    description         TEXT,
    status              TEXT NOT NULL DEFAULT 'unopened',
    opened              TEXT,
    status_changed      TEXT,
    entry_count         INTEGER NOT NULL DEFAULT 0,
    last_hlc_wall_ms    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE proj_timeline (
    entry_id          BLOB PRIMARY KEY,
    incident_id       BLOB NOT NULL,
    hlc_wall_ms       INTEGER NOT NULL,
    hlc_counter       INTEGER NOT NULL,
    device_id         BLOB NOT NULL,
    seq               INTEGER NOT NULL,
    kind              TEXT NOT NULL,
    recorded_utc_ms   INTEGER NOT NULL,
    recorded_offset_s INTEGER NOT NULL,
    recorded_zone     TEXT NOT NULL,
    occurred_at       TEXT,
    author_person     TEXT NOT NULL,
    author_position   TEXT,
    summary           TEXT NOT NULL,
    target_id         BLOB,
    amended_by        TEXT NOT NULL DEFAULT '[]',
    retracted_by      TEXT NOT NULL DEFAULT '[]'
) STRICT;
CREATE INDEX proj_timeline_order ON proj_timeline (incident_id, hlc_wall_ms, hlc_counter, device_id, seq);
CREATE INDEX proj_timeline_target ON proj_timeline (target_id) WHERE target_id IS NOT NULL;

CREATE TABLE proj_assignments (
    entry_id    BLOB PRIMARY KEY,
    incident_id BLOB NOT NULL,
    ord         INTEGER NOT NULL,
    position    TEXT NOT NULL,
    person      TEXT NOT NULL,
    active      INTEGER NOT NULL,
    data        TEXT NOT NULL
) STRICT;
CREATE INDEX proj_assignments_incident ON proj_assignments (incident_id, ord);

CREATE TABLE proj_decisions (
    entry_id    BLOB PRIMARY KEY,
    incident_id BLOB NOT NULL,
    ord         INTEGER NOT NULL,
    question    TEXT NOT NULL,
    choice      TEXT NOT NULL,
    active      INTEGER NOT NULL,
    data        TEXT NOT NULL
) STRICT;
CREATE INDEX proj_decisions_incident ON proj_decisions (incident_id, ord);

CREATE TABLE proj_cadences (
    incident_id      BLOB NOT NULL,
    position         TEXT NOT NULL, -- '' is the default for every position
    interval_minutes INTEGER NOT NULL,
    data             TEXT NOT NULL,
    PRIMARY KEY (incident_id, position)
) STRICT;
