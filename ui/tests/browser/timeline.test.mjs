// The timeline of a long incident (5,000 entries): counts, search, facets, order and
// virtualisation (only a screenful of rows in the DOM, pages fetched as you scroll).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually, expectText, useBrowser, withApp } from './helpers.mjs';

useBrowser();

const PHRASES = [
  'Pharmacy switched to paper orders',
  'Imaging backlog reviewed',
  'Vendor call scheduled',
  'Ward 4 reports printers down',
  'Backup tapes located',
];
const AUTHORS = [
  { person: 'Dana', position: 'scribe' },
  { person: 'Bob', position: 'technical-lead' },
  { person: 'Alice', position: 'incident-commander' },
];
// 3 opening entries + 2 assignments + 4,995 notes = 5,000.
const NOTES = 4995;
const TOTAL = 5000;
const notesWhere = (pred) => Array.from({ length: NOTES }, (_, i) => i).filter(pred).length;

const seed = {
  incidents: [
    {
      title: 'Network outage',
      severity: 'sev2',
      openedMinutesAgo: 600,
      steps: [
        { minutesAgo: 599, do: 'assign_role', input: { position: 'technical-lead', person: 'Bob' } },
        { minutesAgo: 598, do: 'assign_role', input: { position: 'scribe', person: 'Dana' } },
      ],
      bulk: { count: NOTES, fromMinutesAgo: 597, toMinutesAgo: 1, phrases: PHRASES, authors: AUTHORS },
    },
  ],
};

const rows = (byTestId) => byTestId('timeline-row');

test(
  'a 5,000-entry timeline: counts, search, filters, order and only a screenful of rows in the DOM',
  withApp({ seed }, async ({ page, byTestId }) => {
    const count = byTestId('timeline-count');
    const first = byTestId('row-summary').first();
    await expectText(count, `${TOTAL} entries · times in UTC`);
    await expectText(first, 'Entry 4995: Backup tapes located');

    // Virtualised: a few dozen rows exist, not 5,000.
    const inDom = await rows(byTestId).count();
    assert.ok(inDom > 5 && inDom < 100, `${inDom} timeline rows in the DOM`);

    // Oldest first puts the opening entry on top; back again.
    await byTestId('order-toggle').click();
    await expectText(first, 'Incident opened: Network outage');
    await expectText(byTestId('order-toggle'), 'Oldest first ↑');
    await byTestId('order-toggle').click();
    await expectText(first, 'Entry 4995: Backup tapes located');

    // Search: every word must appear (case-insensitive), "N of M".
    const pharmacy = notesWhere((i) => i % PHRASES.length === 0);
    await byTestId('timeline-search').fill('PHARMACY');
    await expectText(count, `${pharmacy} of ${TOTAL} entries · times in UTC`);
    await expectText(first, 'Entry 4991: Pharmacy switched to paper orders');
    // (Search also reads each entry's short id, eight random hex digits: "4991" alone could
    // match one, "4991:" only the note's text.)
    await byTestId('timeline-search').fill('pharmacy entry 4991:');
    await expectText(count, `1 of ${TOTAL} entries · times in UTC`);
    await byTestId('timeline-search').fill('no such words');
    await expectText(count, `0 of ${TOTAL} entries · times in UTC`);
    await expectText(page.locator('.viewport .empty'), 'No entry matches the filter.');
    assert.equal(await rows(byTestId).count(), 0);
    await byTestId('timeline-search').fill('');
    await expectText(count, `${TOTAL} entries · times in UTC`);

    // Author facet (with its count in the option), shown as a chip that removes it.
    const bob = notesWhere((i) => i % AUTHORS.length === 1);
    assert.equal(await byTestId('filter-author').locator('option[value="Bob"]').innerText(), `Bob (${bob})`);
    await byTestId('filter-author').selectOption('Bob');
    await expectText(count, `${bob} of ${TOTAL} entries · times in UTC`);
    await expectText(first, /^Entry \d+: /);
    assert.match(await rows(byTestId).first().innerText(), /Bob · Technical Lead/);

    // Kind and text combine with it.
    await byTestId('filter-kind').selectOption('note');
    await expectText(count, `${bob} of ${TOTAL} entries · times in UTC`);
    await byTestId('timeline-search').fill('vendor');
    const bobVendor = notesWhere((i) => i % AUTHORS.length === 1 && i % PHRASES.length === 2);
    await expectText(count, `${bobVendor} of ${TOTAL} entries · times in UTC`);
    await page.getByRole('button', { name: 'Bob ✕' }).click();
    const vendor = notesWhere((i) => i % PHRASES.length === 2);
    await expectText(count, `${vendor} of ${TOTAL} entries · times in UTC`);
    await page.getByRole('button', { name: 'Note ✕' }).click();
    await byTestId('timeline-search').fill('');
    await expectText(count, `${TOTAL} entries · times in UTC`);

    // Position facet: entries without a position can be kept by themselves ("none").
    await byTestId('filter-position').selectOption('scribe');
    const dana = notesWhere((i) => i % AUTHORS.length === 0);
    await expectText(count, `${dana} of ${TOTAL} entries · times in UTC`);
  }),
);

test(
  'scrolling to the end of 5,000 entries fetches the last page and keeps the DOM small',
  withApp({ seed }, async ({ byTestId, calls }) => {
    await expectText(byTestId('timeline-count'), `${TOTAL} entries · times in UTC`);
    const viewport = byTestId('timeline-viewport');
    // The list is as tall as all rows (58 px each), though only a few exist.
    const height = await viewport.evaluate((el) => el.scrollHeight);
    assert.ok(height >= TOTAL * 58, `scroll height ${height}`);

    await viewport.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expectText(byTestId('row-summary').last(), 'Incident opened: Network outage');
    const inDom = await rows(byTestId).count();
    assert.ok(inDom < 100, `${inDom} timeline rows in the DOM`);

    // The rows came from a page near the end, not from fetching everything.
    const queries = (await calls('timeline_query')).map((c) => c.args.query);
    assert.ok(
      queries.some((q) => q.offset >= 4800),
      `offsets ${queries.map((q) => q.offset)}`,
    );
    assert.ok(queries.every((q) => q.limit <= 200));

    // Halfway down: newest first, row 2,500 is entry 2,499 of the fold (5 before the notes),
    // that is note 2,494: "Entry 2495".
    await viewport.evaluate((el) => el.scrollTo(0, 2500 * 58));
    await eventually(async () => {
      const texts = await byTestId('row-summary').allInnerTexts();
      assert.ok(texts.includes('Entry 2495: Backup tapes located'), texts.slice(0, 3).join(' | '));
    });

    // Dragged through the whole list in half a second: the rows passed over are not fetched
    // (empty rows are drawn), and once it stops the rows where it stopped are.
    await viewport.evaluate((el) => el.scrollTo(0, 0));
    await expectText(byTestId('row-summary').first(), /Entry 4995/);
    const before = (await calls('timeline_query')).length;
    const frames = await viewport.evaluate(
      (el) =>
        new Promise((done) => {
          const start = performance.now();
          let n = 0;
          const step = (t) => {
            n++;
            // At most half way: a late last frame must not carry it past the middle.
            el.scrollTop = Math.min(1, (t - start) / 500) * (el.scrollHeight / 2);
            if (t - start < 500) requestAnimationFrame(step);
            else done(n);
          };
          requestAnimationFrame(step);
        }),
    );
    await eventually(async () => {
      const texts = await byTestId('row-summary').allInnerTexts();
      assert.ok(
        texts.some((t) => /^Entry 24\d\d:/.test(t)),
        texts.slice(0, 3).join(' | '),
      );
    });
    const during = (await calls('timeline_query')).length - before;
    assert.ok(frames >= 10, `${frames} frames`);
    assert.ok(during <= 3, `${during} page requests for a ${frames}-frame drag through 2,500 rows`);
  }),
);
