// How the sync status reads on screen. Pure: the status, the viewer's zone and (for relative
// wording) the time are passed in. The backend pushes the status (`sync-status`); nothing polls.
import type { SyncEvidence, SyncStatus } from './bindings';

export type SyncTone = 'ok' | 'busy' | 'warn' | 'off';

/** "14:05" in the viewer's zone (UTC when the zone is unknown to this browser). */
export function hourMinute(ms: number, zone: string): string {
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit' }).format(
      ms,
    );
  } catch {
    return new Date(ms).toISOString().slice(11, 16);
  }
}

/** "1 entry waiting", "12 entries waiting". */
export function waitingText(n: number): string {
  return `${n} ${n === 1 ? 'entry' : 'entries'} waiting`;
}

/** When the last sync succeeded, with the zone named: "Synced at 14:05 (Europe/Berlin)". */
export function syncedAtText(ms: number, zone: string): string {
  return `Synced at ${hourMinute(ms, zone)} (${zone})`;
}

/**
 * The status item's text: "Not connected", "Syncing…", "Synced at 14:05 (UTC)", "Offline", each
 * followed by " · N entries waiting" while the server lacks local entries.
 */
export function syncLabel(status: SyncStatus | null, zone: string): string {
  if (!status || status.state === 'off') return 'Not connected';
  let text: string;
  switch (status.state) {
    case 'syncing':
      text = 'Syncing…';
      break;
    case 'synced':
      text = status.synced_at_ms === null ? 'Synced' : syncedAtText(status.synced_at_ms, zone);
      break;
    default:
      text = 'Offline';
  }
  return status.waiting > 0 ? `${text} · ${waitingText(status.waiting)}` : text;
}

export function syncTone(status: SyncStatus | null): SyncTone {
  switch (status?.state) {
    case 'synced':
      return status.waiting > 0 ? 'busy' : 'ok';
    case 'syncing':
      return 'busy';
    case 'offline':
      return 'warn';
    default:
      return 'off';
  }
}

/** The item's tooltip: server, user, last success and why the last attempt failed. */
export function syncDetail(status: SyncStatus | null, zone: string): string {
  if (!status || status.server === null)
    return 'Not connected to a sync server: everything stays on this laptop';
  const parts = [`${status.user ?? '(logged out)'} at ${status.server}`];
  if (status.state === 'off') parts.push('logged out: log in again to sync');
  if (status.state === 'offline' && status.synced_at_ms !== null)
    parts.push(`last ${syncedAtText(status.synced_at_ms, zone).toLowerCase()}`);
  if (status.last_error) parts.push(`${status.last_error.message} [${status.last_error.code}]`);
  if (status.evidence_error)
    parts.push(
      `sync alerts could not be read: ${status.evidence_error.message} [${status.evidence_error.code}]`,
    );
  const clock = clockOffsetText(status.clock_offset_ms);
  if (clock) parts.push(clock);
  return parts.join(' — ');
}

/** "Your clock is 7 min ahead of the server" (only from one minute on). */
export function clockOffsetText(offsetMs: number | null): string | null {
  if (offsetMs === null || Math.abs(offsetMs) < 60_000) return null;
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  const amount = minutes >= 120 ? `${Math.round(minutes / 60)} h` : `${minutes} min`;
  return `Your clock is ${amount} ${offsetMs > 0 ? 'ahead of' : 'behind'} the server`;
}

/** Whether an incident's sync evidence calls for the red banner. */
export function hasEvidence(e: SyncEvidence | null): boolean {
  return !!e && e.alerts.length + e.conflicts.length > 0;
}

/** A server URL check before anything is sent (the backend checks again). */
export function serverUrlProblem(url: string): string | null {
  const u = url.trim();
  if (u === '') return 'The server URL is needed, e.g. http://10.0.0.5:7373';
  if (!/^https?:\/\/[^\s/]+/i.test(u))
    return 'The server URL starts with http:// (e.g. http://10.0.0.5:7373)';
  return null;
}

/** The heading of one server alert in the evidence banner. */
export function alertTitle(kind: string): string {
  switch (kind) {
    case 'fork':
      return 'Fork';
    case 'equivocation':
      return 'Equivocation';
    case 'clock_ahead':
      return 'Clock far ahead';
    default:
      return kind;
  }
}

/** Whether the evidence is only about entries whose clock was far ahead (no second history). */
export function onlyClockEvidence(alerts: { kind: string }[], conflicts: { reason: string }[]): boolean {
  return (
    alerts.every((a) => a.kind === 'clock_ahead') && conflicts.every((c) => c.reason === 'ingest.clock_ahead')
  );
}
