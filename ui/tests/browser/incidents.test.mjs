// First start: no incidents, open one from the form, land on its timeline.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectCount, expectText, useBrowser, withApp } from './helpers.mjs';

useBrowser();

test(
  'first start offers the open form; opening an incident shows its title, SEV and opening entries',
  withApp({}, async ({ page, byTestId, calls }) => {
    // Nothing on this laptop yet: the Incidents screen, empty, with the form.
    await expectText(byTestId('no-incidents'), /No open incidents on this laptop/);
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
  'an incident without a title is not sent (the field is required)',
  withApp({}, async ({ byTestId, calls }) => {
    await byTestId('open-incident-submit').click();
    await expectText(byTestId('no-incidents'), /No open incidents/);
    assert.deepEqual(await calls('open_incident'), []);
  }),
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
      await expectText(byTestId('tab-open'), /Open\s+1/);
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
