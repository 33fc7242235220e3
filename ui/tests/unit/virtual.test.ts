import { describe, expect, it } from 'vitest';
import { pagesFor, visibleRange, withPage } from '../../src/lib/virtual';

// The timeline's numbers: 58 px rows, pages of 50 rows.
const ROW = 58;
const PAGE = 50;
const COUNT = 100_000;
const VIEW = 600;

describe('visibleRange', () => {
  it('at the top: the rows on screen plus the overscan below, nothing above 0', () => {
    // ceil(600 / 58) = 11 rows on screen, + 10 overscan.
    expect(visibleRange(0, VIEW, ROW, COUNT)).toEqual({ first: 0, last: 21 });
  });

  it('in the middle of 100k rows: a small window around the scroll position', () => {
    const win = visibleRange(50_000 * ROW, VIEW, ROW, COUNT);
    expect(win).toEqual({ first: 49_990, last: 50_021 });
    expect(win.last - win.first).toBeLessThan(50);
  });

  it('at the bottom: clamped to the last row', () => {
    const win = visibleRange(COUNT * ROW - VIEW, VIEW, ROW, COUNT);
    expect(win.last).toBe(COUNT);
    expect(win.first).toBe(Math.floor((COUNT * ROW - VIEW) / ROW) - 10);
  });

  it('never renders more than a screenful plus twice the overscan, wherever it is scrolled', () => {
    for (const top of [0, 1, 57, 58, 12_345, 2_900_000, COUNT * ROW - VIEW]) {
      const win = visibleRange(top, VIEW, ROW, COUNT);
      expect(win.first).toBeGreaterThanOrEqual(0);
      expect(win.last).toBeLessThanOrEqual(COUNT);
      expect(win.last - win.first).toBeLessThanOrEqual(Math.ceil(VIEW / ROW) + 1 + 2 * 10);
    }
  });

  it('overscan is configurable (0: exactly the rows in view)', () => {
    expect(visibleRange(5 * ROW, 3 * ROW, ROW, COUNT, 0)).toEqual({ first: 5, last: 8 });
    expect(visibleRange(5 * ROW, 3 * ROW, ROW, COUNT, 2)).toEqual({ first: 3, last: 10 });
  });

  it('a list shorter than the viewport shows every row', () => {
    expect(visibleRange(0, VIEW, ROW, 5)).toEqual({ first: 0, last: 5 });
  });

  it('no rows (or no row height): an empty window', () => {
    expect(visibleRange(0, VIEW, ROW, 0)).toEqual({ first: 0, last: 0 });
    expect(visibleRange(0, VIEW, 0, COUNT)).toEqual({ first: 0, last: 0 });
  });

  it('scrolled past the end (the list shrank): an empty window, not rows that do not exist', () => {
    const win = visibleRange(50_000 * ROW, VIEW, ROW, 100);
    expect(win.last - win.first).toBe(0);
    expect(pagesFor(win, PAGE)).toEqual([]);
  });
});

describe('pagesFor', () => {
  it('one page for the top of the list', () => {
    expect(pagesFor({ first: 0, last: 21 }, PAGE)).toEqual([0]);
  });

  it('two pages when the window straddles a page boundary', () => {
    expect(pagesFor({ first: 40, last: 60 }, PAGE)).toEqual([0, 1]);
    expect(pagesFor({ first: 49_990, last: 50_021 }, PAGE)).toEqual([999, 1000]);
  });

  it('last is exclusive: a window ending at a boundary does not fetch the next page', () => {
    expect(pagesFor({ first: 30, last: 50 }, PAGE)).toEqual([0]);
    expect(pagesFor({ first: 50, last: 51 }, PAGE)).toEqual([1]);
  });

  it('the last page of 100k rows', () => {
    expect(pagesFor(visibleRange(COUNT * ROW - VIEW, VIEW, ROW, COUNT), PAGE)).toEqual([1999]);
  });

  it('an empty window needs no page', () => {
    expect(pagesFor({ first: 0, last: 0 }, PAGE)).toEqual([]);
    expect(pagesFor({ first: 7, last: 3 }, PAGE)).toEqual([]);
  });
});

describe('withPage', () => {
  it('adds the page without touching the cache it was given', () => {
    const cache = { 0: 'a', 1: 'b' };
    expect(withPage(cache, 2, 'c', 2, 10)).toEqual({ 0: 'a', 1: 'b', 2: 'c' });
    expect(cache).toEqual({ 0: 'a', 1: 'b' });
  });

  it('keeps at most `max` pages, those nearest the page in view', () => {
    // Dragged from the top to page 1000: the top pages go, the ones around 1000 stay.
    let cache: Record<number, string> = {};
    for (const p of [0, 1, 2, 3, 998, 999, 1001]) cache = withPage(cache, p, `rows ${p}`, p, 4);
    const next = withPage(cache, 1000, 'rows 1000', 1000, 4);
    expect(Object.keys(next).map(Number)).toEqual([998, 999, 1000, 1001]);
    expect(next[1000]).toBe('rows 1000');
  });

  it('a tie in distance keeps the earlier page', () => {
    const next = withPage({ 4: 'x', 6: 'y' }, 5, 'z', 5, 2);
    expect(Object.keys(next).map(Number)).toEqual([4, 5]);
  });

  it('scrolling through the whole of 100k rows holds no more than `max` pages', () => {
    let cache: Record<number, number> = {};
    for (let p = 0; p < 2000; p++) cache = withPage(cache, p, p, p, 40);
    expect(Object.keys(cache).length).toBe(40);
    expect(Math.min(...Object.keys(cache).map(Number))).toBe(1960);
  });
});
