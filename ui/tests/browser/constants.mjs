// Durations in milliseconds, shared by the browser tests and their helpers.
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
