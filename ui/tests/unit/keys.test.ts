import { describe, expect, it } from 'vitest';
import { BINDINGS, KeySequence, SHORTCUT_HELP, isTypingTarget, keyName } from '../../src/lib/keys';

const key = (
  k: string,
  mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean }> = {},
) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods,
});

describe('keyName', () => {
  it('plain keys are lower-cased single characters', () => {
    expect(keyName(key('n'))).toBe('n');
    expect(keyName(key('N', { shiftKey: true }))).toBe('n');
    expect(keyName(key('?', { shiftKey: true }))).toBe('?');
    expect(keyName(key('/'))).toBe('/');
  });

  it('Ctrl and Cmd are the same modifier ("ctrl")', () => {
    expect(keyName(key('k', { ctrlKey: true }))).toBe('ctrl+k');
    expect(keyName(key('K', { metaKey: true }))).toBe('ctrl+k');
  });

  it('Alt is named, after ctrl', () => {
    expect(keyName(key('1', { altKey: true }))).toBe('alt+1');
    expect(keyName(key('k', { ctrlKey: true, altKey: true }))).toBe('ctrl+alt+k');
  });

  it('named keys keep their name', () => {
    expect(keyName(key('Escape'))).toBe('Escape');
    expect(keyName(key('Enter', { ctrlKey: true }))).toBe('ctrl+Enter');
  });
});

describe('isTypingTarget', () => {
  it('form fields are typing targets', () => {
    for (const tag of ['input', 'textarea', 'select']) {
      expect(isTypingTarget(document.createElement(tag))).toBe(true);
    }
  });

  it('buttons, divs, the document and nothing are not', () => {
    expect(isTypingTarget(document.createElement('button'))).toBe(false);
    expect(isTypingTarget(document.createElement('div'))).toBe(false);
    expect(isTypingTarget(document)).toBe(false);
    expect(isTypingTarget(window)).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });

  it('content-editable elements are typing targets', () => {
    // jsdom does not compute isContentEditable, so give the element the flag a browser would.
    const div = document.createElement('div');
    Object.defineProperty(div, 'isContentEditable', { value: true });
    expect(isTypingTarget(div)).toBe(true);
  });
});

describe('KeySequence', () => {
  it('single keys run their action at once', () => {
    const seq = new KeySequence(BINDINGS);
    expect(seq.feed('n', 0)).toBe('quick-note');
    expect(seq.feed('w', 10)).toBe('wallboard');
    expect(seq.feed('ctrl+k', 20)).toBe('palette');
    expect(seq.feed('?', 30)).toBe('help');
  });

  it('"g t" goes to the timeline: g waits, t completes', () => {
    const seq = new KeySequence(BINDINGS);
    expect(seq.feed('g', 1_000)).toBeNull();
    expect(seq.feed('t', 1_300)).toBe('go:timeline');
  });

  it('every g-sequence is bound', () => {
    const seq = new KeySequence(BINDINGS);
    const want: Record<string, string> = {
      i: 'go:incidents',
      t: 'go:timeline',
      r: 'go:roster',
      p: 'go:prompts',
      d: 'go:decisions',
      b: 'go:breach',
      s: 'go:systems',
    };
    for (const [second, action] of Object.entries(want)) {
      expect(seq.feed('g', 0)).toBeNull();
      expect(seq.feed(second, 100)).toBe(action);
    }
  });

  it('the second key still counts at exactly the timeout, not after', () => {
    const seq = new KeySequence(BINDINGS, 1200);
    seq.feed('g', 0);
    expect(seq.feed('t', 1200)).toBe('go:timeline');
    seq.feed('g', 5_000);
    expect(seq.feed('t', 6_201)).toBeNull(); // too late: "t" alone is not bound
  });

  it('after a timeout the second key acts alone (g … d is "record a decision")', () => {
    const seq = new KeySequence(BINDINGS);
    seq.feed('g', 0);
    expect(seq.feed('d', 5_000)).toBe('decision');
  });

  it('an unbound second key drops the sequence and acts alone', () => {
    const seq = new KeySequence(BINDINGS);
    seq.feed('g', 0);
    expect(seq.feed('w', 100)).toBe('wallboard');
    // The pending "g" is gone: "t" now is not a sequence.
    expect(seq.feed('t', 200)).toBeNull();
  });

  it('g g restarts the sequence', () => {
    const seq = new KeySequence(BINDINGS);
    expect(seq.feed('g', 0)).toBeNull();
    expect(seq.feed('g', 100)).toBeNull();
    expect(seq.feed('r', 200)).toBe('go:roster');
  });

  it('unbound keys do nothing', () => {
    const seq = new KeySequence(BINDINGS);
    expect(seq.feed('x', 0)).toBeNull();
    expect(seq.feed('Escape', 0)).toBeNull();
  });

  it('works with a custom table and timeout', () => {
    const seq = new KeySequence({ 'a b': 'ab', c: 'c' }, 100);
    expect(seq.feed('a', 0)).toBeNull();
    expect(seq.feed('b', 50)).toBe('ab');
    seq.feed('a', 0);
    expect(seq.feed('b', 101)).toBeNull();
  });
});

describe('the breach screens', () => {
  it('g b opens Breach and g s Systems; s alone still posts a status update', () => {
    const seq = new KeySequence(BINDINGS);
    expect(seq.feed('g', 0)).toBeNull();
    expect(seq.feed('b', 100)).toBe('go:breach');
    expect(seq.feed('g', 200)).toBeNull();
    expect(seq.feed('s', 300)).toBe('go:systems');
    expect(seq.feed('s', 400)).toBe('status');
    expect(BINDINGS['alt+6']).toBe('go:breach');
    expect(BINDINGS['alt+7']).toBe('go:systems');
  });

  it('are listed in the help', () => {
    const shown = SHORTCUT_HELP.map(([keys]) => keys);
    expect(shown).toContain('g b');
    expect(shown).toContain('g s');
  });
});

describe('the shortcut help', () => {
  it('lists a binding for each single-key shortcut it shows', () => {
    const shown = SHORTCUT_HELP.map(([keys]) => keys);
    for (const k of ['n', '/', 's', 'd', 'w', '?']) {
      expect(shown).toContain(k);
      expect(BINDINGS[k]).toBeTruthy();
    }
  });
});
