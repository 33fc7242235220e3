// The alert area's items at an instant. The backend sends every item with the instants that
// matter (when it joins the area, when it is owed, when it is late); here they are only compared
// with the ticking clock, so "2 h 54 m late" stays true every second without asking again.
import type { AlertView } from './bindings';

export type AlertState = 'late' | 'due' | 'soon';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The items in the area at `nowMs`, in the order the backend sent (the most late first). */
export function activeAlerts(alerts: AlertView[], nowMs: number): AlertView[] {
  return alerts.filter((a) => nowMs >= a.shows_from_ms);
}

export function alertState(a: Pick<AlertView, 'due_ms' | 'late_from_ms'>, nowMs: number): AlertState {
  if (nowMs >= a.late_from_ms) return 'late';
  if (nowMs >= a.due_ms) return 'due';
  return 'soon';
}

/** "2 h 54 m", "1 d 3 h", "12 m", "under 1 m": a duration for a glance, rounded down. */
export function roughSpan(ms: number): string {
  const total = Math.abs(ms);
  if (total < MINUTE) return 'under 1 m';
  const d = Math.floor(total / DAY);
  const h = Math.floor((total % DAY) / HOUR);
  const m = Math.floor((total % HOUR) / MINUTE);
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return `${h} h ${m} m`;
  return `${m} m`;
}

/** "2 h 54 m late", "due 3 m ago", "due in 5 h 12 m". */
export function lateness(a: Pick<AlertView, 'due_ms' | 'late_from_ms'>, nowMs: number): string {
  const past = nowMs - a.due_ms;
  switch (alertState(a, nowMs)) {
    case 'late':
      return `${roughSpan(past)} late`;
    case 'due':
      return past < MINUTE ? 'due now' : `due ${roughSpan(past)} ago`;
    case 'soon':
      return `due in ${roughSpan(past)}`;
  }
}

/** "3 alerts: 2 late, 1 due soon" — the area's summary line. */
export function alertSummary(alerts: AlertView[], nowMs: number): string {
  const counts: Record<AlertState, number> = { late: 0, due: 0, soon: 0 };
  for (const a of alerts) counts[alertState(a, nowMs)]++;
  const parts = [
    counts.late > 0 ? `${counts.late} late` : '',
    counts.due > 0 ? `${counts.due} due now` : '',
    counts.soon > 0 ? `${counts.soon} due within 24 h` : '',
  ].filter(Boolean);
  const n = alerts.length;
  return `${n} ${n === 1 ? 'alert' : 'alerts'}: ${parts.join(', ')}`;
}
