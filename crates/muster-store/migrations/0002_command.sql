-- Schema 2: severity, status-prompt clocks, command handovers and decision approvals.
-- Status updates, retractions and the new kinds are structural now (the status-prompt clocks
-- are folded from them), so the partial index is recreated with the longer list. It must
-- match projection::STRUCTURAL_KINDS_SQL exactly (a test checks).
DROP INDEX entries_structural;
CREATE INDEX entries_structural ON entries (incident_id)
    WHERE kind IN ('incident.opened', 'incident.closed', 'incident.reopened', 'role.assigned', 'role.relieved', 'cadence.set', 'decision.recorded', 'status.update', 'entry.retracted', 'severity.set', 'status.snoozed', 'command.handover.offered', 'command.handover.accepted', 'command.handover.cancelled', 'decision.approved');

-- The command state (severity, last report and snooze per position, handovers) as JSON.
ALTER TABLE proj_incidents ADD COLUMN command TEXT;

-- Projections written by schema 1 lack the new state: the store rebuilds them after migrating.
INSERT INTO settings (key, value) VALUES ('projections.stale', '1')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
