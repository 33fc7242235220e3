// Shared set-up for the browser tests: one browser per test file (run.mjs launches it and passes
// its endpoint; a file run alone with `../scripts/with-keyring node --test tests/browser/x.test.mjs`
// launches its own, and uses the binaries cargo built last) and one bridge per file
// (the real desktop app over HTTP, src-tauri/examples/muster-bridge); per test a fresh
// installation (a bridge session), seeded through the real commands, a fresh browser context
// with the IPC shim (tauri-shim.js) injected before the UI loads, a screenshot per test, and
// polling assertions.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { Bridge } from './bridge.mjs';
import { MINUTE } from './constants.mjs';
import { seed as seedInstallation } from './seed.mjs';
import { cleanUp } from './world.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const UI_DIR = path.resolve(here, '../..');
export const CHROMIUM = {
  executablePath: process.env.MUSTER_CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};
export const artifactsDir = () =>
  path.resolve(process.env.MUSTER_ARTIFACTS ?? path.join(UI_DIR, 'test-results'));

const SHIM_SOURCE = readFileSync(path.join(here, 'tauri-shim.js'), 'utf8');

/** @type {import('playwright-core').Browser | undefined} */
let browser;
/** @type {Bridge | undefined} */
let bridge;

/** The bridge of this test file (after `useBrowser`'s `before` hook ran). */
export function theBridge() {
  assert.ok(bridge, 'useBrowser() was not called in this file');
  return bridge;
}

/**
 * Registers the file's before/after hooks: connect to (or launch) the browser, start a bridge.
 * @param {string} [name] names the bridge's log (default: the test file's name)
 */
export function useBrowser(name = path.basename(process.argv[1] ?? 'browser', '.test.mjs')) {
  before(async () => {
    const dist = path.resolve(process.env.MUSTER_DIST ?? path.join(UI_DIR, 'dist'));
    if (!existsSync(path.join(dist, 'index.html')))
      throw new Error(`${dist} has no index.html: run \`npm run build\``);
    bridge = await Bridge.start({ dist, log: path.join(artifactsDir(), `bridge-${name}.log`) });
    if (process.env.MUSTER_BROWSER_WS) {
      browser = await chromium.connect(process.env.MUSTER_BROWSER_WS);
    } else {
      // Run alone (node --test tests/browser/x.test.mjs): a browser of its own.
      browser = await chromium.launch(CHROMIUM);
    }
  });
  after(async () => {
    // Closes a browser of its own; disconnects from run.mjs's.
    await browser?.close().catch(() => {});
    await bridge?.stop();
    await cleanUp();
  });
}

/** "Quick entry: n focuses the note" -> "quick-entry-n-focuses-the-note". */
const slug = (name) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 80)
    .replace(/^-|-$/g, '');

/**
 * @typedef {object} AppOptions
 * @property {string | null} [operator] who is "acting as" (default Alice); null: nobody said yet
 *   (a first launch: the console asks for a name; pass waitForReady: false)
 * @property {import('./seed.mjs').Seed} [seed] incidents written before the UI starts (seed.mjs;
 *   `minutesAgo` counts back from `now`)
 * @property {string | (() => Promise<string>)} [dataDir] open this installation instead of a new
 *   one (as --data-dir); a function makes it when the test starts
 * @property {(session: import('./bridge.mjs').Session, incidents: string[]) => Promise<void>} [prepare]
 *   runs on the installation after seeding, acting as `operator`, before the UI starts (files
 *   in its data directory, other laptops)
 * @property {number} [now] the clock, page and app alike, when the UI starts (default: the real
 *   time); a test that moves the clock must set it (the page's clock is then Playwright's)
 * @property {{ width: number, height: number }} [viewport]
 * @property {boolean} [waitForReady] wait for the first screen (default true)
 *
 * @typedef {object} App
 * @property {import('playwright-core').Page} page
 * @property {(id: string) => import('playwright-core').Locator} byTestId
 * @property {(cmd?: string) => Promise<Array<{cmd: string, args: any}>>} calls the page's IPC calls
 *   so far (only those of `cmd` when given)
 * @property {(event: string) => Promise<any[]>} received the payloads of the app's events of this
 *   name that reached the page's listeners so far
 * @property {import('./bridge.mjs').Session} session the installation (its commands, its clock)
 * @property {string[]} incidents the seeded incidents' ids, in the seed's order
 * @property {(cmd: string, args?: object, opts?: { at?: number }) => Promise<any>} invoke a real
 *   command, from the test (`at`: with the clock held at that instant while it runs)
 *   (not counted in `calls`)
 * @property {(ms: number) => Promise<void>} setClock moves the clock of the app and of the page
 */

/**
 * Wraps a test body: a fresh installation, seeded; a fresh context and page on the bridge; the
 * UI loaded; then a screenshot (pass or fail) and no uncaught page errors allowed.
 * @param {AppOptions} options
 * @param {(app: App, t: import('node:test').TestContext) => Promise<void>} body
 */
export function withApp(options, body) {
  return async (/** @type {import('node:test').TestContext} */ t) => {
    assert.ok(browser && bridge, 'useBrowser() was not called in this file');
    const operator = options.operator === undefined ? 'Alice' : options.operator;
    const dataDir = typeof options.dataDir === 'function' ? await options.dataDir() : options.dataDir;
    const session = await bridge.open(dataDir ? { dataDir } : {});
    const context = await browser.newContext({
      viewport: options.viewport ?? { width: 1400, height: 900 },
      timezoneId: 'UTC',
      locale: 'en-GB',
    });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    try {
      if (operator !== null) await session.invoke('set_operator', { name: operator });
      const now = options.now;
      const incidents = options.seed ? await seedInstallation(session, options.seed, { operator, now }) : [];
      await options.prepare?.(session, incidents);
      if (now !== undefined) {
        await session.setClock(now);
        await page.clock.install({ time: now });
      }
      /** @type {string[]} */
      const pageErrors = [];
      page.on('pageerror', (e) => pageErrors.push(e.stack ?? String(e)));
      page.on('console', (m) => {
        if (m.type() === 'error' && !m.text().includes('Failed to load resource')) pageErrors.push(m.text());
      });
      await page.addInitScript({
        content: `window.__MUSTER_BRIDGE__ = ${JSON.stringify({ session: session.id })};\n${SHIM_SOURCE}`,
      });
      /** @type {App} */
      const app = {
        page,
        byTestId: (id) => page.getByTestId(id),
        calls: (cmd) =>
          page.evaluate((c) => window.__bridge.calls.filter((x) => c === undefined || x.cmd === c), cmd),
        received: (event) =>
          page.evaluate(
            (e) => window.__bridge.received.filter((x) => x.event === e).map((x) => x.payload),
            event,
          ),
        session,
        incidents,
        invoke: (cmd, args, opts) => session.invoke(cmd, args, opts),
        setClock: async (ms) => {
          assert.ok(options.now !== undefined, 'a test that moves the clock sets `now` in withApp');
          await session.setClock(ms);
          await page.clock.setSystemTime(ms);
        },
      };
      await page.goto(bridge.url);
      if (options.waitForReady !== false) {
        // The shell is up once the header shows who is acting (app_info answered) and the app
        // listens for what the backend pushes (the last thing it does at start, after showing
        // its first screen): keys pressed or clocks moved before that would be lost.
        await eventually(async () =>
          assert.match(await page.getByTestId('operator').innerText(), new RegExp(`Acting as ${operator}`)),
        );
        await page.waitForFunction(
          (events) => events.every((e) => window.__bridge.listening().includes(e)),
          ['store-changed', 'prompt-fired', 'deadline-fired', 'sync-status'],
        );
      }
      await body(app, t);
      assert.deepEqual(pageErrors, [], 'the page threw or logged errors');
    } finally {
      mkdirSync(artifactsDir(), { recursive: true });
      await page
        .screenshot({ path: path.join(artifactsDir(), `browser-${slug(t.name)}.png`), fullPage: true })
        .catch(() => {});
      await context.close();
      await session.close();
    }
  };
}

/**
 * Retries an assertion until it passes (polling; no fixed sleeps), or throws its last error.
 * @template T
 * @param {() => Promise<T> | T} check
 * @param {{ timeout?: number, interval?: number }} [opts]
 * @returns {Promise<T>}
 */
export async function eventually(check, { timeout = 5000, interval = 25 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }
}

/**
 * Waits until the locator's text, as read (innerText, runs of white space as one space), equals
 * `expected` or matches it.
 */
export async function expectText(locator, expected, opts) {
  return eventually(async () => {
    const text = (await locator.innerText({ timeout: 1000 })).replace(/\s+/g, ' ').trim();
    if (expected instanceof RegExp) assert.match(text, expected);
    else assert.equal(text, expected);
    return text;
  }, opts);
}

/** Waits until the locator matches `n` elements. */
export async function expectCount(locator, n, opts) {
  return eventually(async () => assert.equal(await locator.count(), n), opts);
}

/** Waits until the element with this data-testid has focus. */
export async function expectFocused(page, testId) {
  await page.waitForFunction(
    (id) => document.activeElement instanceof HTMLElement && document.activeElement.dataset.testid === id,
    testId,
    { timeout: 5000 },
  );
}

/** A RegExp source matching `text` literally (a path in an expected message). @param {string} text */
export const literally = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export { MINUTE };
