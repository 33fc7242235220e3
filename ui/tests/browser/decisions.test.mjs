// Decisions: record one with options and approvals, supersede it, show superseded ones only on
// request, approve as a position held (after confirming who signs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectCount, expectFocused, expectText, useBrowser, withApp } from './helpers.mjs';

useBrowser();

const seed = {
  incidents: [
    {
      title: 'CT scanners offline',
      severity: 'sev1',
      openedMinutesAgo: 20,
      steps: [{ minutesAgo: 15, do: 'assign_role', input: { position: 'legal-liaison', person: 'Lee' } }],
    },
  ],
};

test(
  'record a decision needing approvals, supersede it, show superseded, approve as the IC',
  withApp({ seed }, async ({ page, byTestId, calls, invoke, incidents }) => {
    // d: the decision form, focused.
    await page.keyboard.press('d');
    await expectFocused(page, 'decision-question');
    await expectText(page.locator('.empty'), 'No decisions yet.');

    await page.keyboard.type('Divert ambulances to St Mary’s?');
    await byTestId('decision-options').fill('Divert\nStay open\n');
    // With options, the choice is one of them.
    assert.deepEqual(await byTestId('decision-choice').locator('option').allInnerTexts(), [
      'Choose…',
      'Divert',
      'Stay open',
    ]);
    await byTestId('decision-choice').selectOption('Divert');
    await byTestId('decision-rationale').fill(
      'Both CT scanners are down; stroke patients need CT within 25 min',
    );
    await byTestId('approval-legal-liaison').check();
    await byTestId('approval-incident-commander').check();
    await byTestId('decision-submit').click();
    await expectText(byTestId('toast-ok'), 'Decision recorded');

    const decisions = byTestId('decision');
    await expectCount(decisions, 1);
    const first = decisions.first();
    await expectText(first.getByTestId('decision-chosen'), 'Divert');
    await expectText(first, /Divert ambulances to St Mary’s\? #[0-9a-f]{8}/);
    // (Decisions.svelte drops the space before "(of": "Divert(of ..."; either reads.)
    await expectText(first, /→ Divert ?\(of Divert · Stay open\)/);
    await expectText(first, /Authority Alice \(Incident Commander\)/);
    await expectText(first, /awaiting Legal Liaison awaiting Incident Commander/);
    // Alice holds Incident Commander, not Legal Liaison: she may approve only as the IC.
    assert.equal(await first.getByTestId('approve-incident-commander').count(), 1);
    assert.equal(await first.getByTestId('approve-legal-liaison').count(), 0);
    const oldShort = (await first.locator('.muted').first().innerText()).trim().replace('#', '');
    assert.match(oldShort, /^[0-9a-f]{8}$/);
    const recorded = await calls('record_decision');
    assert.deepEqual(recorded[0]?.args.input.options, ['Divert', 'Stay open']);
    assert.deepEqual(recorded[0]?.args.input.approvals_required, ['legal-liaison', 'incident-commander']);

    // Supersede: the form is prefilled with the question and options; Ctrl Enter records.
    await first.getByTestId('decision-supersede').click();
    await expectText(page.locator('h2').first(), `Supersede decision #${oldShort}`);
    assert.equal(await byTestId('decision-question').inputValue(), 'Divert ambulances to St Mary’s?');
    assert.equal(await byTestId('decision-options').inputValue(), 'Divert\nStay open');
    await byTestId('decision-choice').selectOption('Stay open');
    await byTestId('approval-incident-commander').check();
    await byTestId('decision-rationale').fill('CT 2 back online at 03:10');
    await byTestId('decision-rationale').press('Control+Enter');
    await expectText(byTestId('toast-ok').last(), `Decision #${oldShort} superseded`);

    // Only the standing decision is listed...
    await expectCount(decisions, 1);
    await expectText(decisions.first().getByTestId('decision-chosen'), 'Stay open');
    await expectText(decisions.first(), new RegExp(`supersedes #${oldShort}`));
    const superseding = await calls('record_decision');
    const board = await invoke('incident_board', { incident_ref: incidents[0] });
    const oldId = board.decisions.find((/** @type {{ short: string }} */ d) => d.short === oldShort)?.id;
    assert.match(oldId ?? '', new RegExp(`${oldShort}$`));
    assert.equal(superseding[1]?.args.input.supersedes, oldId);

    // ...unless "show superseded" is ticked: then the old one too, marked, with no actions.
    await byTestId('show-superseded').check();
    await expectCount(decisions, 2);
    const old = decisions.filter({ hasText: `#${oldShort}` }).filter({ has: byTestId('superseded-by') });
    await expectText(old.getByTestId('superseded-by'), /^superseded by #[0-9a-f]{8}$/);
    assert.equal(await old.getByTestId('decision-supersede').count(), 0);
    assert.equal(await old.getByTestId('approve-incident-commander').count(), 0);
    await byTestId('show-superseded').uncheck();
    await expectCount(decisions, 1);

    // Approve the standing one as the Incident Commander: an approval is signed as a position,
    // so Alice first confirms it is her. Cancelled (Esc), nothing is sent; confirmed, it is.
    await decisions.first().getByTestId('approve-incident-commander').click();
    await expectText(
      byTestId('confirm-acting-who'),
      'You are signing as Alice, Incident Commander — confirm',
    );
    await expectText(
      byTestId('confirm-acting-act'),
      'Approve the decision “Divert ambulances to St Mary’s?”',
    );
    await page.keyboard.press('Escape');
    await expectCount(byTestId('confirm-acting'), 0);
    assert.equal((await calls('approve_decision')).length, 0);
    await expectText(decisions.first(), /awaiting Incident Commander/);
    await decisions.first().getByTestId('approve-incident-commander').click();
    await byTestId('confirm-acting-ok').click();
    await expectText(byTestId('toast-ok').last(), 'Approval recorded');
    assert.equal((await calls('approve_decision')).length, 1);
    await expectText(decisions.first(), /✓ Incident Commander \(Alice\)/);
    assert.doesNotMatch(await decisions.first().innerText(), /awaiting/);
    assert.equal(await decisions.first().getByTestId('approve-incident-commander').count(), 0);

    // The wallboard lists it as the decision in force.
    await page.keyboard.press('w');
    await expectText(byTestId('wallboard'), /Divert ambulances to St Mary’s\? → Stay open/);
  }),
);

test(
  'a blank rationale is said at its field and nothing is written; the form keeps what was typed',
  withApp({ seed }, async ({ page, byTestId, calls }) => {
    await byTestId('nav-decisions').click();
    await byTestId('decision-submit').click();
    await expectText(byTestId('error-decision-question-error'), /^Write the question decided/);
    await expectText(byTestId('error-decision-rationale-error'), /^Write why/);
    await byTestId('decision-question').fill('Call in the vendor?');
    await byTestId('decision-choice').fill('Yes');
    await byTestId('decision-rationale').fill('   ');
    await byTestId('decision-submit').click();
    await expectText(byTestId('error-decision-rationale-error'), /^Write why/);
    assert.equal(await byTestId('error-decision-question-error').count(), 0);
    await page.waitForFunction(
      () => document.activeElement?.getAttribute('data-testid') === 'decision-rationale',
    );
    assert.equal(await byTestId('toast-error').count(), 0);
    await expectText(byTestId('decision-list').locator('xpath=..'), /No decisions yet\./);
    assert.equal((await calls('record_decision')).length, 0);
    // The form keeps what was typed.
    assert.equal(await byTestId('decision-question').inputValue(), 'Call in the vendor?');
  }),
);
