-- Schema 5: clock-skew flags the sync server attached to entries (docs/design/sync-plan.md §7).
-- A side table, like the other sync tables: the signed entry is unchanged, the fold never
-- reads it. An entry is flagged when its author's clock was off from the server's by more
-- than the server's threshold when it was pushed, or when its HLC was ahead of the server.
CREATE TABLE sync_clock_flags (
    entry_id      BLOB PRIMARY KEY,
    incident_id   BLOB NOT NULL,
    -- The author's clock minus the server's, in ms (positive: the author's clock was fast).
    clock_skew_ms INTEGER NOT NULL
);
CREATE INDEX sync_clock_flags_incident ON sync_clock_flags (incident_id);
