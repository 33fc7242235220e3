-- An entry id is unique within its incident, no longer across the server ("Trust nobody" 11):
-- with one index over every incident, a member pushing an entry into their own incident learnt
-- from `ingest.id_reused` whether that id existed in an incident they are not a member of.
ALTER TABLE entries DROP CONSTRAINT entries_id_key;
ALTER TABLE entries ADD CONSTRAINT entries_incident_id_id_key UNIQUE (incident_id, id);
