import { describe, expect, it } from 'vitest';
import { pagesFor, visibleRange } from '../../src/lib/virtual';

// The timeline's numbers: 58 px rows, pages of 200 rows.
const ROW = 58;
const PAGE = 200;
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
    expect(pagesFor({ first: 190, last: 210 }, PAGE)).toEqual([0, 1]);
    expect(pagesFor({ first: 49_990, last: 50_021 }, PAGE)).toEqual([249, 250]);
  });

  it('last is exclusive: a window ending at a boundary does not fetch the next page', () => {
    expect(pagesFor({ first: 180, last: 200 }, PAGE)).toEqual([0]);
    expect(pagesFor({ first: 200, last: 201 }, PAGE)).toEqual([1]);
  });

  it('the last page of 100k rows', () => {
    expect(pagesFor(visibleRange(COUNT * ROW - VIEW, VIEW, ROW, COUNT), PAGE)).toEqual([499]);
  });

  it('an empty window needs no page', () => {
    expect(pagesFor({ first: 0, last: 0 }, PAGE)).toEqual([]);
    expect(pagesFor({ first: 7, last: 3 }, PAGE)).toEqual([]);
  });
});
