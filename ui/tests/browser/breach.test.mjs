// Breach: record the scope and see the matrix's verdict, classify (and the refusal to lower the
// severity without a rationale), peer review of a borderline classification, clock triggers and
// the regulatory clocks they start (due times in three zones, live countdowns), do-not-notify
// with a rationale, a communication that meets an obligation, a law-enforcement delay, the
// escalation checklist and the ruleset-problems banner.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MINUTE,
  eventually,
  expectCount,
  expectFocused,
  expectText,
  useBrowser,
  withApp,
} from './helpers.mjs';

useBrowser();

const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** "2026-11-22 14:05", as typed in the UTC viewer zone the mock uses. */
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
        'Scope: 1240 individuals (DE 40, US-CA 1200) | data: clinical-phi | exposure: exfiltration-confirmed | roles: controller, covered-entity | litigation exposure',
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
      const discovered = minute(Date.now() - 2 * HOUR);
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
      const due = discovered + 60 * DAY;
      await expectText(individuals.getByTestId('due-viewer'), shown(due));
      await expectText(individuals.getByTestId('due-utc'), `${typed(due)} UTC`);
      await expectText(individuals.getByTestId('due-jurisdiction'), /^\d{4}-\d\d-\d\d \d\d:\d\d E[SD]T$/);
      await expectText(individuals.getByTestId('obligation-countdown'), /^in 59 d 2[12] h \d\d m$/);
      await expectText(individuals.getByTestId('obligation-status'), 'pending');
      await expectText(byTestId('obligation-hipaa.hhs').getByTestId('obligation-countdown'), /^in 59 d/);

      // Awareness nearly 72 hours ago: the GDPR clock is down to its last minutes and ticks.
      // (Ten minutes left, not one: a slow run must not cross a minute boundary mid-test.)
      const aware = minute(Date.now() - 71 * HOUR - 50 * MINUTE);
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
      await expectText(gdpr.getByTestId('due-jurisdiction'), /^\d{4}-\d\d-\d\d \d\d:\d\d (GMT\+[12]|CES?T)$/);
      assert.match((await countdown.getAttribute('class')) ?? '', /\bsoon\b/);

      // The wallboard lists the open notification deadlines, soonest first.
      await page.keyboard.press('Escape');
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('w');
      const deadlines = byTestId('wallboard-deadline');
      await expectText(deadlines.first(), /^gdpr\.authority\s*in (9|10|11) m \d\d s$/);
      await expectText(byTestId('wallboard'), /hipaa\.individuals\s*in 59 d/);
      await page.keyboard.press('Escape');
    },
  ),
);

test(
  'an overdue clock is red; do-not-notify needs a rationale and waives; a communication meets an obligation late',
  withApp(
    {
      viewport: TALL,
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
                input: { trigger: 'discovery', at: typed(Date.now() - 61 * DAY), note: null },
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
      await expectText(individuals.getByTestId('obligation-countdown'), /^overdue by 1 d 0\d h \d\d m$/);
      // The deadlines saved for a calendar; the app says how many and where.
      await byTestId('export-deadlines-ics').click();
      await expectText(
        byTestId('export-deadlines-ics-saved'),
        /^Saved \d+ deadlines to \/home\/commander\/Downloads\/muster-\w+-deadlines-\d{8}-\d{6}\.ics$/,
      );
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
      await byTestId('delay-from').fill(typed(Date.now() - 10 * MINUTE));
      await byTestId('delay-submit').click();
      await expectText(
        byTestId('delay-error'),
        'until: a written statement gives the end of the delay (45 CFR 164.412) (got "")',
      );
      await byTestId('delay-until').fill(typed(Date.now() + 20 * DAY));
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

test(
  'escalation checklist: a determination trigger starts it, Done ticks a step; ruleset problems are shown',
  withApp(
    {
      mock: {
        rulesetProblems: [
          {
            file: '/home/muster/.local/share/muster/rules/regulatory-clocks.toml',
            line: 42,
            field: 'deadline',
            message: 'unknown deadline kind "weeks"',
            using: 'the last valid copy of this file',
          },
        ],
      },
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

      await expectText(
        byTestId('ruleset-problems'),
        /regulatory-clocks\.toml line 42, field deadline: unknown deadline kind "weeks" — in force instead: the last valid copy of this file/,
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

/** Pushes `deadline-fired` as the backend scheduler does. */
const fireDeadline = (page, reminder) =>
  page.evaluate((r) => window.__mock.emit('deadline-fired', r), reminder);

test(
  'a deadline reminder from the scheduler shows where people work and re-reads the board',
  withApp(
    {
      seed: {
        incidents: [
          { title: 'Lost laptop, billing data', severity: 'sev3', openedMinutesAgo: 90 },
          { title: 'Misdirected discharge letters', severity: 'sev2', openedMinutesAgo: 60 },
        ],
      },
    },
    async ({ page, calls }) => {
      const state = await page.evaluate(() => window.__mock.state());
      const current = state.incidents.find((i) => i.id === state.current);
      const other = state.incidents.find((i) => i.id !== state.current);
      const boardReads = (await calls('incident_board')).length;
      const due = Date.now() + 50 * MINUTE;
      const reminder = { due_ms: due, due_text: shown(due) };
      await fireDeadline(page, {
        ...reminder,
        incident: current.id,
        incident_title: current.title,
        rule: 'gdpr.authority',
        recipient: 'Supervisory authority',
        citation: 'GDPR Art. 33(1)',
        stage: 'hour_before',
      });
      await expectText(
        page.locator('.toast').last(),
        `Due within the hour: notify Supervisory authority (gdpr.authority), due ${shown(due)}`,
      );
      await eventually(async () =>
        assert.ok((await calls('incident_board')).length > boardReads, 'the board is read again'),
      );
      // Another incident's reminder names it.
      await fireDeadline(page, {
        ...reminder,
        incident: other.id,
        incident_title: other.title,
        rule: 'hipaa.individuals',
        recipient: 'Affected individuals',
        citation: '45 CFR 164.404(b)',
        stage: 'overdue',
      });
      await expectText(
        page.locator('.toast').last(),
        `Overdue: notify Affected individuals (hipaa.individuals), due ${shown(due)} — ${other.title}`,
      );
    },
  ),
);
