import { describe, expect, it } from 'vitest';
import type { PromptView } from '../../src/lib/bindings';
import { byUrgency, overdue, progress, promptState } from '../../src/lib/prompts';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 22, 2, 0);

/** A prompt for `slug` whose clock started at `since` and is due `minutes` later. */
function prompt(slug: string, since: number, minutes: number, graceMs = 20_000): PromptView {
  const due = since + minutes * MINUTE;
  return {
    position: { slug, title: slug },
    holders: [`holder of ${slug}`],
    interval_minutes: minutes,
    cadence_source: 'SEV2 default',
    last_report: null,
    since_ms: since,
    due_ms: due,
    due_text: '',
    escalate_ms: due + graceMs,
    snooze: null,
    snoozed_until_ms: null,
  };
}

describe('promptState', () => {
  const p = prompt('scribe', T0, 30);

  it('is waiting before the due time', () => {
    expect(promptState(p, T0)).toBe('waiting');
    expect(promptState(p, p.due_ms - 1)).toBe('waiting');
  });

  it('is due exactly at due_ms and until just before escalate_ms', () => {
    expect(promptState(p, p.due_ms)).toBe('due');
    expect(promptState(p, p.escalate_ms - 1)).toBe('due');
  });

  it('is overdue exactly at escalate_ms and after', () => {
    expect(promptState(p, p.escalate_ms)).toBe('overdue');
    expect(promptState(p, p.escalate_ms + 60 * MINUTE)).toBe('overdue');
  });

  it('is snoozed, not on time, while a snooze holds the due time back; then due', () => {
    const snoozed = { ...p, due_ms: p.due_ms + 15 * MINUTE, escalate_ms: p.escalate_ms + 15 * MINUTE };
    const held = { ...snoozed, snoozed_until_ms: snoozed.due_ms };
    expect(promptState(held, p.due_ms + MINUTE)).toBe('snoozed');
    expect(promptState(held, held.due_ms - 1)).toBe('snoozed');
    expect(promptState(held, held.due_ms)).toBe('due');
    expect(promptState(held, held.escalate_ms)).toBe('overdue');
  });
});

describe('byUrgency', () => {
  const now = T0 + 40 * MINUTE;
  const waitingSoon = prompt('waiting-soon', T0 + 20 * MINUTE, 30); // due at +50
  const waitingLater = prompt('waiting-later', T0 + 30 * MINUTE, 30); // due at +60
  const due = prompt('due', T0 + 10 * MINUTE, 30, 5 * MINUTE); // due at +40, escalates at +45
  const overdueOld = prompt('overdue-old', T0, 15); // due at +15
  const overdueNew = prompt('overdue-new', T0 + 5 * MINUTE, 15); // due at +20

  const snoozed = { ...prompt('snoozed', T0 + 25 * MINUTE, 30), snoozed_until_ms: T0 + 55 * MINUTE };

  it('puts overdue first, then due, then snoozed, then waiting by due time', () => {
    const sorted = byUrgency([waitingLater, snoozed, due, waitingSoon, overdueNew, overdueOld], now);
    expect(sorted.map((p) => p.position.slug)).toEqual([
      'overdue-old',
      'overdue-new',
      'due',
      'snoozed',
      'waiting-soon',
      'waiting-later',
    ]);
  });

  it('does not reorder the array it was given', () => {
    const input = [waitingLater, overdueOld];
    byUrgency(input, now);
    expect(input.map((p) => p.position.slug)).toEqual(['waiting-later', 'overdue-old']);
  });
});

describe('overdue', () => {
  it('keeps only the prompts past escalation (the ones escalated to the IC)', () => {
    const p = prompt('technical-lead', T0, 30);
    const q = prompt('scribe', T0 + 10 * MINUTE, 30);
    expect(overdue([p, q], p.due_ms)).toEqual([]); // due, not yet overdue
    expect(overdue([p, q], p.escalate_ms).map((x) => x.position.slug)).toEqual(['technical-lead']);
    expect(overdue([p, q], q.escalate_ms)).toHaveLength(2);
    expect(overdue([], T0)).toEqual([]);
  });
});

describe('progress', () => {
  const p = prompt('scribe', T0, 30);

  it('runs from 0 at the start of the interval to 1 at the due time', () => {
    expect(progress(p, T0)).toBe(0);
    expect(progress(p, T0 + 15 * MINUTE)).toBe(0.5);
    expect(progress(p, p.due_ms)).toBe(1);
  });

  it('goes past 1 when late (the bar is capped by the screen, not here)', () => {
    expect(progress(p, T0 + 45 * MINUTE)).toBe(1.5);
  });

  it('never goes below 0 when the clock is behind the start', () => {
    expect(progress(p, T0 - 5 * MINUTE)).toBe(0);
  });

  it('is full for an empty interval rather than dividing by zero', () => {
    expect(progress({ since_ms: T0, due_ms: T0 }, T0 - 1)).toBe(1);
  });
});
