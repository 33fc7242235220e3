// The console's state: what the backend said last, refreshed when it pushes a change. The only
// timer here ticks the on-screen clock and countdowns; data is never polled.
import { api, errorMessage, events } from './api';
import { reveal } from './reveal';
import { applyZoom, stepZoom, storedZoom } from './zoom';
import type {
  AlertView,
  AppInfo,
  Board,
  DeadlineFired,
  IncidentRow,
  PromptFired,
  SyncEvidence,
  SyncStatus,
} from './bindings';

export type Screen = 'incidents' | 'timeline' | 'roster' | 'prompts' | 'decisions' | 'breach' | 'systems';

export interface Toast {
  id: number;
  kind: 'ok' | 'error' | 'prompt';
  text: string;
}

/** An act that belongs to a position, waiting for the acting person to confirm it is them. */
export interface ActingRequest {
  /** The position the act belongs to (a slug: "clinical-liaison"). */
  position: string;
  /** What is about to be signed, for people: "Sign off isolating PACS-01". */
  act: string;
  resolve: (confirmed: boolean) => void;
}

const ALERTS_COLLAPSED = 'muster.alerts.collapsed';

function stored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Without storage the choice holds until the window closes.
  }
}

let toastSeq = 0;
const MAX_TOASTS = 5;

class AppStore {
  info = $state<AppInfo | null>(null);
  incidents = $state<IncidentRow[]>([]);
  incident = $state<string | null>(null);
  board = $state<Board | null>(null);
  screen = $state<Screen>('incidents');
  wallboard = $state(false);
  paletteOpen = $state(false);
  helpOpen = $state(false);
  statusFormFor = $state<string | null>(null);
  syncOpen = $state(false);
  /** The "who is acting" dialog. */
  actingOpen = $state(false);
  /** An act waiting for the acting person's confirmation (ConfirmActing). */
  confirming = $state<ActingRequest | null>(null);
  /** The alert area shows only its summary line (kept on this laptop). */
  alertsCollapsed = $state(stored(ALERTS_COLLAPSED) === '1');
  zoom = $state(1);
  /** The sync loop's status as last pushed (`sync-status`); null until first read. */
  sync = $state<SyncStatus | null>(null);
  /** Server alerts and set-aside entries of the current incident (the red banner). */
  evidence = $state<SyncEvidence | null>(null);
  now = $state(Date.now());
  toasts = $state<Toast[]>([]);
  /** In-app status prompts fired by the backend scheduler, newest first. */
  fired = $state<PromptFired[]>([]);
  /** Bumped on every store change: screens that hold their own data reload on it. */
  revision = $state(0);
  loadError = $state<string | null>(null);
  /** When the person last chose an incident (performance.now()), for the "timeline shown" mark. */
  selectStartedAt: number | null = null;
  /** Set by screens that want focus on a field ("quick-note", "search", "decision", "trigger", "classify"). */
  focusRequest = $state<{ target: string; seq: number } | null>(null);

  /** Nobody has said who is acting at this laptop yet: the console asks first, writes nothing. */
  get needsName(): boolean {
    return this.info !== null && !this.info.operator_named;
  }

  async init(): Promise<void> {
    this.setZoom(storedZoom());
    try {
      this.info = await api.appInfo();
      await this.reloadIncidents();
      const current = this.info.current_incident;
      const open = this.incidents.find((i) => i.status === 'open');
      const chosen = current ?? open?.id ?? null;
      if (chosen) {
        this.incident = chosen;
        await this.reloadBoard();
        this.screen = 'timeline';
      }
      await events.onStoreChanged((e) => {
        void this.onChanged(e.incident);
      });
      await events.onPromptFired((p) => this.onPrompt(p));
      await events.onDeadlineFired((d) => void this.onDeadline(d));
    } catch (e) {
      this.loadError = errorMessage(e);
    }
    // Sync is optional: without a server (or if its status cannot be read) every screen works.
    try {
      await events.onSyncStatus((s) => void this.onSyncStatus(s));
      await this.onSyncStatus(await api.syncStatus());
    } catch (e) {
      this.toast('error', `Sync status unavailable: ${errorMessage(e)}`);
    }
    setInterval(() => (this.now = Date.now()), 1000);
  }

  async onChanged(_incident: string | null): Promise<void> {
    this.revision++;
    // The device key is made at the first write: the header names it from then on.
    const info = this.info?.device === null ? this.refreshInfo() : Promise.resolve();
    await Promise.all([this.reloadIncidents(), this.reloadBoard(), this.reloadEvidence(), info]);
  }

  async onSyncStatus(s: SyncStatus): Promise<void> {
    const before = this.sync;
    this.sync = s;
    if (!before || before.alerts !== s.alerts || before.conflicts !== s.conflicts)
      await this.reloadEvidence();
  }

  /** Reads the current incident's sync evidence (alerts, set-aside entries) when there may be any. */
  async reloadEvidence(): Promise<void> {
    const incident = this.incident;
    if (!incident || !this.sync || this.sync.alerts + this.sync.conflicts === 0) {
      this.evidence = null;
      return;
    }
    try {
      const e = await api.syncAlerts(incident);
      if (this.incident === incident) this.evidence = e;
    } catch (e) {
      this.toast('error', errorMessage(e));
    }
  }

  onPrompt(p: PromptFired): void {
    this.fired = [
      p,
      ...this.fired.filter((f) => !(f.incident === p.incident && f.position.slug === p.position.slug)),
    ];
    const label = p.state === 'overdue' ? 'Overdue' : 'Due';
    this.toast(
      'prompt',
      `${label}: ${p.position.title} status update (${p.holders.join(', ') || 'unassigned'})`,
    );
  }

  /** A regulatory deadline a day away, an hour away or overdue (the OS shows it too). */
  async onDeadline(d: DeadlineFired): Promise<void> {
    const label =
      d.stage === 'overdue'
        ? 'Overdue'
        : d.stage === 'hour_before'
          ? 'Due within the hour'
          : 'Due within 24 hours';
    const where = this.incident === d.incident ? '' : ` — ${d.incident_title}`;
    this.toast('prompt', `${label}: notify ${d.recipient} (${d.rule}), due ${d.due_text}${where}`);
    // No entry changes when a deadline passes: the board's statuses are re-read now.
    if (this.incident === d.incident) await this.reloadBoard();
  }

  dismissPrompt(position: string): void {
    this.fired = this.fired.filter((f) => f.position.slug !== position);
  }

  async reloadIncidents(): Promise<void> {
    try {
      this.incidents = await api.listIncidents();
    } catch (e) {
      this.toast('error', errorMessage(e));
    }
  }

  async reloadBoard(): Promise<void> {
    if (!this.incident) {
      this.board = null;
      return;
    }
    try {
      this.board = await api.board(this.incident);
    } catch (e) {
      this.toast('error', errorMessage(e));
    }
  }

  async selectIncident(id: string, screen: Screen = 'timeline'): Promise<void> {
    this.selectStartedAt = performance.now();
    await api.useIncident(id);
    this.incident = id;
    this.fired = this.fired.filter((f) => f.incident === id);
    await Promise.all([this.reloadBoard(), this.reloadEvidence()]);
    // The timeline follows `incident` itself; no revision bump (it would reload it twice).
    this.screen = screen;
  }

  /** Loads the demo incident (a ransomware attack on a hospital) and shows its timeline. */
  async loadDemo(): Promise<boolean> {
    return this.act(async () => {
      const opened = await api.loadDemo();
      await this.reloadIncidents();
      await this.selectIncident(opened.incident, 'timeline');
    }, 'Demo incident loaded: a ransomware attack on a hospital');
  }

  async refreshInfo(): Promise<void> {
    this.info = await api.appInfo();
  }

  /**
   * Shows a notice. Confirmations and prompts leave after a few seconds; an error stays until
   * dismissed or the next action (`clearErrors`), and a newer error replaces it, so errors never
   * pile up. At most MAX_TOASTS are shown.
   */
  toast(kind: Toast['kind'], text: string): void {
    const id = ++toastSeq;
    const kept = kind === 'error' ? this.toasts.filter((t) => t.kind !== 'error') : this.toasts;
    this.toasts = [...kept, { id, kind, text }].slice(-MAX_TOASTS);
    if (kind !== 'error') setTimeout(() => this.dismiss(id), 5000);
  }

  dismiss(id: number): void {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }

  /** The next action starts: an error about the last one no longer applies. */
  clearErrors(): void {
    if (this.toasts.some((t) => t.kind === 'error'))
      this.toasts = this.toasts.filter((t) => t.kind !== 'error');
  }

  /** Runs a write; shows its error (code and message) and returns false when refused. */
  async act(what: () => Promise<unknown>, done?: string): Promise<boolean> {
    this.clearErrors();
    try {
      await what();
      if (done) this.toast('ok', done);
      return true;
    } catch (e) {
      this.toast('error', errorMessage(e));
      return false;
    }
  }

  /**
   * Like `act`, for forms that also show a refusal next to themselves: returns null when the
   * write went through, else the backend's message (also toasted). The form keeps its values.
   */
  async attempt(what: () => Promise<unknown>, done?: string): Promise<string | null> {
    this.clearErrors();
    try {
      await what();
      if (done) this.toast('ok', done);
      return null;
    } catch (e) {
      const message = errorMessage(e);
      this.toast('error', message);
      return message;
    }
  }

  setZoom(z: number): void {
    this.zoom = z;
    applyZoom(z);
  }

  zoomBy(direction: 1 | -1): void {
    this.setZoom(stepZoom(this.zoom, direction));
    this.toast('ok', `Zoom ${Math.round(this.zoom * 100)} % (Ctrl 0 resets)`);
  }

  setAlertsCollapsed(collapsed: boolean): void {
    this.alertsCollapsed = collapsed;
    store(ALERTS_COLLAPSED, collapsed ? '1' : null);
  }

  /**
   * Asks the acting person to confirm an act that belongs to a position ("You are signing as
   * Dr. Okafor, Clinical Liaison"); resolves true when they confirm. Any screen may call it
   * before such a write: `if (!(await app.confirmActing({ position, act }))) return;`.
   */
  confirmActing(request: Omit<ActingRequest, 'resolve'>): Promise<boolean> {
    this.confirming?.resolve(false);
    return new Promise((resolve) => {
      this.confirming = { ...request, resolve };
    });
  }

  /** Ends the confirmation: confirmed, or not (cancelled, or "not me"). */
  answerConfirm(confirmed: boolean): void {
    const pending = this.confirming;
    this.confirming = null;
    pending?.resolve(confirmed);
  }

  /** Opens what resolves an alert: the status form for its position, or the Breach screen at
   * its obligation or escalation step. */
  async openAlert(a: AlertView): Promise<void> {
    if (a.kind === 'status_update') {
      this.statusFormFor = a.position ?? '';
      return;
    }
    this.wallboard = false;
    this.screen = 'breach';
    const row = a.kind === 'deadline' ? `obligation-${a.rule ?? ''}` : `step-${a.rule ?? ''}`;
    if (!(await reveal(row))) this.toast('error', `${a.what}: not on the Breach screen any more`);
  }

  focus(target: string): void {
    this.focusRequest = { target, seq: (this.focusRequest?.seq ?? 0) + 1 };
  }
}

export const app = new AppStore();
