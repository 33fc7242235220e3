// Shared set-up for the browser tests: one browser per test file (run.mjs launches it and passes
// its endpoint; a file run alone with `node --test` launches its own), a fresh context per test,
// the mock backend injected before the UI loads, a screenshot per test, and polling assertions.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startStaticServer } from './static-server.mjs';

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

const MOCK_SOURCE = readFileSync(path.join(here, 'mock-backend.js'), 'utf8');

/** @type {import('playwright-core').Browser | undefined} */
let browser;
/** @type {string | undefined} */
let baseUrl;
/** @type {(() => Promise<void>) | undefined} */
let closeOwn;

/** Registers the file's before/after hooks: connect to (or launch) the browser. */
export function useBrowser() {
  before(async () => {
    if (process.env.MUSTER_BROWSER_WS && process.env.MUSTER_BASE_URL) {
      browser = await chromium.connect(process.env.MUSTER_BROWSER_WS);
      baseUrl = process.env.MUSTER_BASE_URL;
      return;
    }
    // Run alone (node --test tests/browser/x.test.mjs): serve dist and launch a browser here.
    const dist = path.resolve(process.env.MUSTER_DIST ?? path.join(UI_DIR, 'dist'));
    if (!existsSync(path.join(dist, 'index.html')))
      throw new Error('ui/dist is missing: run `npm run build`');
    const server = await startStaticServer(dist);
    browser = await chromium.launch(CHROMIUM);
    baseUrl = server.url;
    closeOwn = server.close;
  });
  after(async () => {
    await browser?.close();
    await closeOwn?.();
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
 * @property {string} [operator] who is "acting as" (default Alice)
 * @property {object} [seed] incidents to create before the UI starts (see mock-backend.js)
 * @property {{ width: number, height: number }} [viewport]
 * @property {boolean} [waitForReady] wait for the first screen (default true)
 * @property {object} [mock] further mock options (see mock-backend.js), e.g. rulesetProblems
 *
 * @typedef {object} App
 * @property {import('playwright-core').Page} page
 * @property {(id: string) => import('playwright-core').Locator} byTestId
 * @property {(cmd?: string) => Promise<Array<{cmd: string, args: any}>>} calls IPC calls made so
 *   far (only those of `cmd` when given)
 */

/**
 * Wraps a test body: a fresh context and page with the mock backend, the UI loaded, then a
 * screenshot (pass or fail) and no uncaught page errors allowed.
 * @param {AppOptions} options
 * @param {(app: App, t: import('node:test').TestContext) => Promise<void>} body
 */
export function withApp(options, body) {
  return async (/** @type {import('node:test').TestContext} */ t) => {
    assert.ok(browser && baseUrl, 'useBrowser() was not called in this file');
    const context = await browser.newContext({
      viewport: options.viewport ?? { width: 1400, height: 900 },
      timezoneId: 'UTC',
      locale: 'en-GB',
    });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    /** @type {string[]} */
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.stack ?? String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().includes('Failed to load resource')) pageErrors.push(m.text());
    });
    const init = { ...options.mock, operator: options.operator ?? 'Alice', seed: options.seed };
    await page.addInitScript({
      content: `window.__MUSTER_MOCK_OPTIONS__ = ${JSON.stringify(init)};\n${MOCK_SOURCE}`,
    });
    /** @type {App} */
    const app = {
      page,
      byTestId: (id) => page.getByTestId(id),
      calls: (cmd) =>
        page.evaluate((c) => window.__mock.calls.filter((x) => c === undefined || x.cmd === c), cmd),
    };
    try {
      await page.goto(baseUrl);
      if (options.waitForReady !== false) {
        // The shell is up once the header shows who is acting (app_info answered).
        await eventually(async () =>
          assert.match(
            await page.getByTestId('operator').innerText(),
            new RegExp(`Acting as ${init.operator}`),
          ),
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

const MINUTE = 60_000;
export { MINUTE };
