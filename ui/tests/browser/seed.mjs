// Seeding an installation before the UI starts, through the real commands only: each step is a
// command the window could have sent, run with the installation's clock set to when it happened
// and "Acting as" set to whoever did it. Nothing here decides an outcome: the app does.
import { MINUTE } from './constants.mjs';

/**
 * @typedef {object} SeedStep
 * @property {number} minutesAgo when it happened
 * @property {string} [as] who did it (default: whoever opened the incident)
 * @property {string} do the command (assign_role, add_note, set_scope, ...)
 * @property {object} input its `input`; the incident is filled in
 *
 * @typedef {object} SeedBulk notes written evenly from `fromMinutesAgo` to `toMinutesAgo`: note i
 *   reads `Entry <i+1>: <phrases[i % phrases.length]>` and is written by `authors[i % authors.length]`
 * @property {number} count
 * @property {number} fromMinutesAgo
 * @property {number} toMinutesAgo
 * @property {string[]} phrases
 * @property {Array<{ person: string }>} authors
 *
 * @typedef {object} SeedIncident
 * @property {string} title
 * @property {string} [severity] default sev2
 * @property {boolean} [drill]
 * @property {string} [description]
 * @property {string} [commander] default: whoever opens it
 * @property {number} [openedMinutesAgo] default 60
 * @property {string} [by] who opens it (default: the operator)
 * @property {SeedStep[]} [steps]
 * @property {SeedBulk} [bulk]
 * @property {'closed'} [status]
 *
 * @typedef {{ incidents: SeedIncident[] }} Seed
 */

/**
 * Writes `seed` into the session's installation, oldest step first (`minutesAgo` counts back
 * from `now`, default the real time), and leaves "Acting as" set to `operator`, the first
 * incident current and the clock at `now`. Returns the incident ids, in the order given.
 * @param {import('./bridge.mjs').Session} session
 * @param {Seed} seed
 * @param {{ operator: string, now?: number }} opts
 * @returns {Promise<string[]>}
 */
export async function seed(session, seed, { operator, now }) {
  const t0 = now ?? Date.now();
  const at = (/** @type {number} */ minutesAgo) => Math.round(t0 - minutesAgo * MINUTE);
  /** @type {Array<{ at: number, n: number, as: string, call?: (id: string) => object, open?: object }>} */
  const events = [];
  seed.incidents.forEach((incident, n) => {
    const by = incident.by ?? operator;
    events.push({
      at: at(incident.openedMinutesAgo ?? 60),
      n,
      as: by,
      open: {
        title: incident.title,
        severity: incident.severity ?? 'sev2',
        drill: Boolean(incident.drill),
        description: incident.description ?? null,
        commander: incident.commander ?? null,
      },
    });
    for (const step of incident.steps ?? []) {
      events.push({
        at: at(step.minutesAgo),
        n,
        as: step.as ?? by,
        call: (id) => ({ cmd: step.do, args: { input: { incident: id, ...step.input } } }),
      });
    }
    const bulk = incident.bulk;
    if (bulk) {
      const from = at(bulk.fromMinutesAgo);
      const to = at(bulk.toMinutesAgo);
      for (let i = 0; i < bulk.count; i++) {
        const text = `Entry ${i + 1}: ${bulk.phrases[i % bulk.phrases.length]}`;
        const author = bulk.authors[i % bulk.authors.length];
        events.push({
          at: bulk.count === 1 ? from : Math.round(from + ((to - from) * i) / (bulk.count - 1)),
          n,
          as: author?.person ?? by,
          call: (id) => ({ cmd: 'add_note', args: { input: { incident: id, text, occurred_at: null } } }),
        });
      }
    }
    if (incident.status === 'closed') {
      events.push({
        at: t0,
        n,
        as: by,
        call: (id) => ({
          cmd: 'close_incident',
          args: { input: { incident: id, reason: 'Seeded as closed' } },
        }),
      });
    }
  });
  // Oldest first, so the clock only moves forward; a stable sort keeps an incident's opening
  // before steps at the same minute.
  events.sort((a, b) => a.at - b.at);

  /** @type {string[]} */
  const ids = [];
  /** @type {import('./bridge.mjs').Call[]} */
  let pending = [];
  let actingAs = '';
  for (const event of events) {
    if (event.as !== actingAs) {
      pending.push({ cmd: 'set_operator', args: { name: event.as }, at_ms: event.at });
      actingAs = event.as;
    }
    if (event.open) {
      // Its id is needed by what follows: run what is pending up to here.
      pending.push({ cmd: 'open_incident', args: { input: event.open }, at_ms: event.at });
      const answers = await session.batch(pending);
      pending = [];
      ids[event.n] = answers[answers.length - 1].incident;
      continue;
    }
    const id = ids[event.n];
    if (!id || !event.call) throw new Error('seed: a step before its incident was opened');
    pending.push({ ...event.call(id), at_ms: event.at });
  }
  // Back to `now`, which has moved on while seeding if it is the real time.
  const end = now ?? Date.now();
  pending.push({ cmd: 'set_operator', args: { name: operator }, at_ms: end });
  if (ids[0]) pending.push({ cmd: 'use_incident', args: { incident_ref: ids[0] } });
  await session.batch(pending);
  return ids;
}
