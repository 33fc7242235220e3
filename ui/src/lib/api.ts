// Typed calls to the desktop backend. Every command name is checked against the generated
// `CommandName` (src-tauri/src/command_names.rs); every payload and result type comes from the
// generated bindings. Errors arrive as `{code, message}` (IpcError).
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  AmendInput,
  AppInfo,
  ApproveInput,
  AssignInput,
  Board,
  BreachView,
  CadenceInput,
  ClassifyInput,
  CommandName,
  CommunicationFormInput,
  DecisionInput,
  DelayFormInput,
  EntryDetail,
  EntryRef,
  EscalationInput,
  HandoverInput,
  ImpactView,
  IncidentRow,
  IpcError,
  NoteInput,
  NotificationInput,
  OpenIncidentInput,
  Opened,
  PromptFired,
  DeadlineFired,
  ProposalRef,
  ProposeInput,
  RateInput,
  ReasonInput,
  RegisterInput,
  ExportInput,
  Saved,
  RelieveInput,
  RetractInput,
  ReviewFormInput,
  ScopeFormInput,
  SeverityInput,
  ShareInput,
  Shared,
  SignoffInput,
  SnoozeInput,
  StatusInput,
  StoreChanged,
  SystemRef,
  SyncEvidence,
  SyncLoggedIn,
  SyncLoginInput,
  SyncStatus,
  SystemsView,
  TimelineIndexed,
  TimelinePage,
  TimelineQuery,
  TriggerInput,
  UnshareInput,
  Written,
} from './bindings';

export function isIpcError(e: unknown): e is IpcError {
  return typeof e === 'object' && e !== null && 'code' in e && 'message' in e;
}

/** A message for people from whatever a call rejected with. */
export function errorMessage(e: unknown): string {
  if (isIpcError(e)) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

function call<T>(command: CommandName, args?: Record<string, unknown>): Promise<T> {
  return invoke<T>(command, args);
}

export const api = {
  appInfo: () => call<AppInfo>('app_info'),
  setOperator: (name: string) => call<AppInfo>('set_operator', { name }),
  listIncidents: () => call<IncidentRow[]>('list_incidents'),
  openIncident: (input: OpenIncidentInput) => call<Opened>('open_incident', { input }),
  useIncident: (incident_ref: string) => call<Opened>('use_incident', { incident_ref }),
  loadDemo: () => call<Opened>('load_demo'),
  board: (incident_ref: string) => call<Board>('incident_board', { incident_ref }),
  timeline: (query: TimelineQuery) => call<TimelinePage>('timeline_query', { query }),
  timelineEntry: (input: EntryRef) => call<EntryDetail>('timeline_entry', { input }),
  addNote: (input: NoteInput) => call<Written>('add_note', { input }),
  amendNote: (input: AmendInput) => call<Written>('amend_note', { input }),
  retract: (input: RetractInput) => call<Written>('retract_entry', { input }),
  assignRole: (input: AssignInput) => call<Written>('assign_role', { input }),
  relieveRole: (input: RelieveInput) => call<Written>('relieve_role', { input }),
  offerHandover: (incident: string, input: HandoverInput) =>
    call<Written>('offer_handover', { incident_ref: incident, input }),
  acceptHandover: (incident_ref: string) => call<Written[]>('accept_handover', { incident_ref }),
  cancelHandover: (input: ReasonInput) => call<Written>('cancel_handover', { input }),
  postStatus: (input: StatusInput) => call<Written>('post_status', { input }),
  snooze: (input: SnoozeInput) => call<Written>('snooze_prompt', { input }),
  setCadence: (input: CadenceInput) => call<Written>('set_cadence', { input }),
  setSeverity: (input: SeverityInput) => call<Written>('set_severity', { input }),
  recordDecision: (incident: string, input: DecisionInput) =>
    call<Written>('record_decision', { incident_ref: incident, input }),
  approveDecision: (input: ApproveInput) => call<Written>('approve_decision', { input }),
  closeIncident: (input: ReasonInput) => call<Written>('close_incident', { input }),
  reopenIncident: (input: ReasonInput) => call<Written>('reopen_incident', { input }),
  // Breach: scope, classification, regulatory clocks, escalation (screens/Breach.svelte).
  breachView: (incident_ref: string) => call<BreachView>('breach_view', { incident_ref }),
  setScope: (input: ScopeFormInput) => call<Written>('set_scope', { input }),
  classify: (input: ClassifyInput) => call<Written[]>('classify_incident', { input }),
  reviewClassification: (input: ReviewFormInput) => call<Written[]>('review_classification', { input }),
  recordTrigger: (input: TriggerInput) => call<Written>('record_trigger', { input }),
  recordCommunication: (input: CommunicationFormInput) => call<Written>('record_communication', { input }),
  decideNotification: (input: NotificationInput) => call<Written>('decide_notification', { input }),
  recordDelay: (input: DelayFormInput) => call<Written>('record_delay', { input }),
  escalationDone: (input: EscalationInput) => call<Written>('escalation_done', { input }),
  // Clinical systems, isolations, HICS 251 (screens/Systems.svelte).
  systemsView: (incident_ref: string) => call<SystemsView>('systems_view', { incident_ref }),
  importSystems: (input: RegisterInput) => call<Written>('import_systems', { input }),
  exportFile: (input: ExportInput) => call<Saved>('export_file', { input }),
  isolationImpact: (input: SystemRef) => call<ImpactView>('isolation_impact', { input }),
  proposeIsolation: (input: ProposeInput) => call<Written>('propose_isolation', { input }),
  signOffIsolation: (input: SignoffInput) => call<Written>('sign_off_isolation', { input }),
  carryOutIsolation: (input: ProposalRef) => call<Written>('carry_out_isolation', { input }),
  rateSystem: (input: RateInput) => call<Written>('rate_system', { input }),
  mark: (name: string, value_ms: number) => call<null>('ui_mark', { name, value_ms }),
  // Sync with the shared server (src-tauri/src/sync.rs: the loop; sync_commands.rs).
  syncStatus: () => call<SyncStatus>('sync_status'),
  syncNow: () => call<SyncStatus>('sync_now'),
  syncLogin: (input: SyncLoginInput) => call<SyncLoggedIn>('sync_login', { input }),
  syncLogout: () => call<SyncStatus>('sync_logout'),
  syncShare: (input: ShareInput) => call<Shared>('sync_share', { input }),
  syncUnshare: (input: UnshareInput) => call<Shared>('sync_unshare', { input }),
  syncAlerts: (incident_ref: string) => call<SyncEvidence>('sync_alerts', { incident_ref }),
};

export const events = {
  onStoreChanged: (handler: (e: StoreChanged) => void): Promise<UnlistenFn> =>
    listen<StoreChanged>('store-changed', (e) => handler(e.payload)),
  onPromptFired: (handler: (e: PromptFired) => void): Promise<UnlistenFn> =>
    listen<PromptFired>('prompt-fired', (e) => handler(e.payload)),
  onDeadlineFired: (handler: (e: DeadlineFired) => void): Promise<UnlistenFn> =>
    listen<DeadlineFired>('deadline-fired', (e) => handler(e.payload)),
  onTimelineIndexed: (handler: (e: TimelineIndexed) => void): Promise<UnlistenFn> =>
    listen<TimelineIndexed>('timeline-indexed', (e) => handler(e.payload)),
  onSyncStatus: (handler: (e: SyncStatus) => void): Promise<UnlistenFn> =>
    listen<SyncStatus>('sync-status', (e) => handler(e.payload)),
};
