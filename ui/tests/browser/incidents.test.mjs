// First start: no incidents, open one from the form, land on its timeline.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectCount, expectFocused, expectText, useBrowser, withApp } from './helpers.mjs';

useBrowser();

test(
  'first start offers the open form; opening an incident shows its title, SEV and opening entries',
  withApp({}, async ({ page, byTestId, calls }) => {
    // Nothing on this laptop yet: the Incidents screen, empty, with the form.
    await expectText(byTestId('no-incidents'), /No open incidents or drills on this laptop/);
    await byTestId('open-incident-form').waitFor();
    await expectText(page.locator('header .incident-title'), 'No incident selected');
    assert.equal(await byTestId('incident-title').count(), 0);
    // The severity list comes from the backend's AppInfo.
    const severities = await byTestId('incident-severity').locator('option').allInnerTexts();
    assert.deepEqual(
      severities.map((s) => s.split(' ')[0]),
      ['SEV1', 'SEV2', 'SEV3', 'SEV4'],
    );

    await byTestId('incident-title-input').fill('Ransomware on imaging servers');
    await byTestId('incident-severity').selectOption('sev1');
    await byTestId('open-incident-submit').click();

    // The header shows the incident, its severity and the commander (the operator by default).
    await expectText(byTestId('incident-title').locator('strong'), 'Ransomware on imaging servers');
    await expectText(byTestId('severity'), 'SEV1');
    await expectText(byTestId('current-ic'), 'IC: Alice');

    // The timeline shows the three opening entries, newest first.
    await expectCount(byTestId('timeline-row'), 3);
    const summaries = await byTestId('row-summary').allInnerTexts();
    assert.deepEqual(summaries, [
      'Severity set to SEV1',
      'Alice assigned as Incident Commander',
      'Incident opened: Ransomware on imaging servers',
    ]);
    await expectText(byTestId('timeline-count'), /^3 entries · times in UTC$/);

    const opened = await calls('open_incident');
    assert.deepEqual(opened[0]?.args, {
      input: {
        title: 'Ransomware on imaging servers',
        severity: 'sev1',
        drill: false,
        commander: null,
        description: null,
      },
    });

    // Back on the incident list it is listed as open, with its commander.
    await byTestId('nav-incidents').click();
    await expectCount(byTestId('incident-row'), 1);
    await expectText(byTestId('incident-row'), /Ransomware on imaging servers[\s\S]*SEV1[\s\S]*Alice/);
    await expectText(byTestId('tab-open'), /Open\s+1/);
  }),
);

test(
  'an incident without a title is not sent: the field says what to write, the example is a hint',
  withApp({}, async ({ page, byTestId, calls }) => {
    const title = byTestId('incident-title-input');
    assert.equal(await title.inputValue(), '');
    assert.match((await title.getAttribute('placeholder')) ?? '', /^e\.g\. /);
    await byTestId('open-incident-submit').click();
    await expectText(
      byTestId('error-incident-title-error'),
      'Write a title: what is affected, in a few words (up to 200 characters).',
    );
    await expectFocused(page, 'incident-title-input');
    await expectText(byTestId('no-incidents'), /No open incidents/);
    assert.deepEqual(await calls('open_incident'), []);
    // Spaces only: refused by the backend, said at the field in its words.
    await title.fill('   ');
    await byTestId('open-incident-submit').click();
    await expectText(byTestId('error-incident-title-error'), /^Write a title/);
    assert.deepEqual(await calls('open_incident'), []);
    // Typed: the message goes with the next try.
    await title.fill('Pharmacy robot offline');
    await byTestId('open-incident-submit').click();
    await expectText(byTestId('incident-title').locator('strong'), 'Pharmacy robot offline');
  }),
);

test(
  'the demo drill is listed as open; close it with a summary, reopen it with a reason',
  withApp(
    {
      // Closing and reopening are the commander's acts: the drill's commander (Dr. Okafor handed
      // command to Dr. Reyes) is at this laptop.
      operator: 'Dr. Luis Reyes',
      prepare: (session) => session.invoke('load_demo').then(() => {}),
    },
    async ({ page, byTestId, calls }) => {
      await byTestId('nav-incidents').click();
      await expectText(byTestId('incident-list-caption'), 'Open incidents and drills on this laptop');
      await expectText(byTestId('tab-open'), /Open\s+1/);
      await expectText(byTestId('incident-row'), /DRILL/);
      assert.equal(await byTestId('no-incidents').count(), 0);

      const panel = byTestId('close-reopen');
      await expectText(panel.locator('h2'), /^Close “.+” #[0-9a-f]{8}$/);
      await byTestId('close-reopen-submit').click();
      await expectText(byTestId('error-close-reopen-error'), /^Write the closing summary/);
      await expectFocused(page, 'close-reopen-text');
      assert.deepEqual(await calls('close_incident'), []);
      await byTestId('close-reopen-text').fill('PACS restored from backup; HL7 back at 06:10.');
      await byTestId('close-reopen-submit').click();
      await expectText(byTestId('toast-ok').last(), /^Incident #[0-9a-f]{8} closed$/);
      await expectText(byTestId('tab-closed'), /Closed\s+1/);
      await expectText(byTestId('no-incidents'), /No open incidents or drills/);
      await expectText(panel.locator('h2'), /^Reopen /);

      await byTestId('close-reopen-text').fill('Ransom note found on a second server');
      await byTestId('close-reopen-submit').click();
      await expectText(byTestId('toast-ok').last(), /^Incident #[0-9a-f]{8} reopened$/);
      await expectText(byTestId('tab-open'), /Open\s+1/);
      const closed = (await calls('close_incident')).map((c) => c.args.input.reason);
      assert.deepEqual(closed, ['PACS restored from backup; HL7 back at 06:10.']);
    },
  ),
);

test(
  'a seeded open incident is selected at start and the list offers the others',
  withApp(
    {
      seed: {
        incidents: [
          { title: 'Water leak in data centre', severity: 'sev3', openedMinutesAgo: 30 },
          { title: 'Tabletop exercise', drill: true, openedMinutesAgo: 300, commander: 'Bob' },
        ],
      },
    },
    async ({ byTestId }) => {
      // The current incident's timeline, not the list.
      await expectText(byTestId('incident-title').locator('strong'), 'Water leak in data centre');
      await expectText(byTestId('severity'), 'SEV3');
      await byTestId('nav-incidents').click();
      // The drill is open too: listed with the incidents, marked DRILL.
      await expectText(byTestId('tab-open'), /Open\s+2/);
      await expectText(byTestId('tab-drills'), /Drills\s+1/);
      await byTestId('tab-drills').click();
      await expectText(byTestId('incident-row'), /Tabletop exercise[\s\S]*DRILL[\s\S]*Bob/);
      // Selecting it switches the header.
      await byTestId('incident-row').click();
      await expectText(byTestId('incident-title').locator('strong'), 'Tabletop exercise');
      await expectText(byTestId('current-ic'), 'IC: Bob');
    },
  ),
);
