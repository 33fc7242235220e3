import { describe, expect, it } from 'vitest';
import type { AlertView } from '../../src/lib/bindings';
import { activeAlerts, alertState, alertSummary, lateness, roughSpan } from '../../src/lib/alerts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.UTC(2026, 11, 2, 6, 0);

function alert(key: string, over: Partial<AlertView> = {}): AlertView {
  return {
    key,
    kind: 'status_update',
    what: `${key} status update`,
    who: 'Dana',
    shows_from_ms: T0,
    due_ms: T0,
    due_text: '',
    late_from_ms: T0 + 10 * MINUTE,
    position: key,
    rule: null,
    ...over,
  };
}

describe('activeAlerts', () => {
  it('keeps the items whose instant has come, in the order sent', () => {
    const soon = alert('deadline', { shows_from_ms: T0 + HOUR, due_ms: T0 + 25 * HOUR });
    const a = alert('scribe');
    const b = alert('technical-lead', { shows_from_ms: T0 + MINUTE, due_ms: T0 + MINUTE });
    expect(activeAlerts([a, b, soon], T0).map((x) => x.key)).toEqual(['scribe']);
    expect(activeAlerts([a, b, soon], T0 + HOUR).map((x) => x.key)).toEqual([
      'scribe',
      'technical-lead',
      'deadline',
    ]);
  });
});

describe('alertState and lateness', () => {
  const a = alert('scribe');

  it('is due from its due instant, late from its late instant', () => {
    expect(alertState(a, T0)).toBe('due');
    expect(lateness(a, T0 + 30_000)).toBe('due now');
    expect(lateness(a, T0 + 3 * MINUTE)).toBe('due 3 m ago');
    expect(alertState(a, a.late_from_ms)).toBe('late');
  });

  it('says how late, counted from when it was due', () => {
    expect(lateness(a, T0 + 2 * HOUR + 54 * MINUTE + 59_000)).toBe('2 h 54 m late');
    expect(lateness(a, T0 + 27 * HOUR)).toBe('1 d 3 h late');
  });

  it('counts down to a deadline not due yet', () => {
    const d = alert('deadline', {
      due_ms: T0 + 5 * HOUR + 12 * MINUTE,
      late_from_ms: T0 + 5 * HOUR + 12 * MINUTE + 1,
    });
    expect(alertState(d, T0)).toBe('soon');
    expect(lateness(d, T0)).toBe('due in 5 h 12 m');
  });
});

describe('roughSpan', () => {
  it('rounds down to minutes, hours and days', () => {
    expect(roughSpan(59_999)).toBe('under 1 m');
    expect(roughSpan(12 * MINUTE + 59_000)).toBe('12 m');
    expect(roughSpan(2 * 24 * HOUR)).toBe('2 d');
  });
});

describe('alertSummary', () => {
  it('counts the items by state', () => {
    const late = alert('scribe', { late_from_ms: T0 });
    const due = alert('technical-lead');
    const soon = alert('deadline', { due_ms: T0 + HOUR, late_from_ms: T0 + HOUR + 1 });
    expect(alertSummary([late, due, soon], T0)).toBe('3 alerts: 1 late, 1 due now, 1 due within 24 h');
    expect(alertSummary([late], T0)).toBe('1 alert: 1 late');
  });
});
