// Sync in the window, against a real `muster serve` on 127.0.0.1 (a throwaway database, users
// enrolled with `muster server user add`) and other laptops run with the `muster` CLI: the
// status item (not connected, synced at a time in the viewer's zone, offline with entries
// waiting), the Sync dialog (Alt S, the palette) with its login and share forms, https with a
// certificate of the war room's own, the red banner when the server reports two histories
// signed by one device key, and the badge on an entry the server flagged for its author's clock.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { MINUTE } from './constants.mjs';
import { eventually, expectCount, expectFocused, expectText, useBrowser, withApp } from './helpers.mjs';
import { Laptop, SyncServer, selfSignedCertificate } from './world.mjs';

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

/** "14:05" of an instant in UTC (the tests' browser zone and the app's). */
const hhmm = (/** @type {number} */ ms) => new Date(ms).toISOString().slice(11, 16);
/** The minute an instant read a moment ago may show (the clock may have turned since). */
const aMomentAgo = (/** @type {number} */ ms) => [hhmm(ms), hhmm(ms - MINUTE)];

/**
 * Logs the window's installation in as `user` through the real command, as the Sync dialog does,
 * and waits for its sync loop to be synced.
 * @param {import('./bridge.mjs').Session} session @param {SyncServer} server @param {string} user
 */
async function logIn(session, server, user) {
  const token = await server.addUser(user);
  await session.invoke('sync_login', { input: { server: server.url, user, token, ca_cert: null } });
  return syncedStatus(session);
}

/** Waits until the installation's sync loop is synced with nothing waiting; its status. @param {import('./bridge.mjs').Session} session */
async function syncedStatus(session) {
  return eventually(
    async () => {
      const status = await session.invoke('sync_status');
      assert.equal(status.state, 'synced', JSON.stringify(status));
      assert.equal(status.waiting, 0, JSON.stringify(status));
      return status;
    },
    { timeout: 20_000 },
  );
}

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

test(
  'an https server with its own certificate: the certificate file chosen in the form is sent with the login',
  withApp({ seed }, async ({ page, byTestId, calls }) => {
    const tls = await selfSignedCertificate();
    const server = await SyncServer.start({ tls });
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const token = await server.addUser('alice');
    const pem = readFileSync(tls.cert, 'utf8');
    await page.keyboard.press('Alt+s');
    await byTestId('sync-dialog').waitFor();
    await byTestId('sync-server').fill(server.url);
    await byTestId('sync-user').fill('alice');
    await byTestId('sync-token').fill(token);
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
      buffer: Buffer.from(pem),
    });
    await expectText(
      byTestId('sync-ca-chosen'),
      'Trusting the certificate in war-room-ca.pem for this server.',
    );
    // The refused attempts did not use the one-time token up: it logs in now.
    await byTestId('sync-login-submit').click();
    await expectText(byTestId('sync-status'), /^Synced at \d\d:\d\d \(UTC\)$/, { timeout: 20_000 });
    const logins = await calls('sync_login');
    assert.equal(logins.length, 3);
    assert.deepEqual(logins[2]?.args.input, { server: server.url, user: 'alice', token, ca_cert: pem });
  }),
);

test(
  'Alt S opens the Sync dialog; a wrong token is refused next to the form; logging in shows "Synced at"',
  withApp({ seed }, async ({ page, byTestId, calls, incidents }) => {
    const server = await SyncServer.start();
    const token = await server.addUser('alice');
    await server.addUser('bob');
    await expectText(byTestId('sync-status'), 'Not connected');
    await page.keyboard.press('Alt+s');
    await byTestId('sync-dialog').waitFor();
    await expectFocused(page, 'sync-server');
    await page.keyboard.type('10.0.0.5:7373');
    await byTestId('sync-user').fill('alice');
    await byTestId('sync-token').fill(token);
    await byTestId('sync-login-submit').click();
    // Checked before anything is sent.
    await expectText(byTestId('sync-login-error'), /starts with http:\/\//);
    assert.equal((await calls('sync_login')).length, 0);

    // The server refuses a token it did not issue.
    await byTestId('sync-server').fill(`${server.url}/`);
    await byTestId('sync-token').fill('not-the-token');
    await byTestId('sync-login-submit').click();
    await expectText(
      byTestId('sync-login-error'),
      'unknown user, or the enrolment token is wrong, used or expired',
    );
    await expectText(byTestId('sync-status'), 'Not connected');

    await byTestId('sync-token').fill(token);
    await byTestId('sync-login-submit').click();
    const [login] = (await calls('sync_login')).slice(-1);
    assert.deepEqual(login?.args.input, { server: `${server.url}/`, user: 'alice', token, ca_cert: null });
    await expectCount(byTestId('sync-ca-cert'), 0); // only for an https server
    const synced = await expectText(byTestId('sync-status'), /^Synced at \d\d:\d\d \(UTC\)$/, {
      timeout: 20_000,
    });
    assert.ok(aMomentAgo(Date.now()).includes(synced.slice(10, 15)), synced);
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
    assert.deepEqual(share?.args.input, { incident: incidents[0], user: 'bob', commander: true });
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

/** @type {SyncServer | undefined} */
let offlineServer;
/** @type {number} */
let lastSync = 0;

test(
  'offline: the item says so with the entries waiting, and the dialog gives the reason',
  withApp(
    {
      seed,
      prepare: async (session) => {
        offlineServer = await SyncServer.start();
        lastSync = (await logIn(session, offlineServer, 'alice')).synced_at_ms;
      },
    },
    async ({ byTestId, invoke, incidents }) => {
      const server = /** @type {SyncServer} */ (offlineServer);
      await expectText(byTestId('sync-status'), `Synced at ${hhmm(lastSync)} (UTC)`);
      // The server goes away (the copy of the backend was told "offline"); three entries
      // written meanwhile wait for it.
      await server.stop();
      for (const text of ['EHR read-only', 'Pharmacy on paper', 'Lab on runners']) {
        await invoke('add_note', { input: { incident: incidents[0], text, occurred_at: null } });
      }
      await expectText(byTestId('sync-status'), 'Offline · 3 entries waiting', { timeout: 20_000 });
      assert.equal(await byTestId('sync-status').getAttribute('data-state'), 'offline');
      await byTestId('sync-status').click();
      await expectText(
        byTestId('sync-last-error'),
        /^cannot reach the sync server: .*[Cc]onnection refused.* \[sync\.unreachable\]$/,
      );
      await expectText(
        byTestId('sync-dialog'),
        new RegExp(`Last success Synced at ${hhmm(lastSync)} \\(UTC\\)`),
      );
      // Back on the same address: the loop finds it by itself, pushes what waited, and the item
      // follows without a reload.
      await server.restart();
      await expectText(byTestId('sync-status'), /^Synced at \d\d:\d\d \(UTC\)$/, { timeout: 60_000 });
    },
  ),
);

/** @type {Laptop | undefined} */
let original;

test(
  'an equivocation alert for the current incident shows a red banner naming device and entry',
  withApp(
    {
      // This laptop was restored from a disk image of another (the original), which went on
      // working: the same installation, device key and server session. The copy of the backend
      // was handed the server's verdict; here the two laptops write and the server gives it.
      dataDir: async () => {
        const server = await SyncServer.start();
        original = new Laptop('Alice');
        await original.login(server, 'alice');
        await original.run([
          'incident',
          'open',
          '--title',
          'Ransomware on imaging servers',
          '--severity',
          'sev1',
        ]);
        await original.run(['note', 'PACS viewers show a ransom note']);
        await original.run(['sync']);
        return original.cloneInto().home;
      },
    },
    async ({ page, byTestId, session, invoke }) => {
      const first = /** @type {Laptop} */ (original);
      // One device: the window's installation is the original's (its short id, as shown).
      const device = (await invoke('app_info')).device;
      assert.ok((await first.json(['whoami'])).device.startsWith(device), device);
      // Logged in through the copied session, synced, nothing wrong yet. (The copy of the
      // backend started "Not connected".)
      await syncedStatus(session);
      await expectText(byTestId('sync-status'), /^Synced at \d\d:\d\d \(UTC\)$/);
      await expectCount(byTestId('sync-alert-banner'), 0);

      // Both write the next entry of the same stream; the original's reaches the server first.
      await first.run(['note', 'Isolated the PACS VLAN']);
      await first.run(['sync']);
      await page.keyboard.press('n');
      await page.keyboard.type('PACS VLAN left up for radiology');
      await page.keyboard.press('Enter');

      // Entry 5 of the device's stream: opening wrote 1-3 (opened, commander, severity), the
      // first note 4.
      const banner = byTestId('sync-alert-banner');
      await expectText(banner, /^Sync found two histories signed by one device key/, { timeout: 20_000 });
      await expectText(
        byTestId('sync-alert'),
        new RegExp(
          `^Equivocation: two histories signed by one device key: the server holds another entry at the same place\\. Device ${device}, entry 5, pushed by alice \\(alert received \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\\)$`,
        ),
      );
      await expectText(byTestId('sync-conflict'), new RegExp(`^Set aside here: .*Device ${device}, entry 5`));
      assert.equal(await banner.getAttribute('role'), 'alert');
      // The banner stays where the person works, on every screen of the incident.
      await byTestId('nav-roster').click();
      await expectCount(byTestId('sync-alert-banner'), 1);
    },
  ),
);

/** @type {SyncServer | undefined} */
let skewServer;
let bobsToken = '';

test(
  "an entry the server flagged for its author's clock carries a badge saying how far off it was",
  withApp(
    {
      seed,
      prepare: async (session, incidents) => {
        skewServer = await SyncServer.start();
        await logIn(session, skewServer, 'alice');
        bobsToken = await skewServer.addUser('bob');
        await session.invoke('sync_share', {
          input: { incident: incidents[0], user: 'bob', commander: false },
        });
      },
    },
    async ({ byTestId, incidents }) => {
      await byTestId('nav-timeline').click();
      const own = byTestId('timeline-row').filter({ hasText: 'PACS viewers show a ransom note' });
      await own.waitFor();
      await expectCount(own.getByTestId('clock-flag'), 0);
      // Bob's laptop runs seven minutes fast (libfaketime); the server flags what it pushes.
      // (The copy of the backend flagged an entry because the test said so.)
      const bob = new Laptop('Bob');
      await bob.login(/** @type {SyncServer} */ (skewServer), 'bob', { token: bobsToken });
      await bob.run(['sync']);
      await bob.run(['incident', 'use', incidents[0] ?? '']);
      await bob.run(['note', 'Backup tapes located'], { clockAhead: '+7m' });
      await bob.run(['sync'], { clockAhead: '+7m' });
      const bobs = byTestId('timeline-row').filter({ hasText: 'Backup tapes located' });
      await expectText(bobs.getByTestId('clock-flag'), "author's clock was 7 min fast", { timeout: 20_000 });
      // Other rows are not flagged.
      await expectCount(byTestId('clock-flag'), 1);
    },
  ),
);
