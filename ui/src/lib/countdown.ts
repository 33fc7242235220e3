// Long countdowns for regulatory clocks and escalation steps (days away, not minutes): "in 2 d
// 03 h 12 m", "overdue by 5 h 02 m", "in 4 m 09 s". Pure: the caller passes `now` (the store's
// ticking clock), so the text changes every second without any data being fetched.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const two = (n: number) => String(n).padStart(2, '0');

/** "2 d 03 h 12 m", "5 h 02 m", "4 m 09 s", "0 m 00 s": a duration, sign ignored, rounded down. */
export function span(ms: number): string {
  const total = Math.floor(Math.abs(ms) / SECOND) * SECOND;
  const d = Math.floor(total / DAY);
  const h = Math.floor((total % DAY) / HOUR);
  const m = Math.floor((total % HOUR) / MINUTE);
  const s = Math.floor((total % MINUTE) / SECOND);
  if (d > 0) return `${d} d ${two(h)} h ${two(m)} m`;
  if (h > 0) return `${h} h ${two(m)} m`;
  return `${m} m ${two(s)} s`;
}

/** "in 2 d 03 h 12 m" before `dueMs`, "overdue by 5 h 02 m" after it, "due now" within a second. */
export function until(dueMs: number, nowMs: number): string {
  const left = dueMs - nowMs;
  if (Math.abs(left) < SECOND) return 'due now';
  return left > 0 ? `in ${span(left)}` : `overdue by ${span(left)}`;
}

/** Whether the instant has passed. */
export function isPast(dueMs: number, nowMs: number): boolean {
  return dueMs - nowMs <= -SECOND;
}

export type Urgency = 'overdue' | 'soon' | 'later';

/** For colouring a countdown: passed, due within `soonMs` (default 24 h), or later. */
export function urgency(dueMs: number, nowMs: number, soonMs = DAY): Urgency {
  if (isPast(dueMs, nowMs)) return 'overdue';
  return dueMs - nowMs <= soonMs ? 'soon' : 'later';
}
