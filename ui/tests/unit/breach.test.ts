import { describe, expect, it } from 'vitest';
import type { ChecklistView, ObligationView, ScopeView } from '../../src/lib/bindings';
import {
  blankAffected,
  byDue,
  chainText,
  functionalClass,
  obligationClock,
  obligationStatus,
  optional,
  parseCount,
  scopeFormOf,
  scopeInputOf,
  stepClock,
  stepStatus,
  toggle,
  without,
} from '../../src/lib/breach';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 22, 14, 5);

const stamp = {
  entry_id: 'e1',
  short: 'aaaa0001',
  at_ms: NOW,
  at_text: '2026-11-22 14:05:00 UTC',
  by: 'Alice',
  by_position: null,
};

const scope: ScopeView = {
  affected: [
    { jurisdiction: 'DE', individuals: 40 },
    { jurisdiction: 'US-CA', individuals: 1200 },
  ],
  individuals: 1240,
  data: ['clinical-phi'],
  exposure: ['exfiltration-confirmed'],
  systems: [{ system: 'ehr', criticality: 'life-critical' }],
  roles: ['covered-entity'],
  litigation_exposure: true,
  summary: 'Scope: ...',
  recorded: stamp,
};

describe('scope form <-> ScopeFormInput', () => {
  it('an empty form has one blank jurisdiction row and nothing else', () => {
    expect(scopeFormOf(null)).toEqual({
      affected: [blankAffected()],
      data: [],
      exposure: [],
      systems: [],
      roles: [],
      litigation_exposure: false,
    });
  });

  it('fills the form from the recorded scope, counts as text', () => {
    const form = scopeFormOf(scope);
    expect(form.affected).toEqual([
      { jurisdiction: 'DE', individuals: '40' },
      { jurisdiction: 'US-CA', individuals: '1200' },
    ]);
    expect(form.systems).toEqual([{ system: 'ehr', criticality: 'life-critical' }]);
    expect(form.litigation_exposure).toBe(true);
    // A copy: editing the form does not touch the view.
    form.data.push('genetic');
    expect(scope.data).toEqual(['clinical-phi']);
  });

  it('round-trips: the form of a scope converts back to the same input', () => {
    const converted = scopeInputOf('inc-1', scopeFormOf(scope));
    expect(converted).toEqual({
      ok: true,
      input: {
        incident: 'inc-1',
        affected: scope.affected,
        data: scope.data,
        exposure: scope.exposure,
        systems: scope.systems,
        roles: scope.roles,
        litigation_exposure: true,
      },
    });
  });

  it('trims and upper-cases codes, reads thousands separators, drops blank rows', () => {
    const form = scopeFormOf(null);
    form.affected = [
      { jurisdiction: ' us-ca ', individuals: '1,200' },
      { jurisdiction: '', individuals: '  ' },
      { jurisdiction: 'gb', individuals: "12'000" },
      { jurisdiction: 'DE', individuals: '1 500' },
    ];
    form.systems = [
      { system: ' pacs ', criticality: 'high' },
      { system: '   ', criticality: 'low' },
    ];
    const converted = scopeInputOf('inc-1', form);
    expect(converted.ok && converted.input.affected).toEqual([
      { jurisdiction: 'US-CA', individuals: 1200 },
      { jurisdiction: 'GB', individuals: 12000 },
      { jurisdiction: 'DE', individuals: 1500 },
    ]);
    expect(converted.ok && converted.input.systems).toEqual([{ system: 'pacs', criticality: 'high' }]);
  });

  it('refuses a count that is not a number, or one without a jurisdiction', () => {
    const form = scopeFormOf(null);
    form.affected = [{ jurisdiction: 'US-CA', individuals: 'about 600' }];
    expect(scopeInputOf('i', form)).toEqual({
      ok: false,
      error: 'affected: the number of individuals in US-CA is a whole number, 0 or more (got "about 600")',
    });
    form.affected = [{ jurisdiction: 'US-CA', individuals: '' }];
    expect(scopeInputOf('i', form).ok).toBe(false);
    form.affected = [{ jurisdiction: '', individuals: '600' }];
    expect(scopeInputOf('i', form)).toEqual({
      ok: false,
      error: 'affected: give the jurisdiction (ISO code such as US-CA or DE) of the 600 individuals',
    });
  });

  it('leaves negative and fractional counts and unknown codes to the backend', () => {
    const form = scopeFormOf(null);
    form.affected = [
      { jurisdiction: 'XX', individuals: '-3' },
      { jurisdiction: 'US-TX', individuals: '2.5' },
    ];
    const converted = scopeInputOf('i', form);
    expect(converted.ok && converted.input.affected).toEqual([
      { jurisdiction: 'XX', individuals: -3 },
      { jurisdiction: 'US-TX', individuals: 2.5 },
    ]);
  });
});

describe('small helpers', () => {
  it('parseCount', () => {
    expect(parseCount('600')).toBe(600);
    expect(parseCount(' 1,234,567 ')).toBe(1234567);
    expect(parseCount('1e3')).toBe(1000);
    expect(parseCount('')).toBeNull();
    expect(parseCount('six')).toBeNull();
    expect(parseCount('12abc')).toBeNull();
  });

  it('toggle adds or removes, keeping the order', () => {
    expect(toggle(['a', 'b'], 'c')).toEqual(['a', 'b', 'c']);
    expect(toggle(['a', 'b', 'c'], 'b')).toEqual(['a', 'c']);
  });

  it('optional and without', () => {
    expect(optional('  ')).toBeNull();
    expect(optional(' note ')).toBe('note');
    expect(without({ a: 1, b: 2 }, 'a')).toEqual({ b: 2 });
  });

  it('chainText and functionalClass', () => {
    expect(chainText(['hl7-engine', 'pharmacy', 'bcma'])).toBe('hl7-engine -> pharmacy -> bcma');
    expect(functionalClass('fully-functional')).toBe('ok');
    expect(functionalClass('partially-functional')).toBe('warn');
    expect(functionalClass('non-functional')).toBe('danger');
    expect(functionalClass('unknown')).toBe('');
  });
});

function obligation(over: Partial<ObligationView>): ObligationView {
  return {
    rule: 'hipaa.individuals',
    regime: 'HIPAA',
    recipient: 'Each affected individual',
    citation: '45 CFR 164.404',
    owed_by: 'covered-entity',
    owed_by_label: 'HIPAA covered entity',
    trigger: 'discovery',
    trigger_at_text: null,
    trigger_recorded_by: null,
    after: null,
    deadline: '60 calendar days',
    due_ms: null,
    due_text: null,
    due_utc: null,
    due_jurisdiction: null,
    provisional: false,
    status: 'pending',
    met_by: null,
    met_text: null,
    late: false,
    waived_by: null,
    waiver_rationale: null,
    suspended_until_text: null,
    applies_because: 'always',
    note: null,
    ...over,
  };
}

describe('regulatory clocks', () => {
  it('waits for its trigger when none is recorded', () => {
    const o = obligation({});
    expect(obligationStatus(o, NOW)).toBe('pending');
    expect(obligationClock(o, NOW, (s) => `the ${s}`)).toBe('waiting for the the discovery trigger');
    expect(obligationClock(o, NOW)).toBe('waiting for the discovery trigger');
  });

  it('counts down, then turns overdue the second its due time passes (without a reload)', () => {
    const o = obligation({ due_ms: NOW + 2 * DAY + 3 * HOUR, trigger_at_text: 'x' });
    expect(obligationClock(o, NOW)).toBe('in 2 d 03 h 00 m');
    const later = NOW + 2 * DAY + 8 * HOUR + 2 * MINUTE;
    expect(obligationStatus(o, later)).toBe('overdue');
    expect(obligationClock(o, later)).toBe('overdue by 5 h 02 m');
  });

  it('met, late met and waived obligations stop their clock', () => {
    const met = obligation({ status: 'met', met_text: '2026-11-23 09:00:00 UTC', due_ms: NOW });
    expect(obligationClock(met, NOW + DAY)).toBe('met 2026-11-23 09:00:00 UTC');
    expect(obligationStatus(met, NOW + DAY)).toBe('met');
    expect(obligationClock({ ...met, late: true }, NOW)).toBe('met 2026-11-23 09:00:00 UTC (late)');
    const waived = obligation({ status: 'waived', due_ms: NOW - DAY });
    expect(obligationStatus(waived, NOW)).toBe('waived');
    expect(obligationClock(waived, NOW)).toBe('not notifying (waived)');
  });

  it('says when the law sets no fixed period', () => {
    const o = obligation({ trigger_at_text: '2026-11-22 10:00:00 UTC', deadline: 'no fixed period' });
    expect(obligationClock(o, NOW)).toBe('no fixed deadline');
  });

  it('sorts overdue first, then pending by due time (open-ended last), then met and waived', () => {
    const list = [
      obligation({ rule: 'waived', status: 'waived' }),
      obligation({ rule: 'open-ended' }),
      obligation({ rule: 'later', due_ms: NOW + 10 * DAY }),
      obligation({ rule: 'met', status: 'met' }),
      obligation({ rule: 'sooner', due_ms: NOW + HOUR }),
      obligation({ rule: 'passed', due_ms: NOW - HOUR }),
    ];
    expect(byDue(list, NOW).map((o) => o.rule)).toEqual([
      'passed',
      'sooner',
      'later',
      'open-ended',
      'met',
      'waived',
    ]);
  });
});

function step(over: Partial<ChecklistView>): ChecklistView {
  return {
    rule: 'response-team',
    title: 'Activate the incident response team',
    position: 'incident-commander',
    position_title: 'Incident Commander',
    holders: ['Alice'],
    anchor: 'determination',
    due_ms: null,
    due_text: null,
    status: 'waiting',
    done_by: null,
    done_text: null,
    late: false,
    applies_because: 'always',
    ...over,
  };
}

describe('escalation steps', () => {
  it('waits for its anchor', () => {
    expect(stepClock(step({ anchor: 'litigation-flagged' }), NOW)).toBe('waiting for litigation flagged');
  });

  it('counts down and turns overdue live', () => {
    const s = step({ status: 'pending', due_ms: NOW + 30 * MINUTE });
    expect(stepClock(s, NOW)).toBe('in 30 m 00 s');
    expect(stepStatus(s, NOW + 31 * MINUTE)).toBe('overdue');
    expect(stepClock(s, NOW + 31 * MINUTE)).toBe('overdue by 1 m 00 s');
  });

  it('says who did it and whether late', () => {
    const s = step({ status: 'done', done_by: 'Dana', done_text: '2026-11-22 15:00:00 UTC', late: true });
    expect(stepClock(s, NOW)).toBe('done 2026-11-22 15:00:00 UTC by Dana (late)');
    expect(stepStatus(s, NOW + DAY)).toBe('done');
  });
});
