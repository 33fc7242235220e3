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

test(
  'mock backend: the breach commands check their input and refuse what the real backend refuses',
  withApp(
    { seed: { incidents: [{ title: 'Breach contract check', severity: 'sev3', openedMinutesAgo: 5 }] } },
    async ({ page }) => {
      const register = [
        'id,name,criticality,department,downtime_procedure,depends_on,services,functions',
        'core,Core network,life-critical,IT,Paper,,,',
        'engine,Interface engine,high,IT,Queue,core,,',
        'pharmacy,Pharmacy,high,Pharmacy,Paper MAR,engine,Pharmacy; Wards,medication-administration',
        'bcma,Barcode administration,high,Nursing,"Paper MAR, two-nurse check",pharmacy,Wards,medication-administration',
      ].join('\n');
      const result = await page.evaluate(async (csv) => {
        const ipc = window.__TAURI_INTERNALS__;
        const call = (cmd, args) =>
          ipc.invoke(cmd, args).then(
            (ok) => ({ ok }),
            (err) => ({ err }),
          );
        const incident = (await call('app_info')).ok.current_incident;
        const scope = (over) => ({
          input: {
            incident,
            affected: [{ jurisdiction: 'US-CA', individuals: 600 }],
            data: ['clinical-phi'],
            exposure: ['exfiltration-confirmed'],
            systems: [],
            roles: ['covered-entity'],
            litigation_exposure: false,
            ...over,
          },
        });
        const out = {};
        out.classifyFirst = await call('classify_incident', { input: { incident, rationale: null } });
        out.badCode = await call('set_scope', scope({ affected: [{ jurisdiction: 'XX', individuals: 1 }] }));
        out.fraction = await call(
          'set_scope',
          scope({ affected: [{ jurisdiction: 'US', individuals: 1.5 }] }),
        );
        out.badData = await call('set_scope', scope({ data: ['x-rays'] }));
        out.scope = await call('set_scope', scope({}));
        out.same = await call('set_scope', scope({}));
        out.classify = await call('classify_incident', { input: { incident, rationale: null } });
        out.selfReview = await call('review_classification', {
          input: { incident, confirm: true, severity: null, major: null, rationale: null },
        });
        out.futureTrigger = await call('record_trigger', {
          input: { incident, trigger: 'discovery', at: '2999-01-01 00:00', note: null },
        });
        out.badTrigger = await call('record_trigger', {
          input: { incident, trigger: 'noticed', at: '10:00', note: null },
        });
        out.unknownRule = await call('record_communication', {
          input: {
            incident,
            recipient: 'HHS',
            channel: 'portal',
            summary: 'x',
            sent_at: null,
            obligations: ['hipaa.x'],
          },
        });
        out.notOnChecklist = await call('escalation_done', {
          input: { incident, rule: 'executives', note: null },
        });
        out.view = (await call('breach_view', { incident_ref: incident })).ok;
        out.noRegister = await call('isolation_impact', { input: { incident, system: 'engine' } });
        out.badRegister = await call('import_systems', {
          input: {
            incident,
            file_name: 'r.csv',
            csv: csv.replace('engine,Interface engine,high', 'engine,Interface engine,urgent'),
          },
        });
        out.unknownDependency = await call('import_systems', {
          input: { incident, file_name: 'r.csv', csv: csv.replace(',core,,', ',lis2,,') },
        });
        out.register = await call('import_systems', { input: { incident, file_name: 'r.csv', csv } });
        out.impact = (await call('isolation_impact', { input: { incident, system: 'engine' } })).ok;
        out.propose = (
          await call('propose_isolation', {
            input: { incident, system: 'engine', action: 'isolate', reason: 'spread' },
          })
        ).ok;
        out.proposeAgain = await call('propose_isolation', {
          input: { incident, system: 'engine', action: 'isolate', reason: 'again' },
        });
        const proposal = out.propose.entry_id;
        out.carryUnsigned = await call('carry_out_isolation', { input: { incident, proposal } });
        out.signNotLiaison = await call('sign_off_isolation', {
          input: { incident, proposal, approved: true, note: 'ok' },
        });
        await call('assign_role', { input: { incident, position: 'clinical-liaison', person: 'Alice' } });
        out.sign = await call('sign_off_isolation', {
          input: { incident, proposal, approved: true, note: 'Paper MAR' },
        });
        out.carry = await call('carry_out_isolation', { input: { incident, proposal } });
        out.systems = (await call('systems_view', { incident_ref: incident })).ok;
        return out;
      }, register);

      assert.deepEqual(result.classifyFirst.err, {
        code: 'state.refused',
        message: 'record the scope first (`muster scope set --affected US-CA:600 --data clinical-phi ...`)',
      });
      assert.match(
        result.badCode.err.message,
        /^affected: is not an ISO 3166-1 alpha-2 country code .* \(got "XX"\)$/,
      );
      assert.equal(
        result.fraction.err.message,
        'affected: the number of individuals is a whole number, 0 or more (got "1.5")',
      );
      assert.match(result.badData.err.message, /^data: must be one of clinical-phi, genetic, /);
      assert.equal(result.scope.ok.kind, 'scope.set');
      assert.deepEqual(result.same.err, {
        code: 'state.refused',
        message: 'the scope is already exactly that',
      });
      assert.deepEqual(
        result.classify.ok.map((w) => w.kind),
        ['classification.recorded', 'severity.set'],
      );
      assert.equal(
        result.selfReview.err.message,
        'Alice recorded this classification; peer review is by a second person',
      );
      assert.match(result.futureTrigger.err.message, /^at: is in the future/);
      assert.match(result.badTrigger.err.message, /^trigger: must be one of discovery, awareness/);
      assert.match(
        result.unknownRule.err.message,
        /^obligations: names no rule of the regulatory clocks in force/,
      );
      assert.match(
        result.notOnChecklist.err.message,
        /^rule: is not on this incident's escalation checklist \(response-team, privacy-officer\)/,
      );

      const view = result.view;
      assert.equal(view.preview.severity, 'SEV1');
      assert.deepEqual(
        view.preview.fired.map((f) => f.id),
        ['phi-exfiltration-500', 'phi-500', 'phi-exposed'],
      );
      assert.equal(view.classification.severity, 'SEV1');
      assert.deepEqual(
        view.obligations.map((o) => [o.rule, o.status, o.due_ms]),
        [
          ['hipaa.individuals', 'pending', null],
          ['hipaa.hhs', 'pending', null],
        ],
      );
      assert.equal(view.vocabulary.triggers[0].slug, 'discovery');

      assert.deepEqual(result.noRegister.err, {
        code: 'state.refused',
        message: 'no clinical systems register yet; import one (`muster systems import FILE.csv`)',
      });
      assert.deepEqual(result.badRegister.err, {
        code: 'register.invalid',
        message: 'r.csv: line 3, field criticality: "urgent" is not one of life-critical, high, medium, low',
      });
      assert.equal(
        result.unknownDependency.err.message,
        'r.csv: line 3, field depends_on: "lis2" names no system in the register',
      );
      assert.equal(result.register.ok.summary, 'Clinical systems register: 4 systems');
      assert.deepEqual(
        result.impact.affected.map((a) => [a.id, a.via.join(' -> '), a.direct]),
        [
          ['bcma', 'engine -> pharmacy -> bcma', false],
          ['pharmacy', 'engine -> pharmacy', true],
        ],
      );
      assert.deepEqual(result.impact.services, [
        { service: 'Pharmacy', systems: ['pharmacy'] },
        { service: 'Wards', systems: ['bcma', 'pharmacy'] },
      ]);
      assert.deepEqual(result.impact.signoff_because, ['bcma', 'pharmacy']);
      assert.match(
        result.proposeAgain.err.message,
        /^proposal #[0-9a-f]{8} to isolate engine is still open$/,
      );
      assert.equal(
        result.carryUnsigned.err.message,
        "to isolate engine needs the clinical liaison's sign-off first (bcma, pharmacy handle medication administration or diagnostics)",
      );
      assert.equal(
        result.signNotLiaison.err.message,
        'you (Alice) do not hold Clinical Liaison; only the clinical liaison signs off isolations',
      );
      assert.equal(result.sign.ok.kind, 'isolation.signed-off');
      assert.equal(result.carry.ok.summary, 'engine isolated');
      const board = Object.fromEntries(result.systems.board.map((b) => [b.system, b]));
      assert.equal(board.engine.status, 'non-functional');
      assert.equal(board.engine.isolated, true);
      assert.equal(board.pharmacy.status, 'partially-functional');
      assert.deepEqual(board.bcma.down_because, ['engine']);
      assert.equal(board.core.status, 'fully-functional');
      assert.equal(result.systems.operator_is_clinical_liaison, true);
      assert.equal(result.systems.proposals[0].open, false);
    },
  ),
);
