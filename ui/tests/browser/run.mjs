// Runs the browser tests (tests/browser/*.test.mjs) against the built UI (ui/dist) with Tauri's
// IPC mocked: serves dist on 127.0.0.1, launches one Chromium, runs each test file in its own
// process with node:test (each connects to that browser and opens a fresh context per test),
// then closes everything. Exits non-zero when a test fails.
//
//   npm run test:browser                 all files
//   npm run test:browser -- timeline     only files whose name contains "timeline"
//
// Environment: MUSTER_ARTIFACTS (screenshots; default ui/test-results), MUSTER_CHROMIUM
// (default /usr/bin/chromium), MUSTER_BROWSER_CONCURRENCY (test files at once; default 2),
// MUSTER_DIST (serve another build instead of ui/dist, e.g. a deliberately broken copy).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, UI_DIR, artifactsDir } from './helpers.mjs';
import { startStaticServer } from './static-server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const started = Date.now();

const dist = path.resolve(process.env.MUSTER_DIST ?? path.join(UI_DIR, 'dist'));
if (!process.env.MUSTER_DIST && !existsSync(path.join(dist, 'index.html'))) {
  console.log('ui/dist is missing: building it (npx vite build)');
  const built = spawnSync('npx', ['vite', 'build'], { cwd: UI_DIR, stdio: 'inherit' });
  if (built.status !== 0) {
    console.error('vite build failed');
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
// A full run replaces this suite's screenshots (only its own: the directory may be shared).
if (filters.length === 0) {
  for (const f of readdirSync(artifacts)) if (/^browser-.*\.png$/.test(f)) rmSync(path.join(artifacts, f));
}

const server = await startStaticServer(dist);
/** @type {import('playwright-core').BrowserServer | undefined} */
let browserServer;
let closing = false;
async function closeAll() {
  if (closing) return;
  closing = true;
  await browserServer?.close().catch(() => {});
  await server.close();
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
  process.env.MUSTER_BASE_URL = server.url;
  process.env.MUSTER_ARTIFACTS = artifacts;

  const stream = run({
    files,
    concurrency: Number(process.env.MUSTER_BROWSER_CONCURRENCY ?? 2),
    timeout: 5 * 60_000,
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
  `\nbrowser tests: ${passed} passed, ${failed} failed in ${seconds} s; screenshots in ${artifacts}`,
);
process.exitCode = failed > 0 ? 1 : 0;
