// Breach: record the scope and see the matrix's verdict, classify (and the refusal to lower the
// severity without a rationale), peer review of a borderline classification, clock triggers and
// the regulatory clocks they start (due times in three zones, live countdowns), do-not-notify
// with a rationale, a communication that meets an obligation, a law-enforcement delay, the
// escalation checklist and the ruleset-problems banner.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_DIR } from './bridge.mjs';
import { DAY, HOUR, MINUTE } from './constants.mjs';
import {
  eventually,
  expectCount,
  expectFocused,
  expectText,
  literally,
  theBridge,
  useBrowser,
  withApp,
} from './helpers.mjs';

useBrowser();

/**
 * The clock, app and page alike, where the clocks below are set: Sunday 22 November 2026,
 * 14:05 UTC. A fixed instant makes each due instant and countdown one known text.
 */
const NOW = Date.UTC(2026, 10, 22, 14, 5);
/** "2026-11-22 14:05", as typed in the UTC viewer zone of these tests. */
const typed = (ms) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
/** Whole minutes, as a typed time is read. */
const minute = (ms) => Math.floor(ms / MINUTE) * MINUTE;
/** ViewerZone::format in UTC. */
const shown = (ms) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ') + ' UTC';

/** Tall enough for the screenshot to show the clocks below the scope form. */
const TALL = { width: 1400, height: 2300 };

const PHI_SCOPE = {
  affected: [{ jurisdiction: 'US-CA', individuals: 1200 }],
  data: ['clinical-phi'],
  exposure: ['exfiltration-confirmed'],
  systems: [],
  roles: ['covered-entity'],
  litigation_exposure: false,
};

test(
  'record the scope: the preview names the fired rule; a discovery trigger starts the HIPAA clocks with live countdowns',
  withApp(
    {
      viewport: TALL,
      now: NOW,
      seed: {
        incidents: [{ title: 'Billing database exfiltrated', severity: 'sev2', openedMinutesAgo: 30 }],
      },
    },
    async ({ page, byTestId, calls }) => {
      await page.keyboard.press('g');
      await page.keyboard.press('b');
      await byTestId('breach').waitFor();
      assert.match((await byTestId('nav-breach').getAttribute('class')) ?? '', /\bactive\b/);
      await expectText(byTestId('scope-summary'), 'No scope recorded yet.');
      await expectText(byTestId('preview-fired'), /No rule fires \(no scope yet\)/);
      await expectText(byTestId('obligations-empty'), /record the scope first/);

      // Two jurisdictions (codes typed in lower case, a thousands separator), PHI exfiltrated.
      await byTestId('scope-jurisdiction-0').fill('us-ca');
      await byTestId('scope-individuals-0').fill('1,200');
      await byTestId('scope-add-affected').click();
      await byTestId('scope-jurisdiction-1').fill('DE');
      await byTestId('scope-individuals-1').fill('40');
      await byTestId('scope-data-clinical-phi').check();
      await byTestId('scope-exposure-exfiltration-confirmed').check();
      await byTestId('scope-role-covered-entity').check();
      await byTestId('scope-role-controller').check();
      await byTestId('scope-litigation').check();
      await byTestId('scope-save').click();
      await expectText(byTestId('toast-ok'), 'Scope recorded');
      const [sent] = await calls('set_scope');
      assert.deepEqual(sent?.args.input.affected, [
        { jurisdiction: 'US-CA', individuals: 1200 },
        { jurisdiction: 'DE', individuals: 40 },
      ]);
      assert.equal(sent?.args.input.litigation_exposure, true);
      await expectText(
        byTestId('scope-summary'),
        // (Roles in the order the app keeps them; the copy of the backend sorted them.)
        'Scope: 1240 individuals (DE 40, US-CA 1200) | data: clinical-phi | exposure: exfiltration-confirmed | roles: covered-entity, controller | litigation exposure',
      );

      // The matrix's verdict now: SEV1 major, with the rules that fired and why.
      await expectText(byTestId('preview-severity'), 'SEV1');
      await expectText(byTestId('preview-major'), 'MAJOR');
      await expectText(
        byTestId('fired-phi-exfiltration-500'),
        /Confirmed exfiltration of PHI of 500 or more individuals because: 1240 individuals in all jurisdictions; data clinical-phi; exposure exfiltration-confirmed/,
      );
      await expectCount(byTestId('preview-fired').locator('li'), 3);

      // The clocks wait for their triggers: nothing to put in a calendar yet.
      await expectCount(byTestId('export-deadlines-ics'), 0);
      const individuals = byTestId('obligation-hipaa.individuals');
      const gdpr = byTestId('obligation-gdpr.authority');
      await expectText(individuals.getByTestId('obligation-countdown'), 'waiting for the discovery trigger');
      await expectText(gdpr.getByTestId('obligation-countdown'), 'waiting for the awareness trigger');
      await expectText(individuals.getByTestId('obligation-recipient'), 'Each affected individual');
      await expectText(individuals.getByTestId('obligation-owed-by'), 'owed by: HIPAA covered entity');
      await expectText(gdpr.getByTestId('obligation-owed-by'), 'owed by: GDPR controller');
      await expectText(individuals.getByTestId('obligation-citation'), /45 CFR 164\.404\(a\)\(2\), \(b\)/);
      await expectText(byTestId('clock-ruleset'), 'Regulatory clocks ruleset v3 (2026-12-01)');

      // Discovery two hours ago: 60 calendar days from then, in three zones, counting down.
      const discovered = minute(NOW - 2 * HOUR);
      await byTestId('trigger-kind').selectOption('discovery');
      assert.match((await byTestId('trigger-at-input').getAttribute('placeholder')) ?? '', /14:05 \(UTC\)/);
      await byTestId('trigger-at-input').fill(typed(discovered));
      await byTestId('trigger-note').fill('SIEM alert confirmed by the SOC');
      await byTestId('trigger-submit').click();
      await expectText(byTestId('toast-ok').last(), 'Trigger recorded: discovery');
      await expectText(
        byTestId('trigger-row'),
        new RegExp(`discovery ${shown(discovered)} — recorded .* by Alice`),
      );
      // The 60th day ends at 23:59:59 (in UTC: the rule names no zone, so the zone of whoever
      // recorded the trigger). The copy of the backend gave discovery + 60 x 24 h, 12:05, an
      // instant the app never shows.
      await expectText(individuals.getByTestId('due-viewer'), '2027-01-21 23:59:59 UTC');
      await expectText(individuals.getByTestId('due-utc'), '2027-01-21 23:59 UTC');
      // The jurisdiction's column is the zone the days are counted in: UTC here, where the copy
      // of the backend showed US Eastern time.
      await expectText(individuals.getByTestId('due-jurisdiction'), '2027-01-21 23:59 UTC');
      await expectText(individuals.getByTestId('obligation-countdown'), /^in 60 d 09 h 5[34] m$/);
      await expectText(individuals.getByTestId('obligation-status'), 'pending');
      await expectText(byTestId('obligation-hipaa.hhs').getByTestId('obligation-countdown'), /^in 60 d 09 h/);

      // Awareness nearly 72 hours ago: the GDPR clock is down to its last minutes and ticks.
      // (Ten minutes left, not one: a slow run must not cross a minute boundary mid-test.)
      const aware = minute(NOW - 71 * HOUR - 50 * MINUTE);
      await byTestId('trigger-kind').selectOption('awareness');
      await byTestId('trigger-at-input').fill(typed(aware));
      await byTestId('trigger-submit').click();
      await expectCount(byTestId('trigger-row'), 2);
      const countdown = gdpr.getByTestId('obligation-countdown');
      const first = await expectText(countdown, /^in (9|10|11) m \d\d s$/);
      // Live: the text changes within a couple of seconds, with no data fetched.
      const reads = (await calls('breach_view')).length;
      await eventually(async () => assert.notEqual((await countdown.innerText()).trim(), first), {
        timeout: 3000,
      });
      assert.equal((await calls('breach_view')).length, reads, 'the countdown ticks without reloading');
      // 72 hours exactly; the rule names no zone, so its column is in UTC (the copy of the
      // backend showed Central European time).
      await expectText(gdpr.getByTestId('due-jurisdiction'), '2026-11-22 14:15 UTC');
      assert.match((await countdown.getAttribute('class')) ?? '', /\bsoon\b/);

      // The wallboard lists the open notification deadlines, soonest first.
      await page.keyboard.press('Escape');
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('w');
      const deadlines = byTestId('wallboard-deadline');
      // The next one large: its countdown, then the authority, then the rule id.
      await expectText(deadlines.first().getByTestId('deadline-rule'), 'gdpr.authority');
      await expectText(deadlines.first().getByTestId('deadline-countdown'), /^in (9|10|11) m \d\d s$/);
      // Then California's 30 days (counted in Los Angeles) and its Attorney General's come
      // before HIPAA's 60, which shows as its HHS notice (due with the notice to individuals).
      // The copy of the backend knew 3 of the 29 clock rules and listed hipaa.individuals here.
      await expectText(byTestId('wallboard'), /us-ca\.residents\s*in 30 d 17 h 5\d m/);
      await expectText(byTestId('wallboard'), /hipaa\.hhs\s*in 60 d 09 h 5\d m/);
      await page.keyboard.press('Escape');
    },
  ),
);

test(
  'an overdue clock is red; do-not-notify needs a rationale and waives; a communication meets an obligation late',
  withApp(
    {
      viewport: TALL,
      now: NOW,
      seed: {
        incidents: [
          {
            title: 'Misdirected discharge letters',
            severity: 'sev2',
            openedMinutesAgo: 60,
            steps: [
              { minutesAgo: 50, do: 'set_scope', input: PHI_SCOPE },
              {
                minutesAgo: 45,
                do: 'record_trigger',
                input: { trigger: 'discovery', at: typed(NOW - 61 * DAY), note: null },
              },
            ],
          },
        ],
      },
    },
    async ({ page, byTestId, calls }) => {
      await byTestId('nav-breach').click();
      const individuals = byTestId('obligation-hipaa.individuals');
      const hhs = byTestId('obligation-hipaa.hhs');
      await expectText(individuals.getByTestId('obligation-status'), 'overdue');
      assert.match(
        (await individuals.getByTestId('obligation-status').getAttribute('class')) ?? '',
        /\bdanger\b/,
      );
      // Due at the end of the 60th day after discovery (2026-11-21 23:59:59 UTC), so overdue by
      // 14 hours at 14:05 the next day. (The copy of the backend counted 60 x 24 h and said
      // "overdue by 1 d 00 h".)
      await expectText(individuals.getByTestId('obligation-countdown'), /^overdue by 14 h 0[56] m$/);
      // The deadlines saved for a calendar; the app says how many and where.
      // (In the Downloads folder of whoever runs the app: the bridge's own home here. The file is
      // stamped with the app's clock.)
      await byTestId('export-deadlines-ics').click();
      const saved = await expectText(
        byTestId('export-deadlines-ics-saved'),
        new RegExp(
          `^Saved \\d+ deadlines to ${literally(theBridge().downloads)}/muster-[0-9a-f]{8}-deadlines-20261122-1405\\d\\d\\.ics$`,
        ),
      );
      const ics = readFileSync(saved.replace(/^Saved \d+ deadlines to /, ''), 'utf8');
      assert.match(ics, /^BEGIN:VCALENDAR/);
      assert.match(ics, /hipaa\.individuals/);
      assert.equal((await calls('export_file'))[0]?.args.input.kind, 'deadlines-ics');
      assert.equal(await individuals.getAttribute('data-status'), 'overdue');

      // Do not notify HHS: a blank rationale is refused by the backend, shown by the form.
      await hhs.getByTestId('do-not-notify').click();
      await byTestId('waive-rationale').fill('   ');
      await byTestId('waive-submit').click();
      await expectText(byTestId('waive-error'), 'rationale: must not be empty (got "")');
      await byTestId('waive-rationale').fill('Counsel: the letters reached a covered entity bound by HIPAA');
      await byTestId('waive-submit').click();
      await expectText(byTestId('toast-ok').last(), 'Decision recorded: no notification under hipaa.hhs');
      await expectText(hhs.getByTestId('obligation-status'), 'waived');
      await expectText(
        hhs.getByTestId('obligation-waiver'),
        /^Not notifying \(decision #[0-9a-f]{8}\): Counsel: the letters reached a covered entity bound by HIPAA$/,
      );
      await expectText(hhs.getByTestId('obligation-countdown'), 'not notifying (waived)');
      const [decided] = (await calls('decide_notification')).slice(-1);
      assert.deepEqual(
        { rule: decided?.args.input.rule, notify: decided?.args.input.notify },
        { rule: 'hipaa.hhs', notify: false },
      );

      // Mark met: a communication prefilled with the recipient and the rule.
      await individuals.getByTestId('mark-met').click();
      const form = byTestId('comm-form');
      assert.equal(await form.getByTestId('comm-recipient').inputValue(), 'Each affected individual');
      assert.equal(await form.getByTestId('comm-meets-hipaa.individuals').isChecked(), true);
      assert.equal(await form.getByTestId('comm-meets-hipaa.hhs').isChecked(), false);
      await expectFocused(page, 'comm-channel');
      await page.keyboard.type('first-class mail');
      await form.getByTestId('comm-summary').fill('Notification letters to 1200 patients');
      await form.getByTestId('comm-submit').click();
      await expectText(byTestId('toast-ok').last(), 'Communication logged; it meets hipaa.individuals');
      await expectText(individuals.getByTestId('obligation-status'), 'met');
      await expectText(
        individuals.getByTestId('obligation-countdown'),
        /^met \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(late\)$/,
      );
      await expectText(individuals.getByTestId('obligation-late'), 'late');
      await expectText(
        individuals.getByTestId('obligation-met'),
        /^by communication #[0-9a-f]{8}, after the deadline$/,
      );
      await expectText(
        byTestId('communication'),
        /Each affected individual by first-class mail meets hipaa\.individuals Notification letters to 1200 patients/,
      );

      // A written law-enforcement delay request; the delay is listed.
      await byTestId('delay-open').click();
      await byTestId('delay-basis').selectOption('written');
      await byTestId('delay-agency').fill('FBI Sacramento field office');
      await byTestId('delay-statement').fill('Notice would impede the investigation');
      await byTestId('delay-from').fill(typed(NOW - 10 * MINUTE));
      await byTestId('delay-submit').click();
      await expectText(
        byTestId('delay-error'),
        'until: a written statement gives the end of the delay (45 CFR 164.412) (got "")',
      );
      await byTestId('delay-until').fill(typed(NOW + 20 * DAY));
      await byTestId('delay-submit').click();
      // HIPAA's is the default law; the delay names it.
      await expectText(byTestId('delay'), /FBI Sacramento field office Written statement 45 CFR 164\.412/);

      // The waiver is also a decision on the Decisions screen.
      await byTestId('nav-decisions').click();
      await expectText(
        byTestId('decision').first(),
        /Notify HHS Office for Civil Rights .* under hipaa\.hhs/,
      );
      await page.keyboard.press('g');
      await page.keyboard.press('b');
      await byTestId('obligations').waitFor();
    },
  ),
);

test(
  'classification: lowering needs a rationale; a borderline verdict asks for peer review by someone else',
  withApp(
    {
      seed: {
        incidents: [
          {
            title: 'Lost laptop with patient lists',
            severity: 'sev1',
            openedMinutesAgo: 40,
            steps: [
              {
                minutesAgo: 30,
                do: 'set_scope',
                input: {
                  ...PHI_SCOPE,
                  affected: [{ jurisdiction: 'US-TX', individuals: 480 }],
                  exposure: ['unauthorised-access'],
                },
              },
            ],
          },
        ],
      },
    },
    async ({ page, byTestId }) => {
      // The palette's "Record the classification" opens the Breach screen at the rationale.
      await page.keyboard.press('Control+k');
      await page.keyboard.type('classification');
      await byTestId('palette-classify').click();
      await expectFocused(page, 'classify-rationale');
      await expectText(byTestId('preview-severity'), 'SEV2');
      await expectText(byTestId('preview-borderline'), 'borderline');

      await byTestId('classify-submit').click();
      await expectText(
        byTestId('classify-error'),
        'rationale: the matrix gives SEV2 but the incident is SEV1; lowering the severity needs a rationale (got "")',
      );
      await byTestId('classify-rationale').fill('Laptop encrypted at rest; access unlikely');
      await byTestId('classify-submit').click();
      await expectText(byTestId('toast-ok'), 'Classification recorded');
      await expectText(byTestId('classification-severity'), 'SEV2');
      await expectText(
        byTestId('classification-recorded'),
        /recorded .* by Alice · muster-classification@1 · rules: phi-exposed/,
      );
      await expectText(byTestId('severity'), 'SEV2'); // the header follows
      await expectText(byTestId('review-banner'), /^Borderline - peer review needed\./);

      // Alice may not review her own classification.
      await byTestId('review-confirm').click();
      await expectText(
        byTestId('review-error'),
        'Alice recorded this classification; peer review is by a second person',
      );

      // Bob changes it to SEV1 major.
      await byTestId('operator').click();
      await byTestId('operator-input').fill('Bob');
      await byTestId('operator-save').click();
      await expectText(byTestId('operator'), 'Acting as Bob');
      await byTestId('review-change').click();
      await byTestId('review-severity').selectOption('sev1');
      await byTestId('review-major').check();
      await byTestId('review-rationale').fill('The list includes 60 more patients from the ED export');
      await byTestId('review-submit').click();
      await expectText(byTestId('toast-ok').last(), 'Classification changed by peer review');
      await expectText(byTestId('classification-severity'), 'SEV1');
      await expectText(byTestId('classification-major'), 'MAJOR');
      await expectText(
        byTestId('classification-review'),
        /changed Classification #[0-9a-f]{8} changed by peer review to SEV1, major incident: The list includes 60 more patients/,
      );
      await expectCount(byTestId('review-banner'), 0);
      await expectText(byTestId('severity'), 'SEV1');
    },
  ),
);

/**
 * The organisation's own copy of the clock rules in the installation's rules folder, read once
 * by the app (which keeps its text as the last valid copy), then edited with a deadline kind the
 * rules do not have, on the first rule's deadline line. Returns that line's number (1-based).
 * @param {import('./bridge.mjs').Session} session @param {string[]} incidents
 */
async function rulesEditedIntoABrokenCopy(session, incidents) {
  const rules = path.join(session.dataDir, 'rules');
  mkdirSync(rules, { recursive: true });
  const file = path.join(rules, 'regulatory-clocks.toml');
  copyFileSync(path.join(REPO_DIR, 'assets', 'rules', 'regulatory-clocks.toml'), file);
  await session.invoke('breach_view', { incident_ref: incidents[0] });
  const lines = readFileSync(file, 'utf8').split('\n');
  const at = lines.findIndex((l) => /^deadline = /.test(l));
  assert.ok(at > 0, 'the ruleset has a deadline line');
  lines[at] = 'deadline = { weeks = 9 }';
  writeFileSync(file, lines.join('\n'));
  brokenLine = at + 1;
}

/** The line `rulesEditedIntoABrokenCopy` broke (set when it runs). */
let brokenLine = 0;

test(
  'escalation checklist: a determination trigger starts it, Done ticks a step; ruleset problems are shown',
  withApp(
    {
      prepare: rulesEditedIntoABrokenCopy,
      seed: {
        incidents: [
          {
            title: 'Staff credentials phished',
            severity: 'sev3',
            openedMinutesAgo: 20,
            steps: [
              { minutesAgo: 15, do: 'assign_role', input: { position: 'privacy-officer', person: 'Pat' } },
              {
                minutesAgo: 10,
                do: 'set_scope',
                input: {
                  ...PHI_SCOPE,
                  affected: [],
                  data: ['staff-pii', 'credentials'],
                  exposure: ['unauthorised-access'],
                },
              },
            ],
          },
        ],
      },
    },
    async ({ page, byTestId, calls }) => {
      await page.keyboard.press('Control+k');
      await page.keyboard.type('clock trigger');
      await page.keyboard.press('Enter');
      await expectFocused(page, 'trigger-kind');

      // (What the parser says of the real file; the copy of the backend was handed a made-up
      // problem.)
      await expectText(
        byTestId('ruleset-problems'),
        new RegExp(
          `rules/regulatory-clocks\\.toml line ${brokenLine}, field weeks: unknown field \`weeks\`, expected one of \`hours\`, \`calendar_days\`, .* — in force instead: the last valid copy of this file`,
        ),
      );
      await expectText(byTestId('rulesets'), /muster-regulatory-clocks@3/);

      const team = byTestId('step-response-team');
      await expectText(team.getByTestId('step-status'), 'waiting');
      await expectText(team.getByTestId('step-countdown'), 'waiting for determination');
      await expectText(
        byTestId('step-privacy-officer'),
        /Inform the privacy officer Incident Commander: Alice/,
      );

      await byTestId('trigger-kind').selectOption('determination');
      await byTestId('trigger-at-input').fill(typed(Date.now()));
      await byTestId('trigger-submit').click();
      await expectText(team.getByTestId('step-status'), 'pending');
      await expectText(team.getByTestId('step-countdown'), /^in (29|30) m \d\d s$/);

      await team.getByTestId('step-note').fill('Team paged via Vocera');
      await team.getByTestId('step-done').click();
      await expectText(byTestId('toast-ok').last(), 'Escalation done: Activate the incident response team');
      await expectText(team.getByTestId('step-status'), 'done');
      await expectText(team.getByTestId('step-countdown'), /^done \d{4}-.* UTC by Alice$/);
      await expectCount(team.getByTestId('step-done'), 0);
      const [done] = await calls('escalation_done');
      assert.deepEqual(done?.args.input, {
        incident: done?.args.input.incident,
        rule: 'response-team',
        note: 'Team paged via Vocera',
      });
      await byTestId('checklist').scrollIntoViewIfNeeded();
    },
  ),
);

/**
 * Two incidents whose clocks run out late on 22 November 2026 (UTC): the GDPR 72 hours of the
 * misdirected letters (German patients) end at 23:50; HIPAA's 60 days of the lost laptop (a
 * California clinic's patients) end with the day, 23:59:59. The window opens at 22:30, when
 * both are within 24 hours (reminded of while seeding, before anyone was looking).
 */
const EVENING = Date.UTC(2026, 10, 22, 22, 30);
const reminderSeed = {
  incidents: [
    {
      title: 'Misdirected discharge letters',
      severity: 'sev2',
      openedMinutesAgo: 60,
      steps: [
        {
          minutesAgo: 50,
          do: 'set_scope',
          input: { ...PHI_SCOPE, affected: [{ jurisdiction: 'DE', individuals: 40 }], roles: ['controller'] },
        },
        {
          minutesAgo: 45,
          do: 'record_trigger',
          input: { trigger: 'awareness', at: '2026-11-19 23:50', note: null },
        },
      ],
    },
    {
      title: 'Lost laptop, billing data',
      severity: 'sev3',
      openedMinutesAgo: 90,
      steps: [
        {
          minutesAgo: 80,
          do: 'set_scope',
          input: { ...PHI_SCOPE, affected: [{ jurisdiction: 'US-CA', individuals: 10 }] },
        },
        {
          minutesAgo: 75,
          do: 'record_trigger',
          input: { trigger: 'discovery', at: '2026-09-23 09:00', note: null },
        },
      ],
    },
  ],
};

test(
  'a deadline reminder from the scheduler shows where people work and re-reads the board',
  withApp({ seed: reminderSeed, now: EVENING }, async ({ page, calls, setClock }) => {
    const toasts = page.locator('.toast');
    const boardReads = (await calls('incident_board')).length;
    // 23:00: the GDPR clock is within the hour; the scheduler says so, and the board is read again.
    await setClock(Date.UTC(2026, 10, 22, 23, 0));
    await expectText(
      toasts.filter({ hasText: 'gdpr.authority' }),
      'Due within the hour: notify Lead supervisory authority (gdpr.authority), due 2026-11-22 23:50:00 UTC',
    );
    await eventually(async () =>
      assert.ok((await calls('incident_board')).length > boardReads, 'the board is read again'),
    );
    // Past midnight: the other incident's HIPAA clock is overdue; its reminder names it. (The copy
    // of the backend had these pushed by hand; here the scheduler fires them as the clock moves.)
    await setClock(Date.UTC(2026, 10, 23, 0, 0, 30));
    await expectText(
      toasts.filter({ hasText: 'Overdue: notify Each affected individual' }),
      'Overdue: notify Each affected individual (hipaa.individuals), due 2026-11-22 23:59:59 UTC — Lost laptop, billing data',
    );
  }),
);

test(
  'at 1024×700: the most urgent clock at the top, the scope folded to a line, the authority before the id, the governing trigger named',
  withApp(
    {
      viewport: { width: 1024, height: 700 },
      now: NOW,
      seed: {
        incidents: [
          {
            title: 'Exfiltration from the interface engine',
            severity: 'sev1',
            openedMinutesAgo: 60,
            steps: [
              {
                minutesAgo: 50,
                do: 'set_scope',
                input: {
                  ...PHI_SCOPE,
                  affected: [
                    { jurisdiction: 'US-CA', individuals: 1200 },
                    { jurisdiction: 'US-TX', individuals: 800 },
                  ],
                },
              },
              {
                minutesAgo: 45,
                do: 'record_trigger',
                input: { trigger: 'discovery', at: typed(NOW - 10 * DAY), note: 'SOC ticket' },
              },
              // Recorded later, but earlier in time: the clocks run from this one.
              {
                minutesAgo: 40,
                do: 'record_trigger',
                input: { trigger: 'discovery', at: typed(NOW - 12 * DAY), note: 'Vendor email, found later' },
              },
            ],
          },
        ],
      },
    },
    async ({ page, byTestId, invoke, incidents }) => {
      await byTestId('nav-breach').click();
      const panel = byTestId('obligations-panel');
      await panel.waitFor();

      // The clocks come first: their panel starts in the first screenful, the scope below it
      // folded to its summary line and an Edit button.
      const top = await panel.evaluate((e) => e.getBoundingClientRect().top);
      assert.ok(top < 250, `the clocks start ${top} px down`);
      await expectCount(byTestId('scope-form'), 0);
      await expectText(byTestId('scope-summary'), /US-CA 1200/);
      assert.equal(await byTestId('scope-panel').getAttribute('data-folded'), 'true');

      // Most urgent first, in the backend's order; the first row names the authority, then
      // the rule id.
      const view = await invoke('breach_view', { incident_ref: incidents[0] });
      const rows = await panel
        .locator('tr.obligation')
        .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-testid')));
      assert.deepEqual(
        rows,
        view.obligations.map((/** @type {{ rule: string }} */ o) => `obligation-${o.rule}`),
      );
      const first = panel.locator('tr.obligation').first();
      await expectText(first.getByTestId('obligation-recipient'), view.obligations[0].recipient);
      await expectText(first.getByTestId('obligation-rule'), view.obligations[0].rule);
      const order = await first.evaluate((e) => {
        const recipient = e.querySelector('[data-testid="obligation-recipient"]');
        const rule = e.querySelector('[data-testid="obligation-rule"]');
        return recipient && rule ? recipient.compareDocumentPosition(rule) : 0;
      });
      assert.ok(order & 4, 'the authority comes before the rule id');
      assert.equal(await first.getAttribute('data-status'), 'pending');

      // Two discovery times: each clock says which one it runs from and why.
      const triggers = byTestId('trigger-row');
      await expectCount(triggers, 2);
      const governing = byTestId('trigger-row').filter({ hasText: 'Vendor email' });
      assert.equal(await governing.getAttribute('data-governs'), 'true');
      const because =
        'the earliest of the 2 discovery times recorded: when people record the same moment differently, the clocks run from the earliest (the conservative reading)';
      await expectText(
        governing.getByTestId('trigger-choice'),
        `governs The clocks run from this one: ${because}.`,
      );
      const id = (await governing.innerText()).match(/#(\S+)/)?.[1];
      const other = byTestId('trigger-row').filter({ hasText: 'SOC ticket' });
      assert.equal(await other.getAttribute('data-governs'), 'false');
      await expectText(
        other.getByTestId('trigger-choice'),
        `Not used by the clocks: they run from #${id} (${shown(minute(NOW - 12 * DAY))}), ${because}.`,
      );
      await expectText(
        byTestId('obligation-us-ca.residents').getByTestId('obligation-trigger-choice'),
        `Runs from #${id}: ${because}.`,
      );

      // Edit opens the scope form; Cancel folds it again, writing nothing.
      await byTestId('scope-edit').click();
      await byTestId('scope-form').waitFor();
      await expectText(byTestId('scope-jurisdiction-1'), '');
      assert.equal(await byTestId('scope-jurisdiction-1').inputValue(), 'US-TX');
      await byTestId('scope-cancel').click();
      await expectCount(byTestId('scope-form'), 0);
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
    },
  ),
);

test(
  'the trigger form: an empty time, and a time the backend cannot read, are said at the field; nothing is written',
  withApp(
    {
      seed: {
        incidents: [{ title: 'Misdirected letters', severity: 'sev2', openedMinutesAgo: 30, steps: [] }],
      },
    },
    async ({ page, byTestId, calls, invoke, incidents }) => {
      const entries = async () =>
        (await invoke('list_incidents')).find((/** @type {{ id: string }} */ r) => r.id === incidents[0])
          .entry_count;
      const before = await entries();
      await byTestId('nav-breach').click();
      await byTestId('trigger-kind').selectOption('discovery');

      // Empty: the form says what to write, at the field, and sends nothing.
      await byTestId('trigger-submit').click();
      await expectText(
        byTestId('error-trigger-at-error'),
        'Write when it happened, e.g. 2026-11-22 14:05 or 14:05 (UTC).',
      );
      await expectFocused(page, 'trigger-at-input');
      assert.equal((await calls('record_trigger')).length, 0);

      // Unreadable: the backend's words (the formats it reads), at the field, not in a toast.
      await byTestId('trigger-at-input').fill('last Tuesday');
      await byTestId('trigger-submit').click();
      await expectText(
        byTestId('error-trigger-at-error'),
        /^Cannot read this as a time; write a time of day \(02:14\), a date and time \(2026-11-22 02:14\)/,
      );
      assert.equal(await byTestId('trigger-at-input').getAttribute('aria-invalid'), 'true');
      assert.equal(await byTestId('toast-error').count(), 0);
      assert.equal((await calls('record_trigger')).length, 1);
      await expectCount(byTestId('trigger-row'), 0);
      assert.equal(await entries(), before);
    },
  ),
);
