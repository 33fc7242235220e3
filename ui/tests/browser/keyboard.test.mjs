// Keyboard: the command palette (Ctrl K), the wallboard (w, Esc), two-key navigation (g r),
// help (?), search (/), and shortcuts staying out of the way while typing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectCount, expectFocused, expectText, useBrowser, withApp } from './helpers.mjs';

useBrowser();

const seed = {
  incidents: [
    {
      title: 'Ransomware on imaging servers',
      severity: 'sev1',
      openedMinutesAgo: 30,
      steps: [
        { minutesAgo: 29, do: 'assign_role', input: { position: 'technical-lead', person: 'Bob' } },
        { minutesAgo: 20, do: 'add_note', input: { text: 'PACS viewers show a ransom note' } },
      ],
    },
  ],
};

test(
  'Ctrl+K opens the palette; "status" + Enter opens the status form; Esc closes it',
  withApp({ seed }, async ({ page, byTestId }) => {
    await expectText(byTestId('timeline-count'), /^5 entries/);
    await page.keyboard.press('Control+k');
    await expectFocused(page, 'palette-input');
    await page.keyboard.type('status');
    const shown = page.locator('[data-testid^="palette-"]:not([data-testid="palette-input"])');
    await expectCount(shown, 2);
    assert.deepEqual(await shown.evaluateAll((els) => els.map((e) => e.dataset.testid)), [
      'palette-status',
      'palette-go:prompts',
    ]);
    await expectText(byTestId('palette-status'), 'Post a status update s');
    assert.match((await byTestId('palette-status').getAttribute('class')) ?? '', /\bselected\b/);
    await page.keyboard.press('Enter');

    await byTestId('status-form').waitFor();
    await expectCount(byTestId('palette-input'), 0);
    // For the first position owing an update, with the first field focused.
    assert.equal(await byTestId('status-position').inputValue(), 'technical-lead');
    await expectFocused(page, 'status-conditions');
    await page.keyboard.press('Escape');
    await expectCount(byTestId('status-form'), 0);

    // The palette also closes with Esc, and it works while typing in a field.
    await page.keyboard.press('n');
    await expectFocused(page, 'quick-note');
    await page.keyboard.press('Control+k');
    await expectFocused(page, 'palette-input');
    await page.keyboard.press('Escape');
    await expectCount(byTestId('palette-input'), 0);
  }),
);

test(
  'w shows the wallboard, Esc leaves it; g r goes to the roster; ? shows help; / searches',
  withApp({ seed }, async ({ page, byTestId }) => {
    await expectText(byTestId('timeline-count'), /^5 entries/);
    await page.keyboard.press('w');
    const wallboard = byTestId('wallboard');
    await wallboard.waitFor();
    await expectText(byTestId('wallboard-ic'), 'Incident Commander: Alice');
    await expectText(wallboard, /Ransomware on imaging servers/);
    await expectText(wallboard, /SEV1/);
    await expectText(wallboard, /Technical Lead \d+:\d\d/); // a countdown
    await expectText(wallboard, /\d\d:\d\d PACS viewers show a ransom note/);
    assert.equal(await page.getByRole('navigation', { name: 'Screens' }).count(), 0);
    await page.keyboard.press('Escape');
    await expectCount(wallboard, 0);
    await page.getByRole('navigation', { name: 'Screens' }).waitFor();

    await page.keyboard.press('g');
    await page.keyboard.press('r');
    await byTestId('roster').waitFor();
    await expectText(byTestId('nav-roster'), 'Roster');
    assert.match((await byTestId('nav-roster').getAttribute('class')) ?? '', /\bactive\b/);

    await page.keyboard.press('Shift+?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expectText(help, /Ctrl K Command palette/);
    await page.keyboard.press('Escape');
    await expectCount(help, 0);

    await page.keyboard.press('/');
    await expectFocused(page, 'timeline-search');
  }),
);

test(
  'typing w, n or g in a field types the letter and runs no shortcut',
  withApp({ seed }, async ({ page, byTestId }) => {
    await page.keyboard.press('n');
    await expectFocused(page, 'quick-note');
    await page.keyboard.type('wgn');
    assert.equal(await byTestId('quick-note').inputValue(), 'wgn');
    assert.equal(await byTestId('wallboard').count(), 0);
    await byTestId('timeline-count').waitFor();
  }),
);

test(
  'Ctrl + and Ctrl − zoom the whole console, Ctrl 0 resets; the level is kept after a restart',
  withApp({ seed }, async ({ page, byTestId }) => {
    await expectText(byTestId('timeline-count'), /^5 entries/);
    const zoom = () => page.evaluate(() => document.documentElement.style.getPropertyValue('zoom') || '1');
    const titleHeight = () => byTestId('incident-title').evaluate((el) => el.getBoundingClientRect().height);
    const before = await titleHeight();
    await page.keyboard.press('Control+=');
    await page.keyboard.press('Control+=');
    assert.equal(await zoom(), '1.25');
    await expectText(byTestId('toast-ok').last(), 'Zoom 125 % (Ctrl 0 resets)');
    assert.ok((await titleHeight()) > before * 1.2, 'the header grew with the zoom');

    await page.reload();
    await expectText(byTestId('timeline-count'), /^5 entries/);
    assert.equal(await zoom(), '1.25');

    await page.keyboard.press('Control+-');
    assert.equal(await zoom(), '1.1');
    await page.keyboard.press('Control+0');
    assert.equal(await zoom(), '1');
    await expectText(byTestId('toast-ok').last(), 'Zoom 100 %');
    // Listed by ?.
    await page.keyboard.press('?');
    await expectText(
      page.getByRole('dialog', { name: 'Keyboard shortcuts' }),
      /Ctrl \+ · Ctrl − · Ctrl 0 Zoom in · out · back to 100 %/,
    );
  }),
);
