// Countdowns and durations for people. Pure: `now` is passed in.

/** "12:05", "1:02:03", "-0:45" (overdue), from milliseconds. */
export function countdown(ms: number): string {
  const negative = ms < 0;
  const total = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  const body = h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
  return negative ? `-${body}` : body;
}

/** "3 min ago", "in 12 min", "just now". */
export function relative(thenMs: number, nowMs: number): string {
  const diff = thenMs - nowMs;
  const minutes = Math.round(Math.abs(diff) / 60_000);
  if (minutes === 0) return 'just now';
  const text = minutes >= 120 ? `${Math.round(minutes / 60)} h` : `${minutes} min`;
  return diff < 0 ? `${text} ago` : `in ${text}`;
}

/** "author's clock was 7 min fast" / "... 2 h 5 min slow": a sync server's clock-skew flag. */
export function clockSkewText(skewMs: number): string {
  const minutes = Math.max(1, Math.round(Math.abs(skewMs) / 60_000));
  const size = minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
  return `author's clock was ${size} ${skewMs > 0 ? 'fast' : 'slow'}`;
}
