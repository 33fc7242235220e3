// Sync in the window: the status item (not connected, synced at a time in the viewer's zone,
// offline with entries waiting), the Sync dialog (Alt S, the palette) with its login and share
// forms, and the red banner when the server reports two histories signed by one device key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectCount, expectFocused, expectText, useBrowser, withApp } from './helpers.mjs';

useBrowser();

const seed = {
  incidents: [
    {
      title: 'Ransomware on imaging servers',
      severity: 'sev1',
      openedMinutesAgo: 30,
      steps: [{ minutesAgo: 20, do: 'add_note', input: { text: 'PACS viewers show a ransom note' } }],
    },
  ],
};

/** "14:05" of an instant in UTC (the tests' browser zone and the mock's zone). */
const hhmm = (ms) => new Date(ms).toISOString().slice(11, 16);

test(
  'without a server every screen works and the status item says "Not connected"',
  withApp({ seed }, async ({ page, byTestId, calls }) => {
    await expectText(byTestId('sync-status'), 'Not connected');
    assert.equal(await byTestId('sync-status').getAttribute('data-state'), 'off');
    for (const screen of ['timeline', 'roster', 'prompts', 'decisions', 'breach', 'systems', 'incidents']) {
      await byTestId(`nav-${screen}`).click();
      await expectCount(byTestId('load-error'), 0);
    }
    await byTestId('nav-timeline').click();
    await page.keyboard.press('n');
    await expectFocused(page, 'quick-note');
    await page.keyboard.type('Written with no server configured');
    await page.keyboard.press('Enter');
    await expectText(page.getByTestId('row-summary').first(), 'Written with no server configured');
    await expectCount(byTestId('sync-alert-banner'), 0);
    // Nothing asks the server for evidence while there is none.
    assert.equal((await calls('sync_alerts')).length, 0);
  }),
);

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUJ0f3\n-----END CERTIFICATE-----\n';

test(
  'an https server with its own certificate: the certificate file chosen in the form is sent with the login',
  withApp({ seed }, async ({ page, byTestId, calls }) => {
    await page.keyboard.press('Alt+s');
    await byTestId('sync-dialog').waitFor();
    await byTestId('sync-server').fill('https://10.0.0.5:7373');
    await byTestId('sync-user').fill('alice');
    await byTestId('sync-token').fill('token-alice');
    // Without the certificate the server is not trusted, and the form says why.
    await byTestId('sync-login-submit').click();
    await expectText(byTestId('sync-login-error'), /invalid peer certificate: UnknownIssuer/);
    await byTestId('sync-ca-cert').setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('not a certificate'),
    });
    await byTestId('sync-login-submit').click();
    await expectText(byTestId('sync-login-error'), 'the CA certificate file holds no CERTIFICATE block');
    await byTestId('sync-ca-cert').setInputFiles({
      name: 'war-room-ca.pem',
      mimeType: 'application/x-pem-file',
      buffer: Buffer.from(PEM),
    });
    await expectText(
      byTestId('sync-ca-chosen'),
      'Trusting the certificate in war-room-ca.pem for this server.',
    );
    await byTestId('sync-login-submit').click();
    await expectText(byTestId('sync-status'), /^Synced at \d\d:\d\d \(UTC\)$/);
    const logins = await calls('sync_login');
    assert.equal(logins.length, 3);
    assert.deepEqual(logins[2].args.input, {
      server: 'https://10.0.0.5:7373',
      user: 'alice',
      token: 'token-alice',
      ca_cert: PEM,
    });
  }),
);

test(
  'Alt S opens the Sync dialog; a wrong token is refused next to the form; logging in shows "Synced at"',
  withApp({ seed }, async ({ page, byTestId, calls }) => {
    await expectText(byTestId('sync-status'), 'Not connected');
    await page.keyboard.press('Alt+s');
    await byTestId('sync-dialog').waitFor();
    await expectFocused(page, 'sync-server');
    await page.keyboard.type('10.0.0.5:7373');
    await byTestId('sync-user').fill('alice');
    await byTestId('sync-token').fill('token-alice');
    await byTestId('sync-login-submit').click();
    // Checked before anything is sent.
    await expectText(byTestId('sync-login-error'), /starts with http:\/\//);
    assert.equal((await calls('sync_login')).length, 0);

    await byTestId('sync-server').fill('http://10.0.0.5:7373/');
    await byTestId('sync-token').fill('not-the-token');
    await byTestId('sync-login-submit').click();
    await expectText(
      byTestId('sync-login-error'),
      'unknown user, or the enrolment token is wrong, used or expired',
    );
    await expectText(byTestId('sync-status'), 'Not connected');

    await byTestId('sync-token').fill('token-alice');
    await byTestId('sync-login-submit').click();
    const [login] = (await calls('sync_login')).slice(-1);
    assert.deepEqual(login.args.input, {
      server: 'http://10.0.0.5:7373/',
      user: 'alice',
      token: 'token-alice',
      ca_cert: null,
    });
    await expectCount(byTestId('sync-ca-cert'), 0); // only for an https server
    const synced = await expectText(byTestId('sync-status'), /^Synced at \d\d:\d\d \(UTC\)$/);
    assert.equal(synced.slice(10, 15), hhmm(Date.now()));
    await expectText(byTestId('sync-dialog-state'), synced);
    // Logged in: share the current incident, Sync now.
    await byTestId('share-user').fill('carol');
    await byTestId('share-submit').click();
    await expectText(byTestId('share-error'), 'no user named "carol"');
    await byTestId('share-user').fill('bob');
    await byTestId('share-commander').check();
    await byTestId('share-submit').click();
    await expectText(page.locator('.toast').last(), 'Incident shared with bob (commander)');
    const [share] = (await calls('sync_share')).slice(-1);
    const current = await page.evaluate(() => window.__mock.state().current);
    assert.deepEqual(share.args.input, { incident: current, user: 'bob', commander: true });
    await byTestId('sync-now').click();
    assert.equal((await calls('sync_now')).length, 1);
    await page.keyboard.press('Escape');
    await expectCount(byTestId('sync-dialog'), 0);

    // The palette reaches the same dialog.
    await page.keyboard.press('Control+k');
    await page.keyboard.type('sync');
    await page.keyboard.press('Enter');
    await byTestId('sync-dialog').waitFor();
  }),
);

test(
  'offline: the item says so with the entries waiting, and the dialog gives the reason',
  withApp({ seed }, async ({ page, byTestId }) => {
    const lastSync = Date.now() - 5 * 60_000;
    await page.evaluate(
      (t) =>
        window.__mock.setSync({
          state: 'offline',
          server: 'http://10.0.0.5:7373',
          user: 'alice',
          synced_at_ms: t,
          waiting: 3,
          last_error: {
            code: 'sync.unreachable',
            message: 'cannot reach the sync server: connection refused',
          },
        }),
      lastSync,
    );
    await expectText(byTestId('sync-status'), 'Offline · 3 entries waiting');
    assert.equal(await byTestId('sync-status').getAttribute('data-state'), 'offline');
    await byTestId('sync-status').click();
    await expectText(
      byTestId('sync-last-error'),
      'cannot reach the sync server: connection refused [sync.unreachable]',
    );
    await expectText(
      byTestId('sync-dialog'),
      new RegExp(`Last success Synced at ${hhmm(lastSync)} \\(UTC\\)`),
    );
    // Back: the loop pushes the new state and the item follows without a reload.
    await page.evaluate(() =>
      window.__mock.setSync({ state: 'synced', synced_at_ms: Date.now(), waiting: 0, last_error: null }),
    );
    await expectText(byTestId('sync-status'), /^Synced at \d\d:\d\d \(UTC\)$/);
  }),
);

test(
  'an equivocation alert for the current incident shows a red banner naming device and entry',
  withApp({ seed }, async ({ page, byTestId }) => {
    await expectText(byTestId('sync-status'), 'Not connected');
    await expectCount(byTestId('sync-alert-banner'), 0);
    await page.evaluate(() => {
      window.__mock.setEvidence(null, {
        alerts: [
          {
            kind: 'equivocation',
            description:
              'two histories signed by one device key: the server holds another entry at the same place',
            device: '9f3a61c2',
            seq: 14,
            pushed_by: 'bob',
            received_ms: Date.UTC(2026, 10, 22, 8, 0),
            received_text: '2026-11-22 08:00:00 UTC',
          },
        ],
        conflicts: [
          {
            device: '9f3a61c2',
            seq: 15,
            reason: 'ingest.prev_hash_mismatch',
            description:
              "two histories signed by one device key: it does not continue this laptop's copy of the stream",
            received_ms: Date.UTC(2026, 10, 22, 8, 1),
            received_text: '2026-11-22 08:01:00 UTC',
          },
        ],
      });
      window.__mock.setSync({
        state: 'synced',
        server: 'http://10.0.0.5:7373',
        user: 'alice',
        synced_at_ms: Date.now(),
        alerts: 1,
        conflicts: 1,
      });
    });
    const banner = byTestId('sync-alert-banner');
    await expectText(banner, /^Sync found two histories signed by one device key/);
    await expectText(
      byTestId('sync-alert'),
      'Equivocation: two histories signed by one device key: the server holds another entry at the same place. Device 9f3a61c2, entry 14, pushed by bob (alert received 2026-11-22 08:00:00 UTC)',
    );
    await expectText(byTestId('sync-conflict'), /^Set aside here: .*Device 9f3a61c2, entry 15/);
    assert.equal(await banner.getAttribute('role'), 'alert');
    // The banner stays where the person works, on every screen of the incident.
    await byTestId('nav-roster').click();
    await expectCount(byTestId('sync-alert-banner'), 1);
  }),
);

test(
  "an entry the server flagged for its author's clock carries a badge saying how far off it was",
  withApp({ seed }, async ({ page, byTestId }) => {
    await byTestId('nav-timeline').click();
    const row = byTestId('timeline-row').filter({ hasText: 'PACS viewers show a ransom note' });
    await row.waitFor();
    await expectCount(row.getByTestId('clock-flag'), 0);
    await page.evaluate(() => window.__mock.flagClock('PACS viewers show a ransom note', 7 * 60_000));
    await expectText(row.getByTestId('clock-flag'), "author's clock was 7 min fast");
    // Other rows are not flagged.
    await expectCount(byTestId('clock-flag'), 1);
  }),
);
