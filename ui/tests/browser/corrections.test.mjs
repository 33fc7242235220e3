// Corrections keep the original words on screen, and a row opens in full: amend "25 min" to
// "35 min" and both show, the original marked corrected with who, when and why; search finds
// either wording; the detail pane (click or Enter, Esc closes) shows every correction; the amend
// dialog says what is wrong at its field and writes nothing; the timeline orders by when things
// happened.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectFocused, expectText, useBrowser, withApp } from './helpers.mjs';

useBrowser();

const seed = {
  incidents: [
    {
      title: 'Ambulance diversion',
      severity: 'sev2',
      openedMinutesAgo: 30,
      steps: [
        { minutesAgo: 20, do: 'add_note', input: { text: 'Ambulance ETA 25 min', occurred_at: null } },
        {
          minutesAgo: 10,
          do: 'add_note',
          input: { text: 'Stroke team paged; CT 2 held for the inbound patient', occurred_at: null },
        },
      ],
    },
  ],
};

test(
  'an amended note shows its original words marked corrected; search and the detail pane find both',
  withApp({ seed, viewport: { width: 1024, height: 700 } }, async ({ page, byTestId, calls }) => {
    const eta = byTestId('timeline-row').filter({ hasText: 'Ambulance ETA' });
    await expectText(eta.getByTestId('row-summary'), 'Ambulance ETA 25 min');

    // A click opens the row in full; Amend there opens the dialog, its time field empty with
    // an example that reads as one.
    await eta.click();
    const pane = byTestId('entry-pane');
    await expectText(pane.getByTestId('entry-text'), 'Ambulance ETA 25 min');
    await expectFocused(page, 'entry-pane');
    await pane.getByTestId('entry-amend').click();
    const dialog = byTestId('correction-dialog');
    assert.equal(await dialog.getByTestId('correction-at').inputValue(), '');
    assert.match(
      (await dialog.getByTestId('correction-at').getAttribute('placeholder')) ?? '',
      /^e\.g\. 02:14/,
    );

    // No reason: said at the field, nothing written.
    await dialog.getByTestId('correction-text').fill('Ambulance ETA 35 min');
    await dialog.getByTestId('correction-submit').click();
    await expectText(
      byTestId('error-correction-reason-error'),
      /^Say why: the reason is kept with the correction/,
    );
    await expectFocused(page, 'correction-reason');
    // A time the backend cannot read: its reason in words at the time field, no code name.
    await dialog.getByTestId('correction-reason').fill('dispatch called back');
    await dialog.getByTestId('correction-at').fill('25:99');
    await dialog.getByTestId('correction-submit').click();
    const atError = await expectText(
      byTestId('error-correction-at-error'),
      /^Cannot read this as a time; write a time of day \(02:14\)/,
    );
    assert.doesNotMatch(atError, /occurred_at/);
    assert.equal(await byTestId('error-correction-reason-error').count(), 0);
    assert.equal(await byTestId('toast-error').count(), 0);
    await expectText(byTestId('timeline-count'), /^5 entries/);

    // Fixed: recorded. The row reads the new words and the original, marked corrected.
    await dialog.getByTestId('correction-at').fill('');
    await dialog.getByTestId('correction-submit').click();
    await expectText(byTestId('timeline-count'), /^6 entries/);
    assert.equal(await byTestId('correction-dialog').count(), 0);
    await expectText(eta.getByTestId('row-summary'), 'Ambulance ETA 35 min');
    await expectText(eta.getByTestId('row-original'), 'was: Ambulance ETA 25 min');
    await expectText(
      eta.getByTestId('row-correction'),
      /^amended by Alice, \d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? UTC \(#[0-9a-f]{8}\)$/,
    );
    assert.equal(await eta.getByTestId('row-correction').getAttribute('title'), 'Why: dispatch called back');

    // The pane, still open, shows both and the correction with who, when and why.
    await expectText(pane.getByTestId('entry-text'), 'Ambulance ETA 35 min');
    await expectText(pane.getByTestId('entry-original'), /As first written: Ambulance ETA 25 min/);
    await expectText(
      pane.getByTestId('entry-corrections'),
      /^Amended .* UTC by Alice \(Incident Commander\) · #[0-9a-f]{8} Why: dispatch called back New text: Ambulance ETA 35 min$/,
    );
    await expectText(pane, /Signed on this laptop · key [0-9a-f]{16}…/);
    const amended = (await calls('amend_note')).map((c) => c.args.input);
    assert.equal(amended.length, 2, 'the refused try and the recorded one');
    assert.equal(amended[1].occurred_at, null);
    await page.keyboard.press('Escape');
    assert.equal(await byTestId('entry-pane').count(), 0);
    await expectFocused(page, 'timeline-row');

    // Search finds it by the original words and by the new ones.
    for (const words of ['25 min', '35 min']) {
      await byTestId('timeline-search').fill(words);
      await expectText(byTestId('timeline-count'), '1 of 6 entries · times in UTC');
      await expectText(byTestId('row-summary'), 'Ambulance ETA 35 min');
    }
  }),
);

test(
  'Enter on a focused row opens it in full; Esc closes; a long entry reads whole there',
  withApp({ seed }, async ({ page, byTestId }) => {
    const long = 'Stroke team paged; CT 2 held for the inbound patient';
    const row = byTestId('timeline-row').filter({ hasText: 'Stroke team' });
    await row.focus();
    await page.keyboard.press('Enter');
    await expectText(byTestId('entry-pane').getByTestId('entry-text'), long);
    await expectText(byTestId('entry-pane'), /Recorded by Alice · Incident Commander/);
    await page.keyboard.press('Escape');
    assert.equal(await byTestId('entry-pane').count(), 0);
    // Retract from the pane: the row is struck through, the retraction listed with its reason.
    await row.focus();
    await page.keyboard.press('Enter');
    await byTestId('entry-retract').click();
    await byTestId('correction-reason').fill('wrong incident');
    await page.keyboard.press('Enter');
    await expectText(byTestId('entry-corrections'), /^Retracted .* by Alice .* Why: wrong incident$/);
    assert.equal(await byTestId('entry-retract').count(), 0, 'an entry is retracted once');
    await expectText(row.getByTestId('row-correction'), /^retracted by Alice/);
  }),
);

test(
  'the timeline orders by when things happened, an entry without a time counting as recorded',
  withApp(
    {
      seed: {
        incidents: [
          {
            title: 'Late notes',
            openedMinutesAgo: 30,
            steps: [
              {
                minutesAgo: 9,
                do: 'add_note',
                input: { text: 'Written first, about 02:00', occurred_at: null },
              },
              {
                minutesAgo: 5,
                do: 'add_note',
                input: { text: 'Backfilled: ED called at 01:00', occurred_at: '2020-01-01T01:00:00Z' },
              },
            ],
          },
        ],
      },
    },
    async ({ byTestId }) => {
      const first = byTestId('row-summary').first();
      await expectText(first, 'Backfilled: ED called at 01:00');
      await byTestId('order-by').selectOption('occurred');
      await expectText(first, 'Written first, about 02:00');
      await byTestId('order-toggle').click();
      await expectText(first, 'Backfilled: ED called at 01:00');
      await byTestId('order-by').selectOption('recorded');
      await expectText(first, /^Incident opened: Late notes/);
    },
  ),
);
