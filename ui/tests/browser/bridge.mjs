// The test side of the bridge (src-tauri/examples/muster-bridge): start the process, open a
// session (a fresh installation with its own app), call the real commands, set the clock.
import { spawn } from 'node:child_process';
import {
  accessSync,
  constants,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_DIR = path.resolve(here, '../../..');
const TARGET_DIR = path.resolve(process.env.CARGO_TARGET_DIR ?? path.join(REPO_DIR, 'target'));
/** The bridge binary (`cargo build -p muster-desktop --example muster-bridge`). */
export const BRIDGE_BIN =
  process.env.MUSTER_BRIDGE ?? path.join(TARGET_DIR, 'debug', 'examples', 'muster-bridge');
/** The `muster` CLI (`cargo build -p muster-cli --bin muster`). */
export const MUSTER_BIN = process.env.MUSTER_BIN ?? path.join(TARGET_DIR, 'debug', 'muster');

/**
 * What every process that opens a Muster installation in these tests runs with: the viewer zone
 * the browser has (UTC); a home of its own, so that nothing lands in the person's Downloads; and
 * the kernel keyring of the session scripts/with-keyring opened (shared by the bridge and the
 * CLI, as one laptop's keyring is). Not the Secret Service: its D-Bus calls time out when two
 * test files, two bridges and Chromium load a 2-core machine, and the Rust tests cover it.
 * @param {string} home
 */
export function testEnv(home) {
  const env = {
    ...process.env,
    TZ: 'UTC',
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    MUSTER_KEYRING: 'keyutils',
  };
  // Nothing of the person's own installation or current incident.
  delete env.MUSTER_HOME;
  delete env.MUSTER_AS;
  delete env.MUSTER_INCIDENT;
  return env;
}

/**
 * Where throwaway installations go: memory (/dev/shm) when the machine has it. Every commit of
 * the store is fsynced (synchronous = FULL); on a disk, seeding 5,000 entries takes minutes, in
 * memory seconds, and nothing these tests check depends on surviving a power cut.
 */
export function scratchDir() {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

/**
 * @typedef {{ cmd: string, args?: object, at_ms?: number }} Call
 * @typedef {{ ok: any } | { error: any }} Answer
 */

/** An error for a refused call, naming the command and what the app answered. */
export class Refused extends Error {
  /** @param {string} cmd @param {any} error */
  constructor(cmd, error) {
    super(`${cmd} was refused: ${typeof error === 'string' ? error : JSON.stringify(error)}`);
    this.error = error;
  }
}

/** A session: one installation and the app over it. */
export class Session {
  /** @param {Bridge} bridge @param {string} id @param {string} dataDir */
  constructor(bridge, id, dataDir) {
    this.bridge = bridge;
    this.id = id;
    this.dataDir = dataDir;
  }

  /** @param {string} route @param {any} [body] @param {string} [method] */
  async request(route, body, method = 'POST') {
    return this.bridge.request(`s/${this.id}/${route}`, body, method);
  }

  /**
   * Calls a command as the window would; returns its answer or throws `Refused`.
   * @param {string} cmd @param {object} [args] @param {{ at?: number }} [opts] run at this instant
   */
  async invoke(cmd, args = {}, opts = {}) {
    const answer = await this.request('invoke', { cmd, args, at_ms: opts.at });
    if ('error' in answer) throw new Refused(cmd, answer.error);
    return answer.ok;
  }

  /** Calls in order (each at its `at_ms`, if given); throws at the first refusal. @param {Call[]} calls */
  async batch(calls) {
    /** @type {Answer[]} */
    const answers = await this.request('batch', calls);
    const failed = answers.findIndex((a) => 'error' in a);
    if (failed !== -1)
      throw new Refused(calls[failed]?.cmd ?? '?', /** @type {any} */ (answers[failed]).error);
    return answers.map((a) => /** @type {any} */ (a).ok);
  }

  /** Sets the installation's clock (it runs on from there). @param {number} ms */
  async setClock(ms) {
    return this.request('clock', { now_ms: Math.round(ms) });
  }

  /** @returns {Promise<number>} */
  async now() {
    return (await this.request('clock', undefined, 'GET')).now_ms;
  }

  async close() {
    await this.request('', undefined, 'DELETE').catch(() => {});
  }
}

/** A running bridge process. */
export class Bridge {
  /** @param {import('node:child_process').ChildProcess} child @param {string} url @param {string} home */
  constructor(child, url, home) {
    this.child = child;
    this.url = url;
    /** The bridge's home: its Downloads folder is where the app saves exports. */
    this.home = home;
    this.downloads = path.join(home, 'Downloads');
  }

  /**
   * Starts `muster-bridge --ui DIST`; its stderr goes to `log`.
   * @param {{ dist: string, log: string }} opts
   */
  static async start({ dist, log }) {
    const home = mkdtempSync(path.join(scratchDir(), 'muster-bridge-home-'));
    // A Downloads folder the app finds as a desktop would (XDG user dirs).
    mkdirSync(path.join(home, 'Downloads'));
    mkdirSync(path.join(home, '.config'));
    writeFileSync(path.join(home, '.config', 'user-dirs.dirs'), 'XDG_DOWNLOAD_DIR="$HOME/Downloads"\n');
    mkdirSync(path.dirname(log), { recursive: true });
    const child = spawn(BRIDGE_BIN, ['--ui', dist, '--sessions-dir', path.join(home, 'sessions')], {
      env: testEnv(home),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr?.pipe(createWriteStream(log, { flags: 'a' }));
    const url = await new Promise((resolve, reject) => {
      child.once('error', (e) => reject(new Error(`cannot start ${BRIDGE_BIN}: ${e.message}`)));
      child.once('exit', (code) =>
        reject(new Error(`the bridge exited (${code}) before listening; see ${log}`)),
      );
      if (!child.stdout) return reject(new Error('the bridge has no stdout'));
      createInterface({ input: child.stdout }).once('line', (line) => {
        try {
          resolve(JSON.parse(line).url);
        } catch {
          reject(new Error(`the bridge said ${JSON.stringify(line)}, not where it listens`));
        }
      });
    });
    return new Bridge(child, url, home);
  }

  /** @param {string} route @param {any} [body] @param {string} [method] */
  async request(route, body, method = 'POST') {
    const response = await fetch(new URL(route, this.url), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`bridge ${method} /${route}: ${response.status} ${text}`);
    return JSON.parse(text);
  }

  /** A new installation (in `dataDir` if given, as `muster-desktop --data-dir`). @param {{ dataDir?: string }} [opts] */
  async open(opts = {}) {
    const s = await this.request('sessions', opts.dataDir ? { data_dir: opts.dataDir } : {});
    return new Session(this, s.id, s.data_dir);
  }

  async stop() {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.request('quit').catch(() => {});
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    rmSync(this.home, { recursive: true, force: true });
  }
}
