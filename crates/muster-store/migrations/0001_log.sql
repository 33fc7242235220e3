-- Schema 1: the signed log, stream heads, settings, and projections (caches rebuilt from the log).

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- The log. Rows are only ever inserted. Clustered by stream position (incident, device, seq):
-- the natural key is the table itself, so an append maintains one index fewer, and an
-- incident's entries are one contiguous range.
CREATE TABLE entries (
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
    PRIMARY KEY (incident_id, device_id, seq)
) STRICT, WITHOUT ROWID;
-- Structural entries (lifecycle, roster, decisions, cadence) are refolded after each write. A
-- partial index: appending a note writes no page of it. The list must match
-- projection::STRUCTURAL_KINDS_SQL exactly (a test checks), or SQLite will not use the index.
CREATE INDEX entries_structural ON entries (incident_id)
    WHERE kind IN ('incident.opened', 'incident.closed', 'incident.reopened', 'role.assigned', 'role.relieved', 'cadence.set', 'decision.recorded');

-- The last entry of every (incident, device) stream. Lets verify notice a removed tail, and
-- holds each stream's latest HLC (the greatest of them seeds the next local HLC).
CREATE TABLE stream_heads (
    incident_id BLOB NOT NULL,
    device_id   BLOB NOT NULL,
    seq         INTEGER NOT NULL,
    hash        BLOB NOT NULL,
    hlc_wall_ms INTEGER NOT NULL,
    hlc_counter INTEGER NOT NULL,
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
    status_changed      TEXT
) STRICT;

-- The timeline is the log itself (one item per entry, read from `entries`). What corrections
-- change is projected here, written only when an amendment or retraction arrives:
-- the effective text and time of each corrected entry ...
CREATE TABLE proj_corrections (
    target_id    BLOB PRIMARY KEY,
    incident_id  BLOB NOT NULL,
    occurred_at  TEXT,
    summary      TEXT NOT NULL,
    amended_by   TEXT NOT NULL,
    retracted_by TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- ... and which entries correct which (also for targets not yet received).
CREATE TABLE proj_correction_links (
    target_id        BLOB NOT NULL,
    correction_id    BLOB NOT NULL,
    PRIMARY KEY (target_id, correction_id)
) STRICT, WITHOUT ROWID;

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
