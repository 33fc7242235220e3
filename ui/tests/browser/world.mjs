// The world outside the window, for the tests that need it: a real sync server (`muster serve`
// on 127.0.0.1 with a throwaway SQLite database, http or https with a self-signed certificate,
// users enrolled with `muster server user add`) and other laptops (the `muster` CLI on
// installations of their own, optionally with a clock running ahead through libfaketime).
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, createWriteStream, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { MUSTER_BIN, scratchDir, testEnv } from './bridge.mjs';

const run = promisify(execFile);
const FAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

/** Directories made here, removed by `cleanUp`. @type {string[]} */
const made = [];
/** Processes started here, killed by `cleanUp`. @type {Set<import('node:child_process').ChildProcess>} */
const running = new Set();

/** @param {string} prefix */
function tempDir(prefix) {
  const dir = mkdtempSync(path.join(scratchDir(), prefix));
  made.push(dir);
  return dir;
}

/**
 * Runs `muster ARGS` with this environment; returns stdout, or throws with stderr.
 * @param {string[]} args @param {NodeJS.ProcessEnv} env
 */
async function muster(args, env) {
  try {
    const { stdout } = await run(MUSTER_BIN, args, { env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = /** @type {{ stderr?: string, message: string }} */ (e);
    throw new Error(`muster ${args.join(' ')} failed: ${err.stderr || err.message}`, { cause: e });
  }
}

/**
 * A self-signed certificate for 127.0.0.1 (an end-entity certificate, as a war room's own server
 * would have), made with openssl. @returns {Promise<{ cert: string, key: string }>}
 */
export async function selfSignedCertificate() {
  const dir = tempDir('muster-tls-');
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'keyUsage=critical,digitalSignature',
    '-addext', 'extendedKeyUsage=serverAuth',
  ]); // prettier-ignore
  return { cert, key };
}

/** A running `muster serve`. */
export class SyncServer {
  /** @param {string} dir @param {string[]} extra */
  constructor(dir, extra) {
    this.dir = dir;
    this.db = path.join(dir, 'server.sqlite3');
    this.extra = extra;
    this.env = testEnv(dir);
    this.url = '';
    /** @type {import('node:child_process').ChildProcess | undefined} */
    this.child = undefined;
  }

  /**
   * Starts a server on a free port (`tls`: https with a self-signed certificate).
   * @param {{ tls?: { cert: string, key: string }, extra?: string[] }} [opts]
   */
  static async start(opts = {}) {
    const extra = [...(opts.extra ?? [])];
    if (opts.tls) extra.push('--tls-cert', opts.tls.cert, '--tls-key', opts.tls.key);
    const server = new SyncServer(tempDir('muster-server-'), extra);
    await server.listen('127.0.0.1:0');
    return server;
  }

  /** @param {string} address */
  async listen(address) {
    const child = spawn(MUSTER_BIN, ['serve', '--listen', address, '--database', this.db, ...this.extra], {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    child.once('exit', () => running.delete(child));
    child.stderr?.pipe(createWriteStream(path.join(this.dir, 'server.log'), { flags: 'a' }));
    this.url = await new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) =>
        reject(new Error(`muster serve exited (${code}); see ${this.dir}/server.log`)),
      );
      if (!child.stdout) return reject(new Error('muster serve has no stdout'));
      createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line).url));
    });
    this.child = child;
  }

  /** Enrols a user; returns the one-time token. @param {string} name @param {{ newToken?: boolean }} [opts] */
  async addUser(name, opts = {}) {
    const args = ['--json', 'server', 'user', 'add', name, '--database', this.db];
    if (opts.newToken) args.push('--new-token');
    return JSON.parse(await muster(args, this.env)).token;
  }

  /** Stops the server (the laptops find it unreachable). */
  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Starts it again on the same address and database. */
  async restart() {
    const { hostname, port } = new URL(this.url);
    await this.listen(`${hostname}:${port}`);
  }
}

/** Another laptop: the `muster` CLI on an installation of its own. */
export class Laptop {
  /** @param {string} person @param {string} [home] */
  constructor(person, home) {
    this.person = person;
    this.home = home ?? tempDir('muster-laptop-');
    this.env = { ...testEnv(this.home), MUSTER_HOME: this.home, MUSTER_AS: person };
  }

  /**
   * Runs `muster ARGS` on this laptop; `clockAhead` (libfaketime's "+7m") runs its wall clock
   * ahead of the machine's.
   * @param {string[]} args @param {{ clockAhead?: string }} [opts]
   */
  async run(args, opts = {}) {
    const env = opts.clockAhead
      ? { ...this.env, LD_PRELOAD: FAKETIME, FAKETIME: opts.clockAhead, FAKETIME_DONT_FAKE_MONOTONIC: '1' }
      : this.env;
    return muster(args, env);
  }

  /** @param {string[]} args @param {{ clockAhead?: string }} [opts] */
  async json(args, opts = {}) {
    return JSON.parse(await this.run(['--json', ...args], opts));
  }

  /**
   * Logs in to `server` as `user` (enrolled now unless a token is given).
   * @param {SyncServer} server @param {string} user @param {{ token?: string, extra?: string[] }} [opts]
   */
  async login(server, user, opts = {}) {
    const token = opts.token ?? (await server.addUser(user));
    return this.json([
      'login',
      '--server',
      server.url,
      '--user',
      user,
      '--token',
      token,
      ...(opts.extra ?? []),
    ]);
  }

  /**
   * A second laptop restored from a copy of this one's disk: the same database, so the same
   * installation id, device key (in the same OS keyring) and server session.
   * @param {string} [dir] where the copy goes (default: a new temporary directory)
   */
  cloneInto(dir = tempDir('muster-clone-')) {
    for (const name of readdirSync(this.home)) {
      const from = path.join(this.home, name);
      if (statSync(from).isFile()) copyFileSync(from, path.join(dir, name));
    }
    return new Laptop(this.person, dir);
  }
}

/** Stops every server and removes every directory made here (call in the file's `after`). */
export async function cleanUp() {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
