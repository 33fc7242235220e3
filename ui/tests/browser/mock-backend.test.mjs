// Keeps the mock backend honest: the IPC plumbing the UI relies on and the refusals the real
// backend makes, checked through window.__TAURI_INTERNALS__ as @tauri-apps/api calls it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useBrowser, withApp } from './helpers.mjs';

useBrowser();

test(
  'mock backend: events, argument checks and the refusals the UI shows',
  withApp({ seed: { incidents: [{ title: 'Contract check', openedMinutesAgo: 5 }] } }, async ({ page }) => {
    const result = await page.evaluate(async () => {
      const ipc = window.__TAURI_INTERNALS__;
      /** @param {string} cmd @param {object} [args] */
      const call = (cmd, args) =>
        ipc.invoke(cmd, args).then(
          (ok) => ({ ok }),
          (err) => ({ err }),
        );
      const incident = (await call('app_info')).ok.current_incident;
      const out = {};
      out.blank = await call('add_note', { input: { incident, text: '   ', occurred_at: null } });
      out.unknown = await call('no_such_command', {});
      out.missing = await call('incident_board', {});
      out.limit = await call('timeline_query', {
        query: {
          incident,
          newest_first: true,
          kinds: [],
          positions: [],
          authors: [],
          text: '',
          offset: 0,
          limit: 1001,
        },
      });
      out.notFound = await call('use_incident', { incident_ref: 'ffffffff' });
      out.offer = await call('offer_handover', {
        input: { incident, to: 'Carol', situation: 'S', objectives: 'O' },
      });
      await call('set_operator', { name: 'Eve' });
      out.acceptByEve = await call('accept_handover', { incident_ref: incident });
      out.offerByEve = await call('offer_handover', {
        input: { incident, to: 'Eve', situation: 'S', objectives: 'O' },
      });
      await call('set_operator', { name: 'Carol' });
      out.acceptByCarol = await call('accept_handover', { incident_ref: incident });
      out.board = (await call('incident_board', { incident_ref: incident })).ok;
      // listen / unlisten as @tauri-apps/api/event does it, and an event reaching the handler.
      const got = [];
      const handler = ipc.transformCallback((e) => got.push(e));
      const eventId = (await call('plugin:event|listen', { event: 'x', target: { kind: 'Any' }, handler }))
        .ok;
      window.__mock.emit('x', { n: 1 });
      await call('plugin:event|unlisten', { event: 'x', eventId });
      window.__mock.emit('x', { n: 2 });
      out.events = got;
      out.eventId = eventId;
      out.windowCallback = typeof window[`_${handler}`];
      return out;
    });

    assert.deepEqual(result.blank.err, {
      code: 'input.invalid',
      message: 'text: must not be empty (got "")',
    });
    assert.equal(result.unknown.err, 'command no_such_command not found');
    assert.match(result.missing.err, /^invalid args `incident_ref` for command `incident_board`/);
    assert.deepEqual(result.limit.err, {
      code: 'input.invalid',
      message: 'limit: at most 1000 rows per query',
    });
    assert.deepEqual(result.notFound.err, {
      code: 'input.not_found',
      message: 'no incident matches "ffffffff"',
    });
    assert.equal(result.offer.ok.kind, 'command.handover.offered');
    assert.deepEqual(result.acceptByEve.err, {
      code: 'state.refused',
      message: 'command was offered to Carol, not to you (Eve)',
    });
    assert.deepEqual(result.offerByEve.err, {
      code: 'state.refused',
      message: 'only the incident commander (Alice) can offer command; you are Eve',
    });
    assert.deepEqual(
      result.acceptByCarol.ok.map((w) => w.kind),
      ['command.handover.accepted', 'role.assigned'],
    );
    assert.equal(result.board.commander.state, 'held');
    assert.equal(result.board.commander.holders[0].person, 'Carol');
    assert.equal(result.board.pending_handover, null);
    assert.equal(result.board.handovers[0].outcome, 'accepted');
    assert.deepEqual(result.events, [{ event: 'x', id: result.eventId, payload: { n: 1 } }]);
    assert.equal(result.windowCallback, 'function');

    // Every command of the generated CommandName union is implemented.
    const bindings = await import('node:fs').then((fs) =>
      fs.readFileSync(new URL('../../src/lib/bindings.ts', import.meta.url), 'utf8'),
    );
    const union = /export type CommandName = ([^;]+);/.exec(bindings)?.[1] ?? '';
    const names = [...union.matchAll(/"([a-z_]+)"/g)].map((m) => m[1]);
    assert.ok(names.length > 20, `CommandName has ${names.length} names`);
    const missing = await page.evaluate(async (all) => {
      const out = [];
      for (const cmd of all) {
        const err = await window.__TAURI_INTERNALS__.invoke(cmd, {}).then(
          () => null,
          (e) => e,
        );
        if (typeof err === 'string' && err.includes('not found')) out.push(cmd);
      }
      return out;
    }, names);
    assert.deepEqual(missing, []);
  }),
);
