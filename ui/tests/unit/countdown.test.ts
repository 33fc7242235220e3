import { describe, expect, it } from 'vitest';
import { isPast, span, until, urgency } from '../../src/lib/countdown';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('span', () => {
  it('shows days, hours and minutes once a day or more is left', () => {
    expect(span(2 * DAY + 3 * HOUR + 12 * MINUTE + 59 * SECOND)).toBe('2 d 03 h 12 m');
    expect(span(59 * DAY + 21 * HOUR)).toBe('59 d 21 h 00 m');
    expect(span(DAY)).toBe('1 d 00 h 00 m');
  });

  it('shows hours and minutes under a day, minutes and seconds under an hour', () => {
    expect(span(DAY - 1)).toBe('23 h 59 m');
    expect(span(5 * HOUR + 2 * MINUTE)).toBe('5 h 02 m');
    expect(span(HOUR)).toBe('1 h 00 m');
    expect(span(HOUR - 1)).toBe('59 m 59 s');
    expect(span(4 * MINUTE + 9 * SECOND)).toBe('4 m 09 s');
    expect(span(0)).toBe('0 m 00 s');
  });

  it('ignores the sign and rounds partial seconds down', () => {
    expect(span(-(5 * HOUR + 2 * MINUTE + 30 * SECOND))).toBe('5 h 02 m');
    expect(span(59_999)).toBe('0 m 59 s');
  });
});

describe('until', () => {
  const now = Date.UTC(2026, 10, 22, 14, 5);

  it('counts down to a future instant', () => {
    expect(until(now + 2 * DAY + 3 * HOUR + 12 * MINUTE, now)).toBe('in 2 d 03 h 12 m');
    expect(until(now + 90 * SECOND, now)).toBe('in 1 m 30 s');
  });

  it('counts up once it has passed', () => {
    expect(until(now - (5 * HOUR + 2 * MINUTE), now)).toBe('overdue by 5 h 02 m');
    expect(until(now - DAY - 1, now)).toBe('overdue by 1 d 00 h 00 m');
  });

  it('says "due now" within a second either side', () => {
    expect(until(now, now)).toBe('due now');
    expect(until(now + 999, now)).toBe('due now');
    expect(until(now - 999, now)).toBe('due now');
    expect(until(now + SECOND, now)).toBe('in 0 m 01 s');
    expect(until(now - SECOND, now)).toBe('overdue by 0 m 01 s');
  });

  it('changes every second as the clock ticks (a live countdown)', () => {
    const due = now + 2 * MINUTE;
    const shown = [0, 1, 2].map((s) => until(due, now + s * SECOND));
    expect(shown).toEqual(['in 2 m 00 s', 'in 1 m 59 s', 'in 1 m 58 s']);
  });
});

describe('isPast and urgency', () => {
  const now = 1_000_000_000;

  it('passes a full second after the instant', () => {
    expect(isPast(now, now)).toBe(false);
    expect(isPast(now - 999, now)).toBe(false);
    expect(isPast(now - SECOND, now)).toBe(true);
  });

  it('is overdue, soon (within a day, or the given span) or later', () => {
    expect(urgency(now - 2 * SECOND, now)).toBe('overdue');
    expect(urgency(now + 23 * HOUR, now)).toBe('soon');
    expect(urgency(now + DAY + 1, now)).toBe('later');
    expect(urgency(now + 45 * MINUTE, now, 30 * MINUTE)).toBe('later');
    expect(urgency(now + 20 * MINUTE, now, 30 * MINUTE)).toBe('soon');
  });
});
