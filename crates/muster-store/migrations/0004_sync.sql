-- Schema 4: client-side sync state (docs/design/sync-plan.md §6). A side table: the fold and
-- IncidentState::digest() never read it. The server URL and user name live in `settings`
-- (`sync.server`, `sync.user`); the session token only in the OS keyring.
CREATE TABLE sync_cursor (
    incident_id    BLOB PRIMARY KEY,
    -- The server rank of the last entry pulled and ingested.
    last_rank      INTEGER NOT NULL DEFAULT 0,
    alerts_after   INTEGER NOT NULL DEFAULT 0,
    last_synced_ms INTEGER
);

-- Pulled entries that conflict with what this laptop already holds for their stream (the
-- server's branch of an equivocating or forked device key). Kept as evidence, never folded.
CREATE TABLE sync_quarantine (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id BLOB NOT NULL,
    device_id   BLOB NOT NULL,
    seq         INTEGER NOT NULL,
    hash        BLOB NOT NULL,
    -- The store's refusal code (ingest.equivocation, ingest.prev_hash_mismatch, ingest.seq_gap).
    reason      TEXT NOT NULL,
    entry_json  TEXT NOT NULL,
    received_ms INTEGER NOT NULL,
    UNIQUE (incident_id, device_id, seq, hash)
);

-- The server's alerts (entries it quarantined: equivocation or fork), as pulled, by incident.
CREATE TABLE sync_alerts (
    incident_id BLOB NOT NULL,
    -- The server's alert id (increasing per server).
    alert_id    INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    device_id   BLOB NOT NULL,
    seq         INTEGER NOT NULL,
    -- The alert as the server sent it (wire JSON).
    alert_json  TEXT NOT NULL,
    received_ms INTEGER NOT NULL,
    PRIMARY KEY (incident_id, alert_id)
);
