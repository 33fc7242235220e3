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
