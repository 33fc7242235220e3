// Reserved acts need the recorder's authority ("Trust nobody" 5): a scribe who names herself
// commander is kept in the timeline, marked not in force with the reason, and the header still
// names the real commander.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectText, useBrowser, withApp } from './helpers.mjs';

useBrowser();

const seed = {
  incidents: [
    {
      title: 'Ransomware on PACS',
      openedMinutesAgo: 30,
      steps: [
        { minutesAgo: 20, do: 'assign_role', input: { position: 'scribe', person: 'Mallory' } },
        {
          minutesAgo: 10,
          as: 'Mallory',
          do: 'assign_role',
          input: { position: 'incident-commander', person: 'Mallory' },
        },
      ],
    },
  ],
};

test(
  'a command assignment without authority is shown, marked not in force, and changes nothing',
  withApp({ seed, viewport: { width: 1024, height: 700 } }, async ({ byTestId }) => {
    await expectText(byTestId('current-ic'), /Alice/);
    const coup = byTestId('timeline-row').filter({ hasText: 'Mallory assigned as Incident Commander' });
    await expectText(coup.getByTestId('row-not-in-force'), 'not in force');
    const title = (await coup.getByTestId('row-not-in-force').getAttribute('title')) ?? '';
    assert.match(title, /Mallory was not in command: Alice commanded/);
    // The scribe's own assignment by the commander is in force: no badge.
    const scribe = byTestId('timeline-row').filter({ hasText: 'Mallory assigned as Scribe' });
    assert.equal(await scribe.getByTestId('row-not-in-force').count(), 0);
    // The detail pane says why, in words.
    await coup.click();
    await expectText(
      byTestId('entry-pane').getByTestId('entry-not-in-force'),
      'Mallory was not in command: Alice commanded',
    );
  }),
);
