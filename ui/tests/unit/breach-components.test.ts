// Component tests of the Breach screen's parts: live countdowns driven by the store's ticking
// clock (no reload), and the forms' calls and inline errors. See components.test.ts for why
// `svelte` is pointed at its client build.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('svelte', async () => await vi.importActual('../../node_modules/svelte/src/index-client.js'));

import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { flushSync } from 'svelte';
import Checklist from '../../src/components/breach/Checklist.svelte';
import Obligations from '../../src/components/breach/Obligations.svelte';
import ScopePanel from '../../src/components/breach/ScopePanel.svelte';
import { app } from '../../src/lib/app.svelte';
import type { BreachView, ChecklistView, ObligationView } from '../../src/lib/bindings';

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 10, 22, 14, 5);
const choice = (slug: string) => ({ slug, label: slug });

function view(over: Partial<BreachView> = {}): BreachView {
  return {
    incident: 'inc-1',
    now_ms: NOW,
    scope: null,
    scope_conflict: false,
    preview: {
      severity: 'SEV4',
      major: false,
      borderline: false,
      borderline_reason: null,
      fired: [],
      matrix: 'm@1',
    },
    classification: null,
    triggers: [],
    obligations: [],
    checklist: [],
    communications: [],
    delays: [],
    clock_ruleset: 'Regulatory clocks ruleset v3 (2026-12-01)',
    rulesets: [],
    problems: [],
    vocabulary: {
      data: ['clinical-phi', 'genetic'].map(choice),
      exposure: ['exfiltration-confirmed'].map(choice),
      roles: ['covered-entity'].map(choice),
      criticality: ['life-critical', 'high'].map(choice),
      triggers: ['discovery'].map(choice),
      delay_basis: ['written', 'oral'].map(choice),
      delay_regimes: ['hipaa', 'us-tx'].map(choice),
      functional: ['fully-functional'].map(choice),
    },
    ...over,
  };
}

const obligation: ObligationView = {
  rule: 'gdpr.authority',
  regime: 'GDPR',
  recipient: 'Lead supervisory authority',
  citation: 'GDPR Art. 33(1)',
  owed_by: 'controller',
  owed_by_label: 'GDPR controller',
  trigger: 'awareness',
  trigger_at_text: '2026-11-19 14:07:00 UTC',
  trigger_recorded_by: 'Alice',
  after: null,
  deadline: '72 hours',
  due_ms: NOW + 2 * MINUTE,
  due_text: '2026-11-22 14:07:00 UTC',
  due_utc: '2026-11-22 14:07 UTC',
  due_jurisdiction: '2026-11-22 15:07 CET',
  provisional: false,
  status: 'pending',
  met_by: null,
  met_text: null,
  late: false,
  waived_by: null,
  waiver_rationale: null,
  suspended_until_text: null,
  applies_because: 'role controller',
  note: null,
};

beforeEach(() => {
  app.toasts = [];
  app.now = NOW;
  app.info = null;
});

afterEach(() => {
  cleanup();
  clearMocks();
});

describe('Obligations', () => {
  it('counts down with the ticking clock and turns red once due passes, without reloading', () => {
    const calls: string[] = [];
    mockIPC((cmd) => {
      calls.push(cmd);
    });
    render(Obligations, { props: { view: view({ obligations: [obligation] }) } });
    const row = screen.getByTestId('obligation-gdpr.authority');
    const countdown = () => row.querySelector('[data-testid="obligation-countdown"]')?.textContent?.trim();
    const status = () => row.querySelector('[data-testid="obligation-status"]');
    expect(countdown()).toBe('in 2 m 00 s');
    expect(row.querySelector('[data-testid="due-jurisdiction"]')?.textContent).toBe('2026-11-22 15:07 CET');

    app.now = NOW + 61_000;
    flushSync();
    expect(countdown()).toBe('in 0 m 59 s');

    app.now = NOW + 2 * MINUTE + 5_000;
    flushSync();
    expect(countdown()).toBe('overdue by 0 m 05 s');
    expect(status()?.textContent).toBe('overdue');
    expect(status()?.className).toContain('danger');
    expect(calls).toEqual([]);
  });

  it('names the ruleset in force and who owes each notice', () => {
    mockIPC(() => {});
    const owner = {
      ...obligation,
      rule: 'us-ca.residents',
      owed_by: 'data-owner',
      owed_by_label: 'Data owner',
    };
    render(Obligations, { props: { view: view({ obligations: [obligation, owner] }) } });
    expect(screen.getByTestId('clock-ruleset').textContent).toBe('Regulatory clocks ruleset v3 (2026-12-01)');
    const owedBy = (rule: string) =>
      screen.getByTestId(`obligation-${rule}`).querySelector('[data-testid="obligation-owed-by"]')
        ?.textContent;
    expect(owedBy('gdpr.authority')).toBe('owed by: GDPR controller');
    expect(owedBy('us-ca.residents')).toBe('owed by: Data owner');
  });

  it('do not notify: sends the rationale, shows the refusal in place and keeps it typed', async () => {
    const sent: unknown[] = [];
    mockIPC((cmd, args) => {
      sent.push([cmd, args]);
      throw { code: 'input.invalid', message: 'rationale: longer than 10000 characters' };
    });
    render(Obligations, { props: { view: view({ obligations: [obligation] }) } });
    await fireEvent.click(screen.getByTestId('do-not-notify'));
    const box = screen.getByTestId('waive-rationale') as HTMLInputElement;
    box.value = 'Data encrypted, key not taken';
    await fireEvent.input(box);
    await fireEvent.submit(screen.getByTestId('waive-form'));
    await vi.waitFor(() => expect(screen.getByTestId('waive-error').textContent).toContain('longer than'));
    expect(sent).toEqual([
      [
        'decide_notification',
        {
          input: {
            incident: 'inc-1',
            rule: 'gdpr.authority',
            notify: false,
            rationale: 'Data encrypted, key not taken',
          },
        },
      ],
    ]);
    expect((screen.getByTestId('waive-rationale') as HTMLInputElement).value).toBe(
      'Data encrypted, key not taken',
    );
  });
});

describe('Checklist', () => {
  const item: ChecklistView = {
    rule: 'response-team',
    title: 'Activate the incident response team',
    position: 'incident-commander',
    position_title: 'Incident Commander',
    holders: [],
    anchor: 'determination',
    due_ms: NOW + 30 * MINUTE,
    due_text: '2026-11-22 14:35:00 UTC',
    status: 'pending',
    done_by: null,
    done_text: null,
    late: false,
    applies_because: 'always',
  };

  it('Done sends the rule and the optional note', async () => {
    const sent: unknown[] = [];
    mockIPC((cmd, args) => {
      sent.push([cmd, args]);
      return { entry_id: 'x', short: 'x', kind: 'escalation.done', summary: '' };
    });
    render(Checklist, { props: { view: view({ checklist: [item] }) } });
    expect(screen.getByTestId('step-countdown').textContent?.trim()).toBe('in 30 m 00 s');
    expect(screen.getByTestId('step-response-team').textContent).toContain('vacant');
    await fireEvent.click(screen.getByTestId('step-done'));
    await vi.waitFor(() => expect(sent.length).toBe(1));
    expect(sent[0]).toEqual([
      'escalation_done',
      { input: { incident: 'inc-1', rule: 'response-team', note: null } },
    ]);
  });
});

describe('ScopePanel', () => {
  it('saves the form as a ScopeFormInput; a refusal shows inline and the form keeps its values', async () => {
    const sent: unknown[] = [];
    mockIPC((cmd, args) => {
      sent.push([cmd, args]);
      throw {
        code: 'input.invalid',
        message: 'affected: is not an ISO 3166-1 alpha-2 country code (got "XX")',
      };
    });
    render(ScopePanel, { props: { view: view() } });
    expect(screen.getByTestId('scope-summary').textContent).toBe('No scope recorded yet.');
    const code = screen.getByTestId('scope-jurisdiction-0') as HTMLInputElement;
    code.value = 'xx';
    await fireEvent.input(code);
    const count = screen.getByTestId('scope-individuals-0') as HTMLInputElement;
    count.value = '12';
    await fireEvent.input(count);
    await fireEvent.click(screen.getByTestId('scope-data-genetic'));
    await fireEvent.click(screen.getByTestId('scope-add-system'));
    const system = screen.getByTestId('scope-system-0') as HTMLInputElement;
    system.value = 'lis';
    await fireEvent.input(system);
    await fireEvent.submit(screen.getByTestId('scope-form'));
    await vi.waitFor(() => expect(screen.getByTestId('scope-error').textContent).toContain('ISO 3166-1'));
    expect(sent).toEqual([
      [
        'set_scope',
        {
          input: {
            incident: 'inc-1',
            affected: [{ jurisdiction: 'XX', individuals: 12 }],
            data: ['genetic'],
            exposure: [],
            systems: [{ system: 'lis', criticality: 'high' }],
            roles: [],
            litigation_exposure: false,
          },
        },
      ],
    ]);
    expect((screen.getByTestId('scope-jurisdiction-0') as HTMLInputElement).value).toBe('xx');
    expect(screen.getByTestId('scope-reset')).toBeTruthy();
  });
});
