// Runs the browser tests (tests/browser/*.test.mjs): the built UI (ui/dist) in Chromium on the
// real desktop app through the bridge (src-tauri/examples/muster-bridge; decision 0020). Builds
// what is missing (ui/dist; the bridge and the `muster` CLI with cargo), runs itself under
// scripts/with-keyring (every installation's device key goes to a throwaway OS keyring),
// launches one Chromium, runs each test file in its own process with node:test (each starts its
// own bridge and opens a fresh installation and browser context per test), then closes
// everything. Exits non-zero when a test fails.
//
//   npm run test:browser                 all files
//   npm run test:browser -- timeline     only files whose name contains "timeline"
//
// Environment: MUSTER_ARTIFACTS (screenshots and the bridges' logs; default ui/test-results),
// MUSTER_CHROMIUM (default /usr/bin/chromium), MUSTER_BROWSER_CONCURRENCY (test files at once;
// default 2), MUSTER_DIST (serve another build instead of ui/dist, e.g. a deliberately broken
// copy), MUSTER_BRIDGE and MUSTER_BIN (use these binaries instead of building them),
// CARGO_TARGET_DIR (where cargo builds them).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { BRIDGE_BIN, MUSTER_BIN, REPO_DIR } from './bridge.mjs';
import { CHROMIUM, UI_DIR, artifactsDir } from './helpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const started = Date.now();

// Everything below opens Muster installations: their device keys go to a private keyring.
if (!process.env.MUSTER_WITH_KEYRING) {
  const wrapped = spawnSync(
    path.join(REPO_DIR, 'scripts', 'with-keyring'),
    [process.execPath, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  process.exit(wrapped.status ?? 1);
}

const dist = path.resolve(process.env.MUSTER_DIST ?? path.join(UI_DIR, 'dist'));
if (!process.env.MUSTER_DIST && !existsSync(path.join(dist, 'index.html'))) {
  console.log('ui/dist is missing: building it (npx vite build)');
  const built = spawnSync('npx', ['vite', 'build'], { cwd: UI_DIR, stdio: 'inherit' });
  if (built.status !== 0) {
    console.error('vite build failed');
    process.exit(1);
  }
}
if (!process.env.MUSTER_BRIDGE || !process.env.MUSTER_BIN) {
  const cargo = ['build', '--locked', '-p', 'muster-desktop', '--example', 'muster-bridge'];
  cargo.push('-p', 'muster-cli', '--bin', 'muster');
  console.log(`building the bridge and the CLI (cargo ${cargo.join(' ')})`);
  const built = spawnSync('cargo', cargo, { cwd: REPO_DIR, stdio: 'inherit' });
  if (built.status !== 0) {
    console.error('cargo build failed');
    process.exit(1);
  }
}
for (const bin of [BRIDGE_BIN, MUSTER_BIN]) {
  if (!existsSync(bin)) {
    console.error(`${bin} is missing`);
    process.exit(1);
  }
}

const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.test.mjs'))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort()
  .map((f) => path.join(here, f));
if (files.length === 0) {
  console.error(`no test file matches ${filters.join(', ')}`);
  process.exit(1);
}

const artifacts = artifactsDir();
mkdirSync(artifacts, { recursive: true });
// A full run replaces this suite's screenshots and logs (only its own: the directory may be shared).
if (filters.length === 0) {
  for (const f of readdirSync(artifacts)) {
    if (/^browser-.*\.png$|^bridge-.*\.log$/.test(f)) rmSync(path.join(artifacts, f));
  }
}

/** @type {import('playwright-core').BrowserServer | undefined} */
let browserServer;
let closing = false;
async function closeAll() {
  if (closing) return;
  closing = true;
  await browserServer?.close().catch(() => {});
}
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => {
    void closeAll().finally(() => process.exit(130));
  });
}

let failed = 0;
let passed = 0;
try {
  browserServer = await chromium.launchServer(CHROMIUM);
  // The test files run in child processes, which inherit these.
  process.env.MUSTER_BROWSER_WS = browserServer.wsEndpoint();
  process.env.MUSTER_ARTIFACTS = artifacts;
  process.env.MUSTER_DIST = dist;
  process.env.MUSTER_BRIDGE = BRIDGE_BIN;
  process.env.MUSTER_BIN = MUSTER_BIN;

  const stream = run({
    files,
    concurrency: Number(process.env.MUSTER_BROWSER_CONCURRENCY ?? 2),
    timeout: 10 * 60_000,
  });
  stream.on('test:fail', (data) => {
    if (data.details?.type !== 'suite') failed++;
  });
  stream.on('test:pass', (data) => {
    if (data.details?.type !== 'suite') passed++;
  });
  const report = stream.compose(new spec());
  report.pipe(process.stdout, { end: false });
  await finished(report);
} catch (e) {
  console.error(e);
  failed++;
} finally {
  await closeAll();
}

const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(
  `\nbrowser tests: ${passed} passed, ${failed} failed in ${seconds} s; screenshots and bridge logs in ${artifacts}`,
);
process.exitCode = failed > 0 ? 1 : 0;
