// Component tests with @testing-library/svelte. vite.config.ts resolves `svelte` to its server
// build under Vitest (no `browser` condition), where mount() throws; this file points `svelte`
// at the client build instead. (Adding `svelteTesting()` from '@testing-library/svelte/vite' to
// the Vite plugins would make this mock unnecessary.)
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('svelte', async () => await vi.importActual('../../node_modules/svelte/src/index-client.js'));

import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { flushSync } from 'svelte';
import Palette from '../../src/components/Palette.svelte';
import StatusForm from '../../src/components/StatusForm.svelte';
import Toasts from '../../src/components/Toasts.svelte';
import { app } from '../../src/lib/app.svelte';
import type { Board, RosterLineView } from '../../src/lib/bindings';

beforeEach(() => {
  app.toasts = [];
  app.paletteOpen = false;
  app.statusFormFor = null;
  app.incidents = [];
  app.incident = null;
  app.board = null;
});

afterEach(() => {
  cleanup();
  clearMocks();
  vi.useRealTimers();
});

describe('Toasts', () => {
  it('shows what app.toast says, with its kind', () => {
    render(Toasts);
    app.toast('error', 'text: must not be empty');
    app.toast('ok', 'Decision recorded');
    flushSync();
    expect(screen.getByTestId('toast-error').textContent).toContain('text: must not be empty');
    expect(screen.getByTestId('toast-ok').textContent).toBe('Decision recorded');
  });

  it('keeps the five newest', () => {
    render(Toasts);
    for (let i = 1; i <= 7; i++) app.toast('ok', `toast ${i}`);
    flushSync();
    const shown = screen.getAllByTestId('toast-ok').map((t) => t.textContent);
    expect(shown).toEqual(['toast 3', 'toast 4', 'toast 5', 'toast 6', 'toast 7']);
  });

  it('hides a confirmation after 5 s; an error stays until dismissed, the next action or a newer one', async () => {
    vi.useFakeTimers();
    render(Toasts);
    app.toast('ok', 'Saved');
    app.toast('error', 'Refused');
    flushSync();
    vi.advanceTimersByTime(60_000);
    flushSync();
    expect(screen.queryByTestId('toast-ok')).toBeNull();
    expect(screen.getByTestId('toast-error').textContent).toContain('Refused');
    // A newer error replaces it: errors never pile up.
    app.toast('error', 'Refused again');
    flushSync();
    expect(screen.getAllByTestId('toast-error').map((t) => t.textContent)).toEqual(['Refused again']);
    // Dismissed with its button.
    screen.getByTestId('toast-dismiss').click();
    flushSync();
    expect(screen.queryByTestId('toast-error')).toBeNull();
    // The next action clears an error about the last one.
    app.toast('error', 'Refused a third time');
    await app.act(async () => {});
    flushSync();
    expect(screen.queryByTestId('toast-error')).toBeNull();
  });
});

describe('Palette', () => {
  it('focuses its input, filters as you type and runs the chosen action on Enter', async () => {
    const run = vi.fn();
    app.paletteOpen = true;
    render(Palette, { props: { run } });
    const input = screen.getByTestId('palette-input') as HTMLInputElement;
    expect(document.activeElement).toBe(input);

    input.value = 'status';
    await fireEvent.input(input);
    expect(screen.getByTestId('palette-status')).toBeTruthy();
    expect(screen.queryByTestId('palette-decision')).toBeNull();

    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(run).toHaveBeenCalledExactlyOnceWith('status');
    expect(app.paletteOpen).toBe(false);
  });

  it('arrow keys move the selection', async () => {
    const run = vi.fn();
    render(Palette, { props: { run } });
    const input = screen.getByTestId('palette-input') as HTMLInputElement;
    input.value = 'go to';
    await fireEvent.input(input);
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    await fireEvent.keyDown(input, { key: 'ArrowUp' });
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(run).toHaveBeenCalledExactlyOnceWith('go:timeline');
  });

  it('says so when nothing matches, and Enter then does nothing', async () => {
    const run = vi.fn();
    app.paletteOpen = true;
    render(Palette, { props: { run } });
    const input = screen.getByTestId('palette-input') as HTMLInputElement;
    input.value = 'qqqq';
    await fireEvent.input(input);
    expect(screen.getByText(/No command matches/).textContent).toContain('qqqq');
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(run).not.toHaveBeenCalled();
    expect(app.paletteOpen).toBe(true);
  });

  it('offers to switch to the other incidents on this laptop', async () => {
    const run = vi.fn();
    app.incident = 'inc-a';
    app.incidents = [
      { id: 'inc-a', short: 'aaaa', title: 'Ransomware', drill: false, status: 'open' as const },
      {
        id: 'inc-b',
        short: 'bbbb',
        title: 'Water leak in data centre',
        drill: false,
        status: 'open' as const,
      },
    ].map((i) => ({
      ...i,
      severity: 'SEV2',
      commanders: ['Alice'],
      entry_count: 3,
      opened_ms: 0,
      opened_text: '',
      last_activity_ms: 0,
    }));
    render(Palette, { props: { run } });
    expect(screen.queryByTestId('palette-incident:inc-a')).toBeNull();
    expect(screen.getByTestId('palette-incident:inc-b').textContent).toContain('Water leak in data centre');
  });
});

describe('StatusForm', () => {
  const line = (slug: string, title: string, person: string): RosterLineView => {
    const a = {
      entry_id: `e-${slug}`,
      short: slug.slice(0, 8),
      position: { slug, title },
      person,
      assigned_ms: 0,
      assigned_text: '',
      assigned_by: 'Alice',
      ended: null,
      ended_relieved: false,
      ended_reason: null,
    };
    return { position: { slug, title }, holders: [a], history: [a] };
  };

  function board(): Board {
    return {
      id: 'inc-1',
      short: 'inc1',
      title: 'Ransomware',
      description: null,
      drill: false,
      status: 'open',
      opened: null,
      severity: null,
      commander: {
        state: 'held',
        holders: line('incident-commander', 'Incident Commander', 'Alice').holders,
      },
      pending_handover: null,
      handovers: [],
      roster: [
        line('incident-commander', 'Incident Commander', 'Alice'),
        line('technical-lead', 'Technical Lead', 'Bob'),
        { position: { slug: 'scribe', title: 'Scribe' }, holders: [], history: [] },
      ],
      prompts: [],
      decisions: [],
      cadences: [],
      entry_count: 4,
      latest: [],
      now_ms: 0,
      deadlines: [],
      alerts: [],
      isolated: [],
      handover_preview: null,
    };
  }

  it('posts the update for the position it was opened for, then closes', async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return { entry_id: 'x', short: 'x', kind: 'status.update', summary: '' };
    });
    app.incident = 'inc-1';
    app.board = board();
    app.statusFormFor = 'technical-lead';
    app.fired = [
      {
        incident: 'inc-1',
        incident_title: 'Ransomware',
        position: { slug: 'technical-lead', title: 'Technical Lead' },
        holders: ['Bob'],
        state: 'overdue',
        due_ms: 0,
        due_text: '',
      },
    ];
    render(StatusForm);
    render(Toasts);

    const select = screen.getByTestId('status-position') as HTMLSelectElement;
    expect(select.value).toBe('technical-lead');
    // Only held positions are offered (Scribe is vacant).
    expect([...select.options].map((o) => o.value)).toEqual(['', 'incident-commander', 'technical-lead']);

    const conditions = screen.getByTestId('status-conditions') as HTMLTextAreaElement;
    expect(document.activeElement).toBe(conditions);
    conditions.value = 'PACS restored on two of five servers';
    await fireEvent.input(conditions);
    await fireEvent.click(screen.getByTestId('status-submit'));
    await vi.waitFor(() => expect(app.statusFormFor).toBeNull());

    expect(calls).toEqual([
      [
        'post_status',
        {
          input: {
            incident: 'inc-1',
            position: 'technical-lead',
            conditions: 'PACS restored on two of five servers',
            actions: '',
            needs: '',
          },
        },
      ],
    ]);
    expect(app.fired).toEqual([]); // the in-app prompt for that position is cleared
    flushSync();
    expect(screen.getByTestId('toast-ok').textContent).toBe('Status update recorded');
  });

  it('"My own position" sends no position', async () => {
    let sent: unknown;
    mockIPC((_cmd, args) => {
      sent = args;
      return { entry_id: 'x', short: 'x', kind: 'status.update', summary: '' };
    });
    app.incident = 'inc-1';
    app.board = board();
    app.statusFormFor = '';
    render(StatusForm);
    const needs = screen.getByTestId('status-needs') as HTMLTextAreaElement;
    needs.value = 'Two more technicians';
    await fireEvent.input(needs);
    await fireEvent.click(screen.getByTestId('status-submit'));
    await vi.waitFor(() => expect(sent).toBeDefined());
    expect((sent as { input: { position: unknown } }).input.position).toBeNull();
  });

  it('shows the backend refusal and stays open', async () => {
    mockIPC(() => {
      throw {
        code: 'input.invalid',
        message: 'conditions: a status update needs at least one of conditions, actions or needs (got "")',
      };
    });
    app.incident = 'inc-1';
    app.board = board();
    app.statusFormFor = 'technical-lead';
    render(StatusForm);
    render(Toasts);
    await fireEvent.click(screen.getByTestId('status-submit'));
    await vi.waitFor(() => expect(screen.getByTestId('toast-error')).toBeTruthy());
    expect(screen.getByTestId('toast-error').textContent).toContain(
      'a status update needs at least one of conditions, actions or needs',
    );
    expect(app.statusFormFor).toBe('technical-lead');
    expect(screen.getByTestId('status-form')).toBeTruthy();
  });
});
