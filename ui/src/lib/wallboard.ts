// The wallboard's presentation helpers: the wall clock's text, and fitting a list to the box the
// layout gives it (a wall screen never scrolls: what does not fit is counted, never cut).

/** "03:12:45" in the IANA `zone` (UTC when the zone is unknown to this browser). */
export function wallClock(ms: number, zone: string): string {
  try {
    return new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    }).format(ms);
  } catch {
    return new Date(ms).toISOString().slice(11, 19);
  }
}

/** "CST · America/Chicago", or just "UTC": the zone's abbreviation now, then its name. */
export function zoneText(abbreviation: string | undefined, zone: string | undefined): string {
  const parts = [abbreviation, zone].filter((p): p is string => !!p);
  return [...new Set(parts)].join(' · ') || 'UTC';
}

/**
 * How many of `bottoms` (each item's bottom edge, top to bottom) lie below `limit`: the items
 * to hide so that every shown one is whole. Half a pixel of rounding is forgiven.
 */
export function overflowing(bottoms: readonly number[], limit: number): number {
  const first = bottoms.findIndex((b) => b > limit + 0.5);
  return first === -1 ? 0 : bottoms.length - first;
}

/**
 * A Svelte action for a list whose box the layout sizes: shows the items that fit whole, hides
 * the rest and reports how many it hid (for a "+ 3 more" line kept outside the list). When not
 * even the first fits (one very long note), it shows the first item's whole lines that fit,
 * ending at a word with "…", rather than nothing. Measured again when the box resizes or the
 * list's content changes.
 */
export function fit(node: HTMLElement, onHidden: (hidden: number) => void) {
  let report = onHidden;
  let last = -1;
  const measure = () => {
    const items = Array.from(node.children) as HTMLElement[];
    for (const item of items) {
      item.hidden = false;
      item.classList.remove('clamped');
      item.style.removeProperty('-webkit-line-clamp');
    }
    const box = node.getBoundingClientRect();
    let hidden = overflowing(
      items.map((i) => i.getBoundingClientRect().bottom),
      box.bottom,
    );
    items.slice(items.length - hidden).forEach((i) => (i.hidden = true));
    const first = items[0];
    if (first && hidden === items.length) {
      first.hidden = false;
      hidden -= 1;
      const lineHeight = parseFloat(getComputedStyle(first).lineHeight) || 20;
      const lines = Math.max(
        1,
        Math.floor((box.bottom - first.getBoundingClientRect().top) / lineHeight) - 1,
      );
      first.classList.add('clamped');
      first.style.setProperty('-webkit-line-clamp', String(lines));
    }
    if (hidden !== last) {
      last = hidden;
      report(hidden);
    }
  };
  const resized = new ResizeObserver(measure);
  resized.observe(node);
  // Text changes (a countdown, a new entry) can change how many lines an item takes.
  const changed = new MutationObserver(measure);
  changed.observe(node, { childList: true, subtree: true, characterData: true });
  measure();
  return {
    update(next: (hidden: number) => void) {
      report = next;
    },
    destroy() {
      resized.disconnect();
      changed.disconnect();
    },
  };
}
