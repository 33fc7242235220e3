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
//
// Tests drive it through window.__mock: calls (every invoke, in order), emit(event, payload),
// firePrompts() (what the scheduler would push now), board(ref), state().
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
    const handler = COMMANDS[cmd];
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
  };

  if (options.seed) seed(options.seed);
})();
