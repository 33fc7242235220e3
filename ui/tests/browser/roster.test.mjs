// The roster and the command handover (offer with a briefing, accept as the person named), and
// the conflict banner when two incident commanders stand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import path from 'node:path';
import { MINUTE, expectCount, expectText, useBrowser, withApp } from './helpers.mjs';
import { Laptop } from './world.mjs';

useBrowser();

/** Changes "Acting as" in the header. */
async function actAs(byTestId, name) {
  await byTestId('operator').click();
  await byTestId('operator-input').fill(name);
  await byTestId('operator-save').click();
  await expectText(byTestId('operator'), `Acting as ${name}`);
}

test(
  'assign a Technical Lead; the IC offers command with a briefing and the incoming person accepts it',
  withApp(
    {
      seed: {
        incidents: [
          {
            title: 'Ransomware on imaging servers',
            openedMinutesAgo: 20,
            steps: [{ minutesAgo: 19, do: 'assign_role', input: { position: 'scribe', person: 'Dana' } }],
          },
        ],
      },
    },
    async ({ page, byTestId, calls }) => {
      await byTestId('nav-roster').click();
      await expectText(byTestId('roster-incident-commander').getByTestId('holder'), 'Alice');
      await expectText(byTestId('roster-scribe').getByTestId('holder'), 'Dana');
      assert.equal(await byTestId('roster-technical-lead').count(), 0);

      await byTestId('assign-position').selectOption('technical-lead');
      await byTestId('assign-person').fill('Bob');
      await byTestId('assign-submit').click();
      await expectText(byTestId('toast-ok').last(), 'Bob assigned');
      await expectText(byTestId('roster-technical-lead').getByTestId('holder'), 'Bob');
      assert.equal(await byTestId('assign-person').inputValue(), '');

      // Assigning him again is refused by the backend, and the message says why.
      await byTestId('assign-position').selectOption('technical-lead');
      await byTestId('assign-person').fill('Bob');
      await byTestId('assign-submit').click();
      await expectText(byTestId('error-assign-error'), /Bob already holds Technical Lead/);
      assert.equal(await byTestId('toast-error').count(), 0, 'said at the form, not in a corner');
      // Nobody named: said at the field, nothing sent.
      const assigns = (await calls('assign_role')).length;
      await byTestId('assign-person').fill('');
      await byTestId('assign-submit').click();
      await expectText(byTestId('error-assign-error'), /^Write who takes the position/);
      assert.equal((await calls('assign_role')).length, assigns);

      // Alice commands: she may offer command, with the situation and objectives.
      const panel = byTestId('handover-panel');
      await byTestId('handover-offer-form').waitFor();
      await byTestId('handover-to').fill('Carol');
      await byTestId('handover-situation').fill('Imaging encrypted; EHR unaffected so far');
      await byTestId('handover-objectives').fill('Keep the EHR isolated; restore PACS from backup');
      await byTestId('handover-offer').click();

      const briefing = byTestId('handover-briefing');
      await expectText(
        briefing.locator('p').first(),
        /^Alice offers command to Carol \(\d{4}-\d\d-\d\d [\d:]+ UTC\)$/,
      );
      const text = await briefing.innerText();
      assert.match(text, /Situation\s+Imaging encrypted; EHR unaffected so far/i);
      assert.match(text, /Objectives\s+Keep the EHR isolated; restore PACS from backup/i);
      assert.match(text, /Severity at handover: SEV2/);
      assert.match(text, /Organisation\s+Incident Commander: Alice\s+Scribe: Dana\s+Technical Lead: Bob/i);
      assert.match(text, /Decisions in force\s+None recorded\./i);
      assert.match(text, /Isolated systems\s+None isolated\./i);
      // The offer does not move command; Alice may withdraw it, not accept it.
      await expectText(byTestId('current-ic'), 'IC: Alice');
      await expectText(byTestId('handover-cancel'), 'Withdraw offer');
      assert.equal(await byTestId('handover-accept').count(), 0);

      // Someone else at the laptop only sees whom it waits for.
      await actAs(byTestId, 'Eve');
      await expectText(
        panel.getByText(/^Waiting for/),
        'Waiting for Carol to accept. Switch “Acting as” to Carol on this laptop if they are here.',
      );
      assert.equal(await byTestId('handover-accept').count(), 0);
      assert.equal(await byTestId('handover-cancel').count(), 0);

      // Carol, the person named, accepts: she commands.
      await actAs(byTestId, 'Carol');
      await expectText(byTestId('handover-cancel'), 'Decline');
      await byTestId('handover-accept').click();
      // Command belongs to a position: she confirms it is her signing (nothing is sent before).
      await expectText(
        byTestId('confirm-acting-who'),
        'You are signing as Carol, Incident Commander — confirm',
      );
      await expectText(byTestId('confirm-acting-act'), 'Accept command of this incident');
      assert.equal((await calls('accept_handover')).length, 0);
      // Esc cancels: nothing is signed, Alice still commands; asked again, Carol confirms.
      await page.keyboard.press('Escape');
      await expectCount(byTestId('confirm-acting'), 0);
      await expectText(byTestId('current-ic'), 'IC: Alice');
      assert.equal((await calls('accept_handover')).length, 0);
      await byTestId('handover-accept').click();
      await byTestId('confirm-acting-ok').click();
      await expectText(byTestId('current-ic'), 'IC: Carol');
      await expectText(byTestId('roster-incident-commander').getByTestId('holder'), 'Carol');
      await expectText(byTestId('handover-history'), /Alice → Carol — accepted/);
      // Now she is the one who may offer command.
      await byTestId('handover-offer-form').waitFor();
      assert.equal(await byTestId('handover-briefing').count(), 0);

      const accepts = await calls('accept_handover');
      assert.equal(accepts.length, 1);
      assert.equal(typeof accepts[0]?.args.incident_ref, 'string');

      // The timeline records the offer, the acceptance and the new assignment.
      // (Once the timeline has its rows: the real backend answers the query in its own time.)
      await byTestId('nav-timeline').click();
      await expectText(byTestId('row-summary').first(), 'Carol assigned as Incident Commander');
      const summaries = await byTestId('row-summary').allInnerTexts();
      assert.equal(summaries[0], 'Carol assigned as Incident Commander');
      assert.match(summaries[1] ?? '', /^Command handover #[0-9a-f]{8} accepted$/);
      assert.equal(
        summaries[2],
        'Command offered to Carol | Situation: Imaging encrypted; EHR unaffected so far',
      );
      await page.keyboard.press('w');
      await expectText(byTestId('wallboard-ic'), 'Incident Commander: Carol');
    },
  ),
);

test(
  'someone who does not command sees who does and cannot offer command',
  withApp(
    { operator: 'Eve', seed: { incidents: [{ title: 'Flooded basement', commander: 'Alice' }] } },
    async ({ byTestId }) => {
      await byTestId('nav-roster').click();
      await expectText(
        byTestId('handover-panel').locator('p').first(),
        'Alice commands this incident. Only they can offer command; you are acting as Eve.',
      );
      assert.equal(await byTestId('handover-offer-form').count(), 0);
    },
  ),
);

/**
 * Two laptops cut off from each other, each naming a commander with the authority to: this
 * installation (Alice's) opens the incident with Bob in command and Alice as his deputy, and
 * hands Bob's laptop a copy of the log on a USB stick (`muster export` / `muster import`); then
 * Alice, the deputy, assumes command here while Bob hands it to Carol there, neither seeing the
 * other's assignment; Bob's log comes back the same way. Both assignments supersede the opening
 * one and neither the other's: two commanders stand.
 * @param {import('./bridge.mjs').Session} session
 */
async function commandersNamedWhileCutOff(session) {
  const here = new Laptop('Alice', session.dataDir);
  const bob = new Laptop('Bob');
  const stick = (/** @type {string} */ name) => path.join(bob.home, name);
  const opened = await session.invoke(
    'open_incident',
    {
      input: {
        title: 'Ransomware on imaging servers',
        severity: 'sev2',
        drill: false,
        description: null,
        commander: 'Bob',
      },
    },
    { at: Date.now() - 30 * MINUTE },
  );
  // Alice is Bob's deputy: cut off, she assumes command (succession) while he hands it to Carol.
  const deputy = { incident: opened.incident, position: 'deputy-incident-commander', person: 'Alice' };
  await session.invoke('assign_role', { input: deputy }, { at: Date.now() - 28 * MINUTE });
  await here.run(['export', '--out', stick('from-alice.jsonl')]);
  await bob.run(['import', stick('from-alice.jsonl')]);
  await bob.run(['incident', 'use', opened.incident]);
  const input = { incident: opened.incident, position: 'incident-commander', person: 'Alice' };
  await session.invoke('assign_role', { input }, { at: Date.now() - 26 * MINUTE });
  await session.setClock(Date.now());
  await bob.run(['role', 'assign', 'incident-commander', 'Carol']);
  await bob.run(['export', '--out', stick('from-bob.jsonl')]);
  await here.run(['import', stick('from-bob.jsonl')]);
}

test(
  'two incident commanders: the conflict banner names both; "Keep Carol" resolves it',
  withApp(
    {
      // (The copy of the backend wrote a concurrent assignment directly; here it is made the
      // way it happens: on two laptops cut off from each other, whose logs then meet.)
      prepare: commandersNamedWhileCutOff,
    },
    async ({ byTestId, calls }) => {
      const banner = byTestId('conflict-banner');
      await expectText(banner, /^Two incident commanders stand/);
      await expectText(
        banner,
        /Alice\s+\(assigned [\d-]+ [\d:]+ UTC by Alice\)\s+Keep Alice\s+Carol\s+\(assigned [\d-]+ [\d:]+ UTC by Bob\)\s+Keep Carol/,
      );
      await expectText(byTestId('current-ic'), 'IC: CONFLICT');
      await byTestId('nav-roster').click();
      await expectText(byTestId('roster-incident-commander'), /Alice \/ Carol \(conflict\)/);
      await expectText(
        byTestId('handover-panel').locator('p').first(),
        /Two commanders stand \(Alice, Carol\)/,
      );

      await byTestId('resolve-Carol').click();
      await expectCount(banner, 0);
      await expectText(byTestId('current-ic'), 'IC: Carol');
      await expectText(
        byTestId('toast-ok'),
        'Carol confirmed as incident commander; the conflict is resolved',
      );
      await expectText(byTestId('roster-incident-commander').getByTestId('holder'), 'Carol');
      const assigned = await calls('assign_role');
      assert.deepEqual(
        assigned.map((c) => [c.args.input.position, c.args.input.person]),
        [['incident-commander', 'Carol']],
      );

      // The incident list no longer reports a conflict.
      await byTestId('nav-incidents').click();
      await expectText(byTestId('incident-row'), /Ransomware on imaging servers[\s\S]*\bCarol\b/);
      assert.doesNotMatch(await byTestId('incident-row').innerText(), /conflict/);
    },
  ),
);
