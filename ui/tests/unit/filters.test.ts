import { describe, expect, it } from 'vitest';
import { emptyFilter, isFiltered, kindLabel, toQuery, toggle } from '../../src/lib/filters';

describe('toQuery', () => {
  it('turns the empty filter into an unfiltered, newest-first query', () => {
    expect(toQuery('inc-1', emptyFilter(), 0, 200)).toEqual({
      incident: 'inc-1',
      newest_first: true,
      order: 'recorded',
      kinds: [],
      positions: [],
      authors: [],
      text: '',
      offset: 0,
      limit: 200,
    });
  });

  it('carries every filter, the order and the page', () => {
    const q = toQuery(
      'inc-2',
      {
        newestFirst: false,
        order: 'occurred',
        kinds: ['note', 'decision.recorded'],
        positions: ['scribe'],
        authors: ['Dana'],
        text: 'pharmacy',
      },
      400,
      200,
    );
    expect(q).toMatchObject({
      incident: 'inc-2',
      newest_first: false,
      order: 'occurred',
      kinds: ['note', 'decision.recorded'],
      positions: ['scribe'],
      authors: ['Dana'],
      text: 'pharmacy',
      offset: 400,
      limit: 200,
    });
  });

  it('trims the search text', () => {
    expect(toQuery('i', { ...emptyFilter(), text: '  imaging down \n' }, 0, 1).text).toBe('imaging down');
  });

  it('copies the lists, so later changes to the filter do not alter a query already sent', () => {
    const f = { ...emptyFilter(), kinds: ['note'] };
    const q = toQuery('i', f, 0, 1);
    f.kinds.push('status.update');
    expect(q.kinds).toEqual(['note']);
  });
});

describe('toggle', () => {
  it('adds a value that is missing, at the end', () => {
    expect(toggle(['note'], 'status.update')).toEqual(['note', 'status.update']);
  });

  it('removes a value that is present', () => {
    expect(toggle(['note', 'status.update'], 'note')).toEqual(['status.update']);
  });

  it('returns a new array and leaves the old one alone', () => {
    const list = ['note'];
    const next = toggle(list, 'note');
    expect(next).toEqual([]);
    expect(list).toEqual(['note']);
  });
});

describe('isFiltered', () => {
  it('is false for the empty filter, whatever the order', () => {
    expect(isFiltered(emptyFilter())).toBe(false);
    expect(isFiltered({ ...emptyFilter(), newestFirst: false })).toBe(false);
  });

  it('ignores whitespace-only search text', () => {
    expect(isFiltered({ ...emptyFilter(), text: '   ' })).toBe(false);
  });

  it('is true as soon as any facet or text is set', () => {
    expect(isFiltered({ ...emptyFilter(), text: 'x' })).toBe(true);
    expect(isFiltered({ ...emptyFilter(), kinds: ['note'] })).toBe(true);
    expect(isFiltered({ ...emptyFilter(), positions: ['none'] })).toBe(true);
    expect(isFiltered({ ...emptyFilter(), authors: ['Dana'] })).toBe(true);
  });
});

describe('kindLabel', () => {
  it('names known entry kinds for people and passes unknown ones through', () => {
    expect(kindLabel('note')).toBe('Note');
    expect(kindLabel('command.handover.offered')).toBe('Handover offered');
    expect(kindLabel('something.new')).toBe('something.new');
  });
});
