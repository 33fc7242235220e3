// Who is acting: a first launch asks for the operator's name and writes nothing until it is
// given (the demo can be loaded from there); every screen without an incident says what to do;
// changing who is acting is an explicit dialog (Alt A) shown in the header.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectCount, expectText, useBrowser, withApp } from './helpers.mjs';

useBrowser();

const OPEN = { input: { title: 'x', drill: false, description: null, commander: null, severity: 'sev2' } };

test(
  'a first launch asks who is at the laptop; nothing is written until a name is given; then every tab says what to do',
  withApp({ operator: null, waitForReady: false }, async ({ page, byTestId, invoke, calls }) => {
    await byTestId('welcome').waitFor();
    await expectText(page.locator('h1'), 'Who is at this laptop?');
    // No console behind it yet: no tabs, no "Acting as operator".
    await expectCount(byTestId('nav-timeline'), 0);
    await expectCount(byTestId('operator'), 0);
    // The backend refuses to sign anything for nobody.
    await assert.rejects(invoke('open_incident', OPEN), (e) => e.error?.code === 'state.no_operator');
    assert.deepEqual(await invoke('list_incidents', {}), []);

    // An empty name: a message at the field, nothing set.
    await byTestId('welcome-start').click();
    await expectText(byTestId('welcome-error'), /must not be empty/);
    assert.equal(await byTestId('welcome-name').getAttribute('aria-invalid'), 'true');
    await byTestId('welcome').waitFor();

    await byTestId('welcome-name').fill('Dr. Amara Okafor');
    await page.keyboard.press('Enter');
    await expectText(byTestId('operator'), /Acting as Dr\. Amara Okafor/);
    assert.deepEqual(
      (await calls('set_operator')).map((c) => c.args.name),
      ['', 'Dr. Amara Okafor'],
    );

    // With no incident, every tab says what it is for and offers the way to one.
    for (const screen of ['timeline', 'roster', 'prompts', 'decisions', 'breach', 'systems']) {
      await byTestId(`nav-${screen}`).click();
      const empty = byTestId('no-incident-screen');
      assert.equal(await empty.getAttribute('data-screen'), screen);
      await expectText(
        empty.locator('p').nth(1),
        /No incident is on this laptop yet: open one, or load the demo/,
      );
      await expectText(byTestId('no-incident-go'), /Open an incident\s*g i/);
    }
    await byTestId('no-incident-demo').click();
    await byTestId('timeline-row').first().waitFor();
    await expectText(byTestId('incident-title'), /DEMO/);
    // The entries are signed with the name given.
    const [demo] = await invoke('list_incidents', {});
    assert.ok(demo);
  }),
);

test(
  'the demo can be loaded from the first screen; Alt A changes who is acting, shown in the header',
  withApp({ operator: null, waitForReady: false }, async ({ page, byTestId, calls }) => {
    await byTestId('welcome-name').fill('Dr. Luis Reyes');
    await byTestId('welcome-demo').click();
    await byTestId('timeline-row').first().waitFor();
    await expectText(byTestId('operator'), /Acting as Dr\. Luis Reyes/);
    assert.equal((await calls('load_demo')).length, 1);

    await page.keyboard.press('Alt+a');
    const dialog = byTestId('acting-dialog');
    await expectText(byTestId('acting-now'), 'Dr. Luis Reyes');
    // Esc leaves it unchanged.
    await page.keyboard.press('Escape');
    await expectCount(dialog, 0);
    await expectText(byTestId('operator'), /Acting as Dr\. Luis Reyes/);

    await page.keyboard.press('Alt+a');
    await byTestId('operator-input').fill('   ');
    await byTestId('operator-save').click();
    await expectText(byTestId('operator-error'), /must not be empty/);
    await byTestId('operator-input').fill('Søren Lindqvist');
    await page.keyboard.press('Enter');
    await expectCount(dialog, 0);
    await expectText(byTestId('operator'), /Acting as Søren Lindqvist/);
    await expectText(byTestId('toast-ok').last(), 'You are now acting as Søren Lindqvist');
  }),
);
