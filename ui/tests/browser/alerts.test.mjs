// The alert area on the demo incident: one list (each late update once), the most late first,
// saying how late; each item opens what resolves it; it folds to one line and stays folded; the
// keyboard reaches it (a, arrows, Enter); a regulatory deadline joins it 24 hours before it is due.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOUR, MINUTE } from './constants.mjs';
import { eventually, expectCount, expectText, useBrowser, withApp } from './helpers.mjs';

useBrowser();

/** "2 h 53 m late" -> 173 (minutes); "due 4 m ago" -> -4 (due, not late yet). */
function minutesLate(text) {
  const late = /(?:(\d+) d )?(?:(\d+) h )?(\d+) m late$/.exec(text);
  if (late) return Number(late[1] ?? 0) * 1440 + Number(late[2] ?? 0) * 60 + Number(late[3]);
  const due = /due (\d+) m ago$|due now$/.exec(text);
  assert.ok(due, `not a lateness: ${text}`);
  return -Number(due[1] ?? 0);
}

async function openDemo(page, invoke) {
  const opened = await invoke('load_demo', {});
  await page.reload();
  await page.getByTestId('timeline-row').first().waitFor();
  return opened.incident;
}

test(
  'the demo: one alert area, the most late first, each item once and saying how late; items open what resolves them',
  withApp(
    { operator: 'Dr. Luis Reyes', viewport: { width: 1366, height: 860 } },
    async ({ page, byTestId, invoke }) => {
      await openDemo(page, invoke);
      const area = byTestId('alert-area');
      const alerts = byTestId('alert');
      await expectText(byTestId('alerts-summary'), /^\d+ alerts: \d+ late, 1 due now$/);
      // The commander is the one acting: late updates are escalated to him, said once.
      await expectText(byTestId('alerts-escalated'), 'late updates are escalated to you, the commander');
      await expectCount(page.getByText('Escalated to you as incident commander'), 0);

      const items = await alerts.evaluateAll((els) =>
        els.map((e) => [e.dataset.key, e.textContent?.trim() ?? '']),
      );
      const keys = items.map(([k]) => k);
      assert.equal(new Set(keys).size, keys.length, `an item twice: ${keys}`);
      assert.ok(keys.includes('status_update:scribe'), `${keys}`);
      // Overdue escalation steps are in it too, not only deep in the Breach screen.
      assert.ok(keys.includes('escalation_step:clinical-leadership'), `${keys}`);
      const lateness = items.map(([, text]) => minutesLate(text));
      assert.deepEqual(
        lateness,
        [...lateness].sort((a, b) => b - a),
        `not the most late first: ${items.map(([, t]) => t).join(' | ')}`,
      );
      await expectText(
        alerts.filter({ hasText: 'Scribe status update' }),
        /^Scribe status update Søren Lindqvist \d h \d+ m late$/,
      );

      // It never takes more than ~15% of the window (it scrolls inside itself).
      const height = await area.evaluate((el) => el.getBoundingClientRect().height);
      assert.ok(height <= 860 * 0.15 + 1, `alert area ${height} px`);

      // A status update opens the status form for that position.
      await alerts.filter({ hasText: 'Scribe status update' }).click();
      assert.equal(await byTestId('status-position').inputValue(), 'scribe');
      await page.keyboard.press('Escape');
      await expectCount(byTestId('status-position'), 0);

      // An escalation step opens the Breach screen at that step.
      await alerts.filter({ hasText: 'Inform clinical leadership' }).click();
      const step = byTestId('step-clinical-leadership');
      await eventually(async () => assert.equal(await step.getAttribute('data-revealed'), ''));
      assert.ok(await step.isVisible());
      await expectText(byTestId('nav-breach'), /Breach/);
      assert.equal(await byTestId('nav-breach').getAttribute('class'), 'active');
    },
  ),
);

test(
  'the alert area folds to one line and stays folded after a restart; a, arrows and Enter reach its items',
  withApp(
    { operator: 'Dr. Luis Reyes', viewport: { width: 1024, height: 700 } },
    async ({ page, byTestId, invoke }) => {
      await openDemo(page, invoke);
      const area = byTestId('alert-area');
      const open = await area.evaluate((el) => el.getBoundingClientRect().height);
      await byTestId('alerts-toggle').click();
      assert.equal(await area.getAttribute('data-collapsed'), 'true');
      await expectCount(byTestId('alert'), 0);
      await expectText(byTestId('alerts-most-late'), /^Inform clinical leadership .* — \d h \d+ m late$/);
      const folded = await area.evaluate((el) => el.getBoundingClientRect().height);
      assert.ok(folded < 40 && folded < open, `folded ${folded} px, open ${open} px`);

      await page.reload();
      await page.getByTestId('timeline-row').first().waitFor();
      assert.equal(await byTestId('alert-area').getAttribute('data-collapsed'), 'true');

      // a: unfolds and puts the keyboard on the most late item; arrows move; Enter opens.
      await page.keyboard.press('a');
      assert.equal(await area.getAttribute('data-collapsed'), 'false');
      const focusedKey = () =>
        page.evaluate(() => /** @type {HTMLElement} */ (document.activeElement)?.dataset.key);
      await eventually(async () => assert.equal(await focusedKey(), 'escalation_step:clinical-leadership'));
      await page.keyboard.press('ArrowRight');
      assert.equal(await focusedKey(), 'status_update:scribe');
      await page.keyboard.press('Enter');
      assert.equal(await byTestId('status-position').inputValue(), 'scribe');
      // The shortcut is listed by ? (after closing the form).
      await page.keyboard.press('Escape');
      await page.keyboard.press('?');
      await expectText(
        page.getByRole('dialog', { name: 'Keyboard shortcuts' }),
        /Alerts: what is late or due, the most late first/,
      );
    },
  ),
);

test(
  'a regulatory deadline joins the alert area 24 hours before it is due and opens the Breach screen at it',
  withApp({ operator: 'Dr. Luis Reyes', now: Date.now() }, async ({ page, byTestId, invoke, setClock }) => {
    const incident = await openDemo(page, invoke);
    const board = await invoke('incident_board', { incident_ref: incident });
    const next = board.deadlines
      .filter((d) => d.due_ms !== null && d.status !== 'met' && d.status !== 'waived')
      .sort((a, b) => a.due_ms - b.due_ms)[0];
    assert.ok(next, 'the demo has an open deadline');
    const key = `deadline:${next.rule}`;
    const item = page.locator(`[data-testid=alert][data-key="${key}"]`);

    // A day and a minute before: not yet in the area.
    await setClock(next.due_ms - 24 * HOUR - MINUTE);
    await page.reload();
    await page.getByTestId('timeline-row').first().waitFor();
    await expectCount(item, 0);
    // Two hours before: in it, due soon.
    await setClock(next.due_ms - 2 * HOUR);
    await eventually(async () => assert.equal(await item.getAttribute('data-state'), 'soon'));
    await expectText(item.getByTestId('alert-lateness'), /^due in (2 h 0 m|1 h 59 m)$/);
    await expectText(item, new RegExp(`Notify ${next.recipient}`));
    await expectText(byTestId('alerts-summary'), /1 due within 24 h/);

    await item.click();
    const row = byTestId(`obligation-${next.rule}`);
    await eventually(async () => assert.equal(await row.getAttribute('data-revealed'), ''));

    // Half an hour past due: late, and says by how much.
    await setClock(next.due_ms + 30 * MINUTE);
    await eventually(async () => assert.equal(await item.getAttribute('data-state'), 'late'));
    await expectText(item.getByTestId('alert-lateness'), /^(30|29) m late$/);
  }),
);
