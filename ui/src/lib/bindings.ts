// Generated from src-tauri/src/dto.rs by `cargo test -p muster-desktop bindings`. Do not edit:
// change the Rust types, then run `MUSTER_WRITE_BINDINGS=1 cargo test -p muster-desktop bindings`.

export type CommandName = "app_info" | "set_operator" | "list_incidents" | "open_incident" | "use_incident" | "load_demo" | "incident_board" | "timeline_query" | "timeline_entry" | "add_note" | "amend_note" | "retract_entry" | "assign_role" | "relieve_role" | "offer_handover" | "accept_handover" | "cancel_handover" | "post_status" | "snooze_prompt" | "set_cadence" | "set_severity" | "record_decision" | "approve_decision" | "close_incident" | "reopen_incident" | "ui_mark" | "breach_view" | "set_scope" | "classify_incident" | "review_classification" | "record_trigger" | "record_communication" | "decide_notification" | "record_delay" | "escalation_done" | "systems_view" | "import_systems" | "export_file" | "isolation_impact" | "propose_isolation" | "sign_off_isolation" | "carry_out_isolation" | "rate_system" | "sync_status" | "sync_now" | "sync_login" | "sync_logout" | "sync_share" | "sync_unshare" | "sync_alerts";

export type IpcError = { 
/**
 * Stable, dotted: `input.invalid`, `state.refused`, `keyring.unavailable`, ...
 */
code: string, message: string, 
/**
 * For `input.invalid`: the input it is about (`title`, `occurred_at`...), so that a form
 * shows `reason` at that field, under the field's own label. Absent for other errors.
 */
field?: string, 
/**
 * For `input.invalid`: what is wrong, without the field's name (`must not be empty`).
 */
reason?: string, };

export type IncidentStatusView = "open" | "closed" | "unopened";

export type ObligationState = "pending" | "met" | "waived" | "overdue";

export type CommanderState = "vacant" | "held" | "conflict";

export type HandoverState = "pending" | "accepted" | "cancelled" | "lapsed";

export type ChangeSource = "user" | "external" | "sync";

export type PromptAlarm = "due" | "overdue";

export type DeadlineAlarm = "day_before" | "hour_before" | "overdue";

export type SyncState = "off" | "offline" | "syncing" | "synced";

export type PositionView = { slug: string, title: string, };

export type SeverityInfo = { slug: string, label: string, default_minutes: number, };

export type AppInfo = { version: string, data_dir: string, 
/**
 * Who is acting: the name given at this installation (else the OS user's, until one is).
 */
operator: string, 
/**
 * Someone gave their name at this installation: until then the console asks for it first
 * and writes nothing.
 */
operator_named: boolean, 
/**
 * Short id of this installation's device key, once one exists.
 */
device: string | null, 
/**
 * The viewer's IANA zone (or UTC): every time on screen is in it.
 */
zone: string, 
/**
 * The zone's abbreviation now (CST, CEST, UTC).
 */
zone_abbreviation: string, now_ms: number, positions: Array<PositionView>, severities: Array<SeverityInfo>, current_incident: string | null, };

export type IncidentRow = { id: string, short: string, title: string, drill: boolean, status: IncidentStatusView, severity: string | null, commanders: Array<string>, entry_count: number, opened_ms: number | null, opened_text: string | null, last_activity_ms: number, };

export type StampView = { entry_id: string, short: string, at_ms: number, at_text: string, by: string, by_position: PositionView | null, };

export type AssignmentView = { entry_id: string, short: string, position: PositionView, person: string, assigned_ms: number, assigned_text: string, assigned_by: string, ended: StampView | null, ended_relieved: boolean, ended_reason: string | null, };

export type RosterLineView = { position: PositionView, holders: Array<AssignmentView>, history: Array<AssignmentView>, };

export type CommanderView = { state: CommanderState, holders: Array<AssignmentView>, };

export type BriefedDecisionView = { decision: string, short: string, question: string, choice: string, awaiting: Array<PositionView>, };

export type BriefedPromptView = { position: PositionView, holder: string, due_ms: number, due_text: string, };

export type BriefedRoleView = { position: PositionView, person: string, };

export type BriefedSystemView = { system: string, name: string, since_text: string | null, };

export type BriefedDeadlineView = { rule: string, recipient: string, due_ms: number | null, due_text: string | null, overdue: boolean, };

export type BriefingView = { situation: string, objectives: string, severity: string | null, roster: Array<BriefedRoleView>, 
/**
 * The decisions in force, those awaiting approval with `awaiting` set.
 */
decisions: Array<BriefedDecisionView>, overdue_prompts: Array<BriefedPromptView>, isolated_systems: Array<BriefedSystemView>, 
/**
 * Open regulatory deadlines, soonest first.
 */
deadlines: Array<BriefedDeadlineView>, };

export type HandoverView = { offer: StampView, from: string, to: string, outcome: HandoverState, outcome_at: StampView | null, outcome_reason: string | null, briefing: BriefingView, };

export type SnoozeView = { minutes: number, reason: string, stamp: StampView, };

export type PromptView = { position: PositionView, holders: Array<string>, interval_minutes: number, 
/**
 * Where the interval comes from, for people: "set for this position", "SEV1 default", ...
 */
cadence_source: string, last_report: StampView | null, since_ms: number, due_ms: number, due_text: string, escalate_ms: number, snooze: SnoozeView | null, 
/**
 * When the snooze in force ends, if it moved the due instant later: until then the prompt
 * is snoozed (its own state, not on time).
 */
snoozed_until_ms: number | null, };

export type ApprovalView = { position: PositionView, stamp: StampView, };

export type DecisionView = { id: string, short: string, question: string, options: Array<string>, choice: string, rationale: string, authority: string, authority_position: PositionView | null, recorded: StampView, supersedes: Array<string>, superseded_by: Array<string>, approvals_required: Array<PositionView>, approvals: Array<ApprovalView>, awaiting: Array<PositionView>, };

export type CadenceView = { 
/**
 * "every position", "Technical Lead", "every position at SEV1"
 */
scope: string, minutes: number, set: StampView, };

export type SeverityView = { slug: string, label: string, rationale: string | null, set: StampView, };

export type DeadlineView = { rule: string, recipient: string, status: ObligationState, due_ms: number | null, due_text: string | null, };

export type AlertKind = "status_update" | "escalation_step" | "deadline";

export type AlertView = { 
/**
 * Unique on the board: "status_update:scribe", "deadline:gdpr.authority", ...
 */
key: string, kind: AlertKind, 
/**
 * What is owed: "Scribe status update", "Notify HHS Office for Civil Rights", a step's title.
 */
what: string, 
/**
 * Who owes it: the position's holders, or the position and holders of a step, or the
 * organisation that owes a deadline (ruleset v3's `owed_by`) with the rule and citation.
 */
who: string, 
/**
 * From this instant the item is in the alert area.
 */
shows_from_ms: number, 
/**
 * When it is owed: how late it is counts from here.
 */
due_ms: number, due_text: string, 
/**
 * From this instant it is late (a status update escalated to the commander; a step or a
 * deadline overdue).
 */
late_from_ms: number, 
/**
 * The position whose status update answers it.
 */
position: string | null, 
/**
 * The rule the Breach screen lists it under (a step or a deadline).
 */
rule: string | null, };

export type Board = { id: string, short: string, title: string, description: string | null, drill: boolean, status: IncidentStatusView, opened: StampView | null, severity: SeverityView | null, commander: CommanderView, pending_handover: HandoverView | null, handovers: Array<HandoverView>, roster: Array<RosterLineView>, prompts: Array<PromptView>, decisions: Array<DecisionView>, cadences: Array<CadenceView>, entry_count: number, latest: Array<TimelineRow>, now_ms: number, 
/**
 * Regulatory obligations not met or waived, soonest due first (for the wallboard).
 */
deadlines: Array<DeadlineView>, 
/**
 * What the alert area lists, or will once its instant comes, the most late first.
 */
alerts: Array<AlertView>, 
/**
 * Systems isolated now, most critical first.
 */
isolated: Array<IsolatedSystemView>, 
/**
 * What a handover offered now would brief, besides the situation and objectives the
 * commander writes (the offer form says so before it is sent).
 */
handover_preview: BriefingView | null, };

export type CorrectionState = "amended" | "retracted";

export type CorrectionView = { kind: CorrectionState, 
/**
 * The amending or retracting entry.
 */
entry_id: string, short: string, by: string, by_position: PositionView | null, at_ms: number, at_text: string, reason: string, 
/**
 * The new text (amendments of notes; null: the text stands).
 */
text: string | null, 
/**
 * The new event time, in the viewer's zone (null: the time stands).
 */
occurred_text: string | null, };

export type TimelineRow = { id: string, short: string, kind: string, 
/**
 * When it was recorded (the author's clock), in the viewer's zone.
 */
recorded_ms: number, recorded_text: string, 
/**
 * The author's own zone, when it differs from the viewer's.
 */
recorded_zone: string | null, 
/**
 * When it happened, if the author said so (after amendments).
 */
occurred_ms: number | null, occurred_text: string | null, 
/**
 * Who recorded it (the person at the signing device).
 */
author: string, author_position: PositionView | null, 
/**
 * On whose behalf it was recorded, when not the recorder's own.
 */
on_behalf: string | null, 
/**
 * Why this reserved act is not in force (its recorder lacked the authority).
 */
not_in_force: string | null, summary: string, 
/**
 * For amendments and retractions: the entry they correct.
 */
target: string | null, target_short: string | null, amended_by: Array<string>, retracted_by: Array<string>, 
/**
 * What it said as written, when an amendment changed the text (shown next to the new
 * words, marked corrected).
 */
original_summary: string | null, 
/**
 * When it said it happened as written ("as recorded" if it gave no time), when an
 * amendment changed the time.
 */
original_occurred_text: string | null, 
/**
 * Every amendment and retraction of it, oldest first, with who, when and why.
 */
corrections: Array<CorrectionView>, 
/**
 * Whether it may be amended (notes) or retracted (some kinds, once).
 */
can_amend: boolean, can_retract: boolean, device: string, seq: number, 
/**
 * Set when the sync server flagged the entry: its author's clock was off from the
 * server's by this much (ms; positive: fast) when it was pushed. The entry is as written.
 */
clock_skew_ms: number | null, };

export type TimelineOrder = "recorded" | "occurred";

export type TimelineQuery = { incident: string, newest_first: boolean, 
/**
 * Recorded time unless given.
 */
order: TimelineOrder, 
/**
 * Entry kinds to keep (empty: all).
 */
kinds: Array<string>, 
/**
 * Position slugs of authors to keep (empty: all); "none" keeps authors without one.
 */
positions: Array<string>, 
/**
 * Author names to keep (empty: all).
 */
authors: Array<string>, 
/**
 * Words that must all appear (case-insensitive) in the text, author or id.
 */
text: string, offset: number, limit: number, };

export type EntryDetail = { row: TimelineRow, 
/**
 * The device key that signed it (its public key, hex), and whether it is this laptop's.
 */
device_id: string, this_device: boolean, 
/**
 * For a decision: the decision as the log holds it now (approvals, awaiting, superseded).
 */
decision: DecisionView | null, };

export type EntryRef = { incident: string, entry: string, };

export type Facet = { value: string, label: string, count: number, };

export type TimelinePage = { total: number, matched: number, offset: number, rows: Array<TimelineRow>, kinds: Array<Facet>, positions: Array<Facet>, authors: Array<Facet>, 
/**
 * How long the backend took to filter, in milliseconds (shown in benchmarks).
 */
query_ms: number, 
/**
 * True while the incident's timeline is being indexed: this page came straight from the
 * store and the facets are empty; `timeline-indexed` follows.
 */
indexing: boolean, };

export type Written = { entry_id: string, short: string, kind: string, summary: string, };

export type Opened = { incident: string, short: string, };

export type OpenIncidentInput = { title: string, drill: boolean, description: string | null, commander: string | null, severity: string, };

export type NoteInput = { incident: string, text: string, 
/**
 * When it happened, as typed (02:14, 2026-11-22 02:14, RFC 3339); empty: now.
 */
occurred_at: string | null, };

export type AmendInput = { incident: string, target: string, reason: string, text: string | null, occurred_at: string | null, };

export type RetractInput = { incident: string, target: string, reason: string, };

export type AssignInput = { incident: string, position: string, person: string, };

export type RelieveInput = { incident: string, position: string, reason: string | null, };

export type HandoverInput = { to: string, situation: string, objectives: string, };

export type ReasonInput = { incident: string, reason: string, };

export type StatusInput = { incident: string, position: string | null, conditions: string, actions: string, needs: string, };

export type SnoozeInput = { incident: string, position: string, minutes: number, reason: string, };

export type CadenceInput = { incident: string, position: string | null, severity: string | null, minutes: number, };

export type SeverityInput = { incident: string, severity: string, rationale: string | null, };

export type DecisionInput = { question: string, options: Array<string>, choice: string, rationale: string, 
/**
 * Who holds the authority for it; defaults to the operator in their current position.
 */
authority: string | null, 
/**
 * A reference to the decision this one replaces.
 */
supersedes: string | null, 
/**
 * Positions that must approve it (slugs on the wire).
 */
approvals_required: Array<string>, };

export type ApproveInput = { incident: string, decision: string, position: string, };

export type StoreChanged = { 
/**
 * The incident written to, when known.
 */
incident: string | null, source: ChangeSource, };

export type PromptFired = { incident: string, incident_title: string, position: PositionView, holders: Array<string>, state: PromptAlarm, due_ms: number, due_text: string, };

export type DeadlineFired = { incident: string, incident_title: string, 
/**
 * The rule's stable id, e.g. gdpr.authority.
 */
rule: string, recipient: string, citation: string, stage: DeadlineAlarm, due_ms: number, 
/**
 * The due instant in the viewer's zone, zone named.
 */
due_text: string, };

export type TimelineIndexed = { incident: string, };

export type Choice = { slug: string, label: string, };

export type BreachVocabulary = { data: Array<Choice>, exposure: Array<Choice>, roles: Array<Choice>, criticality: Array<Choice>, triggers: Array<Choice>, delay_basis: Array<Choice>, 
/**
 * The laws a delay can be granted under (`hipaa` first: the default).
 */
delay_regimes: Array<Choice>, functional: Array<Choice>, };

export type AffectedView = { jurisdiction: string, individuals: number, };

export type ScopedSystemView = { system: string, criticality: string, };

export type ScopeView = { affected: Array<AffectedView>, individuals: number, data: Array<string>, exposure: Array<string>, systems: Array<ScopedSystemView>, roles: Array<string>, litigation_exposure: boolean, summary: string, recorded: StampView, };

export type FiredRuleView = { id: string, description: string, severity: string, major: boolean, because: string, };

export type VerdictView = { severity: string, major: boolean, borderline: boolean, borderline_reason: string | null, fired: Array<FiredRuleView>, matrix: string, };

export type ReviewView = { confirmed: boolean, summary: string, recorded: StampView, };

export type ClassificationView = { entry_id: string, short: string, 
/**
 * After the deciding review.
 */
severity: string, major: boolean, borderline: boolean, awaiting_review: boolean, fired: Array<string>, matrix: string, rationale: string | null, recorded: StampView, reviews: Array<ReviewView>, };

export type TriggerView = { entry_id: string, trigger: string, label: string, at_ms: number, at_text: string, note: string | null, recorded: StampView, 
/**
 * The clocks of its kind run from this one.
 */
governs: boolean, 
/**
 * Where several of its kind are recorded: why the clocks run from the one they do
 * (on the governing one), or which one they run from instead (on the others).
 */
choice: string | null, };

export type ObligationView = { rule: string, regime: string, recipient: string, citation: string, 
/**
 * The organisation role that owes the notice (slug) and its label.
 */
owed_by: string, owed_by_label: string, trigger: string, trigger_at_text: string | null, trigger_recorded_by: string | null, 
/**
 * The trigger entry the clock runs from (short id).
 */
trigger_entry: string | null, 
/**
 * Where several triggers of its kind are recorded: why the clock runs from this one.
 */
trigger_choice: string | null, after: string | null, deadline: string, due_ms: number | null, 
/**
 * In the viewer's zone, zone named.
 */
due_text: string | null, due_utc: string | null, 
/**
 * In the zone the days were counted in, zone named.
 */
due_jurisdiction: string | null, provisional: boolean, status: string, met_by: string | null, met_text: string | null, late: boolean, waived_by: string | null, waiver_rationale: string | null, suspended_until_text: string | null, applies_because: string, note: string | null, };

export type ChecklistView = { rule: string, title: string, position: string, position_title: string, holders: Array<string>, anchor: string, due_ms: number | null, due_text: string | null, status: string, done_by: string | null, done_text: string | null, late: boolean, applies_because: string, };

export type CommunicationView = { entry_id: string, recipient: string, channel: string, summary: string, sent_text: string, meets: Array<string>, by: string, };

export type DelayView = { entry_id: string, basis: string, 
/**
 * The law it was granted under (slug) and its citation.
 */
regime: string, regime_citation: string, agency: string, statement: string, from_text: string, until_text: string, };

export type RulesetProblemView = { file: string, line: number, field: string, message: string, using: string, };

export type BreachView = { incident: string, now_ms: number, scope: ScopeView | null, scope_conflict: boolean, 
/**
 * What the matrix makes of the current scope now (not recorded).
 */
preview: VerdictView, classification: ClassificationView | null, triggers: Array<TriggerView>, 
/**
 * The most urgent first (see `by_urgency`).
 */
obligations: Array<ObligationView>, checklist: Array<ChecklistView>, communications: Array<CommunicationView>, delays: Array<DelayView>, 
/**
 * The regulatory clock ruleset in force, for people: "Regulatory clocks ruleset v3
 * (2026-12-01)".
 */
clock_ruleset: string, rulesets: Array<string>, problems: Array<RulesetProblemView>, vocabulary: BreachVocabulary, };

export type ActionView = { allowed: boolean, blocked_because: string | null, };

export type BoardLineView = { system: string, name: string, criticality: string, criticality_label: string, department: string, downtime_procedure: string, status: string, status_label: string, isolated: boolean, 
/**
 * Rated by someone since its latest isolation or restoration; otherwise the status is
 * derived from isolations.
 */
rated: boolean, rated_by: StampView | null, 
/**
 * Where the status comes from, in words: who rated it, or how it was derived.
 */
status_because: string, comment: string | null, down_because: Array<string>, unsigned: boolean, needs_signoff: boolean, 
/**
 * What can be proposed for it next: `isolate`, or `restore` while it is isolated.
 */
next_action: string, propose: ActionView, };

export type IsolatedSystemView = { system: string, 
/**
 * The register's name for it (its id when the register does not list it).
 */
name: string, criticality: string, 
/**
 * The isolation that was carried out.
 */
since: StampView | null, };

export type SignoffView = { approved: boolean, note: string, recorded: StampView, };

export type ProposalView = { entry_id: string, short: string, system: string, action: string, reason: string, recorded: StampView, signoff: SignoffView | null, carried_out: StampView | null, needs_signoff: boolean, 
/**
 * Open: neither carried out nor refused.
 */
open: boolean, 
/**
 * Offered while it is open, needs the clinical liaison's sign-off and has none; blocked
 * for whoever is not the clinical liaison.
 */
sign_off: ActionView | null, 
/**
 * Offered while it is open; blocked until the sign-off it needs is given.
 */
carry_out: ActionView | null, };

export type SystemsView = { incident: string, has_register: boolean, register_recorded: StampView | null, 
/**
 * Most urgent first: by status (non-functional first), then clinical criticality, then id.
 */
board: Array<BoardLineView>, 
/**
 * Open ones first, then newest first.
 */
proposals: Array<ProposalView>, 
/**
 * The operator holds the clinical liaison position (may sign off).
 */
operator_is_clinical_liaison: boolean, vocabulary: BreachVocabulary, };

export type AffectedSystemView = { id: string, name: string, criticality: string, department: string, downtime_procedure: string, via: Array<string>, direct: boolean, };

export type AffectedServiceView = { service: string, systems: Array<string>, };

export type ImpactView = { system: string, name: string, affected: Array<AffectedSystemView>, services: Array<AffectedServiceView>, needs_clinical_signoff: boolean, signoff_because: Array<string>, };

export type ScopeFormInput = { incident: string, affected: Array<AffectedView>, data: Array<string>, exposure: Array<string>, systems: Array<ScopedSystemView>, roles: Array<string>, litigation_exposure: boolean, };

export type ClassifyInput = { incident: string, rationale: string | null, };

export type ReviewFormInput = { incident: string, confirm: boolean, severity: string | null, major: boolean | null, rationale: string | null, };

export type TriggerInput = { incident: string, trigger: string, at: string, note: string | null, };

export type CommunicationFormInput = { incident: string, recipient: string, channel: string, summary: string, sent_at: string | null, obligations: Array<string>, };

export type NotificationInput = { incident: string, rule: string, notify: boolean, rationale: string, };

export type DelayFormInput = { incident: string, basis: string, 
/**
 * The law the delay was granted under (a `delay_regimes` slug); absent: `hipaa`.
 */
regime: string | null, agency: string, statement: string, from: string, until: string | null, };

export type EscalationInput = { incident: string, rule: string, note: string | null, };

export type RegisterInput = { incident: string, file_name: string, csv: string, };

export type ExportInput = { incident: string, kind: string, };

export type Saved = { 
/**
 * Where it was written (the Downloads folder, else the installation's `exports` folder).
 */
path: string, bytes: number, 
/**
 * What it holds, for people: "12 systems", "7 deadlines".
 */
summary: string, };

export type SystemRef = { incident: string, system: string, };

export type ProposeInput = { incident: string, system: string, 
/**
 * isolate or restore
 */
action: string, reason: string, };

export type SignoffInput = { incident: string, proposal: string, approved: boolean, note: string, };

export type ProposalRef = { incident: string, proposal: string, };

export type RateInput = { incident: string, system: string, status: string, comment: string | null, };

export type SyncStatus = { state: SyncState, server: string | null, user: string | null, 
/**
 * When the last sync round succeeded (kept while offline).
 */
synced_at_ms: number | null, 
/**
 * Local entries the server does not hold yet (as far as its heads were last seen).
 */
waiting: number, 
/**
 * Server alerts held here: entries the server kept aside because one device key signed
 * two histories (equivocation) or continued another (fork).
 */
alerts: number, 
/**
 * Pulled entries set aside here because they conflict with this laptop's copy of their
 * stream.
 */
conflicts: number, 
/**
 * How far this laptop's clock is ahead of the server's (negative: behind).
 */
clock_offset_ms: number | null, 
/**
 * Why the last attempt failed (offline), or why this laptop is logged out (off).
 */
last_error: IpcError | null, 
/**
 * Why `alerts` and `conflicts` could not be read (they are then 0 but unknown, not none).
 */
evidence_error: IpcError | null, };

export type SyncLoginInput = { 
/**
 * The server's base URL, e.g. http://10.0.0.5:7373.
 */
server: string, user: string, 
/**
 * The one-time enrolment token from `muster server user add`.
 */
token: string, 
/**
 * For an https server with a certificate of its own: the PEM text of the certificate (or
 * its CA) to trust. None: the public root certificates, and any kept before is forgotten.
 */
ca_cert: string | null, };

export type SyncLoggedIn = { server: string, user: string, 
/**
 * Short id of this installation's device key, now registered to the user.
 */
device: string, };

export type ShareInput = { incident: string, 
/**
 * The server user to share with.
 */
user: string, 
/**
 * Grant the server-side commander role (may share and unshare in turn).
 */
commander: boolean, };

export type UnshareInput = { incident: string, user: string, };

export type Shared = { incident: string, user: string, 
/**
 * member | commander | removed
 */
role: string, };

export type SyncAlertView = { 
/**
 * equivocation | fork
 */
kind: string, 
/**
 * What it means, for people.
 */
description: string, 
/**
 * Short id of the device key that signed both.
 */
device: string, seq: number, 
/**
 * The server user whose push carried it (perhaps an honest relay).
 */
pushed_by: string | null, received_ms: number, received_text: string, };

export type SetAsideView = { device: string, seq: number, 
/**
 * The ingest refusal: ingest.equivocation | ingest.prev_hash_mismatch | ingest.seq_gap
 */
reason: string, description: string, received_ms: number, received_text: string, };

export type SyncEvidence = { incident: string, alerts: Array<SyncAlertView>, conflicts: Array<SetAsideView>, };
