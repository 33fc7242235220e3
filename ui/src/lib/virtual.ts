// Windowing for the timeline: which rows are on screen and which pages of rows to fetch.

export interface Window {
  first: number;
  last: number; // exclusive
}

/** Rows visible in a viewport, plus `overscan` rows either side, clamped to [0, count). */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan = 10,
): Window {
  if (count <= 0 || rowHeight <= 0) return { first: 0, last: 0 };
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + viewportHeight) / rowHeight) + overscan);
  return { first, last: Math.max(first, last) };
}

/** Page numbers (of `pageSize` rows) that cover a window. */
export function pagesFor(win: Window, pageSize: number): number[] {
  if (win.last <= win.first) return [];
  const pages: number[] = [];
  for (let p = Math.floor(win.first / pageSize); p <= Math.floor((win.last - 1) / pageSize); p++)
    pages.push(p);
  return pages;
}

/** The page cache with `page` added, trimmed to the `max` pages nearest `centre` (the page in
 *  view), so scrolling through 100k rows does not keep them all in memory. A new object: the
 *  cache is replaced, never mutated, so it can be held without deep reactivity. */
export function withPage<T>(
  cache: Record<number, T>,
  page: number,
  rows: T,
  centre: number,
  max: number,
): Record<number, T> {
  const next: Record<number, T> = { ...cache, [page]: rows };
  const keys = Object.keys(next).map(Number);
  if (keys.length <= max) return next;
  keys.sort((a, b) => Math.abs(a - centre) - Math.abs(b - centre) || a - b);
  const kept: Record<number, T> = {};
  for (const k of keys.slice(0, max)) kept[k] = next[k] as T;
  return kept;
}
