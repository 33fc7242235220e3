import { describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../src/lib/bindings';
import {
  alertTitle,
  clockOffsetText,
  hasEvidence,
  onlyClockEvidence,
  serverUrlProblem,
  syncDetail,
  syncLabel,
  syncTone,
  waitingText,
} from '../../src/lib/sync';

// 2026-11-22 13:05:00 UTC
const T = Date.UTC(2026, 10, 22, 13, 5, 0);

function status(patch: Partial<SyncStatus>): SyncStatus {
  return {
    state: 'synced',
    server: 'http://10.0.0.5:7373',
    user: 'amara',
    synced_at_ms: T,
    waiting: 0,
    alerts: 0,
    conflicts: 0,
    clock_offset_ms: 0,
    last_error: null,
    evidence_error: null,
    ...patch,
  };
}

describe('syncLabel', () => {
  it('says "Not connected" before the status is known and when logged out', () => {
    expect(syncLabel(null, 'UTC')).toBe('Not connected');
    expect(syncLabel(status({ state: 'off', server: null, user: null }), 'UTC')).toBe('Not connected');
  });

  it('names the zone of the time it was synced at, in the viewer’s zone', () => {
    expect(syncLabel(status({}), 'UTC')).toBe('Synced at 13:05 (UTC)');
    expect(syncLabel(status({}), 'Europe/Berlin')).toBe('Synced at 14:05 (Europe/Berlin)');
    expect(syncLabel(status({}), 'America/Chicago')).toBe('Synced at 07:05 (America/Chicago)');
  });

  it('adds what waits for the server, one entry or many', () => {
    expect(syncLabel(status({ waiting: 1 }), 'UTC')).toBe('Synced at 13:05 (UTC) · 1 entry waiting');
    expect(syncLabel(status({ state: 'offline', waiting: 12 }), 'UTC')).toBe('Offline · 12 entries waiting');
    expect(syncLabel(status({ state: 'offline' }), 'UTC')).toBe('Offline');
    expect(syncLabel(status({ state: 'syncing', waiting: 3 }), 'UTC')).toBe('Syncing… · 3 entries waiting');
  });

  it('does not show a count while logged out (nothing is being synced)', () => {
    expect(syncLabel(status({ state: 'off', waiting: 5 }), 'UTC')).toBe('Not connected');
  });

  it('falls back to UTC digits for a zone this browser does not know', () => {
    expect(syncLabel(status({}), 'Mars/Olympus_Mons')).toBe('Synced at 13:05 (Mars/Olympus_Mons)');
  });
});

describe('syncTone', () => {
  it('is ok only when synced with nothing waiting', () => {
    expect(syncTone(status({}))).toBe('ok');
    expect(syncTone(status({ waiting: 2 }))).toBe('busy');
    expect(syncTone(status({ state: 'syncing' }))).toBe('busy');
    expect(syncTone(status({ state: 'offline' }))).toBe('warn');
    expect(syncTone(status({ state: 'off' }))).toBe('off');
    expect(syncTone(null)).toBe('off');
  });
});

describe('syncDetail', () => {
  it('says when the sync alerts could not be read, rather than showing none', () => {
    const s = status({ evidence_error: { code: 'store.corrupt', message: 'sync_alerts: unreadable row' } });
    expect(syncDetail(s, 'UTC')).toContain(
      'sync alerts could not be read: sync_alerts: unreadable row [store.corrupt]',
    );
    expect(syncDetail(status({}), 'UTC')).not.toContain('could not be read');
  });

  it('explains the last failure with its code, and the last success while offline', () => {
    const s = status({
      state: 'offline',
      last_error: { code: 'sync.unreachable', message: 'cannot reach the sync server: refused' },
    });
    expect(syncDetail(s, 'UTC')).toBe(
      'amara at http://10.0.0.5:7373 — last synced at 13:05 (utc) — cannot reach the sync server: refused [sync.unreachable]',
    );
    expect(syncDetail(null, 'UTC')).toMatch(/^Not connected/);
  });
});

describe('clockOffsetText', () => {
  it('stays quiet under a minute and says which way beyond', () => {
    expect(clockOffsetText(null)).toBeNull();
    expect(clockOffsetText(59_000)).toBeNull();
    expect(clockOffsetText(7 * 60_000)).toBe('Your clock is 7 min ahead of the server');
    expect(clockOffsetText(-3 * 60 * 60_000)).toBe('Your clock is 3 h behind the server');
  });
});

describe('waitingText, hasEvidence, serverUrlProblem', () => {
  it('reads as people say it', () => {
    expect(waitingText(1)).toBe('1 entry waiting');
    expect(waitingText(0)).toBe('0 entries waiting');
    expect(hasEvidence(null)).toBe(false);
    expect(hasEvidence({ incident: 'x', alerts: [], conflicts: [] })).toBe(false);
    const alert = {
      kind: 'equivocation',
      description: 'two histories signed by one device key',
      device: '5eed5eed',
      seq: 4,
      pushed_by: 'bob',
      received_ms: T,
      received_text: '2026-11-22 13:05:00 UTC',
    };
    expect(hasEvidence({ incident: 'x', alerts: [alert], conflicts: [] })).toBe(true);
    expect(serverUrlProblem('')).toMatch(/needed/);
    expect(serverUrlProblem('10.0.0.5:7373')).toMatch(/http:\/\//);
    expect(serverUrlProblem(' http://10.0.0.5:7373 ')).toBeNull();
  });
});

describe('the evidence banner', () => {
  it('names each alert kind, the far-ahead clock included', () => {
    expect(alertTitle('fork')).toBe('Fork');
    expect(alertTitle('equivocation')).toBe('Equivocation');
    expect(alertTitle('clock_ahead')).toBe('Clock far ahead');
  });

  it('speaks of clocks only when every alert and set-aside entry is about a clock', () => {
    expect(onlyClockEvidence([{ kind: 'clock_ahead' }], [{ reason: 'ingest.clock_ahead' }])).toBe(true);
    expect(onlyClockEvidence([{ kind: 'clock_ahead' }, { kind: 'fork' }], [])).toBe(false);
    expect(onlyClockEvidence([], [{ reason: 'ingest.equivocation' }])).toBe(false);
  });
});
