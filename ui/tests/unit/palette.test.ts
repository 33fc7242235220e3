import { describe, expect, it } from 'vitest';
import { filterActions, matches } from '../../src/lib/palette';

const status = { label: 'Post a status update', keywords: 'report conditions actions needs' };
const decision = { label: 'Record a decision', keywords: 'decide' };
const timeline = { label: 'Go to timeline' };
const search = { label: 'Search the timeline', keywords: 'find filter' };

describe('matches', () => {
  it('an empty or blank query matches everything', () => {
    expect(matches(status, '')).toBe(true);
    expect(matches(status, '   ')).toBe(true);
  });

  it('each typed word may be the start of a word of the label', () => {
    expect(matches(status, 'status')).toBe(true);
    expect(matches(status, 'st up')).toBe(true);
    expect(matches(status, 'post upd')).toBe(true);
  });

  it('is case-insensitive', () => {
    expect(matches(status, 'STATUS')).toBe(true);
    expect(matches(decision, 'Record')).toBe(true);
  });

  it('finds an action by its keywords', () => {
    expect(matches(status, 'conditions')).toBe(true);
    expect(matches(decision, 'decide')).toBe(true);
  });

  it('needs every word to match', () => {
    expect(matches(status, 'status decision')).toBe(false);
    expect(matches(status, 'xyz')).toBe(false);
  });

  it('works for actions without keywords', () => {
    expect(matches(timeline, 'go tim')).toBe(true);
    expect(matches(timeline, 'decide')).toBe(false);
  });
});

describe('filterActions', () => {
  const all = [status, decision, timeline, search];

  it('keeps the matching actions in their order', () => {
    expect(filterActions(all, 'timeline')).toEqual([timeline, search]);
    expect(filterActions(all, 'status')).toEqual([status]);
  });

  it('returns all for an empty query and none for nonsense', () => {
    expect(filterActions(all, '')).toEqual(all);
    expect(filterActions(all, 'qqq')).toEqual([]);
  });
});
