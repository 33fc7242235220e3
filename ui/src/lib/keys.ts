// Keyboard shortcuts: single keys and two-key sequences ("g t"), ignored while typing in a field
// (except those with Ctrl/Meta, which work everywhere).

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey?: boolean;
}

/** "ctrl+k", "g", "?" — the name a binding table uses. */
export function keyName(e: KeyLike): string {
  const mods = [(e.ctrlKey || e.metaKey) && 'ctrl', e.altKey && 'alt'].filter(Boolean);
  return [...mods, e.key.length === 1 ? e.key.toLowerCase() : e.key].join('+');
}

export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof target !== 'object' || !('tagName' in target)) return false;
  const el = target as HTMLElement;
  const tag = el.tagName.toLowerCase();
  return tag === 'input' || tag === 'textarea' || tag === 'select' || el.isContentEditable === true;
}

/** Resolves sequences: feed each key; returns the bound action when a binding completes. */
export class KeySequence {
  private pending: string | null = null;
  private pendingAt = 0;
  constructor(
    private readonly bindings: Record<string, string>,
    private readonly timeoutMs = 1200,
  ) {}

  feed(name: string, nowMs: number): string | null {
    if (this.pending && nowMs - this.pendingAt <= this.timeoutMs) {
      const seq = `${this.pending} ${name}`;
      this.pending = null;
      if (this.bindings[seq]) return this.bindings[seq] ?? null;
    }
    this.pending = null;
    if (Object.keys(this.bindings).some((k) => k.startsWith(`${name} `))) {
      this.pending = name;
      this.pendingAt = nowMs;
      return null;
    }
    return this.bindings[name] ?? null;
  }
}

export const BINDINGS: Record<string, string> = {
  'ctrl+k': 'palette',
  'g i': 'go:incidents',
  'g t': 'go:timeline',
  'g r': 'go:roster',
  'g p': 'go:prompts',
  'g d': 'go:decisions',
  'g b': 'go:breach',
  'g s': 'go:systems',
  'alt+1': 'go:incidents',
  'alt+2': 'go:timeline',
  'alt+3': 'go:roster',
  'alt+4': 'go:prompts',
  'alt+5': 'go:decisions',
  'alt+6': 'go:breach',
  'alt+7': 'go:systems',
  w: 'wallboard',
  n: 'quick-note',
  '/': 'search',
  s: 'status',
  d: 'decision',
  '?': 'help',
  'alt+s': 'sync',
  a: 'alerts',
  'alt+a': 'acting',
  'ctrl+=': 'zoom-in',
  'ctrl++': 'zoom-in',
  'ctrl+-': 'zoom-out',
  'ctrl+0': 'zoom-reset',
};

export const SHORTCUT_HELP: [string, string][] = [
  ['Ctrl K', 'Command palette'],
  ['n', 'Write a timeline note'],
  ['/', 'Search the timeline'],
  ['s', 'Post a status update'],
  ['d', 'Record a decision'],
  ['g i · g t · g r · g p · g d', 'Incidents · Timeline · Roster · Prompts · Decisions'],
  ['g b', 'Breach: scope, classification, regulatory clocks, escalation'],
  ['g s', 'Systems (HICS 251): register, isolation impact, sign-off'],
  ['Alt 1 … Alt 7', 'The same screens (Alt 6 Breach, Alt 7 Systems)'],
  ['a', 'Alerts: what is late or due, the most late first (arrows move, Enter opens)'],
  ['w', 'Wallboard (Esc to leave)'],
  ['Alt A', 'Change who is acting at this laptop (who signs the entries)'],
  ['Alt S', 'Sync: log in to the server, share the incident, sync now'],
  ['Ctrl + · Ctrl − · Ctrl 0', 'Zoom in · out · back to 100 %'],
  ['Tab · Shift Tab', 'Move between controls; Enter or Space acts'],
  ['Ctrl Enter', 'Submit the form you are in'],
  ['?', 'This help'],
];
