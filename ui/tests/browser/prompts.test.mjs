// Status prompts: the alert area and the overdue badge, prompts pushed by the scheduler as the
// clock moves, answering with a status update from an alert and snoozing with a reason (snoozed
// is its own state, not "on time").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MINUTE, eventually, expectCount, expectText, useBrowser, withApp } from './helpers.mjs';

useBrowser();

const assign = (
  /** @type {number} */ minutesAgo,
  /** @type {string} */ position,
  /** @type {string} */ person,
) => ({
  minutesAgo,
  do: 'assign_role',
  input: { position, person },
});

// SEV2: an update every 30 min, escalated 10 min (a third, at most 10) after it falls due. At
// "now": Scribe due 20 min ago and Technical Lead 15 min ago (both overdue), Privacy Officer
// due 2 min ago (escalates in 8: due), Clinical Liaison due in 25 min (waiting).
const seed = {
  incidents: [
    {
      title: 'Ransomware on imaging servers',
      severity: 'sev2',
      openedMinutesAgo: 60,
      steps: [
        assign(50, 'scribe', 'Dana'),
        assign(45, 'technical-lead', 'Bob'),
        assign(32, 'privacy-officer', 'Pat'),
        assign(5, 'clinical-liaison', 'Erin'),
      ],
    },
  ],
};

/** The same incident, with the window opened 21 minutes before "now", when nothing was due yet. */
const NOW = Date.now();
const OPENED_AT = NOW - 21 * MINUTE;
const seedBeforeAnyDue = {
  incidents: [
    {
      ...seed.incidents[0],
      openedMinutesAgo: 60 - 21,
      steps: [
        assign(50 - 21, 'scribe', 'Dana'),
        assign(45 - 21, 'technical-lead', 'Bob'),
        assign(32 - 21, 'privacy-officer', 'Pat'),
      ],
    },
  ],
};

test(
  'late updates join the alert area, most late first; one is answered from it, another snoozed (snoozed, not on time)',
  withApp(
    { seed: seedBeforeAnyDue, now: OPENED_AT },
    async ({ byTestId, calls, invoke, incidents, setClock, received }) => {
      // Nothing is due yet: no alert area, nothing overdue.
      await expectText(byTestId('timeline-count'), /^6 entries/);
      await expectCount(byTestId('overdue-count'), 0);
      const alerts = byTestId('alert');
      await expectCount(byTestId('alert-area'), 0);

      // The clock moves on. Five minutes before "now" Erin is assigned (by Alice, at another
      // desk of the war room); the scheduler fires what fell due meanwhile, as toasts: Scribe and
      // Technical Lead overdue; at "now", Privacy Officer due.
      await setClock(NOW - 5 * MINUTE);
      await invoke(
        'assign_role',
        { input: { incident: incidents[0], position: 'clinical-liaison', person: 'Erin' } },
        { at: NOW - 5 * MINUTE },
      );
      await setClock(NOW);
      await expectCount(alerts, 3);
      const fired = await received('prompt-fired');
      assert.deepEqual(
        fired.map((p) => [p.position.slug, p.state]),
        [
          ['scribe', 'overdue'],
          ['technical-lead', 'overdue'],
          ['privacy-officer', 'due'],
        ],
      );
      await expectText(byTestId('toast-prompt').first(), /^Overdue: Scribe status update \(Dana\)$/);

      // One area, each update once, the most late first, saying how late (not since when).
      await expectText(byTestId('alerts-summary'), '3 alerts: 2 late, 1 due now');
      assert.deepEqual(await alerts.evaluateAll((els) => els.map((e) => [e.dataset.key, e.dataset.state])), [
        ['status_update:scribe', 'late'],
        ['status_update:technical-lead', 'late'],
        ['status_update:privacy-officer', 'due'],
      ]);
      await expectText(alerts.nth(0), 'Scribe status update Dana 20 m late');
      await expectText(alerts.nth(1), 'Technical Lead status update Bob 15 m late');
      await expectText(alerts.nth(2), 'Privacy Officer status update Pat due 2 m ago');
      // Alice commands: the late ones are escalated to her.
      await expectText(byTestId('alerts-escalated'), 'late updates are escalated to you, the commander');
      await expectText(byTestId('overdue-count'), '2');

      await byTestId('nav-prompts').click();
      const list = byTestId('prompt-list').locator(':scope > li');
      await expectCount(list, 4);
      // Most urgent first.
      assert.deepEqual(await list.evaluateAll((els) => els.map((e) => [e.dataset.testid, e.dataset.state])), [
        ['prompt-scribe', 'overdue'],
        ['prompt-technical-lead', 'overdue'],
        ['prompt-privacy-officer', 'due'],
        ['prompt-clinical-liaison', 'waiting'],
      ]);
      await expectText(byTestId('prompt-clinical-liaison').getByTestId('countdown'), /^2[45]:\d\d$/);
      await expectText(byTestId('prompt-clinical-liaison').getByTestId('prompt-state'), 'on time');
      await expectText(byTestId('prompt-technical-lead').getByTestId('countdown'), /^-1[45]:\d\d$/);
      await expectText(
        byTestId('prompt-technical-lead'),
        /Every 30 min \(SEV2 default\)[\s\S]*no update\s+yet/,
      );

      // Answer Bob's from the alert area: the form is for his position.
      await alerts.filter({ hasText: 'Technical Lead' }).click();
      assert.equal(await byTestId('status-position').inputValue(), 'technical-lead');
      await byTestId('status-conditions').fill('Imaging VLAN isolated');
      await byTestId('status-needs').fill('Backup restore window from the vendor');
      await byTestId('status-submit').click();
      await expectCount(byTestId('status-form'), 0);
      await expectText(byTestId('toast-ok'), 'Status update recorded');
      await expectText(byTestId('prompt-technical-lead'), /last update [\d-]+ [\d:]+ UTC by Alice/);
      assert.equal(await byTestId('prompt-technical-lead').getAttribute('data-state'), 'waiting');
      await expectText(byTestId('prompt-technical-lead').getByTestId('countdown'), /^(30:0\d|29:[45]\d)$/);
      await expectCount(alerts, 2);
      await expectText(byTestId('overdue-count'), '1');
      const posted = await calls('post_status');
      assert.deepEqual(posted[0]?.args.input, {
        incident: posted[0]?.args.input.incident,
        position: 'technical-lead',
        conditions: 'Imaging VLAN isolated',
        actions: '',
        needs: 'Backup restore window from the vendor',
      });

      // Snooze Dana's with a reason: recorded, shown on the card, snoozed (not "on time": it was
      // late when snoozed), out of the alert area until the snooze ends.
      const scribe = byTestId('prompt-scribe');
      await scribe.getByTestId('prompt-snooze').click();
      await scribe.getByTestId('snooze-minutes').fill('15');
      await scribe.getByTestId('snooze-reason').fill('Scribe in the ED triage huddle');
      await scribe.getByTestId('snooze-submit').click();
      await expectText(
        scribe,
        /snoozed 15 min by Alice: “Scribe in the ED triage huddle” — snoozed until [\d-]+ [\d:]+ UTC/,
      );
      await expectText(scribe.getByTestId('prompt-state'), 'snoozed');
      assert.equal(await scribe.getAttribute('data-state'), 'snoozed');
      await expectText(byTestId('toast-ok').last(), 'Snoozed 15 min (logged)');
      await expectCount(byTestId('overdue-count'), 0);
      await expectCount(byTestId('alerts-escalated'), 0);
      await expectCount(alerts, 1); // Pat's, still due
      const snoozes = await calls('snooze_prompt');
      assert.deepEqual(
        snoozes.map((c) => [c.args.input.position, c.args.input.minutes, c.args.input.reason]),
        [['scribe', 15, 'Scribe in the ED triage huddle']],
      );
      // The snooze ends: Dana's update is owed again, first in the area.
      await setClock(NOW + 16 * MINUTE);
      await eventually(async () => assert.equal(await scribe.getAttribute('data-state'), 'due'));
      await expectText(alerts.filter({ hasText: 'Scribe' }), 'Scribe status update Dana due 1 m ago');

      // The snooze is in the timeline too.
      await byTestId('nav-timeline').click();
      await expectText(
        byTestId('row-summary').first(),
        'Status update from Scribe snoozed 15 min: Scribe in the ED triage huddle',
      );
    },
  ),
);

test(
  'a snooze without a reason is refused by the form; an empty status update by the backend',
  withApp({ seed }, async ({ byTestId, calls }) => {
    await byTestId('nav-prompts').click();
    const scribe = byTestId('prompt-scribe');
    await scribe.getByTestId('prompt-snooze').click();
    await scribe.getByTestId('snooze-submit').click();
    await expectText(
      scribe.getByTestId('error-snooze-reason-error'),
      'Say why the update can wait (it goes in the log with the snooze).',
    );
    assert.deepEqual(await calls('snooze_prompt'), []);
    assert.equal(await scribe.getAttribute('data-state'), 'overdue');

    await scribe.getByTestId('prompt-answer').click();
    await byTestId('status-submit').click();
    await expectText(
      byTestId('toast-error'),
      'conditions: a status update needs at least one of conditions, actions or needs (got "")',
    );
    await byTestId('status-form').waitFor();
    assert.equal(await scribe.getAttribute('data-state'), 'overdue');
  }),
);

test(
  'a snooze of 0, negative, empty or 99,999 minutes is refused at the minutes field with the accepted range; nothing is written',
  withApp({ seed }, async ({ byTestId, calls, invoke, incidents }) => {
    const entries = async () =>
      (await invoke('list_incidents')).find((/** @type {{ id: string }} */ r) => r.id === incidents[0])
        .entry_count;
    const before = await entries();
    await byTestId('nav-prompts').click();
    const scribe = byTestId('prompt-scribe');
    await scribe.getByTestId('prompt-snooze').click();
    await scribe.getByTestId('snooze-reason').fill('Scribe in the ED triage huddle');
    const minutesError = scribe.getByTestId('error-snooze-minutes-error');
    // The range is the backend's: each refusal is its words, at the field, not a toast.
    for (const minutes of ['0', '-5', '', '99999']) {
      await scribe.getByTestId('snooze-minutes').fill(minutes);
      await scribe.getByTestId('snooze-submit').click();
      await expectText(minutesError, 'A snooze lasts between 1 and 240 minutes.');
      assert.equal(await scribe.getByTestId('snooze-minutes').getAttribute('aria-invalid'), 'true');
      assert.equal(await byTestId('toast-error').count(), 0);
    }
    assert.equal(await scribe.getAttribute('data-state'), 'overdue');
    assert.equal(await entries(), before);
    assert.equal((await calls('snooze_prompt')).length, 4);

    // Within the range it goes through, and the message is gone.
    await scribe.getByTestId('snooze-minutes').fill('15');
    await scribe.getByTestId('snooze-submit').click();
    await expectText(byTestId('toast-ok'), 'Snoozed 15 min (logged)');
    await expectText(scribe.getByTestId('prompt-state'), 'snoozed');
    await expectCount(scribe.getByTestId('snooze-form'), 0);
    assert.equal(await entries(), before + 1);
  }),
);
