// The timeline's filter state and the query it becomes.
import type { TimelineOrder, TimelineQuery } from './bindings';

export interface TimelineFilter {
  newestFirst: boolean;
  /** By when entries were recorded (the log's order) or when they say they happened. */
  order: TimelineOrder;
  kinds: string[];
  positions: string[];
  authors: string[];
  text: string;
}

export const emptyFilter = (): TimelineFilter => ({
  newestFirst: true,
  order: 'recorded',
  kinds: [],
  positions: [],
  authors: [],
  text: '',
});

export function toQuery(incident: string, f: TimelineFilter, offset: number, limit: number): TimelineQuery {
  return {
    incident,
    newest_first: f.newestFirst,
    order: f.order,
    kinds: [...f.kinds],
    positions: [...f.positions],
    authors: [...f.authors],
    text: f.text.trim(),
    offset,
    limit,
  };
}

export function toggle(list: string[], value: string): string[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}

export function isFiltered(f: TimelineFilter): boolean {
  return f.kinds.length > 0 || f.positions.length > 0 || f.authors.length > 0 || f.text.trim() !== '';
}

/** Readable names of entry kinds. */
export const KIND_LABELS: Record<string, string> = {
  'incident.opened': 'Incident opened',
  'incident.closed': 'Incident closed',
  'incident.reopened': 'Incident reopened',
  note: 'Note',
  'role.assigned': 'Role assigned',
  'role.relieved': 'Role relieved',
  'status.update': 'Status update',
  'status.snoozed': 'Status snoozed',
  'cadence.set': 'Cadence set',
  'severity.set': 'Severity set',
  'decision.recorded': 'Decision',
  'decision.approved': 'Decision approved',
  'entry.amended': 'Amendment',
  'entry.retracted': 'Retraction',
  'command.handover.offered': 'Handover offered',
  'command.handover.accepted': 'Handover accepted',
  'command.handover.cancelled': 'Handover cancelled',
  'scope.set': 'Scope',
  'classification.recorded': 'Classification',
  'classification.reviewed': 'Classification review',
  'trigger.recorded': 'Clock trigger',
  'law-enforcement.delay': 'Law-enforcement delay',
  'communication.sent': 'Communication',
  'escalation.done': 'Escalation done',
  'systems.registered': 'Systems register',
  'isolation.proposed': 'Isolation proposed',
  'isolation.signed-off': 'Clinical sign-off',
  'isolation.carried-out': 'Isolation carried out',
  'system.status': 'System status',
};

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind;
}
