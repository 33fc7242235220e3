// Quick entry on the timeline: n focuses the note, Enter records it at the top.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectFocused, expectText, useBrowser, withApp } from './helpers.mjs';

useBrowser();

const seed = {
  incidents: [{ title: 'Ransomware on imaging servers', severity: 'sev1', openedMinutesAgo: 10 }],
};

test(
  'n focuses the quick note; Enter records it at the top of the timeline',
  withApp({ seed }, async ({ page, byTestId, calls }) => {
    await expectText(byTestId('timeline-count'), /^3 entries/);
    await page.keyboard.press('n');
    await expectFocused(page, 'quick-note');

    await page.keyboard.type('Generator 2 started, ED on backup power');
    await page.keyboard.press('Enter');

    await expectText(byTestId('row-summary').first(), 'Generator 2 started, ED on backup power');
    await expectText(byTestId('timeline-count'), /^4 entries/);
    await expectText(byTestId('timeline-row').first(), /Alice · Incident Commander · #[0-9a-f]{8}/);
    // Ready for the next note: empty and still focused.
    assert.equal(await byTestId('quick-note').inputValue(), '');
    await expectFocused(page, 'quick-note');

    // Shift Enter is a new line in the same note.
    await page.keyboard.type('Ward 4 printers down');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('Ward 5 printers down');
    await page.keyboard.press('Enter');
    await expectText(byTestId('timeline-count'), /^5 entries/);
    const notes = await calls('add_note');
    assert.deepEqual(
      notes.map((c) => c.args.input.text),
      ['Generator 2 started, ED on backup power', 'Ward 4 printers down\nWard 5 printers down'],
    );
    assert.equal(notes[0]?.args.input.occurred_at, null);
  }),
);

test(
  'a blank note adds nothing; a time the backend cannot read shows its error and keeps the note',
  withApp({ seed }, async ({ page, byTestId, calls }) => {
    await expectText(byTestId('timeline-count'), /^3 entries/);
    await page.keyboard.press('n');
    await expectFocused(page, 'quick-note');

    // Whitespace only: the screen does not send it (no call, no entry, no error).
    await page.keyboard.type('   ');
    await page.keyboard.press('Enter');
    await byTestId('quick-note-submit').click();
    assert.deepEqual(await calls('add_note'), []);
    await expectText(byTestId('timeline-count'), /^3 entries/);
    assert.equal(await byTestId('toast-error').count(), 0);

    // The backend refuses an unreadable "happened at": its reason is shown, nothing is added
    // and the text typed is still there to fix.
    await byTestId('quick-note').fill('Pharmacy switched to paper orders');
    await byTestId('quick-note-at').fill('banana');
    await byTestId('quick-note').press('Enter');
    // Said under the form, in words (the field's name, not its code), with the formats accepted.
    await expectText(
      byTestId('error-quick-note-error'),
      /^When it happened: Cannot read this as a time; write a time of day \(02:14\), a date and time \(2026-11-22 02:14\) or .*\.$/,
    );
    assert.equal(await byTestId('toast-error').count(), 0);
    await expectText(byTestId('timeline-count'), /^3 entries/);
    assert.equal(await byTestId('quick-note').inputValue(), 'Pharmacy switched to paper orders');
    assert.equal(await byTestId('row-summary').first().innerText(), 'Severity set to SEV1');

    // With a time of day it is recorded, and the row says when it happened.
    await byTestId('quick-note-at').fill('00:00');
    await byTestId('quick-note-submit').click();
    await expectText(byTestId('row-summary').first(), 'Pharmacy switched to paper orders');
    await expectText(
      byTestId('timeline-row').first().locator('.occurred'),
      /happened \d{4}-\d\d-\d\d 00:00:00 UTC/,
    );
    assert.equal(await byTestId('quick-note-at').inputValue(), '');
  }),
);
