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
  CadenceInput,
  CommandName,
  DecisionInputView,
  HandoverOfferInput,
  IncidentRow,
  IpcError,
  NoteInput,
  OpenIncidentInput,
  Opened,
  PromptFired,
  ReasonInput,
  RelieveInput,
  RetractInput,
  SeverityInput,
  SnoozeInput,
  StatusInput,
  StoreChanged,
  TimelineIndexed,
  TimelinePage,
  TimelineQuery,
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
  addNote: (input: NoteInput) => call<Written>('add_note', { input }),
  amendNote: (input: AmendInput) => call<Written>('amend_note', { input }),
  retract: (input: RetractInput) => call<Written>('retract_entry', { input }),
  assignRole: (input: AssignInput) => call<Written>('assign_role', { input }),
  relieveRole: (input: RelieveInput) => call<Written>('relieve_role', { input }),
  offerHandover: (input: HandoverOfferInput) => call<Written>('offer_handover', { input }),
  acceptHandover: (incident_ref: string) => call<Written[]>('accept_handover', { incident_ref }),
  cancelHandover: (input: ReasonInput) => call<Written>('cancel_handover', { input }),
  postStatus: (input: StatusInput) => call<Written>('post_status', { input }),
  snooze: (input: SnoozeInput) => call<Written>('snooze_prompt', { input }),
  setCadence: (input: CadenceInput) => call<Written>('set_cadence', { input }),
  setSeverity: (input: SeverityInput) => call<Written>('set_severity', { input }),
  recordDecision: (input: DecisionInputView) => call<Written>('record_decision', { input }),
  approveDecision: (input: ApproveInput) => call<Written>('approve_decision', { input }),
  closeIncident: (input: ReasonInput) => call<Written>('close_incident', { input }),
  reopenIncident: (input: ReasonInput) => call<Written>('reopen_incident', { input }),
  mark: (name: string, value_ms: number) => call<null>('ui_mark', { name, value_ms }),
};

export const events = {
  onStoreChanged: (handler: (e: StoreChanged) => void): Promise<UnlistenFn> =>
    listen<StoreChanged>('store-changed', (e) => handler(e.payload)),
  onPromptFired: (handler: (e: PromptFired) => void): Promise<UnlistenFn> =>
    listen<PromptFired>('prompt-fired', (e) => handler(e.payload)),
  onTimelineIndexed: (handler: (e: TimelineIndexed) => void): Promise<UnlistenFn> =>
    listen<TimelineIndexed>('timeline-indexed', (e) => handler(e.payload)),
};
