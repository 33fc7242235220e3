-- Sessions end, and devices, users and memberships can be revoked ("Trust nobody" 3,
-- docs/decisions/0024). The same tables and columns as migrations/sqlite/0004_revocation.sql.

ALTER TABLE sessions ADD COLUMN id BIGSERIAL;
ALTER TABLE sessions ADD CONSTRAINT sessions_id_key UNIQUE (id);
-- idle | lifetime | session | device | user: what ended it.
ALTER TABLE sessions ADD COLUMN ended_by TEXT;
UPDATE sessions SET ended_by = 'session' WHERE revoked_ms IS NOT NULL;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_device ON sessions (device_id);

ALTER TABLE users ADD COLUMN revoked_ms BIGINT;
ALTER TABLE devices ADD COLUMN revoked_ms BIGINT;

CREATE TABLE membership_events (
    id          BIGSERIAL PRIMARY KEY,
    incident_id BYTEA NOT NULL REFERENCES incidents (incident_id),
    user_id     BIGINT NOT NULL REFERENCES users (id),
    action      TEXT NOT NULL CHECK (action IN ('granted', 'role_changed', 'removed')),
    role        TEXT CHECK (role IN ('member', 'commander')),
    by_user     BIGINT REFERENCES users (id),
    at_ms       BIGINT NOT NULL
);
CREATE INDEX membership_events_member ON membership_events (incident_id, user_id, at_ms);
INSERT INTO membership_events (incident_id, user_id, action, role, by_user, at_ms)
    SELECT incident_id, user_id, 'granted', role, added_by, added_ms FROM memberships ORDER BY added_ms;
INSERT INTO membership_events (incident_id, user_id, action, role, by_user, at_ms)
    SELECT incident_id, user_id, 'removed', NULL, NULL, removed_ms FROM memberships
    WHERE removed_ms IS NOT NULL ORDER BY removed_ms;

ALTER TABLE quarantine DROP CONSTRAINT quarantine_kind_check;
ALTER TABLE quarantine ADD CONSTRAINT quarantine_kind_check
    CHECK (kind IN ('equivocation', 'fork', 'clock_ahead', 'device_revoked', 'member_removed'));
