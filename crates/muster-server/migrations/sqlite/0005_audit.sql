-- The access log ("Trust nobody" 8, HIPAA 164.312(b), docs/decisions/0024): who read or
-- changed which incident, when, from where. Append-only and hash-chained: each row's hash
-- covers its content and the previous row's hash, and `audit_head` holds the last seq and
-- hash, so a changed, deleted or truncated row is named by `muster server audit`. No PHI:
-- never a title, a note or a name of a patient; `detail` holds counts, ranks and user names.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at_ms       INTEGER NOT NULL,
    -- The user name, or `server-admin` for `muster server ...` on the database.
    actor       TEXT NOT NULL,
    device_id   BLOB,
    incident_id BLOB,
    action      TEXT NOT NULL,
    -- The source address (IP), `cli`, or `-` when not known.
    source      TEXT NOT NULL,
    -- A JSON object.
    detail      TEXT NOT NULL,
    prev_hash   BLOB NOT NULL,
    hash        BLOB NOT NULL
) STRICT;
CREATE INDEX audit_log_incident ON audit_log (incident_id, seq);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash BLOB NOT NULL
) STRICT;
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, zeroblob(32));

-- Refused by the database itself: only someone who drops these first can rewrite history, and
-- the chain still names what they changed.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
