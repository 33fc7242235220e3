// An in-memory stand-in for Muster's Rust backend, injected into the page (as a script string,
// before the UI loads) by the browser tests. It implements Tauri's IPC internals the way
// @tauri-apps/api/core.js and event.js use them, and every command of the generated
// `CommandName` union, returning objects shaped like the generated bindings (AppInfo,
// IncidentRow, Board, TimelinePage, Written, ...).
//
// The rules follow crates/muster-store/src/ops.rs, muster-core's fold, body validation and
// prompts, and src-tauri/src/timeline.rs, including their error codes and messages where the UI
// shows them: `input.invalid` ("field: reason (got "value")"), `state.refused`,
// `input.not_found`. After each write it emits `store-changed`, as AppState::write does.
//
// Options (set window.__MUSTER_MOCK_OPTIONS__ before this script runs):
//   operator   who is "acting as" at start (default "Alice")
//   seed       { incidents: [IncidentSeed] } written through the same code paths as live
//              commands, with their clock set in the past (see seedIncident below)
//   latencyMs  delay of every command (default 0)
//   rulesetProblems  [{ file, line, field, message, using }]: what breach_view reports as
//              rules files that were not used (default none)
//   syncUsers  { name: one-time token } the imagined sync server knows (default alice and bob,
//              with tokens "token-alice", "token-bob")
//
// Tests drive it through window.__mock: calls (every invoke, in order), emit(event, payload),
// firePrompts() (what the scheduler would push now), board(ref), state(), setSync(patch) (the
// sync loop's status, pushed as sync-status), setEvidence(ref, { alerts, conflicts }).
(() => {
  'use strict';

  const options = window.__MUSTER_MOCK_OPTIONS__ || {};
  const MINUTE = 60_000;
  const ZONE = 'UTC';
  const DEVICE = '5eed5eed';
  const MAX_PAGE = 1000;
  const MAX_TITLE = 200;
  const MAX_PERSON = 120;
  const MAX_SHORT_TEXT = 1000;
  const MAX_LONG_TEXT = 10_000;
  const MAX_OPTIONS = 20;
  const MAX_CADENCE_MINUTES = 24 * 60;
  const MAX_SNOOZE_MINUTES = 4 * 60;
  const FUTURE_TOLERANCE_MS = 5 * MINUTE;

  const POSITIONS = [
    ['incident-commander', 'Incident Commander'],
    ['deputy-incident-commander', 'Deputy Incident Commander'],
    ['scribe', 'Scribe'],
    ['technical-lead', 'Technical Lead'],
    ['clinical-liaison', 'Clinical Liaison'],
    ['legal-liaison', 'Legal Liaison'],
    ['privacy-officer', 'Privacy Officer'],
    ['communications-officer', 'Communications Officer'],
    ['biomedical-engineering', 'Biomedical Engineering'],
  ];
  const ALIASES = {
    ic: 'incident-commander',
    commander: 'incident-commander',
    'deputy-ic': 'deputy-incident-commander',
    dic: 'deputy-incident-commander',
    deputy: 'deputy-incident-commander',
    'documentation-unit': 'scribe',
    'tech-lead': 'technical-lead',
    legal: 'legal-liaison',
    privacy: 'privacy-officer',
    'comms-officer': 'communications-officer',
    pio: 'communications-officer',
    'public-information-officer': 'communications-officer',
    biomed: 'biomedical-engineering',
  };
  const SEVERITIES = [
    { slug: 'sev1', label: 'SEV1', default_minutes: 15 },
    { slug: 'sev2', label: 'SEV2', default_minutes: 30 },
    { slug: 'sev3', label: 'SEV3', default_minutes: 60 },
    { slug: 'sev4', label: 'SEV4', default_minutes: 240 },
  ];
  const IC = 'incident-commander';
  /** What crosses the IPC boundary: JSON (so Svelte's state proxies and undefined behave as in Tauri). */
  const json = (value) => (value === undefined ? null : JSON.parse(JSON.stringify(value)));

  // ---- errors, as IpcError {code, message} --------------------------------------------------

  /** Rust's {:?} of a string, shortened like ValidationError::new does. */
  function quoted(value) {
    let v = String(value);
    if ([...v].length > 80) v = [...v].slice(0, 77).join('') + '...';
    return JSON.stringify(v);
  }
  const invalid = (field, value, reason) => ({
    code: 'input.invalid',
    message: `${field}: ${reason} (got ${quoted(value)})`,
  });
  const refused = (message) => ({ code: 'state.refused', message });
  const notFound = (what, value) => ({
    code: 'input.not_found',
    message: `no ${what} matches ${quoted(value)}`,
  });

  function boundedText(field, value, max, multiline) {
    if ([...value].length > max) throw invalid(field, value, `longer than ${max} characters`);
    const bad = [...value].find((c) => /\p{Cc}/u.test(c) && !(multiline && (c === '\n' || c === '\t')));
    if (bad) {
      const hex = bad.codePointAt(0).toString(16).toUpperCase().padStart(4, '0');
      throw invalid(field, value, `contains the control character U+${hex}`);
    }
  }
  function shortText(field, value, max) {
    if (value.trim() === '') throw invalid(field, value, 'must not be empty');
    boundedText(field, value, max, false);
  }
  function longText(field, value) {
    if (value.trim() === '') throw invalid(field, value, 'must not be empty');
    boundedText(field, value, MAX_LONG_TEXT, true);
  }
  function validatePerson(field, person) {
    const p = person.trim();
    if (p === '') throw invalid(field, person, 'must not be empty');
    if ([...p].length > MAX_PERSON) throw invalid(field, person, `longer than ${MAX_PERSON} characters`);
    if (/\p{Cc}/u.test(p)) throw invalid(field, person, 'contains a control character');
  }

  // ---- positions, severities, ids, time -----------------------------------------------------

  const rank = (slug) => {
    const i = POSITIONS.findIndex(([s]) => s === slug);
    return i === -1 ? POSITIONS.length : i;
  };
  const byRank = (a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
  const titleOf = (slug) =>
    slug.startsWith('custom:') ? slug.slice(7) : (POSITIONS.find(([s]) => s === slug) || [slug, slug])[1];
  const positionView = (slug) => (slug ? { slug, title: titleOf(slug) } : null);

  /** Position::parse_user: slugs, titles in any case, aliases and custom:<name>. */
  function parsePosition(field, input) {
    const text = String(input).trim();
    if (text.toLowerCase().startsWith('custom:')) {
      const name = text.slice(7).trim();
      if (name === '') throw invalid(field, input, 'a custom position needs a name after custom:');
      if ([...name].length > 60)
        throw invalid(field, input, 'a custom position name is at most 60 characters');
      try {
        return parsePosition(field, name);
      } catch {
        return `custom:${name}`;
      }
    }
    const key = text.replace(/[ _]/g, '-').toLowerCase();
    if (POSITIONS.some(([s]) => s === key)) return key;
    if (ALIASES[key]) return ALIASES[key];
    throw invalid(
      field,
      input,
      `unknown position; use one of ${POSITIONS.map(([s]) => s).join(', ')} or custom:<name> for a position of your own`,
    );
  }

  function parseSeverity(field, input) {
    const s = String(input).trim().toLowerCase();
    const digits = s.startsWith('sev') ? s.slice(3) : s;
    const found = SEVERITIES.find((v) => v.slug === `sev${digits}`);
    if (!found) throw invalid(field, input, 'severity is one of SEV1 (most severe), SEV2, SEV3, SEV4');
    return found;
  }
  const severityBySlug = (slug) => SEVERITIES.find((s) => s.slug === slug);

  // Ids look like the real UUIDs; `short` is the last 8 hex digits, as IncidentId::short().
  let idCounter = 0;
  function newId() {
    idCounter++;
    let x = (idCounter * 2654435761) >>> 0;
    const words = [];
    for (let i = 0; i < 4; i++) {
      x = (x ^ (x << 13)) >>> 0;
      x = (x ^ (x >>> 17)) >>> 0;
      x = (x ^ (x << 5)) >>> 0;
      words.push(x.toString(16).padStart(8, '0'));
    }
    // The first word is a bijection of the counter, so the short ids (the last 8 digits) differ.
    const hex = words[1] + words[2] + words[3] + words[0];
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
  }
  const shortOf = (id) => id.replace(/-/g, '').slice(-8);

  /** ViewerZone::format for UTC: "2026-11-22 02:14:05 UTC". */
  const fmt = (ms) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ') + ' UTC';

  /** ViewerZone::parse_user_time for the UTC zone. */
  function parseUserTime(field, input, nowMs) {
    const text = input.trim();
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) {
      const t = Date.parse(text);
      if (!Number.isNaN(t)) return t;
    }
    let m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
    if (m) {
      const t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
      if (!Number.isNaN(t) && +m[4] < 24 && +m[5] < 60) return t;
    }
    m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text);
    if (m && +m[1] < 24 && +m[2] < 60 && +(m[3] || 0) < 60) {
      const d = new Date(nowMs);
      const today = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), +m[1], +m[2], +(m[3] || 0));
      return today <= nowMs ? today : today - 24 * 60 * MINUTE;
    }
    throw invalid(
      field,
      input,
      'cannot read this as a time; use RFC 3339 (2026-11-22T02:14:00-06:00), a local date and time (2026-11-22 02:14) or a time of day (02:14)',
    );
  }

  // ---- the store ----------------------------------------------------------------------------

  const db = {
    operator: options.operator || 'Alice',
    current: null,
    incidents: [],
    seq: 0,
    clock: null, // while seeding: the instant writes are stamped with
    actingAs: null, // while seeding: who writes
    calls: [],
    marks: [],
    emitted: [],
    listeners: new Map(), // event -> [{ eventId, handler }]
  };

  const now = () => (db.clock === null ? Date.now() : db.clock);
  const operator = () => (db.actingAs === null ? db.operator : db.actingAs);

  function resolveIncident(ref) {
    const r = String(ref).trim().toLowerCase().replace(/^#/, '');
    const exact = db.incidents.find((i) => i.id === r);
    if (exact) return exact;
    const frag = r.replace(/-/g, '');
    const found = frag.length >= 4 ? db.incidents.filter((i) => i.id.replace(/-/g, '').endsWith(frag)) : [];
    if (found.length === 1) return found[0];
    if (found.length > 1) {
      throw {
        code: 'input.ambiguous',
        message: `${quoted(ref)} matches several incidents: ${found.map((i) => i.short).join(', ')}; give more characters`,
      };
    }
    throw notFound('incident', ref);
  }

  function resolveEntry(inc, ref) {
    const r = String(ref).trim().toLowerCase().replace(/^#/, '');
    const exact = inc.entries.find((e) => e.id === r);
    if (exact) return exact;
    const frag = r.replace(/-/g, '');
    const found = frag.length >= 4 ? inc.entries.filter((e) => e.id.replace(/-/g, '').endsWith(frag)) : [];
    if (found.length === 1) return found[0];
    throw notFound('entry', ref);
  }

  // -- incident state (the fold) --

  const active = (inc) => inc.assignments.filter((a) => a.ended === null);
  const holders = (inc, slug) => active(inc).filter((a) => a.position === slug);
  const positionsOf = (inc, person) =>
    [
      ...new Set(
        active(inc)
          .filter((a) => a.person === person)
          .map((a) => a.position),
      ),
    ].sort(byRank);

  function commander(inc) {
    const h = holders(inc, IC);
    return { state: h.length === 0 ? 'vacant' : h.length === 1 ? 'held' : 'conflict', holders: h };
  }

  function handoverOutcome(inc, h) {
    if (h.outcome !== 'pending') return h.outcome;
    const lastIc = Math.max(-1, ...inc.assignments.filter((a) => a.position === IC).map((a) => a.seq));
    return h.seq < lastIc ? 'lapsed' : 'pending';
  }

  function pendingHandover(inc) {
    const c = commander(inc);
    if (c.state !== 'held') return null;
    return (
      [...inc.handovers]
        .reverse()
        .find((h) => handoverOutcome(inc, h) === 'pending' && h.offer.by === c.holders[0].person) || null
    );
  }

  function severityOf(inc) {
    return inc.severity ? severityBySlug(inc.severity.slug) : null;
  }

  function cadenceFor(inc, slug) {
    const sev = severityOf(inc);
    return (
      inc.cadences.find((c) => c.position === slug) ||
      inc.cadences.find((c) => c.position === null && c.severity === null) ||
      inc.cadences.find((c) => c.position === null && sev && c.severity === sev.slug) ||
      null
    );
  }

  function roster(inc) {
    const lines = new Map();
    for (const a of inc.assignments) {
      if (!lines.has(a.position)) lines.set(a.position, { position: a.position, holders: [], history: [] });
      const line = lines.get(a.position);
      if (a.ended === null) line.holders.push(a);
      line.history.push(a);
    }
    return [...lines.values()].sort((x, y) => byRank(x.position, y.position));
  }

  /** The latest status update per position that was not retracted (fold: reports). */
  function lastReport(inc, slug) {
    let found = null;
    for (const r of inc.reports) {
      const entry = inc.entries.find((e) => e.id === r.stamp.entry_id);
      if (r.position === slug && !(entry && entry.retracted_by.length > 0)) found = r;
    }
    return found;
  }

  /** muster_core::prompts::prompt_clocks. */
  function promptClocks(inc) {
    if (inc.status !== 'open') return [];
    const out = [];
    for (const line of roster(inc)) {
      if (line.position === IC || line.holders.length === 0) continue;
      const c = cadenceFor(inc, line.position);
      const sev = severityOf(inc) || severityBySlug('sev2');
      let source;
      if (!c) source = `${sev.label} default`;
      else if (c.position !== null) source = 'set for this position';
      else if (c.severity !== null) source = `set for ${severityBySlug(c.severity).label}`;
      else source = 'set for every position';
      const interval = c ? c.minutes : sev.default_minutes;
      const assigned = Math.max(...line.holders.map((a) => a.at));
      const report = lastReport(inc, line.position);
      const since = report ? Math.max(report.stamp.at_ms, assigned) : assigned;
      let due = since + interval * MINUTE;
      const snooze = inc.snoozes.find((s) => s.position === line.position && s.stamp.at_ms >= since) || null;
      if (snooze) due = Math.max(due, snooze.stamp.at_ms + snooze.minutes * MINUTE);
      const grace = Math.min(10 * MINUTE, Math.max(20_000, Math.trunc((interval * MINUTE) / 3)));
      out.push({
        position: line.position,
        holders: line.holders.map((a) => a.person),
        interval,
        source,
        report,
        since,
        snooze,
        due,
        escalate: due + grace,
      });
    }
    return out;
  }
  const clockState = (c, t) => (t >= c.escalate ? 'overdue' : t >= c.due ? 'due' : 'waiting');

  const decisionAwaiting = (d) =>
    d.approvals_required.filter((p) => !d.approvals.some((a) => a.position === p));

  // -- writing entries --

  function stamp(entry) {
    return {
      entry_id: entry.id,
      short: entry.short,
      at_ms: entry.recorded_ms,
      at_text: entry.recorded_text,
      by: entry.author,
      by_position: entry.author_position ? { ...entry.author_position } : null,
    };
  }

  /** Appends one entry (a TimelineRow) and returns it. `position` undefined: the author's first. */
  function append(inc, kind, summary, extra = {}) {
    const at = extra.at ?? now();
    const author = extra.author ?? operator();
    const position = extra.position !== undefined ? extra.position : positionsOf(inc, author)[0] || null;
    const id = newId();
    const entry = {
      id,
      short: shortOf(id),
      kind,
      recorded_ms: at,
      recorded_text: fmt(at),
      recorded_zone: null,
      occurred_ms: extra.occurred_ms ?? null,
      occurred_text: extra.occurred_ms == null ? null : fmt(extra.occurred_ms),
      author,
      author_position: positionView(position),
      summary,
      target: extra.target ? extra.target.id : null,
      target_short: extra.target ? extra.target.short : null,
      amended_by: [],
      retracted_by: [],
      device: DEVICE,
      seq: ++db.seq,
      clock_skew_ms: null,
    };
    inc.entries.push(entry);
    inc.last_activity_ms = Math.max(inc.last_activity_ms, at);
    return entry;
  }

  const written = (e) => ({ entry_id: e.id, short: e.short, kind: e.kind, summary: e.summary });

  function openState(inc) {
    if (inc.status === 'closed') {
      throw refused(
        `incident ${inc.short} is closed; reopen it first (\`muster incident reopen --reason ...\`)`,
      );
    }
  }

  function assign(inc, slug, person, supersede) {
    const ended = supersede ? holders(inc, slug) : [];
    const e = append(inc, 'role.assigned', `${person} assigned as ${titleOf(slug)}`);
    for (const a of ended) a.ended = { stamp: stamp(e), relieved: false, reason: null };
    inc.assignments.push({
      entry_id: e.id,
      short: e.short,
      position: slug,
      person,
      at: e.recorded_ms,
      by: e.author,
      ended: null,
      seq: e.seq,
    });
    return e;
  }

  // ---- views (src-tauri/src/dto.rs) ---------------------------------------------------------

  function assignmentView(a) {
    return {
      entry_id: a.entry_id,
      short: a.short,
      position: positionView(a.position),
      person: a.person,
      assigned_ms: a.at,
      assigned_text: fmt(a.at),
      assigned_by: a.by,
      ended: a.ended ? a.ended.stamp : null,
      ended_relieved: a.ended ? a.ended.relieved : false,
      ended_reason: a.ended ? a.ended.reason : null,
    };
  }

  function handoverView(inc, h) {
    return {
      offer: h.offer,
      from: h.offer.by,
      to: h.to,
      outcome: handoverOutcome(inc, h),
      outcome_at: h.outcome_at,
      outcome_reason: h.outcome_reason,
      situation: h.briefing.situation,
      objectives: h.briefing.objectives,
      severity: h.briefing.severity,
      roster: h.briefing.roster,
      open_decisions: h.briefing.open_decisions,
      overdue_prompts: h.briefing.overdue_prompts,
    };
  }

  function decisionView(d) {
    return {
      id: d.id,
      short: d.short,
      question: d.question,
      options: [...d.options],
      choice: d.choice,
      rationale: d.rationale,
      authority: d.authority,
      authority_position: positionView(d.authority_position),
      recorded: d.recorded,
      supersedes: d.supersedes.map(shortOf),
      superseded_by: d.superseded_by.map(shortOf),
      approvals_required: d.approvals_required.map(positionView),
      approvals: d.approvals.map((a) => ({ position: positionView(a.position), stamp: a.stamp })),
      awaiting: decisionAwaiting(d).map(positionView),
    };
  }

  function promptView(c) {
    return {
      position: positionView(c.position),
      holders: c.holders,
      interval_minutes: c.interval,
      cadence_source: c.source,
      last_report: c.report ? c.report.stamp : null,
      since_ms: c.since,
      due_ms: c.due,
      due_text: fmt(c.due),
      escalate_ms: c.escalate,
      snooze: c.snooze ? { minutes: c.snooze.minutes, reason: c.snooze.reason, stamp: c.snooze.stamp } : null,
    };
  }

  function boardOf(inc) {
    const c = commander(inc);
    const sev = severityOf(inc);
    const pending = pendingHandover(inc);
    return {
      id: inc.id,
      short: inc.short,
      title: inc.title,
      description: inc.description,
      drill: inc.drill,
      status: inc.status,
      opened: inc.opened,
      severity: sev
        ? { slug: sev.slug, label: sev.label, rationale: inc.severity.rationale, set: inc.severity.set }
        : null,
      commander: { state: c.state, holders: c.holders.map(assignmentView) },
      pending_handover: pending ? handoverView(inc, pending) : null,
      handovers: inc.handovers.map((h) => handoverView(inc, h)),
      roster: roster(inc).map((l) => ({
        position: positionView(l.position),
        holders: l.holders.map(assignmentView),
        history: l.history.map(assignmentView),
      })),
      prompts: promptClocks(inc).map(promptView),
      decisions: [...inc.decisions].reverse().map(decisionView),
      cadences: inc.cadences.map((cd) => ({
        scope: cd.position
          ? titleOf(cd.position)
          : cd.severity
            ? `every position at ${severityBySlug(cd.severity).label}`
            : 'every position',
        minutes: cd.minutes,
        set: cd.set,
      })),
      entry_count: inc.entries.length,
      latest: [...inc.entries].reverse().slice(0, 8),
      now_ms: Date.now(),
      deadlines: obligationsOf(inc, Date.now())
        .filter((o) => o.status === 'pending' || o.status === 'overdue')
        .sort((a, b) => (a.due_ms ?? Infinity) - (b.due_ms ?? Infinity))
        .map((o) => ({
          rule: o.rule,
          recipient: o.recipient,
          status: o.status,
          due_ms: o.due_ms,
          due_text: o.due_text,
        })),
      isolated: Object.keys(inc.breach.lines)
        .filter((id) => isIsolated(inc, id))
        .sort(),
    };
  }

  function incidentRow(inc) {
    const sev = severityOf(inc);
    return {
      id: inc.id,
      short: inc.short,
      title: inc.title,
      drill: inc.drill,
      status: inc.status,
      severity: sev ? sev.label : null,
      commanders: holders(inc, IC).map((a) => a.person),
      entry_count: inc.entries.length,
      opened_ms: inc.opened ? inc.opened.at_ms : null,
      opened_text: inc.opened ? inc.opened.at_text : null,
      last_activity_ms: inc.last_activity_ms,
    };
  }

  function appInfo() {
    const t = Date.now();
    return {
      version: '0.1.0-mock',
      data_dir: '/home/muster/.local/share/muster (mock)',
      operator: db.operator,
      device: DEVICE,
      zone: ZONE,
      zone_abbreviation: 'UTC',
      now_ms: t,
      positions: POSITIONS.map(([slug]) => positionView(slug)),
      severities: SEVERITIES.map((s) => ({ ...s })),
      current_incident: db.current,
    };
  }

  /** src-tauri/src/timeline.rs TimelineIndex::query. */
  function timelineQuery(inc, q) {
    const started = performance.now();
    const facet = (map) =>
      [...map.entries()]
        .map(([value, [label, count]]) => ({ value, label, count }))
        .sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
    const kinds = new Map();
    const positions = new Map();
    const authors = new Map();
    const bump = (map, key, label) => map.set(key, [label, (map.get(key) || [label, 0])[1] + 1]);
    for (const e of inc.entries) {
      bump(kinds, e.kind, e.kind);
      if (e.author_position) bump(positions, e.author_position.slug, e.author_position.title);
      else bump(positions, 'none', '(no position)');
      bump(authors, e.author, e.author);
    }
    const words = q.text
      .split(/\s+/)
      .filter(Boolean)
      .map((w) => w.toLowerCase());
    const keeps = (e) => {
      const slug = e.author_position ? e.author_position.slug : null;
      const hay = `${e.summary.toLowerCase()}\u001f${e.author.toLowerCase()}\u001f${e.short}\u001f${e.kind}`;
      return (
        (q.kinds.length === 0 || q.kinds.includes(e.kind)) &&
        (q.positions.length === 0 || q.positions.includes(slug) || (q.positions.includes('none') && !slug)) &&
        (q.authors.length === 0 || q.authors.includes(e.author)) &&
        words.every((w) => hay.includes(w))
      );
    };
    const matched = inc.entries.filter(keeps);
    const ordered = q.newest_first ? [...matched].reverse() : matched;
    const offset = Math.min(q.offset, ordered.length);
    const end = Math.min(offset + Math.min(q.limit, MAX_PAGE), ordered.length);
    return {
      total: inc.entries.length,
      matched: matched.length,
      offset,
      rows: ordered.slice(offset, end),
      kinds: facet(kinds),
      positions: facet(positions),
      authors: facet(authors),
      query_ms: performance.now() - started,
      indexing: false,
    };
  }

  // ---- operations (muster-store ops.rs) -----------------------------------------------------

  function openIncident(input) {
    const sev = parseSeverity('severity', input.severity);
    const op = operator();
    const commanderName = input.commander != null ? input.commander.trim() : op;
    validatePerson('commander', commanderName);
    const title = String(input.title).trim();
    shortText('title', title, MAX_TITLE);
    const description = input.description != null ? input.description.trim() || null : null;
    if (description !== null) longText('description', description);
    const id = newId();
    const inc = {
      id,
      short: shortOf(id),
      title,
      drill: !!input.drill,
      description,
      status: 'open',
      opened: null,
      entries: [],
      assignments: [],
      severity: null,
      cadences: [],
      reports: [],
      snoozes: [],
      handovers: [],
      decisions: [],
      last_activity_ms: 0,
      breach: newBreach(),
    };
    // One atomic write: opened, commander assigned, severity set, all by the operator (as IC
    // when the operator is the commander).
    const position = op === commanderName ? IC : null;
    const opened = append(inc, 'incident.opened', `Incident opened${inc.drill ? ' [DRILL]' : ''}: ${title}`, {
      position,
    });
    inc.opened = stamp(opened);
    const e = append(inc, 'role.assigned', `${commanderName} assigned as Incident Commander`, { position });
    inc.assignments.push({
      entry_id: e.id,
      short: e.short,
      position: IC,
      person: commanderName,
      at: e.recorded_ms,
      by: op,
      ended: null,
      seq: e.seq,
    });
    const s = append(inc, 'severity.set', `Severity set to ${sev.label}`, { position });
    inc.severity = { slug: sev.slug, rationale: null, set: stamp(s) };
    db.incidents.push(inc);
    db.current = id;
    return inc;
  }

  function addNote(inc, text, occurredAt) {
    const occurred = occurredAt && occurredAt.trim() ? parseUserTime('occurred_at', occurredAt, now()) : null;
    openState(inc);
    if (occurred !== null && occurred > now() + FUTURE_TOLERANCE_MS) {
      throw invalid(
        'occurred_at',
        new Date(occurred).toISOString(),
        'is in the future; an event time says when something already happened',
      );
    }
    const body = text.replace(/\s+$/u, '');
    longText('text', body);
    return append(inc, 'note', body, {
      occurred_ms: occurred === null ? null : Math.floor(occurred / 1000) * 1000,
    });
  }

  function postStatus(inc, position, conditions, actions, needs) {
    openState(inc);
    const author = operator();
    const slug = position ?? positionsOf(inc, author)[0] ?? null;
    const [c, a, n] = [conditions.trim(), actions.trim(), needs.trim()];
    for (const [field, value] of [
      ['conditions', c],
      ['actions', a],
      ['needs', n],
    ])
      boundedText(field, value, MAX_LONG_TEXT, true);
    if (!c && !a && !n) {
      throw invalid('conditions', '', 'a status update needs at least one of conditions, actions or needs');
    }
    const orNone = (s) => (s.trim() ? s : 'none');
    const who = slug ? ` (${titleOf(slug)})` : '';
    const e = append(
      inc,
      'status.update',
      `Status${who} | Conditions: ${orNone(c)} | Actions: ${orNone(a)} | Needs: ${orNone(n)}`,
    );
    if (slug) inc.reports.push({ position: slug, stamp: stamp(e) });
    return e;
  }

  function briefing(inc, situation, objectives) {
    const t = now();
    const sev = severityOf(inc);
    return {
      situation: situation.trim(),
      objectives: objectives.trim(),
      severity: sev ? sev.label : null,
      roster: roster(inc).flatMap((l) =>
        l.holders.map((a) => ({ position: positionView(a.position), person: a.person })),
      ),
      open_decisions: inc.decisions
        .filter((d) => d.superseded_by.length === 0 && decisionAwaiting(d).length > 0)
        .map((d) => ({
          decision: d.id,
          short: d.short,
          question: d.question,
          choice: d.choice,
          awaiting: decisionAwaiting(d).map(positionView),
        })),
      overdue_prompts: promptClocks(inc)
        .filter((c) => clockState(c, t) !== 'waiting')
        .map((c) => ({
          position: positionView(c.position),
          holder: c.holders.join(', '),
          due_ms: c.due,
          due_text: fmt(c.due),
        })),
    };
  }

  function offerHandover(inc, input) {
    openState(inc);
    const op = operator();
    const to = input.to.trim();
    validatePerson('to', to);
    const c = commander(inc);
    if (c.state === 'held' && c.holders[0].person === op) {
      if (c.holders[0].person === to) throw invalid('to', to, 'already commands this incident');
    } else if (c.state === 'held') {
      throw refused(`only the incident commander (${c.holders[0].person}) can offer command; you are ${op}`);
    } else if (c.state === 'vacant') {
      throw refused('nobody commands this incident: assign a commander');
    } else {
      throw refused('two commanders stand (a conflict): resolve it before handing over');
    }
    const pending = pendingHandover(inc);
    if (pending) {
      throw refused(
        `command is already offered to ${pending.to} (#${pending.offer.short}): withdraw that offer first`,
      );
    }
    const b = briefing(inc, input.situation, input.objectives);
    shortText('to', to, MAX_PERSON);
    longText('situation', b.situation);
    longText('objectives', b.objectives);
    const e = append(
      inc,
      'command.handover.offered',
      `Command offered to ${to} | Situation: ${b.situation}`,
      {
        position: IC,
      },
    );
    inc.handovers.push({
      offer: stamp(e),
      to,
      outcome: 'pending',
      outcome_at: null,
      outcome_reason: null,
      briefing: b,
      seq: e.seq,
    });
    return e;
  }

  function acceptHandover(inc) {
    openState(inc);
    const op = operator();
    const offer = pendingHandover(inc);
    if (!offer) throw refused('no command handover is waiting for acceptance');
    if (offer.to !== op) throw refused(`command was offered to ${offer.to}, not to you (${op})`);
    const position = positionsOf(inc, op)[0] || null;
    const accepted = append(
      inc,
      'command.handover.accepted',
      `Command handover #${offer.offer.short} accepted`,
      {
        position,
      },
    );
    offer.outcome = 'accepted';
    offer.outcome_at = stamp(accepted);
    const previous = holders(inc, IC);
    const e = append(inc, 'role.assigned', `${op} assigned as Incident Commander`, { position });
    for (const a of previous) a.ended = { stamp: stamp(e), relieved: false, reason: null };
    inc.assignments.push({
      entry_id: e.id,
      short: e.short,
      position: IC,
      person: op,
      at: e.recorded_ms,
      by: op,
      ended: null,
      seq: e.seq,
    });
    return [accepted, e];
  }

  function recordDecision(inc, input) {
    openState(inc);
    const approvals = input.approvals_required.map((p) => parsePosition('approvals_required', p));
    const authorityName = input.authority && input.authority.trim() ? input.authority.trim() : null;
    if (authorityName !== null) validatePerson('authority', authorityName);
    const authority = authorityName ?? operator();
    let supersedes = [];
    if (input.supersedes && input.supersedes.trim()) {
      const target = resolveEntry(inc, input.supersedes);
      if (target.kind !== 'decision.recorded')
        throw invalid('supersedes', input.supersedes, 'is not a decision');
      const d = inc.decisions.find((x) => x.id === target.id);
      if (d && d.superseded_by.length > 0) throw refused(`decision #${target.short} was already superseded`);
      supersedes = [target.id];
    }
    const options = input.options.filter((o) => o.trim() !== '').map((o) => o.trim());
    const choice = input.choice.trim();
    if (options.length === 0) options.push(choice);
    const question = input.question.trim();
    const rationale = input.rationale.trim();
    shortText('question', question, MAX_SHORT_TEXT);
    if (options.length > MAX_OPTIONS)
      throw invalid('options', String(options.length), `at most ${MAX_OPTIONS} options`);
    for (const o of options) shortText('option', o, MAX_SHORT_TEXT);
    shortText('choice', choice, MAX_SHORT_TEXT);
    if (!options.includes(choice)) {
      throw invalid('choice', choice, `must be one of the options considered: ${options.join(' | ')}`);
    }
    longText('rationale', rationale);
    const e = append(inc, 'decision.recorded', `Decision: ${question} -> ${choice}`);
    for (const t of supersedes) {
      const old = inc.decisions.find((x) => x.id === t);
      if (old && !old.superseded_by.includes(e.id)) old.superseded_by.push(e.id);
    }
    inc.decisions.push({
      id: e.id,
      short: e.short,
      question,
      options,
      choice,
      rationale,
      authority,
      authority_position: positionsOf(inc, authority)[0] || null,
      recorded: stamp(e),
      supersedes,
      superseded_by: [],
      approvals_required: [...new Set(approvals)],
      approvals: [],
    });
    return e;
  }

  function approveDecision(inc, ref, position) {
    openState(inc);
    const op = operator();
    const target = resolveEntry(inc, ref);
    const d = inc.decisions.find((x) => x.id === target.id);
    if (!d) throw invalid('decision', ref, 'is not a decision');
    if (d.superseded_by.length > 0) throw refused(`decision #${d.short} was superseded`);
    if (!d.approvals_required.includes(position)) {
      throw invalid('position', position, "this decision does not ask for that position's approval");
    }
    if (d.approvals.some((a) => a.position === position)) {
      throw refused(`${titleOf(position)} already approved this decision`);
    }
    if (!positionsOf(inc, op).includes(position))
      throw refused(`you (${op}) do not hold ${titleOf(position)}`);
    const e = append(inc, 'decision.approved', `Decision #${d.short} approved by ${titleOf(position)}`, {
      position,
    });
    d.approvals.push({ position, stamp: stamp(e) });
    return e;
  }

  // ---- breach: scope, classification, clocks, escalation, systems ---------------------------
  // src-tauri/src/breach_commands.rs and breach_dto.rs over muster-store breach_ops.rs, with a
  // small subset of the built-in rulesets (assets/rules/*.toml): enough rules to classify, start
  // the HIPAA and GDPR clocks and fill an escalation checklist the way the real backend does.

  const vocab = (rows) => rows.map(([slug, label]) => ({ slug, label }));
  const VOCAB = {
    data: vocab([
      ['clinical-phi', 'Clinical PHI'],
      ['genetic', 'Genetic data'],
      ['substance-use', 'Substance-use disorder records (42 CFR Part 2)'],
      ['mental-health', 'Mental health records'],
      ['financial', 'Billing and financial data'],
      ['research', 'Research data'],
      ['staff-pii', 'Staff personal data'],
      ['credentials', 'Credentials (user names and passwords)'],
    ]),
    exposure: vocab([
      ['exfiltration-confirmed', 'Confirmed exfiltration'],
      ['unauthorised-access', 'Unauthorised access'],
      ['ransomware-encryption', 'Encrypted by ransomware'],
      ['encrypted-device-lost', 'Encrypted device lost or stolen'],
      ['unencrypted-device-lost', 'Unencrypted device lost or stolen'],
      ['misdirected', 'Misdirected (mail, fax, e-mail)'],
      ['improper-disposal', 'Improper disposal'],
      ['other', 'Other'],
    ]),
    roles: vocab([
      ['covered-entity', 'HIPAA covered entity'],
      ['business-associate', 'HIPAA business associate'],
      ['controller', 'GDPR controller'],
      ['processor', 'GDPR processor'],
      ['listed-company', 'SEC registrant (listed company)'],
      ['nis2-entity', 'NIS2 essential or important entity'],
      ['data-owner', 'Owner or licensee of the personal data (US state breach laws)'],
      [
        'licensed-health-facility',
        'California-licensed clinic, health facility, home health agency or hospice (H&S 1280.15)',
      ],
      ['device-manufacturer', 'Medical device manufacturer (EU MDR)'],
    ]),
    criticality: vocab([
      ['life-critical', 'Life-critical'],
      ['high', 'High'],
      ['medium', 'Medium'],
      ['low', 'Low'],
    ]),
    triggers: vocab([
      ['discovery', 'Discovery (known, or would have been known with reasonable diligence)'],
      ['awareness', 'Awareness (reasonable certainty that a breach occurred)'],
      ['determination', 'Determination that a breach occurred'],
      ['materiality', 'Materiality determination (SEC)'],
      ['high-risk', 'High risk to individuals established'],
      ['suspicion', 'Reasonable grounds to suspect an eligible breach'],
    ]),
    delay_basis: vocab([
      ['written', 'Written statement'],
      ['oral', 'Oral statement'],
    ]),
    delay_regimes: vocab([
      ['hipaa', 'HIPAA: law-enforcement official (45 CFR 164.412)'],
      ['sec', 'SEC Form 8-K: U.S. Attorney General (Item 1.05(c))'],
      ['us-ca', 'California: law-enforcement agency (Civ. Code 1798.82(c))'],
      ['us-ca-health-facility', 'California health facility: law enforcement (H&S Code 1280.15(c))'],
      ['us-tx', 'Texas: law-enforcement agency (Bus. & Com. Code 521.053(d))'],
      ['us-fl', 'Florida: law-enforcement agency (Fla. Stat. 501.171(4)(b))'],
      ['us-co', 'Colorado: law-enforcement agency (C.R.S. 6-1-716(2)(c))'],
    ]),
    functional: vocab([
      ['fully-functional', 'Fully functional'],
      ['partially-functional', 'Partially functional'],
      ['non-functional', 'Non-functional'],
    ]),
  };
  const labelOf = (kind, slug) => (VOCAB[kind].find((c) => c.slug === slug) || { label: slug }).label;

  /** The vocabularies' parse_user: case, '_' and spaces forgiven. */
  function parseChoice(kind, field, input) {
    const wanted = String(input).trim().toLowerCase().replace(/[_ ]/g, '-');
    const found = VOCAB[kind].find((c) => c.slug === wanted);
    if (!found) throw invalid(field, input, `must be one of ${VOCAB[kind].map((c) => c.slug).join(', ')}`);
    return found.slug;
  }

  const ISO_3166_1 =
    `AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV
    BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO
    FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP
    KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU
    MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB
    SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY
    UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW`.split(/\s+/);
  const US_SUBDIVISIONS =
    `AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY
    NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC AS GU MP PR UM VI`.split(/\s+/);
  const EU_MEMBERS = 'AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE'.split(
    ' ',
  );

  /** Jurisdiction::parse. */
  function parseJurisdiction(field, input) {
    const code = String(input).trim().toUpperCase();
    const [country, sub] = code.includes('-')
      ? [code.slice(0, code.indexOf('-')), code.slice(code.indexOf('-') + 1)]
      : [code, null];
    if (!ISO_3166_1.includes(country)) {
      throw invalid(
        field,
        input,
        'is not an ISO 3166-1 alpha-2 country code (such as US, DE, GB) or an ISO 3166-2 subdivision (such as US-CA)',
      );
    }
    if (sub !== null) {
      if (!/^[A-Z0-9]{1,3}$/.test(sub)) {
        throw invalid(
          field,
          input,
          "an ISO 3166-2 subdivision is the country code, '-', and 1 to 3 letters or digits (US-CA)",
        );
      }
      if (country === 'US' && !US_SUBDIVISIONS.includes(sub)) {
        throw invalid(field, input, 'is not a US state, district or outlying area in ISO 3166-2:US');
      }
    }
    return code;
  }
  const countryOf = (j) => j.split('-')[0];
  function within(j, region) {
    if (region === 'EU') return EU_MEMBERS.includes(countryOf(j));
    if (region.includes('-')) return j === region;
    return countryOf(j) === region;
  }
  const individualsIn = (scope, region) =>
    scope.affected
      .filter((a) => !region || within(a.jurisdiction, region))
      .reduce((n, a) => n + a.individuals, 0);

  function checkSystemId(field, id) {
    if (!/^[a-z0-9-]{1,64}$/.test(id)) {
      throw invalid(field, id, "a system id is 1 to 64 lowercase letters, digits or '-'");
    }
  }

  const CRIT_RANK = { 'life-critical': 0, high: 1, medium: 2, low: 3 };
  const PHI = ['clinical-phi', 'genetic', 'substance-use', 'mental-health', 'financial', 'research'];
  const SEV_RANK = (slug) => Number(slug.slice(3));
  const sevLabel = (slug) => slug.toUpperCase();

  const MATRIX_LABEL = 'muster-classification@1';
  const MATRIX = [
    {
      id: 'life-critical-system',
      description:
        'A life-critical clinical system (ICU monitoring, infusion, EHR in use at the bedside) is affected',
      severity: 'sev1',
      major: true,
      when: { systems_at_least: 'life-critical' },
    },
    {
      id: 'phi-exfiltration-500',
      description: 'Confirmed exfiltration of PHI of 500 or more individuals',
      severity: 'sev1',
      major: true,
      when: { data_any: PHI, exposure_any: ['exfiltration-confirmed'], affected_at_least: 500 },
    },
    {
      id: 'phi-500',
      description: 'PHI of 500 or more individuals exposed in any way',
      severity: 'sev2',
      major: true,
      when: { data_any: PHI, exposure_not_only: ['encrypted-device-lost'], affected_at_least: 500 },
    },
    {
      id: 'ransomware-high-system',
      description: 'Ransomware encryption of a high-criticality system',
      severity: 'sev2',
      major: false,
      when: { exposure_any: ['ransomware-encryption'], systems_at_least: 'high' },
    },
    {
      id: 'phi-exposed',
      description: 'PHI of at least one individual accessed, exfiltrated or encrypted by an attacker',
      severity: 'sev2',
      major: false,
      when: {
        data_any: PHI,
        exposure_any: [
          'exfiltration-confirmed',
          'unauthorised-access',
          'ransomware-encryption',
          'unencrypted-device-lost',
        ],
        affected_at_least: 1,
      },
    },
    {
      id: 'credentials-compromised',
      description: 'Credentials compromised (risk of further access)',
      severity: 'sev3',
      major: false,
      when: { data_any: ['credentials'] },
    },
    {
      id: 'medium-system',
      description: 'A medium-criticality system is affected',
      severity: 'sev3',
      major: false,
      when: { systems_at_least: 'medium' },
    },
  ];

  /** Condition::holds (adjust: what the borderline check does to the counts). */
  function holds(when, scope, adjust = (n) => n) {
    if (!when) return true;
    if (!scope) return false;
    const region = when.affected_in || null;
    const n = adjust(individualsIn(scope, region));
    if (when.affected_at_least !== undefined && n < when.affected_at_least) return false;
    if (when.affected_more_than !== undefined && n <= when.affected_more_than) return false;
    if (region && when.affected_at_least === undefined && n === 0) return false;
    if (when.roles_any && !scope.roles.some((r) => when.roles_any.includes(r))) return false;
    if (when.data_any && !scope.data.some((d) => when.data_any.includes(d))) return false;
    if (when.exposure_any && !scope.exposure.some((x) => when.exposure_any.includes(x))) return false;
    if (
      when.exposure_not_only &&
      (scope.exposure.length === 0 || scope.exposure.every((x) => when.exposure_not_only.includes(x)))
    )
      return false;
    if (
      when.systems_at_least &&
      !scope.systems.some((s) => CRIT_RANK[s.criticality] <= CRIT_RANK[when.systems_at_least])
    )
      return false;
    if (when.litigation_exposure !== undefined && scope.litigation_exposure !== when.litigation_exposure)
      return false;
    return true;
  }

  /** Condition::explain. */
  function explain(when, scope) {
    if (!when || !scope) return 'always';
    const parts = [];
    const region = when.affected_in || null;
    if (region || when.affected_at_least !== undefined || when.affected_more_than !== undefined) {
      parts.push(`${individualsIn(scope, region)} individuals in ${region || 'all jurisdictions'}`);
    }
    if (when.roles_any)
      parts.push(`role ${scope.roles.filter((r) => when.roles_any.includes(r)).join(', ')}`);
    if (when.data_any) parts.push(`data ${scope.data.filter((d) => when.data_any.includes(d)).join(', ')}`);
    if (when.exposure_any) {
      parts.push(`exposure ${scope.exposure.filter((x) => when.exposure_any.includes(x)).join(', ')}`);
    }
    if (when.systems_at_least) parts.push(`a ${when.systems_at_least} system affected`);
    if (when.litigation_exposure === true) parts.push('litigation exposure flagged');
    return parts.length ? parts.join('; ') : 'always';
  }

  /** ClassificationMatrix::classify (10% borderline margin, SEV4 by default). */
  function classifyScope(scope) {
    const evaluate = (adjust) => {
      const fired = MATRIX.filter((r) => holds(r.when, scope, adjust));
      const severity = fired.reduce((s, r) => (SEV_RANK(r.severity) < SEV_RANK(s) ? r.severity : s), 'sev4');
      return { severity, major: fired.some((r) => r.major), fired };
    };
    const now = evaluate((n) => n);
    const low = evaluate((n) => Math.floor((n * 90) / 100));
    const high = evaluate((n) => Math.ceil((n * 110) / 100));
    const borderline = low.severity !== high.severity || low.major !== high.major;
    return {
      severity: sevLabel(now.severity),
      major: now.major,
      borderline,
      borderline_reason: borderline
        ? `a 10% error in the counts of individuals would give ${sevLabel(low.severity)}${low.major ? ' major' : ''} to ${sevLabel(high.severity)}${high.major ? ' major' : ''}`
        : null,
      fired: now.fired.map((r) => ({
        id: r.id,
        description: r.description,
        severity: sevLabel(r.severity),
        major: r.major,
        because: explain(r.when, scope),
      })),
      matrix: MATRIX_LABEL,
    };
  }

  const HOUR = 60 * MINUTE;
  const DAY = 24 * HOUR;
  const CLOCKS = [
    {
      id: 'hipaa.individuals',
      regime: 'HIPAA',
      recipient: 'Each affected individual',
      citation: '45 CFR 164.404(a)(2), (b)',
      owed_by: 'covered-entity',
      delayed_by: 'hipaa',
      trigger: 'discovery',
      period: 60 * DAY,
      deadline: '60 calendar days',
      zone: 'America/New_York',
      when: { roles_any: ['covered-entity'], data_any: PHI, affected_in: 'US', affected_at_least: 1 },
    },
    {
      id: 'hipaa.hhs',
      regime: 'HIPAA',
      recipient: 'HHS Office for Civil Rights (breach portal)',
      citation: '45 CFR 164.408(b)',
      owed_by: 'covered-entity',
      delayed_by: 'hipaa',
      trigger: 'discovery',
      period: 60 * DAY,
      deadline: '60 calendar days',
      zone: 'America/New_York',
      when: { roles_any: ['covered-entity'], data_any: PHI, affected_in: 'US', affected_at_least: 500 },
    },
    {
      id: 'gdpr.authority',
      regime: 'GDPR',
      recipient: 'Lead supervisory authority',
      citation: 'GDPR Art. 33(1)',
      owed_by: 'controller',
      delayed_by: null,
      trigger: 'awareness',
      period: 72 * HOUR,
      deadline: '72 hours',
      zone: 'Europe/Berlin',
      when: {
        roles_any: ['controller'],
        data_any: [...PHI, 'staff-pii'],
        affected_in: 'EU',
        affected_at_least: 1,
      },
    },
  ];
  /** Every rule id of the built-in regulatory clocks (communications may name any of them). */
  const CLOCK_RULE_IDS = [
    'hipaa.individuals',
    'hipaa.media',
    'hipaa.hhs',
    'hipaa.hhs-annual',
    'hipaa.business-associate',
    'gdpr.authority',
    'gdpr.processor-to-controller',
    'gdpr.data-subjects',
    'uk-gdpr.authority',
    'uk-gdpr.data-subjects',
    'nis2.early-warning',
    'nis2.notification',
    'nis2.final-report',
  ];
  const CLOCK_RULES_BY_ID = Object.fromEntries(CLOCKS.map((c) => [c.id, c]));

  const ESCALATION = [
    {
      id: 'response-team',
      title: 'Activate the incident response team',
      position: IC,
      anchor: 'determination',
      minutes: 30,
      when: null,
    },
    {
      id: 'privacy-officer',
      title: 'Inform the privacy officer',
      position: IC,
      anchor: 'determination',
      minutes: 60,
      when: { data_any: [...PHI, 'staff-pii'] },
    },
    {
      id: 'clinical-leadership',
      title: 'Inform clinical leadership of the clinical systems affected',
      position: 'clinical-liaison',
      anchor: 'opened',
      minutes: 30,
      when: { systems_at_least: 'high' },
    },
    {
      id: 'legal-counsel',
      title: 'Engage legal counsel (litigation exposure flagged)',
      position: 'legal-liaison',
      anchor: 'litigation-flagged',
      minutes: 240,
      when: { litigation_exposure: true },
    },
  ];
  const CLOCK_RULESET = { version: 3, as_of: '2026-12-01' };
  const RULESETS = [`muster-regulatory-clocks@${CLOCK_RULESET.version}`, MATRIX_LABEL, 'muster-escalation@1'];

  const newBreach = () => ({
    scopes: [],
    litigationFlagged: null,
    classifications: [],
    triggers: [],
    delays: [],
    communications: [],
    escalations: [],
    register: null,
    proposals: [],
    lines: {},
  });
  const currentScope = (inc) => inc.breach.scopes[inc.breach.scopes.length - 1] || null;
  const currentClassification = (inc) =>
    inc.breach.classifications[inc.breach.classifications.length - 1] || null;
  /** The earliest stated time of a trigger kind (the conservative reading). */
  const triggerOf = (inc, kind) =>
    inc.breach.triggers.filter((t) => t.trigger === kind).sort((a, b) => a.at - b.at)[0] || null;

  /** "2027-01-21 09:05 EST": an instant in a named zone, zone abbreviated. */
  function inZone(ms, zone) {
    try {
      const parts = Object.fromEntries(
        new Intl.DateTimeFormat('en-US', {
          timeZone: zone,
          year: 'numeric',
          month: '2-digit',
          day: '2-digit',
          hour: '2-digit',
          minute: '2-digit',
          hourCycle: 'h23',
          timeZoneName: 'short',
        })
          .formatToParts(ms)
          .map((p) => [p.type, p.value]),
      );
      return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
    } catch {
      return fmtUtcMinutes(ms);
    }
  }
  const fmtUtcMinutes = (ms) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

  function effectiveClassification(c) {
    const review = c.reviews[0] || null;
    return {
      severity: review && review.severity ? review.severity : c.severity,
      major: review && review.major !== null ? review.major : c.major,
    };
  }

  /** DelayRegime::citation. */
  const REGIME_CITATIONS = {
    hipaa: '45 CFR 164.412',
    sec: 'Form 8-K Item 1.05(c)',
    'us-ca': 'Cal. Civ. Code 1798.82(a)(2), (c)',
    'us-ca-health-facility': 'Cal. Health & Safety Code 1280.15(c)',
    'us-tx': 'Tex. Bus. & Com. Code 521.053(d)',
    'us-fl': 'Fla. Stat. 501.171(4)(b)',
    'us-co': 'C.R.S. 6-1-716(2)(c)',
  };
  /** Laws whose oral delays last at most 30 days without a stated end. */
  const ORAL_CAPPED = ['hipaa', 'us-ca-health-facility'];

  function obligationsOf(inc, t) {
    const scope = currentScope(inc)?.scope ?? null;
    const out = [];
    for (const rule of CLOCKS) {
      if (!holds(rule.when, scope)) continue;
      const trig = triggerOf(inc, rule.trigger);
      const due = trig ? trig.at + rule.period : null;
      const met = inc.breach.communications
        .filter((c) => c.obligations.includes(rule.id))
        .sort((a, b) => a.sent - b.sent)[0];
      const waiver = inc.decisions.find(
        (d) => d.superseded_by.length === 0 && d.notification && d.notification.rule === rule.id,
      );
      const waived = waiver && !waiver.notification.notify ? waiver : null;
      // A delay holds back only the notices of its own law (breach/delays.rs).
      const suspensions = inc.breach.delays
        .filter((d) => d.regime === rule.delayed_by)
        .map((d) => ({ from: d.from, until: d.until ?? d.from + 30 * DAY }))
        .filter((s) => s.from <= t && t < s.until);
      const suspendedUntil = suspensions.length ? Math.max(...suspensions.map((s) => s.until)) : null;
      let status = 'pending';
      if (met) status = 'met';
      else if (waived) status = 'waived';
      else if (due !== null && t > due && suspendedUntil === null) status = 'overdue';
      out.push({
        rule: rule.id,
        regime: rule.regime,
        recipient: rule.recipient,
        citation: rule.citation,
        owed_by: rule.owed_by,
        owed_by_label: labelOf('roles', rule.owed_by),
        trigger: rule.trigger,
        trigger_at_text: trig ? fmt(trig.at) : null,
        trigger_recorded_by: trig ? trig.stamp.by : null,
        after: null,
        deadline: rule.deadline,
        due_ms: due,
        due_text: due === null ? null : fmt(due),
        due_utc: due === null ? null : fmtUtcMinutes(due),
        due_jurisdiction: due === null ? null : inZone(due, rule.zone),
        provisional: false,
        status,
        met_by: met ? met.short : null,
        met_text: met ? fmt(met.sent) : null,
        late: !!met && due !== null && met.sent > due,
        waived_by: !met && waived ? waived.short : null,
        waiver_rationale: !met && waived ? waived.rationale : null,
        suspended_until_text: suspendedUntil === null ? null : fmt(suspendedUntil),
        applies_because: explain(rule.when, scope),
        note: null,
      });
    }
    return out;
  }

  function anchorOf(inc, anchor) {
    if (anchor === 'opened') return inc.opened ? inc.opened.at_ms : null;
    if (anchor === 'litigation-flagged') return inc.breach.litigationFlagged?.at_ms ?? null;
    return triggerOf(inc, anchor)?.at ?? null;
  }

  function checklistOf(inc, t) {
    const scope = currentScope(inc)?.scope ?? null;
    return ESCALATION.filter((r) => holds(r.when, scope)).map((r) => {
      const at = anchorOf(inc, r.anchor);
      const due = at === null ? null : at + r.minutes * MINUTE;
      const tick = inc.breach.escalations.find((e) => e.rule === r.id) || null;
      const status = tick ? 'done' : due === null ? 'waiting' : t > due ? 'overdue' : 'pending';
      return {
        rule: r.id,
        title: r.title,
        position: r.position,
        position_title: titleOf(r.position),
        holders: holders(inc, r.position).map((a) => a.person),
        anchor: r.anchor,
        due_ms: due,
        due_text: due === null ? null : fmt(due),
        status,
        done_by: tick ? tick.stamp.by : null,
        done_text: tick ? tick.stamp.at_text : null,
        late: !!tick && due !== null && tick.stamp.at_ms > due,
        applies_because: explain(r.when, scope),
      };
    });
  }

  function scopeView(rec) {
    const s = rec.scope;
    return {
      affected: s.affected.map((a) => ({ ...a })),
      individuals: individualsIn(s, null),
      data: [...s.data],
      exposure: [...s.exposure],
      systems: s.systems.map((x) => ({ ...x })),
      roles: [...s.roles],
      litigation_exposure: s.litigation_exposure,
      summary: describeScope(s),
      recorded: rec.stamp,
    };
  }

  /** ScopeSet::describe. */
  function describeScope(s) {
    const list = (xs) => (xs.length ? xs.join(', ') : 'none');
    let text = `Scope: ${individualsIn(s, null)} individuals (${
      s.affected.length ? s.affected.map((a) => `${a.jurisdiction} ${a.individuals}`).join(', ') : 'none'
    }) | data: ${list(s.data)} | exposure: ${list(s.exposure)} | roles: ${list(s.roles)}`;
    if (s.systems.length) text += ` | systems: ${s.systems.map((x) => x.system).join(', ')}`;
    if (s.litigation_exposure) text += ' | litigation exposure';
    return text;
  }

  function classificationView(c) {
    const eff = effectiveClassification(c);
    return {
      entry_id: c.stamp.entry_id,
      short: c.stamp.short,
      severity: sevLabel(eff.severity),
      major: eff.major,
      borderline: c.borderline,
      awaiting_review: c.borderline && c.reviews.length === 0,
      fired: [...c.fired],
      matrix: c.matrix,
      rationale: c.rationale,
      recorded: c.stamp,
      reviews: c.reviews.map((r) => ({ confirmed: r.confirmed, summary: r.summary, recorded: r.stamp })),
    };
  }

  function breachView(inc) {
    const t = Date.now();
    const b = inc.breach;
    const scope = currentScope(inc);
    const c = currentClassification(inc);
    return {
      incident: inc.id,
      now_ms: t,
      scope: scope ? scopeView(scope) : null,
      scope_conflict: b.scopes.length > 1,
      preview: classifyScope(scope ? scope.scope : null),
      classification: c ? classificationView(c) : null,
      triggers: b.triggers.map((x) => ({
        entry_id: x.stamp.short,
        trigger: x.trigger,
        label: labelOf('triggers', x.trigger),
        at_ms: x.at,
        at_text: fmt(x.at),
        note: x.note,
        recorded: x.stamp,
      })),
      obligations: obligationsOf(inc, t),
      checklist: checklistOf(inc, t),
      communications: b.communications.map((x) => ({
        entry_id: x.short,
        recipient: x.recipient,
        channel: x.channel,
        summary: x.summary,
        sent_text: fmt(x.sent),
        meets: [...x.obligations],
        by: x.by,
      })),
      delays: b.delays.map((d) => ({
        entry_id: d.short,
        basis: d.basis,
        regime: d.regime,
        regime_citation: REGIME_CITATIONS[d.regime],
        agency: d.agency,
        statement: d.statement,
        from_text: fmt(d.from),
        until_text: d.until === null ? '30 days at most (oral)' : fmt(d.until),
      })),
      clock_ruleset: `Regulatory clocks ruleset v${CLOCK_RULESET.version} (${CLOCK_RULESET.as_of})`,
      rulesets: [...RULESETS],
      problems: (options.rulesetProblems || []).map((p) => ({ ...p })),
      vocabulary: json(VOCAB),
    };
  }

  // -- the clinical systems register (muster-core systems.rs) --

  const COLUMNS = [
    'id',
    'name',
    'criticality',
    'department',
    'downtime_procedure',
    'depends_on',
    'services',
    'functions',
  ];
  const FUNCTIONS = ['medication-administration', 'diagnostics'];
  const registerError = (message) => ({ code: 'register.invalid', message });
  const wordKey = (s) =>
    s
      .toLowerCase()
      .split(/[\s_-]+/)
      .filter(Boolean)
      .join('-');

  /** RFC 4180 records with the physical line each starts on. */
  function csvRecords(text) {
    const out = [];
    let row = [];
    let cell = '';
    let quoted = false;
    let line = 1;
    let start = 1;
    let i = 0;
    const endRow = () => {
      row.push(cell);
      out.push({ line: start, cells: row });
      row = [];
      cell = '';
    };
    while (i < text.length) {
      const c = text[i];
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          quoted = false;
          i++;
          continue;
        }
        if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++;
        cell += c;
        i++;
        continue;
      }
      if (c === '"' && cell.trim() === '') {
        quoted = true;
        cell = '';
        i++;
      } else if (c === ',') {
        row.push(cell);
        cell = '';
        i++;
      } else if (c === '\n' || c === '\r') {
        endRow();
        i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
        line++;
        start = line;
      } else {
        cell += c;
        i++;
      }
    }
    if (quoted) throw { line: start, reason: 'a quoted cell is not closed before the end of the file' };
    if (cell !== '' || row.length) endRow();
    return out;
  }

  const items = (cell) =>
    cell
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean);
  const sortedUnique = (xs) => [...new Set(xs)].sort();

  /** systems::parse_csv: all or nothing, errors name the line and field. */
  function parseRegister(file, text) {
    const fail = (message) => registerError(`${file}: ${message}`);
    const field = (line, name, value, reason) =>
      fail(`line ${line}, field ${name}: ${JSON.stringify(value)} ${reason}`);
    let records;
    try {
      records = csvRecords(text.replace(/^\uFEFF/, ''));
    } catch (e) {
      throw fail(`line ${e.line}: ${e.reason}`);
    }
    let positions = null;
    let width = 0;
    const systems = [];
    const lineOf = new Map();
    for (const { line, cells } of records) {
      if (cells.every((c) => c.trim() === '')) continue;
      if (!positions) {
        const names = cells.map((c) => c.trim());
        const seen = new Set();
        for (const n of names) {
          if (!COLUMNS.includes(n))
            throw fail(
              `line ${line}: unknown column ${JSON.stringify(n)}; the columns are ${COLUMNS.join(', ')}`,
            );
          if (seen.has(n))
            throw fail(`line ${line}: column ${JSON.stringify(n)} appears more than once in the header`);
          seen.add(n);
        }
        const missing = COLUMNS.filter((c) => !seen.has(c));
        if (missing.length) throw fail(`line ${line}: the header lacks column(s) ${missing.join(', ')}`);
        positions = Object.fromEntries(COLUMNS.map((c) => [c, names.indexOf(c)]));
        width = cells.length;
        continue;
      }
      if (cells.length !== width) {
        throw fail(`line ${line}: the row has ${cells.length} cells but the header has ${width}`);
      }
      const cell = (c) => cells[positions[c]].trim();
      const id = cell('id');
      if (!/^[a-z0-9-]{1,64}$/.test(id)) {
        throw field(line, 'id', id, "is not a system id: use 1 to 64 lowercase letters a-z, digits and '-'");
      }
      const criticality = wordKey(cell('criticality'));
      if (!(criticality in CRIT_RANK)) {
        throw field(
          line,
          'criticality',
          cell('criticality'),
          'is not one of life-critical, high, medium, low',
        );
      }
      const functions = [];
      for (const f of items(cell('functions'))) {
        if (!FUNCTIONS.includes(wordKey(f))) {
          throw field(line, 'functions', f, 'is not one of medication-administration, diagnostics');
        }
        functions.push(wordKey(f));
      }
      for (const [name, max, multiline] of [
        ['name', 200, false],
        ['department', 200, false],
        ['downtime_procedure', 2000, true],
      ]) {
        const v = cell(name);
        if (v === '') throw field(line, name, v, `is empty, but ${name} is required`);
        if ([...v].length > max) throw field(line, name, v, `is longer than ${max} characters`);
        if (!multiline && /[\r\n]/.test(v)) {
          throw field(line, name, v, 'contains a line break or other control character');
        }
      }
      const depends_on = sortedUnique(items(cell('depends_on')));
      if (depends_on.includes(id)) {
        throw field(line, 'depends_on', id, 'is the system itself: a system cannot depend on itself');
      }
      if (lineOf.has(id)) {
        throw fail(
          `line ${line}, field id: ${JSON.stringify(id)} is already the id of the system on line ${lineOf.get(id)}`,
        );
      }
      lineOf.set(id, line);
      systems.push({
        line,
        id,
        name: cell('name'),
        criticality,
        department: cell('department'),
        downtime_procedure: cell('downtime_procedure'),
        depends_on,
        services: sortedUnique(items(cell('services'))),
        functions: FUNCTIONS.filter((f) => functions.includes(f)),
      });
    }
    if (!positions) throw fail(`the CSV has no header row: the first line must be ${COLUMNS.join(',')}`);
    for (const s of systems) {
      const missing = s.depends_on.find((d) => !lineOf.has(d));
      if (missing) throw field(s.line, 'depends_on', missing, 'names no system in the register');
    }
    return systems.map(({ line: _line, ...s }) => s).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  function registerOf(inc) {
    if (!inc.breach.register) {
      throw refused('no clinical systems register yet; import one (`muster systems import FILE.csv`)');
    }
    return inc.breach.register.systems;
  }

  /** systems::impact: every system that needs `id`, by the shortest (then smallest) chain. */
  function impactOf(systems, id) {
    const root = systems.find((s) => s.id === id);
    if (!root) throw registerError(`register: ${JSON.stringify(id)} names no system in the register`);
    const dependents = new Map();
    for (const s of systems)
      for (const d of s.depends_on) dependents.set(d, [...(dependents.get(d) || []), s]);
    const chains = new Map([[root.id, [root.id]]]);
    const queue = [root];
    const reached = [];
    while (queue.length) {
      const current = queue.shift();
      for (const dep of dependents.get(current.id) || []) {
        if (chains.has(dep.id)) continue;
        const chain = [...chains.get(current.id), dep.id];
        chains.set(dep.id, chain);
        reached.push({ system: dep, via: chain });
        queue.push(dep);
      }
    }
    reached.sort(
      (a, b) =>
        CRIT_RANK[a.system.criticality] - CRIT_RANK[b.system.criticality] ||
        (a.system.id < b.system.id ? -1 : a.system.id > b.system.id ? 1 : 0),
    );
    const services = new Map();
    for (const s of [root, ...reached.map((r) => r.system)]) {
      for (const name of s.services) services.set(name, sortedUnique([...(services.get(name) || []), s.id]));
    }
    const because = [root, ...reached.map((r) => r.system)]
      .filter((s) => s.functions.length > 0)
      .map((s) => s.id);
    return {
      system: root.id,
      name: root.name,
      affected: reached.map(({ system: s, via }) => ({
        id: s.id,
        name: s.name,
        criticality: s.criticality,
        department: s.department,
        downtime_procedure: s.downtime_procedure,
        via,
        direct: via.length === 2,
      })),
      services: [...services.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([service, ids]) => ({ service, systems: ids })),
      needs_clinical_signoff: because.length > 0,
      signoff_because: because,
    };
  }

  const systemLine = (inc, id) => inc.breach.lines[id] || null;
  const isIsolated = (inc, id) => !!systemLine(inc, id)?.isolated;

  function boardOfSystems(inc) {
    const systems = inc.breach.register ? inc.breach.register.systems : [];
    const down = new Map();
    for (const s of systems) {
      if (!isIsolated(inc, s.id)) continue;
      for (const a of impactOf(systems, s.id).affected) down.set(a.id, [...(down.get(a.id) || []), s.id]);
    }
    return systems.map((s) => {
      const l = systemLine(inc, s.id);
      const isolated = !!l?.isolated;
      const downBecause = down.get(s.id) || [];
      const status =
        l?.status ??
        (isolated ? 'non-functional' : downBecause.length ? 'partially-functional' : 'fully-functional');
      return {
        system: s.id,
        name: s.name,
        criticality: s.criticality,
        department: s.department,
        downtime_procedure: s.downtime_procedure,
        status,
        status_label: labelOf('functional', status),
        isolated,
        rated: !!l?.status,
        comment: l?.comment ?? null,
        down_because: downBecause,
        unsigned: !!l?.unsigned,
        needs_signoff: s.functions.length > 0,
      };
    });
  }

  const signedOff = (p) => (p.signoffs[0] && p.signoffs[0].approved ? p.signoffs[0] : null);
  const refusedBy = (p) => (p.signoffs[0] && !p.signoffs[0].approved ? p.signoffs[0] : null);
  const isOpen = (p) => p.carried_out === null && refusedBy(p) === null;

  function systemsView(inc) {
    const register = inc.breach.register;
    const needs = (id) => {
      try {
        return impactOf(register.systems, id).needs_clinical_signoff;
      } catch {
        return false;
      }
    };
    return {
      incident: inc.id,
      has_register: !!register,
      register_recorded: register ? register.stamp : null,
      board: boardOfSystems(inc),
      proposals: [...inc.breach.proposals].reverse().map((p) => ({
        entry_id: p.stamp.entry_id,
        short: p.stamp.short,
        system: p.system,
        action: p.action,
        reason: p.reason,
        recorded: p.stamp,
        signoff: p.signoffs[0]
          ? { approved: p.signoffs[0].approved, note: p.signoffs[0].note, recorded: p.signoffs[0].stamp }
          : null,
        carried_out: p.carried_out,
        needs_signoff: register ? needs(p.system) : false,
        open: isOpen(p),
      })),
      operator_is_clinical_liaison: positionsOf(inc, operator()).includes('clinical-liaison'),
      vocabulary: json(VOCAB),
    };
  }

  const optText = (s) => (s && s.trim() ? s.trim() : null);

  function checkEventTime(field, at) {
    if (at > now() + FUTURE_TOLERANCE_MS) {
      throw invalid(
        field,
        new Date(at).toISOString(),
        'is in the future; an event time says when something already happened',
      );
    }
    return at;
  }

  function findProposal(inc, ref) {
    const entry = resolveEntry(inc, ref);
    const p = inc.breach.proposals.find((x) => x.stamp.entry_id === entry.id);
    if (!p) throw invalid('proposal', ref, 'is not an isolation proposal');
    return p;
  }

  const BREACH_COMMANDS = {
    breach_view: ({ incident_ref }) => [breachView(resolveIncident(incident_ref))],
    set_scope: ({ input }) => {
      const inc = resolveIncident(input.incident);
      const affected = input.affected.map((a) => {
        const jurisdiction = parseJurisdiction('affected', a.jurisdiction);
        const n = a.individuals;
        if (!(typeof n === 'number' && Number.isFinite(n) && n >= 0 && Number.isInteger(n))) {
          throw invalid('affected', String(n), 'the number of individuals is a whole number, 0 or more');
        }
        return { jurisdiction, individuals: n };
      });
      const systems = input.systems.map((s) => {
        checkSystemId('systems', s.system.trim());
        return { system: s.system.trim(), criticality: parseChoice('criticality', 'systems', s.criticality) };
      });
      const data = sortedUnique(input.data.map((d) => parseChoice('data', 'data', d)));
      const exposure = sortedUnique(input.exposure.map((d) => parseChoice('exposure', 'exposure', d)));
      const roles = sortedUnique(input.roles.map((d) => parseChoice('roles', 'roles', d)));
      openState(inc);
      affected.sort((a, b) =>
        a.jurisdiction < b.jurisdiction ? -1 : a.jurisdiction > b.jurisdiction ? 1 : 0,
      );
      systems.sort((a, b) => (a.system < b.system ? -1 : a.system > b.system ? 1 : 0));
      for (let i = 1; i < affected.length; i++) {
        if (affected[i].jurisdiction === affected[i - 1].jurisdiction) {
          throw invalid(
            'affected',
            affected[i].jurisdiction,
            'is listed twice; give one count per jurisdiction',
          );
        }
      }
      const scope = {
        affected,
        data,
        exposure,
        systems,
        roles,
        litigation_exposure: !!input.litigation_exposure,
      };
      const current = currentScope(inc);
      if (
        current &&
        JSON.stringify(current.scope) === JSON.stringify(scope) &&
        inc.breach.scopes.length < 2
      ) {
        throw refused('the scope is already exactly that');
      }
      const e = append(inc, 'scope.set', describeScope(scope));
      inc.breach.scopes = [{ scope, stamp: stamp(e) }];
      if (scope.litigation_exposure && !inc.breach.litigationFlagged) inc.breach.litigationFlagged = stamp(e);
      return [written(e), input.incident];
    },
    classify_incident: ({ input }) => {
      const inc = resolveIncident(input.incident);
      openState(inc);
      if (inc.breach.scopes.length > 1) {
        throw refused(
          'two scopes recorded while partitioned stand side by side; record the scope again (`muster scope set`) to resolve it first',
        );
      }
      const scope = currentScope(inc);
      if (!scope) {
        throw refused(
          'record the scope first (`muster scope set --affected US-CA:600 --data clinical-phi ...`)',
        );
      }
      const verdict = classifyScope(scope.scope);
      const severity = verdict.severity.toLowerCase(); // the view's label ("SEV2") as a slug
      const rationale = optText(input.rationale);
      const current = severityOf(inc);
      if (current && SEV_RANK(severity) > SEV_RANK(current.slug) && rationale === null) {
        throw invalid(
          'rationale',
          '',
          `the matrix gives ${sevLabel(severity)} but the incident is ${current.label}; lowering the severity needs a rationale`,
        );
      }
      if (rationale !== null) longText('rationale', rationale);
      const fired = verdict.fired.map((f) => f.id);
      const e = append(
        inc,
        'classification.recorded',
        `Classified ${sevLabel(severity)}${verdict.major ? ', major incident' : ''}${
          verdict.borderline ? ' (borderline: peer review asked)' : ''
        } by ${MATRIX_LABEL}: ${fired.length ? fired.join(', ') : 'no rule'}${rationale ? ` | ${rationale}` : ''}`,
      );
      inc.breach.classifications.push({
        stamp: stamp(e),
        severity,
        major: verdict.major,
        borderline: verdict.borderline,
        matrix: MATRIX_LABEL,
        fired,
        rationale,
        reviews: [],
      });
      const out = [written(e)];
      if (!current || current.slug !== severity) {
        const why = rationale ?? `classification matrix ${MATRIX_LABEL}: ${fired.join(', ')}`;
        const s = append(inc, 'severity.set', `Severity set to ${sevLabel(severity)}: ${why}`);
        inc.severity = { slug: severity, rationale: why, set: stamp(s) };
        out.push(written(s));
      }
      return [out, input.incident];
    },
    review_classification: ({ input }) => {
      const inc = resolveIncident(input.incident);
      const severity =
        input.severity && input.severity.trim() ? parseSeverity('severity', input.severity).slug : null;
      openState(inc);
      const op = operator();
      const c = currentClassification(inc);
      if (!c) throw refused('the incident has not been classified yet');
      if (c.stamp.by === op)
        throw refused(`${op} recorded this classification; peer review is by a second person`);
      if (c.reviews.length) {
        throw refused(`classification #${c.stamp.short} was already reviewed by ${c.reviews[0].stamp.by}`);
      }
      const rationale = optText(input.rationale);
      const major = input.major === null || input.major === undefined ? null : !!input.major;
      const changes = severity !== null || major !== null;
      if (input.confirm && changes) {
        throw invalid(
          'confirm',
          'true',
          'either confirm the classification or give what it changes to, not both',
        );
      }
      if (!input.confirm && !changes) {
        throw invalid(
          'severity',
          '',
          'confirm the classification, or give the severity or major flag it changes to',
        );
      }
      if (changes && rationale === null)
        throw invalid('rationale', '', 'changing a classification needs a rationale');
      let summary;
      if (input.confirm) summary = `Classification #${c.stamp.short} confirmed by peer review`;
      else {
        const majorText =
          major === true ? ', major incident' : major === false ? ', not a major incident' : '';
        summary = `Classification #${c.stamp.short} changed by peer review to ${
          severity ? sevLabel(severity) : 'unchanged severity'
        }${majorText}`;
      }
      if (rationale) summary += `: ${rationale}`;
      const e = append(inc, 'classification.reviewed', summary);
      c.reviews.push({ confirmed: !!input.confirm, severity, major, rationale, summary, stamp: stamp(e) });
      const out = [written(e)];
      const current = severityOf(inc);
      if (severity && (!current || current.slug !== severity)) {
        const s = append(
          inc,
          'severity.set',
          `Severity set to ${sevLabel(severity)}: peer review: ${rationale}`,
        );
        inc.severity = { slug: severity, rationale: `peer review: ${rationale}`, set: stamp(s) };
        out.push(written(s));
      }
      return [out, input.incident];
    },
    record_trigger: ({ input }) => {
      const kind = parseChoice('triggers', 'trigger', input.trigger);
      const inc = resolveIncident(input.incident);
      const at = checkEventTime('at', parseUserTime('at', input.at, now()));
      openState(inc);
      const note = optText(input.note);
      if (note !== null) longText('note', note);
      const e = append(
        inc,
        'trigger.recorded',
        `Trigger ${kind}: ${new Date(at).toISOString().replace('.000Z', '+00:00')}${note ? ` | ${note}` : ''}`,
      );
      inc.breach.triggers.push({ trigger: kind, at, note, stamp: stamp(e) });
      return [written(e), input.incident];
    },
    record_communication: ({ input }) => {
      const inc = resolveIncident(input.incident);
      const sent =
        input.sent_at && input.sent_at.trim() ? parseUserTime('sent_at', input.sent_at, now()) : null;
      openState(inc);
      for (const id of input.obligations) {
        if (!CLOCK_RULE_IDS.includes(id)) {
          throw invalid(
            'obligations',
            id,
            'names no rule of the regulatory clocks in force (see `muster clocks`)',
          );
        }
      }
      if (sent !== null) checkEventTime('sent_at', sent);
      const recipient = input.recipient.trim();
      const channel = input.channel.trim();
      const summary = input.summary.trim();
      shortText('recipient', recipient, MAX_SHORT_TEXT);
      shortText('channel', channel, MAX_PERSON);
      longText('summary', summary);
      const obligations = sortedUnique(input.obligations);
      const meets = obligations.length ? ` [${obligations.join(', ')}]` : '';
      const e = append(inc, 'communication.sent', `Sent to ${recipient} by ${channel}${meets}: ${summary}`);
      inc.breach.communications.push({
        short: e.short,
        recipient,
        channel,
        summary,
        sent: sent ?? e.recorded_ms,
        obligations,
        by: e.author,
      });
      return [written(e), input.incident];
    },
    decide_notification: ({ input }) => {
      const inc = resolveIncident(input.incident);
      openState(inc);
      const rule = CLOCK_RULES_BY_ID[input.rule];
      if (!rule && !CLOCK_RULE_IDS.includes(input.rule)) {
        throw invalid('rule', input.rule, 'names no rule of the regulatory clocks in force');
      }
      const standing = inc.decisions.find(
        (d) => d.superseded_by.length === 0 && d.notification && d.notification.rule === input.rule,
      );
      const recipient = rule ? rule.recipient : input.rule;
      const citation = rule ? rule.citation : input.rule;
      const e = recordDecision(inc, {
        question: `Notify ${recipient} under ${input.rule} (${citation})?`,
        options: ['notify', 'do not notify'],
        choice: input.notify ? 'notify' : 'do not notify',
        rationale: input.rationale,
        authority: null,
        supersedes: standing ? standing.id : null,
        approvals_required: [],
      });
      const d = inc.decisions.find((x) => x.id === e.id);
      d.notification = { rule: input.rule, notify: !!input.notify };
      return [written(e), input.incident];
    },
    record_delay: ({ input }) => {
      const basis = parseChoice('delay_basis', 'basis', input.basis);
      const regime = parseChoice('delay_regimes', 'regime', input.regime ?? 'hipaa');
      const inc = resolveIncident(input.incident);
      const from = parseUserTime('from', input.from, now());
      const until = input.until && input.until.trim() ? parseUserTime('until', input.until, now()) : null;
      openState(inc);
      const agency = input.agency.trim();
      const statement = input.statement.trim();
      shortText('agency', agency, MAX_SHORT_TEXT);
      longText('statement', statement);
      const law = REGIME_CITATIONS[regime];
      if (basis === 'oral' && (regime === 'sec' || regime === 'us-fl')) {
        throw invalid('basis', 'oral', `only a written statement delays notice under ${law}`);
      }
      if (basis === 'written' && until === null) {
        throw invalid('until', '', `a written statement gives the end of the delay (${law})`);
      }
      if (basis === 'oral' && until === null && !ORAL_CAPPED.includes(regime)) {
        throw invalid(
          'until',
          '',
          `${law} sets no limit on an oral request: give the end the agency stated (record a new delay if it is extended)`,
        );
      }
      if (until !== null && until <= from) {
        throw invalid('until', new Date(until).toISOString(), 'the delay must end after it starts');
      }
      const untilText = until === null ? '30 days at most (oral)' : new Date(until).toISOString();
      const lawText = regime === 'hipaa' ? '' : `, ${law}`;
      const e = append(
        inc,
        'law-enforcement.delay',
        `Law-enforcement delay (${basis}${lawText}) requested by ${agency} until ${untilText}: ${statement}`,
      );
      inc.breach.delays.push({ short: e.short, basis, regime, agency, statement, from, until });
      return [written(e), input.incident];
    },
    escalation_done: ({ input }) => {
      const inc = resolveIncident(input.incident);
      openState(inc);
      const items = checklistOf(inc, now());
      const item = items.find((i) => i.rule === input.rule);
      if (!item) {
        const known = items.map((i) => i.rule);
        throw invalid(
          'rule',
          input.rule,
          `is not on this incident's escalation checklist (${known.length ? known.join(', ') : 'empty'})`,
        );
      }
      if (item.status === 'done') throw refused(`escalation ${input.rule} is already done`);
      const note = optText(input.note);
      if (note !== null) longText('note', note);
      const e = append(
        inc,
        'escalation.done',
        note ? `Escalation ${input.rule} done: ${note}` : `Escalation ${input.rule} done`,
      );
      inc.breach.escalations.push({ rule: input.rule, note, stamp: stamp(e) });
      return [written(e), input.incident];
    },
    systems_view: ({ incident_ref }) => [systemsView(resolveIncident(incident_ref))],
    import_systems: ({ input }) => {
      if (input.csv.length > 2_000_000) {
        throw { code: 'input.invalid', message: 'csv: a register file is at most 2 MB' };
      }
      const inc = resolveIncident(input.incident);
      openState(inc);
      const systems = parseRegister(input.file_name, input.csv);
      const e = append(inc, 'systems.registered', `Clinical systems register: ${systems.length} systems`);
      inc.breach.register = { systems, stamp: stamp(e) };
      return [written(e), input.incident];
    },
    export_file: ({ input }) => {
      const inc = resolveIncident(input.incident);
      const stampText = new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
      const file = (what, ext) => `/home/commander/Downloads/muster-${inc.short}-${what}-${stampText}.${ext}`;
      if (input.kind === 'systems-csv') {
        const systems = registerOf(inc);
        return [
          {
            path: file('systems-register', 'csv'),
            bytes: 120 * systems.length,
            summary: `${systems.length} systems`,
          },
        ];
      }
      if (input.kind === 'deadlines-ics') {
        const dated = obligationsOf(inc, Date.now()).filter((o) => o.due_ms !== null).length;
        return [{ path: file('deadlines', 'ics'), bytes: 300 * dated, summary: `${dated} deadlines` }];
      }
      throw {
        code: 'input.invalid',
        message: `kind: ${quoted(input.kind)} is not an export (systems-csv, deadlines-ics)`,
      };
    },
    isolation_impact: ({ input }) => {
      const inc = resolveIncident(input.incident);
      return [impactOf(registerOf(inc), input.system)];
    },
    propose_isolation: ({ input }) => {
      const action = String(input.action).trim().toLowerCase();
      if (action !== 'isolate' && action !== 'restore') {
        throw invalid('action', input.action, 'must be one of isolate, restore');
      }
      const inc = resolveIncident(input.incident);
      openState(inc);
      impactOf(registerOf(inc), input.system);
      const system = input.system;
      const isolated = isIsolated(inc, system);
      if (action === 'isolate' && isolated) throw refused(`${system} is already isolated`);
      if (action === 'restore' && !isolated) throw refused(`${system} is not isolated`);
      const open = inc.breach.proposals.find((p) => p.system === system && p.action === action && isOpen(p));
      if (open) throw refused(`proposal #${open.stamp.short} to ${action} ${system} is still open`);
      const reason = input.reason.trim();
      longText('reason', reason);
      const e = append(inc, 'isolation.proposed', `Proposed to ${action} ${system}: ${reason}`);
      inc.breach.proposals.push({ stamp: stamp(e), system, action, reason, signoffs: [], carried_out: null });
      return [written(e), input.incident];
    },
    sign_off_isolation: ({ input }) => {
      const inc = resolveIncident(input.incident);
      openState(inc);
      const op = operator();
      if (!positionsOf(inc, op).includes('clinical-liaison')) {
        throw refused(
          `you (${op}) do not hold Clinical Liaison; only the clinical liaison signs off isolations`,
        );
      }
      const p = findProposal(inc, input.proposal);
      if (p.carried_out) throw refused(`proposal #${p.stamp.short} was already carried out`);
      if (p.signoffs.length) {
        throw refused(
          `proposal #${p.stamp.short} was already ${p.signoffs[0].approved ? 'signed off' : 'refused'} by ${p.signoffs[0].stamp.by}`,
        );
      }
      const note = input.note.trim();
      longText('note', note);
      const e = append(
        inc,
        'isolation.signed-off',
        `Clinical sign-off: proposal #${p.stamp.short} ${input.approved ? 'signed off' : 'refused'}: ${note}`,
        { position: 'clinical-liaison' },
      );
      p.signoffs.push({ approved: !!input.approved, note, stamp: stamp(e) });
      return [written(e), input.incident];
    },
    carry_out_isolation: ({ input }) => {
      const inc = resolveIncident(input.incident);
      openState(inc);
      const p = findProposal(inc, input.proposal);
      if (p.carried_out) throw refused(`proposal #${p.stamp.short} was already carried out`);
      const refusal = refusedBy(p);
      if (refusal) {
        throw refused(
          `the clinical liaison (${refusal.stamp.by}) refused proposal #${p.stamp.short}: ${refusal.note}`,
        );
      }
      const impact = impactOf(registerOf(inc), p.system);
      if (impact.needs_clinical_signoff && !signedOff(p)) {
        throw refused(
          `to ${p.action} ${p.system} needs the clinical liaison's sign-off first (${impact.signoff_because.join(', ')} handle medication administration or diagnostics)`,
        );
      }
      const e = append(
        inc,
        'isolation.carried-out',
        p.action === 'isolate' ? `${p.system} isolated` : `${p.system} restored`,
      );
      p.carried_out = stamp(e);
      inc.breach.lines[p.system] = {
        isolated: p.action === 'isolate',
        status: null,
        comment: null,
        unsigned: impact.needs_clinical_signoff && !signedOff(p),
      };
      return [written(e), input.incident];
    },
    rate_system: ({ input }) => {
      const status = parseChoice('functional', 'status', input.status);
      const inc = resolveIncident(input.incident);
      openState(inc);
      const systems = registerOf(inc);
      if (!systems.some((s) => s.id === input.system)) {
        throw invalid('system', input.system, 'is not in the clinical systems register');
      }
      const comment = optText(input.comment);
      if (comment !== null) longText('comment', comment);
      const e = append(
        inc,
        'system.status',
        comment
          ? `${input.system}: ${labelOf('functional', status)} (${comment})`
          : `${input.system}: ${labelOf('functional', status)}`,
      );
      const l = systemLine(inc, input.system) || { isolated: false, unsigned: false };
      inc.breach.lines[input.system] = { ...l, status, comment };
      return [written(e), input.incident];
    },
  };

  // ---- the commands -------------------------------------------------------------------------

  /** Argument names each command takes (Tauri refuses a call without them). */
  const ARGS = {
    app_info: [],
    set_operator: ['name'],
    list_incidents: [],
    open_incident: ['input'],
    use_incident: ['incident_ref'],
    load_demo: [],
    incident_board: ['incident_ref'],
    timeline_query: ['query'],
    add_note: ['input'],
    amend_note: ['input'],
    retract_entry: ['input'],
    assign_role: ['input'],
    relieve_role: ['input'],
    offer_handover: ['input'],
    accept_handover: ['incident_ref'],
    cancel_handover: ['input'],
    post_status: ['input'],
    snooze_prompt: ['input'],
    set_cadence: ['input'],
    set_severity: ['input'],
    record_decision: ['input'],
    approve_decision: ['input'],
    close_incident: ['input'],
    reopen_incident: ['input'],
    ui_mark: ['name', 'value_ms'],
    breach_view: ['incident_ref'],
    set_scope: ['input'],
    classify_incident: ['input'],
    review_classification: ['input'],
    record_trigger: ['input'],
    record_communication: ['input'],
    decide_notification: ['input'],
    record_delay: ['input'],
    escalation_done: ['input'],
    systems_view: ['incident_ref'],
    import_systems: ['input'],
    export_file: ['input'],
    isolation_impact: ['input'],
    propose_isolation: ['input'],
    sign_off_isolation: ['input'],
    carry_out_isolation: ['input'],
    rate_system: ['input'],
    sync_status: [],
    sync_now: [],
    sync_login: ['input'],
    sync_logout: [],
    sync_share: ['input'],
    sync_unshare: ['input'],
    sync_alerts: ['incident_ref'],
  };

  // ---- sync (src-tauri/src/sync.rs: the loop; sync_commands.rs) -------------------------------
  // The loop's status as it pushes it (`sync-status`); the server is imagined: users with their
  // one-time tokens (options.syncUsers: { name: token }, default alice/bob with "token-<name>").

  const sync = {
    status: {
      state: 'off',
      server: null,
      user: null,
      synced_at_ms: null,
      waiting: 0,
      alerts: 0,
      conflicts: 0,
      clock_offset_ms: null,
      last_error: null,
    },
    tokens: new Map(Object.entries(options.syncUsers || { alice: 'token-alice', bob: 'token-bob' })),
    evidence: new Map(), // incident id -> { alerts, conflicts }
  };

  /** Replaces part of the status and pushes it, as the loop does when its state changes. */
  function setSync(patch) {
    sync.status = { ...sync.status, ...patch };
    emit('sync-status', sync.status);
    return json(sync.status);
  }

  const notLoggedIn = () => ({
    code: 'sync.not_configured',
    message: 'not logged in to a sync server: run `muster login --server URL ...`',
  });

  const SYNC_COMMANDS = {
    sync_status: () => [json(sync.status)],
    sync_now: () => {
      if (sync.status.state !== 'off') {
        setTimeout(() => setSync({ state: 'syncing' }), 0);
        setTimeout(() => setSync({ state: 'synced', synced_at_ms: Date.now(), last_error: null }), 10);
      }
      return [json(sync.status)];
    },
    sync_login: ({ input }) => {
      const server = input.server.trim().replace(/\/+$/, '');
      if (!server.startsWith('http://') && !server.startsWith('https://')) {
        throw {
          code: 'sync.not_configured',
          message: `server URL ${quoted(server)} must start with http:// or https://`,
        };
      }
      // The mock's https servers all have certificates of their own, as a war-room server does.
      if (input.ca_cert !== null && !input.ca_cert.includes('-----BEGIN CERTIFICATE-----')) {
        throw { code: 'sync.not_configured', message: 'the CA certificate file holds no CERTIFICATE block' };
      }
      if (server.startsWith('https://') && input.ca_cert === null) {
        throw {
          code: 'sync.unreachable',
          message: `cannot reach ${server}: invalid peer certificate: UnknownIssuer`,
        };
      }
      const user = input.user.trim();
      if (!sync.tokens.has(user) || sync.tokens.get(user) !== input.token.trim()) {
        throw {
          code: 'auth.bad_enrolment',
          message: 'unknown user, or the enrolment token is wrong, used or expired',
        };
      }
      sync.tokens.delete(user); // one use
      setTimeout(() => setSync({ state: 'syncing', server, user, last_error: null }), 0);
      setTimeout(() => setSync({ state: 'synced', synced_at_ms: Date.now() }), 10);
      return [{ server, user, device: DEVICE }];
    },
    sync_logout: () => {
      setTimeout(() => setSync({ state: 'off', user: null, synced_at_ms: null, waiting: 0 }), 0);
      return [json(sync.status)];
    },
    sync_share: ({ input }) => {
      if (sync.status.state === 'off') throw notLoggedIn();
      const inc = resolveIncident(input.incident);
      const user = input.user.trim();
      if (!(user in (options.syncUsers || { alice: 1, bob: 1 }))) {
        throw { code: 'user.unknown', message: `no user named ${quoted(user)}` };
      }
      return [{ incident: inc.id, user, role: input.commander ? 'commander' : 'member' }];
    },
    sync_unshare: ({ input }) => {
      if (sync.status.state === 'off') throw notLoggedIn();
      const inc = resolveIncident(input.incident);
      return [{ incident: inc.id, user: input.user.trim(), role: 'removed' }];
    },
    sync_alerts: ({ incident_ref }) => {
      const inc = resolveIncident(incident_ref);
      const e = sync.evidence.get(inc.id) || { alerts: [], conflicts: [] };
      return [{ incident: inc.id, alerts: e.alerts, conflicts: e.conflicts }];
    },
  };

  /** Each returns [result, incident written to or undefined for a read]. */
  const COMMANDS = {
    app_info: () => [appInfo()],
    set_operator: ({ name }) => {
      validatePerson('name', name);
      db.operator = name.trim();
      return [appInfo(), null];
    },
    list_incidents: () => [
      [...db.incidents]
        .sort((a, b) => b.last_activity_ms - a.last_activity_ms || (a.id < b.id ? -1 : 1))
        .map(incidentRow),
    ],
    open_incident: ({ input }) => {
      const inc = openIncident(input);
      return [{ incident: inc.id, short: inc.short }, null];
    },
    use_incident: ({ incident_ref }) => {
      const inc = resolveIncident(incident_ref);
      db.current = inc.id;
      return [{ incident: inc.id, short: inc.short }];
    },
    load_demo: () => {
      const inc = seedIncident(DEMO);
      db.current = inc.id;
      return [{ incident: inc.id, short: inc.short }, null];
    },
    incident_board: ({ incident_ref }) => [boardOf(resolveIncident(incident_ref))],
    timeline_query: ({ query }) => {
      if (query.limit > MAX_PAGE) {
        throw { code: 'input.invalid', message: `limit: at most ${MAX_PAGE} rows per query` };
      }
      return [timelineQuery(resolveIncident(query.incident), query)];
    },
    add_note: ({ input }) => {
      const inc = resolveIncident(input.incident);
      return [written(addNote(inc, input.text, input.occurred_at)), input.incident];
    },
    amend_note: ({ input }) => {
      const inc = resolveIncident(input.incident);
      const occurred =
        input.occurred_at && input.occurred_at.trim()
          ? parseUserTime('occurred_at', input.occurred_at, now())
          : null;
      const text = input.text && input.text.trim() ? input.text.replace(/\s+$/u, '') : null;
      openState(inc);
      const target = resolveEntry(inc, input.target);
      if (target.kind !== 'note') {
        throw refused(
          `#${target.short} is a ${target.kind} entry; only notes are amended (supersede a decision, reassign a role, retract a status update)`,
        );
      }
      const reason = input.reason.trim();
      longText('reason', reason);
      if (text === null && occurred === null) {
        throw invalid('text', '', 'an amendment gives new text, a new time (occurred_at), or both');
      }
      const e = append(inc, 'entry.amended', `Amends #${target.short}: ${reason}`, { target });
      target.amended_by.push(e.short);
      if (text !== null) target.summary = text;
      if (occurred !== null) {
        target.occurred_ms = Math.floor(occurred / 1000) * 1000;
        target.occurred_text = fmt(target.occurred_ms);
      }
      return [written(e), input.incident];
    },
    retract_entry: ({ input }) => {
      const inc = resolveIncident(input.incident);
      openState(inc);
      const target = resolveEntry(inc, input.target);
      if (target.kind !== 'note' && target.kind !== 'status.update') {
        throw refused(
          `#${target.short} is a ${target.kind} entry; only notes and status updates are retracted`,
        );
      }
      const reason = input.reason.trim();
      longText('reason', reason);
      const e = append(inc, 'entry.retracted', `Retracts #${target.short}: ${reason}`, { target });
      target.retracted_by.push(e.short);
      return [written(e), input.incident];
    },
    assign_role: ({ input }) => {
      const inc = resolveIncident(input.incident);
      const slug = parsePosition('position', input.position);
      openState(inc);
      const person = input.person.trim();
      validatePerson('person', person);
      const h = holders(inc, slug);
      if (h.length === 1 && h[0].person === person) throw refused(`${person} already holds ${titleOf(slug)}`);
      return [written(assign(inc, slug, person, true)), input.incident];
    },
    relieve_role: ({ input }) => {
      const inc = resolveIncident(input.incident);
      const slug = parsePosition('position', input.position);
      openState(inc);
      const h = holders(inc, slug);
      if (h.length === 0) throw refused(`nobody holds ${titleOf(slug)}`);
      const reason = input.reason && input.reason.trim() ? input.reason.trim() : null;
      const names = h.map((a) => a.person).join(', ');
      const e = append(
        inc,
        'role.relieved',
        reason ? `${names} relieved as ${titleOf(slug)}: ${reason}` : `${names} relieved as ${titleOf(slug)}`,
      );
      for (const a of h) a.ended = { stamp: stamp(e), relieved: true, reason };
      return [written(e), input.incident];
    },
    offer_handover: ({ input }) => {
      const inc = resolveIncident(input.incident);
      return [written(offerHandover(inc, input)), input.incident];
    },
    accept_handover: ({ incident_ref }) => {
      const inc = resolveIncident(incident_ref);
      return [acceptHandover(inc).map(written), incident_ref];
    },
    cancel_handover: ({ input }) => {
      const inc = resolveIncident(input.incident);
      openState(inc);
      const op = operator();
      const offer = pendingHandover(inc);
      if (!offer) throw refused('no command handover is waiting for acceptance');
      if (offer.to !== op && offer.offer.by !== op) {
        throw refused(`only ${offer.offer.by} (offering) or ${offer.to} (offered) can cancel this handover`);
      }
      const reason = input.reason.trim();
      longText('reason', reason);
      const e = append(
        inc,
        'command.handover.cancelled',
        `Command handover #${offer.offer.short} cancelled: ${reason}`,
      );
      offer.outcome = 'cancelled';
      offer.outcome_at = stamp(e);
      offer.outcome_reason = reason;
      return [written(e), input.incident];
    },
    post_status: ({ input }) => {
      const inc = resolveIncident(input.incident);
      const slug = input.position ? parsePosition('position', input.position) : null;
      return [written(postStatus(inc, slug, input.conditions, input.actions, input.needs)), input.incident];
    },
    snooze_prompt: ({ input }) => {
      const inc = resolveIncident(input.incident);
      const slug = parsePosition('position', input.position);
      openState(inc);
      if (holders(inc, slug).length === 0)
        throw refused(`nobody holds ${titleOf(slug)}, so no update is owed`);
      const minutes = Number(input.minutes);
      if (!Number.isInteger(minutes) || minutes < 0) {
        throw {
          code: 'input.invalid',
          message: `invalid args \`input\` for command \`snooze_prompt\`: minutes`,
        };
      }
      if (minutes === 0 || minutes > MAX_SNOOZE_MINUTES) {
        throw invalid(
          'minutes',
          String(minutes),
          `a snooze lasts between 1 and ${MAX_SNOOZE_MINUTES} minutes`,
        );
      }
      const reason = input.reason.trim();
      longText('reason', reason);
      const e = append(
        inc,
        'status.snoozed',
        `Status update from ${titleOf(slug)} snoozed ${minutes} min: ${reason}`,
      );
      const snooze = { position: slug, minutes, reason, stamp: stamp(e) };
      inc.snoozes = [...inc.snoozes.filter((s) => s.position !== slug), snooze];
      return [written(e), input.incident];
    },
    set_cadence: ({ input }) => {
      const inc = resolveIncident(input.incident);
      const slug = input.position ? parsePosition('position', input.position) : null;
      const sev = input.severity ? parseSeverity('severity', input.severity) : null;
      openState(inc);
      const minutes = Number(input.minutes);
      if (minutes === 0 || minutes > MAX_CADENCE_MINUTES) {
        throw invalid(
          'interval_minutes',
          String(minutes),
          `must be between 1 and ${MAX_CADENCE_MINUTES} minutes`,
        );
      }
      if (slug && sev) {
        throw invalid(
          'severity',
          sev.label,
          `a cadence is for one position (${titleOf(slug)}) or for a severity, not both`,
        );
      }
      const scope = slug ? titleOf(slug) : 'every position';
      const e = append(
        inc,
        'cadence.set',
        sev
          ? `Status updates due every ${minutes} min from ${scope} while the incident is ${sev.label}`
          : `Status updates due every ${minutes} min from ${scope}`,
      );
      const key = (c) => `${c.position}|${c.severity}`;
      const cadence = { position: slug, severity: sev ? sev.slug : null, minutes, set: stamp(e) };
      const i = inc.cadences.findIndex((c) => key(c) === key(cadence));
      if (i === -1) inc.cadences.push(cadence);
      else inc.cadences[i] = cadence;
      return [written(e), input.incident];
    },
    set_severity: ({ input }) => {
      const inc = resolveIncident(input.incident);
      const sev = parseSeverity('severity', input.severity);
      openState(inc);
      const rationale = input.rationale && input.rationale.trim() ? input.rationale.trim() : null;
      const current = severityOf(inc);
      if (current) {
        if (current.slug === sev.slug) throw refused(`the incident is already ${sev.label}`);
        if (sev.slug > current.slug && rationale === null) {
          throw invalid(
            'rationale',
            '',
            `lowering the severity from ${current.label} to ${sev.label} needs a rationale`,
          );
        }
      }
      const e = append(
        inc,
        'severity.set',
        rationale ? `Severity set to ${sev.label}: ${rationale}` : `Severity set to ${sev.label}`,
      );
      inc.severity = { slug: sev.slug, rationale, set: stamp(e) };
      return [written(e), input.incident];
    },
    record_decision: ({ input }) => {
      const inc = resolveIncident(input.incident);
      return [written(recordDecision(inc, input)), input.incident];
    },
    approve_decision: ({ input }) => {
      const inc = resolveIncident(input.incident);
      const slug = parsePosition('position', input.position);
      return [written(approveDecision(inc, input.decision, slug)), input.incident];
    },
    close_incident: ({ input }) => {
      const inc = resolveIncident(input.incident);
      openState(inc);
      const summary = input.reason.trim();
      longText('summary', summary);
      const e = append(inc, 'incident.closed', `Incident closed: ${summary}`);
      inc.status = 'closed';
      return [written(e), input.incident];
    },
    reopen_incident: ({ input }) => {
      const inc = resolveIncident(input.incident);
      if (inc.status !== 'closed') throw refused(`incident ${inc.short} is not closed`);
      const reason = input.reason.trim();
      longText('reason', reason);
      inc.status = 'open';
      const e = append(inc, 'incident.reopened', `Incident reopened: ${reason}`);
      return [written(e), input.incident];
    },
    ui_mark: ({ name, value_ms }) => {
      db.marks.push({ name, value_ms });
      return [null];
    },
    ...BREACH_COMMANDS,
  };

  // ---- seeding ------------------------------------------------------------------------------

  /**
   * IncidentSeed: { title, severity ('sev2'), drill, description, commander (the operator),
   *   openedMinutesAgo (60), by (who opened it: the operator),
   *   steps: [{ minutesAgo, as, do: <command name> | 'assign_concurrent', input }],
   *   bulk: { count, fromMinutesAgo, toMinutesAgo, phrases: [...], authors: [{person, position}] },
   *   status: 'closed' }
   * Steps run through the same commands as the UI's calls, with the clock at `minutesAgo` and
   * the operator `as`. `assign_concurrent` assigns without superseding the holders (what two
   * partitioned laptops produce: a conflict). Bulk notes are written oldest first; note i is
   * `Entry <i+1>: <phrases[i % phrases.length]>` by authors[i % authors.length].
   */
  function seedIncident(spec) {
    const t = Date.now();
    const at = (minutesAgo) => Math.round(t - minutesAgo * MINUTE);
    const saved = { clock: db.clock, actingAs: db.actingAs, current: db.current };
    try {
      db.clock = at(spec.openedMinutesAgo ?? 60);
      db.actingAs = spec.by ?? db.operator;
      const inc = openIncident({
        title: spec.title,
        severity: spec.severity ?? 'sev2',
        drill: !!spec.drill,
        description: spec.description ?? null,
        commander: spec.commander ?? null,
      });
      const steps = [...(spec.steps || [])];
      const bulk = spec.bulk;
      const events = steps.map((s) => ({ at: at(s.minutesAgo), step: s }));
      if (bulk) {
        const from = at(bulk.fromMinutesAgo);
        const to = at(bulk.toMinutesAgo);
        for (let i = 0; i < bulk.count; i++) {
          const when = bulk.count === 1 ? from : Math.round(from + ((to - from) * i) / (bulk.count - 1));
          events.push({ at: when, note: i });
        }
      }
      events.sort((a, b) => a.at - b.at);
      for (const ev of events) {
        db.clock = ev.at;
        if (ev.note !== undefined) {
          const author = bulk.authors[ev.note % bulk.authors.length];
          append(inc, 'note', `Entry ${ev.note + 1}: ${bulk.phrases[ev.note % bulk.phrases.length]}`, {
            author: author.person,
            position: author.position ?? null,
          });
          continue;
        }
        const s = ev.step;
        db.actingAs = s.as ?? spec.by ?? db.operator;
        if (s.do === 'assign_concurrent') {
          assign(inc, parsePosition('position', s.input.position), s.input.person, false);
        } else {
          const args = { ...s.args };
          if (s.input) args.input = { incident: inc.id, ...s.input };
          if (ARGS[s.do].includes('incident_ref')) args.incident_ref = inc.id;
          COMMANDS[s.do](args);
        }
      }
      if (spec.status === 'closed') {
        db.clock = t;
        COMMANDS.close_incident({ input: { incident: inc.id, reason: 'Seeded as closed' } });
      }
      return inc;
    } finally {
      db.clock = saved.clock;
      db.actingAs = saved.actingAs;
      db.current = saved.current;
    }
  }

  const DEMO = {
    title: 'Ransomware on imaging servers',
    severity: 'sev1',
    commander: 'Dana Whitfield',
    by: 'Dana Whitfield',
    openedMinutesAgo: 50,
    steps: [
      { minutesAgo: 48, do: 'assign_role', input: { position: 'technical-lead', person: 'Sam Ortiz' } },
      { minutesAgo: 47, do: 'assign_role', input: { position: 'scribe', person: 'Priya Nair' } },
      { minutesAgo: 45, as: 'Priya Nair', do: 'add_note', input: { text: 'PACS viewers show ransom note' } },
      {
        minutesAgo: 30,
        do: 'record_decision',
        input: {
          question: 'Isolate the imaging VLAN?',
          options: ['Isolate now', 'Wait for vendor'],
          choice: 'Isolate now',
          rationale: 'Spread to the EHR must be prevented',
          authority: null,
          supersedes: null,
          approvals_required: ['legal-liaison'],
        },
      },
    ],
  };

  // ---- Tauri IPC internals ------------------------------------------------------------------

  const callbacks = new Map();
  let nextCallback = 1;
  let nextEventId = 1;

  function transformCallback(callback, once = false) {
    const id = nextCallback++;
    const run = (data) => {
      if (once) unregisterCallback(id);
      return callback && callback(data);
    };
    callbacks.set(id, run);
    // As Tauri does: the backend calls window['_' + id](payload).
    Object.defineProperty(window, `_${id}`, { value: run, writable: true, configurable: true });
    return id;
  }
  function unregisterCallback(id) {
    callbacks.delete(id);
    Reflect.deleteProperty(window, `_${id}`);
  }
  function runCallback(id, data) {
    const cb = callbacks.get(id);
    if (cb) cb(data);
    else console.warn(`[mock backend] no callback ${id}`);
  }

  /** Pushes an event to the page's listeners, as the backend's app.emit does. */
  function emit(event, payload) {
    db.emitted.push({ event, payload });
    for (const l of [...(db.listeners.get(event) || [])]) {
      runCallback(l.handler, { event, id: l.eventId, payload: json(payload) });
    }
  }

  function pluginEvent(cmd, args) {
    if (cmd === 'plugin:event|listen') {
      const eventId = nextEventId++;
      const list = db.listeners.get(args.event) || [];
      list.push({ eventId, handler: args.handler });
      db.listeners.set(args.event, list);
      return eventId;
    }
    if (cmd === 'plugin:event|unlisten') {
      const list = db.listeners.get(args.event) || [];
      db.listeners.set(
        args.event,
        list.filter((l) => l.eventId !== args.eventId),
      );
      return null;
    }
    if (cmd === 'plugin:event|emit') {
      emit(args.event, args.payload);
      return null;
    }
    throw `plugin:event: command ${cmd} not allowed`;
  }

  const latency = options.latencyMs || 0;
  const delay = () => new Promise((resolve) => setTimeout(resolve, latency));

  async function invoke(cmd, args = {}, _options) {
    db.calls.push({ cmd, args: json(args) });
    if (latency) await delay();
    else await null;
    if (cmd.startsWith('plugin:event|')) return pluginEvent(cmd, args);
    const handler = COMMANDS[cmd] || SYNC_COMMANDS[cmd];
    // Tauri rejects unknown commands and missing arguments with a string.
    if (!handler) throw `command ${cmd} not found`;
    for (const name of ARGS[cmd]) {
      if (args[name] === undefined) {
        throw `invalid args \`${name}\` for command \`${cmd}\`: command ${cmd} missing required key ${name}`;
      }
    }
    const [result, changed] = handler(json(args));
    if (changed !== undefined) {
      // AppState::write emits before the command returns; the page sees it on a later task.
      const payload = { incident: changed, source: 'user' };
      setTimeout(() => emit('store-changed', payload), 0);
    }
    return json(result);
  }

  window.__TAURI_INTERNALS__ = Object.assign(window.__TAURI_INTERNALS__ || {}, {
    invoke,
    transformCallback,
    unregisterCallback,
    runCallback,
    callbacks,
    metadata: { currentWindow: { label: 'main' }, currentWebview: { windowLabel: 'main', label: 'main' } },
    convertFileSrc: (path, protocol = 'asset') => `${protocol}://localhost/${encodeURIComponent(path)}`,
  });
  window.__TAURI_EVENT_PLUGIN_INTERNALS__ = Object.assign(window.__TAURI_EVENT_PLUGIN_INTERNALS__ || {}, {
    unregisterListener: (_event, id) => unregisterCallback(id),
  });

  // ---- the test API -------------------------------------------------------------------------

  function seed(spec) {
    if (spec.operator) db.operator = spec.operator;
    const made = (spec.incidents || []).map(seedIncident);
    if (made.length > 0 && db.current === null) db.current = made[0].id;
    return made.map((i) => i.id);
  }

  /** What the scheduler (src-tauri/src/scheduler.rs) would push now: every due or overdue prompt. */
  function firePrompts(filter = {}) {
    const t = Date.now();
    const fired = [];
    for (const inc of db.incidents) {
      for (const c of promptClocks(inc)) {
        const state = clockState(c, t);
        if (state === 'waiting' || (filter.position && filter.position !== c.position)) continue;
        const p = {
          incident: inc.id,
          incident_title: inc.title,
          position: positionView(c.position),
          holders: c.holders,
          state,
          due_ms: c.due,
          due_text: fmt(c.due),
        };
        fired.push(p);
        emit('prompt-fired', p);
      }
    }
    return fired;
  }

  window.__mock = {
    calls: db.calls,
    marks: db.marks,
    emitted: db.emitted,
    seed,
    emit,
    firePrompts,
    board: (ref) => json(boardOf(resolveIncident(ref ?? db.current))),
    state: () => json({ operator: db.operator, current: db.current, incidents: db.incidents }),
    listenerCount: (event) => (db.listeners.get(event) || []).length,
    /** Flags the entry whose summary is `summary` as the sync server does (its author's clock
     *  was `skewMs` off) and pushes `store-changed` with source `sync`. */
    flagClock: (summary, skewMs) => {
      const inc = resolveIncident(db.current);
      const entry = inc.entries.find((e) => e.summary === summary);
      if (!entry) throw new Error(`no entry ${summary}`);
      entry.clock_skew_ms = skewMs;
      emit('store-changed', { incident: inc.id, source: 'sync' });
    },
    /** Sets part of the sync status and pushes `sync-status`. */
    setSync,
    /** What `sync_alerts` answers for an incident: { alerts: [SyncAlertView], conflicts: [SetAsideView] }. */
    setEvidence: (ref, evidence) => sync.evidence.set(resolveIncident(ref ?? db.current).id, evidence),
  };

  if (options.seed) seed(options.seed);
})();
