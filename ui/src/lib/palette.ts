// The command palette's matching: every word typed must start a word of the label (or appear
// in its keywords), so "st up" finds "Post a status update".

export interface PaletteAction {
  id: string;
  label: string;
  keywords?: string;
  shortcut?: string;
  run: () => void;
}

export function matches(action: Pick<PaletteAction, 'label' | 'keywords'>, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = `${action.label} ${action.keywords ?? ''}`.toLowerCase();
  const starts = hay.split(/[^a-z0-9]+/).filter(Boolean);
  return words.every((w) => starts.some((s) => s.startsWith(w)) || hay.includes(w));
}

export function filterActions<T extends Pick<PaletteAction, 'label' | 'keywords'>>(
  actions: T[],
  query: string,
): T[] {
  return actions.filter((a) => matches(a, query));
}
