// Systems (HICS 251): import the clinical systems register from a CSV file (and see a bad one
// refused with its line and field), see what isolating a system takes down, propose an
// isolation, have it refused without the clinical liaison's sign-off, sign it off as the
// liaison, carry it out, and see the board follow; rate a system.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  UI_DIR,
  eventually,
  expectCount,
  expectText,
  literally,
  theBridge,
  useBrowser,
  withApp,
} from './helpers.mjs';

useBrowser();

const REGISTER = readFileSync(path.join(UI_DIR, '..', 'assets', 'demo', 'systems.csv'), 'utf8');
const TALL = { width: 1400, height: 1500 };

test(
  'import the register: a bad file names its line and field; the demo register fills the HICS 251 board',
  withApp(
    {
      viewport: TALL,
      seed: {
        incidents: [{ title: 'Ransomware on imaging servers', severity: 'sev1', openedMinutesAgo: 20 }],
      },
    },
    async ({ page, byTestId, calls, incidents }) => {
      await page.keyboard.press('g');
      await page.keyboard.press('s');
      await byTestId('register-import').waitFor();
      assert.match((await byTestId('nav-systems').getAttribute('class')) ?? '', /\bactive\b/);
      assert.equal(await byTestId('register-file').getAttribute('accept'), '.csv,text/csv');

      // A register with a bad criticality on line 3: refused as a whole, the error names it.
      const bad = REGISTER.split('\n').slice(0, 3);
      bad[2] = bad[2]?.replace(',high,', ',urgent,') ?? '';
      await byTestId('register-file').setInputFiles({
        name: 'systems-bad.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(bad.join('\n')),
      });
      await expectText(
        byTestId('register-error'),
        'systems-bad.csv: line 3, field criticality: "urgent" is not one of life-critical, high, medium, low',
      );
      await expectCount(byTestId('hics251'), 0);

      // The paste fallback reports errors the same way.
      await byTestId('register-paste-toggle').click();
      await byTestId('register-paste').fill('id,name\npacs,PACS\n');
      await byTestId('register-paste-submit').click();
      await expectText(
        byTestId('register-error'),
        'pasted.csv: line 1: the header lacks column(s) criticality, department, downtime_procedure, depends_on, services, functions',
      );

      // The real file: every system on the board, fully functional.
      await byTestId('register-file').setInputFiles({
        name: 'systems.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(REGISTER),
      });
      await expectText(byTestId('toast-ok').last(), 'Clinical systems register imported from systems.csv');
      const board = byTestId('hics251');
      await board.waitFor();
      await expectCount(board.locator('tbody tr'), 14);
      const [imported] = (await calls('import_systems')).slice(-1);
      assert.equal(imported?.args.input.file_name, 'systems.csv');
      assert.equal(imported?.args.input.csv, REGISTER);
      const ehr = byTestId('system-ehr');
      await expectText(ehr.getByTestId('system-status'), 'Fully functional');
      await expectText(ehr.getByTestId('system-criticality'), 'life-critical');
      await expectText(ehr, /Clinical Informatics/);

      // The register in force saved back to a file, and the app says where: the Downloads
      // folder of the person running it (the bridge's own home here).
      const current = incidents[0];
      await byTestId('export-systems-csv').click();
      const saved = await expectText(
        byTestId('export-systems-csv-saved'),
        new RegExp(
          `^Saved 14 systems to ${literally(theBridge().downloads)}/muster-[0-9a-f]{8}-systems-register-\\d{8}-\\d{6}\\.csv$`,
        ),
      );
      assert.equal(
        readFileSync(saved.replace(/^Saved 14 systems to /, ''), 'utf8').split('\n')[0],
        REGISTER.split('\n')[0],
      );
      const [exported] = (await calls('export_file')).slice(-1);
      assert.deepEqual(exported?.args.input, { incident: current, kind: 'systems-csv' });
    },
  ),
);

test(
  'isolation: impact via chains and services; carry-out refused without sign-off; the liaison signs off; the board follows',
  withApp(
    {
      viewport: TALL,
      seed: {
        incidents: [
          {
            title: 'Ransomware on the interface engine',
            severity: 'sev1',
            openedMinutesAgo: 30,
            steps: [
              { minutesAgo: 28, do: 'assign_role', input: { position: 'clinical-liaison', person: 'Carol' } },
              { minutesAgo: 25, do: 'import_systems', input: { file_name: 'systems.csv', csv: REGISTER } },
            ],
          },
        ],
      },
    },
    async ({ page, byTestId }) => {
      await byTestId('nav-systems').click();
      const hl7 = byTestId('system-hl7-engine');
      await hl7.waitFor();
      await expectText(byTestId('impact'), /Choose a system on the board/);

      // Select with the keyboard: focus the system's button, Enter. Its editor opens under it.
      await hl7.getByTestId('system-select').focus();
      await page.keyboard.press('Enter');
      await expectText(byTestId('impact-system'), 'hl7-engine');
      await byTestId('system-editor-hl7-engine').waitFor();
      // Esc closes the editor, writing nothing; Enter opens it again.
      await eventually(async () =>
        assert.equal(
          await page.evaluate(() => document.activeElement?.getAttribute('data-testid')),
          'rate-status',
        ),
      );
      await page.keyboard.press('Escape');
      await expectCount(byTestId('system-editor-hl7-engine'), 0);
      await hl7.getByTestId('system-select').click();
      await byTestId('system-editor-hl7-engine').waitFor();
      await expectText(
        byTestId('signoff-required'),
        'Clinical liaison sign-off required (because: blood-bank, bcma, infusion-pumps, lis, pacs, pharmacy, ris handle medication administration or diagnostics)',
      );
      await expectText(byTestId('affected-bcma').getByTestId('via'), 'via hl7-engine -> pharmacy -> bcma');
      await expectText(byTestId('affected-pharmacy').getByTestId('via'), 'direct');
      await expectText(
        byTestId('affected-infusion-pumps').getByTestId('via'),
        'via hl7-engine -> pharmacy -> bcma -> infusion-pumps',
      );
      // Most critical first.
      assert.deepEqual(
        await byTestId('impact-affected')
          .locator('tr')
          .evaluateAll((rows) => rows.map((r) => r.dataset.testid)),
        [
          'affected-blood-bank',
          'affected-bcma',
          'affected-infusion-pumps',
          'affected-lis',
          'affected-pacs',
          'affected-pharmacy',
          'affected-ris',
        ],
      );
      await expectText(byTestId('impact-services'), /Pharmacy \(pharmacy\)/);
      await expectText(byTestId('impact-services'), /Transfusion Service \(blood-bank\)/);

      // Alice (the IC, not the liaison) proposes. Carrying out is disabled before any click,
      // with the backend's reason next to it.
      await byTestId('propose-reason').fill('Encrypted files spreading from the engine host');
      await byTestId('propose-submit').click();
      await expectText(byTestId('toast-ok').last(), 'Proposed to isolate hl7-engine');
      const proposal = byTestId('proposal').first();
      await expectText(proposal.getByTestId('proposal-title'), 'Isolate hl7-engine');
      await expectText(proposal.getByTestId('signoff-state'), 'Awaiting clinical liaison sign-off');
      await expectCount(proposal.getByTestId('signoff-approve'), 0);
      assert.ok(
        await proposal.getByTestId('carry-out').isDisabled(),
        'carry-out is disabled before sign-off',
      );
      await expectText(
        proposal.getByTestId('carry-out-blocked'),
        "Not yet: to isolate hl7-engine needs the clinical liaison's sign-off first (blood-bank, bcma, infusion-pumps, lis, pacs, pharmacy, ris handle medication administration or diagnostics)",
      );
      // A second proposal of the same act is blocked too, and says why.
      assert.ok(await byTestId('propose-submit').isDisabled());
      await expectText(
        byTestId('propose-blocked'),
        /^Not now: proposal #\S+ to isolate hl7-engine is still open$/,
      );
      await expectText(hl7.getByTestId('system-status'), 'Fully functional');
      await expectText(hl7.getByTestId('status-because'), /^Not rated: counts as fully functional/);

      // Carol, the clinical liaison, signs off.
      await byTestId('operator').click();
      await byTestId('operator-input').fill('Carol');
      await byTestId('operator-save').click();
      await expectText(byTestId('operator'), 'Acting as Carol');
      await proposal.getByTestId('signoff-note').fill('Pharmacy on paper MAR; lab runners in place');
      await proposal.getByTestId('signoff-approve').click();
      // The sign-off belongs to the clinical liaison: Carol confirms it is her signing.
      await expectText(
        byTestId('confirm-acting-who'),
        'You are signing as Carol, Clinical Liaison — confirm',
      );
      await expectText(byTestId('confirm-acting-act'), 'Sign off: isolate hl7-engine');
      await byTestId('confirm-acting-ok').click();
      await expectText(
        proposal.getByTestId('signoff-state'),
        /^signed off by Carol, .* UTC: Pharmacy on paper MAR; lab runners in place$/,
      );
      await expectCount(proposal.getByTestId('signoff-note'), 0);
      await expectCount(proposal.getByTestId('carry-out-blocked'), 0);

      await proposal.getByTestId('carry-out').click();
      await expectText(byTestId('toast-ok').last(), 'hl7-engine isolated');
      await expectText(proposal.getByTestId('carried-out-state'), /^carried out .* UTC by Carol$/);
      await expectCount(proposal.getByTestId('carry-out'), 0);

      // The board: the engine isolated and non-functional, what needs it partially functional.
      await expectText(hl7.getByTestId('isolated-badge'), 'ISOLATED');
      await expectText(hl7.getByTestId('system-status'), 'Non-functional');
      assert.match((await hl7.getByTestId('system-status').getAttribute('class')) ?? '', /\bdanger\b/);
      const pharmacy = byTestId('system-pharmacy');
      await expectText(pharmacy.getByTestId('system-status'), 'Partially functional');
      // "Derived" in words: why the board shows a status nobody rated.
      await expectText(
        pharmacy.getByTestId('status-because'),
        'Derived, not rated: it needs hl7-engine, which is isolated, so it counts as partially functional until someone rates it.',
      );
      await expectText(
        hl7.getByTestId('status-because'),
        'Derived, not rated since it was isolated: an isolated system counts as non-functional until someone rates it.',
      );
      await expectText(byTestId('propose-submit'), 'Propose restoration');
      assert.ok(await byTestId('propose-submit').isEnabled());

      // Rate PACS by hand.
      const pacs = byTestId('system-pacs');
      await pacs.getByTestId('system-select').click();
      const editor = byTestId('system-editor-pacs');
      await editor.getByTestId('rate-status').selectOption('non-functional');
      await editor.getByTestId('rate-comment').fill('Viewers encrypted');
      await editor.getByTestId('rate-submit').click();
      await expectText(byTestId('toast-ok').last(), 'pacs rated');
      await expectCount(editor, 0);
      await expectText(pacs.getByTestId('system-status'), 'Non-functional');
      await expectText(pacs.getByTestId('system-comment'), 'Viewers encrypted');
      await expectText(pacs.getByTestId('status-because'), /^Rated by Carol, .* UTC\.$/);
      await expectCount(pacs.getByTestId('isolated-badge'), 0);
    },
  ),
);

test(
  'at 1024×700 on the demo: a read-first board, most urgent first; a line opens its editor and Rate can be clicked',
  withApp(
    {
      viewport: { width: 1024, height: 700 },
      prepare: async (session) => {
        await session.invoke('load_demo');
      },
    },
    async ({ page, byTestId }) => {
      await byTestId('nav-systems').click();
      const board = byTestId('hics251');
      await board.waitFor();
      // No line is a form: 14 lines, no rating control until one is chosen.
      await expectCount(board.locator('tbody tr'), 14);
      await expectCount(board.getByTestId('rate-form'), 0);
      // Most urgent first: the demo's non-functional systems (the isolated engine and PACS, rated
      // down; both high criticality), then the partially functional ones, then the rest.
      const order = await board
        .locator('tbody tr')
        .evaluateAll((rows) => rows.map((r) => `${r.dataset.status} ${r.dataset.testid}`));
      assert.deepEqual(order.slice(0, 2), ['non-functional system-hl7-engine', 'non-functional system-pacs']);
      assert.ok(
        order.findIndex((o) => o.startsWith('fully')) > order.findLastIndex((o) => o.startsWith('partially')),
        `fully functional systems come last: ${order.join(', ')}`,
      );
      // The work area does not scroll sideways.
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));

      // Choose PACS: its impact beside the board, its editor under its line; Rate is not
      // covered by anything (a click lands on it) and rating writes the new status.
      const pacs = byTestId('system-pacs');
      await pacs.getByTestId('system-select').click();
      await expectText(byTestId('impact-system'), 'pacs');
      const editor = byTestId('system-editor-pacs');
      const rate = editor.getByTestId('rate-submit');
      await rate.scrollIntoViewIfNeeded();
      const box = await rate.boundingBox();
      assert.ok(box, 'the Rate button is on screen');
      const onTop = await page.evaluate(
        ({ x, y }) => document.elementFromPoint(x, y)?.getAttribute('data-testid'),
        { x: box.x + box.width / 2, y: box.y + box.height / 2 },
      );
      assert.equal(onTop, 'rate-submit', 'nothing covers the Rate button');
      await editor.getByTestId('rate-status').selectOption('partially-functional');
      await editor.getByTestId('rate-comment').fill('Reading at the modality consoles');
      await rate.click();
      await expectText(byTestId('toast-ok').last(), 'pacs rated');
      await expectText(pacs.getByTestId('system-status'), 'Partially functional');
      await expectText(pacs.getByTestId('status-because'), /^Rated by .*, .* UTC\.$/);
      // PACS moved down among the partially functional; the engine leads now.
      await expectText(board.locator('tbody tr').first().getByTestId('system-id'), 'hl7-engine');
    },
  ),
);

test(
  'the isolation proposal form: an empty reason, and one the backend refuses, are said at the field; nothing is written',
  withApp(
    {
      viewport: TALL,
      seed: {
        incidents: [
          {
            title: 'Ransomware on the interface engine',
            severity: 'sev1',
            openedMinutesAgo: 30,
            steps: [
              { minutesAgo: 25, do: 'import_systems', input: { file_name: 'systems.csv', csv: REGISTER } },
            ],
          },
        ],
      },
    },
    async ({ page, byTestId, calls, invoke, incidents }) => {
      const entries = async () =>
        (await invoke('list_incidents')).find((/** @type {{ id: string }} */ r) => r.id === incidents[0])
          .entry_count;
      const before = await entries();
      await byTestId('nav-systems').click();
      await byTestId('system-hl7-engine').getByTestId('system-select').click();
      await expectText(byTestId('impact-system'), 'hl7-engine');

      // Empty: the form says what to write, at the field, and sends nothing.
      await byTestId('propose-submit').click();
      await expectText(
        byTestId('error-propose-reason-error'),
        'Say why it should be isolated (it goes in the log with the proposal).',
      );
      assert.equal(
        await page.evaluate(() => document.activeElement?.getAttribute('data-testid')),
        'propose-reason',
      );
      assert.equal((await calls('propose_isolation')).length, 0);

      // Too long: the backend's limit, in words, at the field, not in a toast.
      await byTestId('propose-reason').fill('x'.repeat(20_001));
      await byTestId('propose-submit').click();
      await expectText(byTestId('error-propose-reason-error'), 'Longer than 20000 characters.');
      assert.equal(await byTestId('propose-reason').getAttribute('aria-invalid'), 'true');
      assert.equal(await byTestId('toast-error').count(), 0);
      assert.equal((await calls('propose_isolation')).length, 1);
      await expectCount(byTestId('proposals').locator('li'), 0);
      assert.equal(await entries(), before);
    },
  ),
);
