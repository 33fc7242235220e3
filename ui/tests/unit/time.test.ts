import { describe, expect, it } from 'vitest';
import { clockSkewText, countdown, relative } from '../../src/lib/time';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

describe('countdown', () => {
  it('shows zero as 0:00', () => {
    expect(countdown(0)).toBe('0:00');
  });

  it('rounds partial seconds down, so 59.9 s still reads 0:59', () => {
    expect(countdown(59_900)).toBe('0:59');
    expect(countdown(59_999)).toBe('0:59');
    expect(countdown(MINUTE)).toBe('1:00');
  });

  it('pads seconds but not the leading minutes', () => {
    expect(countdown(5 * MINUTE + 7 * SECOND)).toBe('5:07');
    expect(countdown(12 * MINUTE + 5 * SECOND)).toBe('12:05');
  });

  it('switches to h:mm:ss at exactly one hour', () => {
    expect(countdown(HOUR - 1)).toBe('59:59');
    expect(countdown(HOUR)).toBe('1:00:00');
    expect(countdown(HOUR + 2 * MINUTE + 3 * SECOND)).toBe('1:02:03');
    expect(countdown(26 * HOUR)).toBe('26:00:00');
  });

  it('marks overdue (negative) time with a minus sign', () => {
    expect(countdown(-45 * SECOND)).toBe('-0:45');
    expect(countdown(-(HOUR + SECOND))).toBe('-1:00:01');
    // Half a second late is already shown as overdue, not as "0:00".
    expect(countdown(-500)).toBe('-0:00');
  });
});

describe('relative', () => {
  const now = Date.UTC(2026, 10, 22, 2, 14);

  it('says "just now" under half a minute either way', () => {
    expect(relative(now, now)).toBe('just now');
    expect(relative(now - 29 * SECOND, now)).toBe('just now');
    expect(relative(now + 29 * SECOND, now)).toBe('just now');
  });

  it('says "ago" for the past and "in" for the future', () => {
    expect(relative(now - 3 * MINUTE, now)).toBe('3 min ago');
    expect(relative(now + 12 * MINUTE, now)).toBe('in 12 min');
  });

  it('keeps minutes up to two hours (exactly one hour is 60 min)', () => {
    expect(relative(now - HOUR, now)).toBe('60 min ago');
    expect(relative(now - 119 * MINUTE, now)).toBe('119 min ago');
  });

  it('switches to hours from two hours', () => {
    expect(relative(now - 2 * HOUR, now)).toBe('2 h ago');
    expect(relative(now + 5 * HOUR, now)).toBe('in 5 h');
  });
});

describe('clockSkewText', () => {
  it('says how far and which way the author clock was off', () => {
    expect(clockSkewText(7 * 60_000)).toBe("author's clock was 7 min fast");
    expect(clockSkewText(-125 * 60_000)).toBe("author's clock was 2 h 5 min slow");
    // Flags start above the server's threshold (2 min by default); never "0 min".
    expect(clockSkewText(20_000)).toBe("author's clock was 1 min fast");
  });
});
