// The Breach and Systems screens' pure logic: the scope form and its conversion to and from the
// backend's shapes, what a regulatory clock or escalation step shows now, and small texts.
// Validation stays with the backend (it names the field and value); only what cannot be sent at
// all (a count that is not a number) is refused here.
import type { ChecklistView, ObligationView, ScopeFormInput, ScopeView, ScopedSystemView } from './bindings';
import { isPast, until } from './countdown';

export interface AffectedRow {
  jurisdiction: string;
  /** As typed: "1200", "1,200" and "1 200" all read 1200. */
  individuals: string;
}

export interface SystemRow {
  system: string;
  criticality: string;
}

/** What the scope form edits: text as typed, sets of slugs, and the litigation flag. */
export interface ScopeForm {
  affected: AffectedRow[];
  data: string[];
  exposure: string[];
  systems: SystemRow[];
  roles: string[];
  litigation_exposure: boolean;
}

export const blankAffected = (): AffectedRow => ({ jurisdiction: '', individuals: '' });
export const blankSystem = (criticality = 'high'): SystemRow => ({ system: '', criticality });

/** The form for the current scope (or an empty one with a single blank jurisdiction row). */
export function scopeFormOf(scope: ScopeView | null | undefined): ScopeForm {
  if (!scope) {
    return {
      affected: [blankAffected()],
      data: [],
      exposure: [],
      systems: [],
      roles: [],
      litigation_exposure: false,
    };
  }
  return {
    affected:
      scope.affected.length > 0
        ? scope.affected.map((a) => ({ jurisdiction: a.jurisdiction, individuals: String(a.individuals) }))
        : [blankAffected()],
    data: [...scope.data],
    exposure: [...scope.exposure],
    systems: scope.systems.map((s) => ({ system: s.system, criticality: s.criticality })),
    roles: [...scope.roles],
    litigation_exposure: scope.litigation_exposure,
  };
}

/** Reads a count as typed; thousands separators (",", "_", spaces, "'") are forgiven. */
export function parseCount(text: string): number | null {
  const t = text.trim().replace(/[\s,_']/g, '');
  if (t === '' || !/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

export type Converted = { ok: true; input: ScopeFormInput } | { ok: false; error: string };

/**
 * The set_scope input for the form. Rows left wholly blank are dropped; jurisdiction codes are
 * trimmed and upper-cased, system ids trimmed. Refuses only a count that is not a number or a
 * count without a jurisdiction; everything else (unknown codes, negative counts, duplicates) is
 * for the backend to judge, in its own words.
 */
export function scopeInputOf(incident: string, form: ScopeForm): Converted {
  const affected: { jurisdiction: string; individuals: number }[] = [];
  for (const row of form.affected) {
    const jurisdiction = row.jurisdiction.trim().toUpperCase();
    const typed = row.individuals.trim();
    if (jurisdiction === '' && typed === '') continue;
    if (jurisdiction === '') {
      return {
        ok: false,
        error: `affected: give the jurisdiction (ISO code such as US-CA or DE) of the ${typed} individuals`,
      };
    }
    const individuals = parseCount(typed);
    if (individuals === null) {
      return {
        ok: false,
        error: `affected: the number of individuals in ${jurisdiction} is a whole number, 0 or more (got "${typed}")`,
      };
    }
    affected.push({ jurisdiction, individuals });
  }
  const systems: ScopedSystemView[] = form.systems
    .map((s) => ({ system: s.system.trim(), criticality: s.criticality }))
    .filter((s) => s.system !== '');
  return {
    ok: true,
    input: {
      incident,
      affected,
      data: [...form.data],
      exposure: [...form.exposure],
      systems,
      roles: [...form.roles],
      litigation_exposure: form.litigation_exposure,
    },
  };
}

/** The list with `slug` added, or removed when it was there (checkbox groups). */
export function toggle(list: readonly string[], slug: string): string[] {
  return list.includes(slug) ? list.filter((s) => s !== slug) : [...list, slug];
}

/** A copy of the record without `key` (per-row form state). */
export function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => k !== key));
}

/** Optional text: trimmed, or null when blank. */
export const optional = (text: string): string | null => (text.trim() === '' ? null : text.trim());

// ---- regulatory clocks ------------------------------------------------------------------------

export type ObligationStatus = 'pending' | 'met' | 'waived' | 'overdue';

/** The status to show now: a pending obligation turns overdue the second its due time passes. */
export function obligationStatus(o: ObligationView, nowMs: number): ObligationStatus {
  const s = o.status as ObligationStatus;
  if (s === 'pending' && o.due_ms !== null && isPast(o.due_ms, nowMs)) return 'overdue';
  return s;
}

/**
 * The clock column: a live countdown while pending or overdue; otherwise what stopped it, or
 * what it waits for. `triggerLabel` names a trigger slug for people.
 */
export function obligationClock(
  o: ObligationView,
  nowMs: number,
  triggerLabel: (slug: string) => string = (s) => s,
): string {
  const status = obligationStatus(o, nowMs);
  if (status === 'met') return `met ${o.met_text ?? ''}${o.late ? ' (late)' : ''}`.trim();
  if (status === 'waived') return 'not notifying (waived)';
  if (o.due_ms !== null) return until(o.due_ms, nowMs);
  if (o.trigger_at_text === null) return `waiting for the ${triggerLabel(o.trigger)} trigger`;
  return 'no fixed deadline';
}

/**
 * Overdue first, then pending by due time (open-ended last), then met and waived: the backend's
 * order, kept as the clocks run (a pending obligation turns overdue on screen). Ties keep the
 * backend's order (the ruleset's), as the sort is stable.
 */
export function byDue(obligations: readonly ObligationView[], nowMs: number): ObligationView[] {
  const rank: Record<ObligationStatus, number> = { overdue: 0, pending: 1, met: 2, waived: 3 };
  return [...obligations].sort(
    (a, b) =>
      rank[obligationStatus(a, nowMs)] - rank[obligationStatus(b, nowMs)] ||
      (a.due_ms ?? Infinity) - (b.due_ms ?? Infinity),
  );
}

// ---- escalation ---------------------------------------------------------------------------------

export type StepStatus = 'waiting' | 'pending' | 'done' | 'overdue';

export function stepStatus(i: ChecklistView, nowMs: number): StepStatus {
  const s = i.status as StepStatus;
  if (s === 'pending' && i.due_ms !== null && isPast(i.due_ms, nowMs)) return 'overdue';
  return s;
}

/** "in 25 m 00 s", "overdue by 1 h 05 m", "done 2026-11-22 03:10:00 UTC by Dana (late)", "waiting for opened". */
export function stepClock(i: ChecklistView, nowMs: number): string {
  const status = stepStatus(i, nowMs);
  if (status === 'done') {
    const by = i.done_by ? ` by ${i.done_by}` : '';
    return `done ${i.done_text ?? ''}${by}${i.late ? ' (late)' : ''}`.replace(/\s+/g, ' ').trim();
  }
  if (i.due_ms !== null) return until(i.due_ms, nowMs);
  return `waiting for ${i.anchor.replace(/-/g, ' ')}`;
}

// ---- systems --------------------------------------------------------------------------------------

/** A dependency chain for people: ["hl7-engine", "pharmacy", "bcma"] -> "hl7-engine -> pharmacy -> bcma". */
export const chainText = (via: readonly string[]): string => via.join(' -> ');

/** The CSS class of a HICS 251 status slug. */
export function functionalClass(status: string): 'ok' | 'warn' | 'danger' | '' {
  if (status === 'fully-functional') return 'ok';
  if (status === 'partially-functional') return 'warn';
  if (status === 'non-functional') return 'danger';
  return '';
}
