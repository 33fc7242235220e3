-- Schema 3: the breach domain (scope, classification, clock triggers, law-enforcement delays,
-- communications, escalation ticks, the clinical systems register, isolations, HICS 251 ratings).
-- Their kinds are structural: the partial index is recreated with the longer list, which must
-- match projection::STRUCTURAL_KINDS_SQL exactly (a test checks).
DROP INDEX entries_structural;
CREATE INDEX entries_structural ON entries (incident_id)
    WHERE kind IN ('incident.opened', 'incident.closed', 'incident.reopened', 'role.assigned', 'role.relieved', 'cadence.set', 'decision.recorded', 'status.update', 'entry.retracted', 'severity.set', 'status.snoozed', 'command.handover.offered', 'command.handover.accepted', 'command.handover.cancelled', 'decision.approved', 'scope.set', 'classification.recorded', 'classification.reviewed', 'trigger.recorded', 'law-enforcement.delay', 'communication.sent', 'escalation.done', 'systems.registered', 'isolation.proposed', 'isolation.signed-off', 'isolation.carried-out', 'system.status');

-- The breach state as JSON.
ALTER TABLE proj_incidents ADD COLUMN breach TEXT;

-- Projections written by schema 2 lack the new state: the store rebuilds them after migrating.
INSERT INTO settings (key, value) VALUES ('projections.stale', '1')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
