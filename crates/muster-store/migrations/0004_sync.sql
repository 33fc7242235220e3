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
