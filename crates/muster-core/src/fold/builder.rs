//! Applies entries, in fold order, to a growing incident state, then settles what depends on the
//! whole set (supersessions, lapsed handovers, approvals, the breach state).

use std::collections::{BTreeMap, HashMap};

use crate::body::EntryBody;
use crate::breach::state::BreachBuilder;
use crate::entry::Entry;
use crate::ids::{EntryId, IdMap, IdSet, IncidentId};
use crate::position::Position;
use crate::severity::Severity;

use super::authority::{Authority, UnauthorisedAct};
use super::state::*;

struct Supersession {
    stamp: Stamp,
    position: Position,
    targets: Vec<EntryId>,
    relieved: bool,
    reason: Option<String>,
}

pub(super) struct Builder {
    state: IncidentState,
    /// (target, the correcting entry's stamp, its body), in fold order.
    corrections: Vec<(EntryId, Stamp, EntryBody)>,
    supersessions: Vec<Supersession>,
    cadences: BTreeMap<(Option<Position>, Option<Severity>), Cadence>,
    /// Status updates in fold order, by the position they report for.
    reports: Vec<(EntryId, Report)>,
    retracted: IdSet<EntryId>,
    snoozes: BTreeMap<Position, Snooze>,
    handover_outcomes: Vec<(EntryId, HandoverOutcome)>,
    /// Fold positions of handover offers (parallel to `state.command.handovers`) and of
    /// incident-commander assignments: an offer older than the latest assignment has lapsed.
    handover_ords: Vec<usize>,
    last_commander_assignment: Option<usize>,
    approvals: Vec<(EntryId, Approval)>,
    breach: BreachBuilder,
    authority: Authority,
}

impl Builder {
    pub(super) fn new(incident_id: IncidentId, capacity: usize) -> Self {
        let mut state = IncidentState::empty(incident_id);
        state.timeline.reserve(capacity);
        Builder {
            state,
            corrections: Vec::new(),
            supersessions: Vec::new(),
            cadences: BTreeMap::new(),
            reports: Vec::new(),
            retracted: IdSet::default(),
            snoozes: BTreeMap::new(),
            handover_outcomes: Vec::new(),
            handover_ords: Vec::new(),
            last_commander_assignment: None,
            approvals: Vec::new(),
            breach: BreachBuilder::default(),
            authority: Authority::default(),
        }
    }

    pub(super) fn apply(&mut self, e: Entry) {
        if let Some(reason) = self.authority.refusal(&e) {
            // A reserved act without authority: shown, never in force.
            let s = &mut self.state;
            s.entry_count += 1;
            s.command.unauthorised.push(UnauthorisedAct {
                stamp: Stamp::of(&e),
                on_behalf: e.envelope.on_behalf.clone(),
                kind: e.kind().to_string(),
                summary: e.body.describe(),
                reason: reason.clone(),
            });
            let mut item = TimelineItem::from_owned(e);
            item.not_in_force = Some(reason);
            s.timeline.push(item);
            return;
        }
        self.authority.apply(&e);
        let s = &mut self.state;
        s.entry_count += 1;
        match &e.body {
            EntryBody::IncidentOpened(b) => {
                // The first "opened" wins; a duplicate from a misbehaving client stays in the
                // timeline only.
                if s.opened.is_none() {
                    s.title = Some(b.title.clone());
                    s.drill = b.drill;
                    s.description = b.description.clone();
                    s.opened = Some(Stamp::of(&e));
                    if s.status == IncidentStatus::Unopened {
                        s.status = IncidentStatus::Open;
                    }
                }
            }
            EntryBody::IncidentClosed(_) => {
                s.status = IncidentStatus::Closed;
                s.status_changed = Some(Stamp::of(&e));
            }
            EntryBody::IncidentReopened(_) => {
                s.status = IncidentStatus::Open;
                s.status_changed = Some(Stamp::of(&e));
            }
            EntryBody::RoleAssigned(b) => {
                if b.position == Position::IncidentCommander {
                    self.last_commander_assignment = Some(s.timeline.len());
                }
                s.assignments.push(Assignment {
                    entry_id: e.id(),
                    position: b.position.clone(),
                    person: b.person.clone(),
                    assigned_at: e.envelope.recorded.clone(),
                    assigned_by: e.envelope.author.clone(),
                    supersedes: b.supersedes.clone(),
                    ended: None,
                });
                self.supersessions.push(Supersession {
                    stamp: Stamp::of(&e),
                    position: b.position.clone(),
                    targets: b.supersedes.clone(),
                    relieved: false,
                    reason: None,
                });
            }
            EntryBody::RoleRelieved(b) => {
                self.supersessions.push(Supersession {
                    stamp: Stamp::of(&e),
                    position: b.position.clone(),
                    targets: b.supersedes.clone(),
                    relieved: true,
                    reason: b.reason.clone(),
                });
            }
            EntryBody::CadenceSet(b) => {
                self.cadences.insert(
                    (b.position.clone(), b.severity),
                    Cadence {
                        position: b.position.clone(),
                        severity: b.severity,
                        interval_minutes: b.interval_minutes,
                        set: Stamp::of(&e),
                    },
                );
            }
            EntryBody::SeveritySet(b) => {
                s.command.severity = Some(SeverityState {
                    severity: b.severity,
                    rationale: b.rationale.clone(),
                    set: Stamp::of(&e),
                });
            }
            EntryBody::StatusUpdate(b) => {
                if let Some(position) = b.position.clone().or_else(|| e.envelope.author.position.clone()) {
                    self.reports.push((e.id(), Report { position, stamp: Stamp::of(&e) }));
                }
            }
            EntryBody::StatusSnoozed(b) => {
                self.snoozes.insert(
                    b.position.clone(),
                    Snooze {
                        position: b.position.clone(),
                        minutes: b.minutes,
                        reason: b.reason.clone(),
                        stamp: Stamp::of(&e),
                    },
                );
            }
            EntryBody::HandoverOffered(b) => {
                self.handover_ords.push(s.timeline.len());
                s.command.handovers.push(Handover {
                    offer: Stamp::of(&e),
                    to: b.to.clone(),
                    briefing: b.briefing.clone(),
                    outcome: HandoverOutcome::Pending,
                });
            }
            EntryBody::HandoverAccepted(b) => {
                self.handover_outcomes.push((b.offer, HandoverOutcome::Accepted { stamp: Stamp::of(&e) }));
            }
            EntryBody::HandoverCancelled(b) => {
                self.handover_outcomes.push((
                    b.offer,
                    HandoverOutcome::Cancelled { stamp: Stamp::of(&e), reason: b.reason.clone() },
                ));
            }
            EntryBody::DecisionApproved(b) => {
                self.approvals
                    .push((b.decision, Approval { position: b.position.clone(), stamp: Stamp::of(&e) }));
            }
            EntryBody::DecisionRecorded(b) => {
                s.decisions.push(Decision {
                    entry_id: e.id(),
                    question: b.question.clone(),
                    options: b.options.clone(),
                    choice: b.choice.clone(),
                    rationale: b.rationale.clone(),
                    authority: b.authority.clone(),
                    recorded: Stamp::of(&e),
                    supersedes: b.supersedes.clone(),
                    superseded_by: Vec::new(),
                    approvals_required: b.approvals_required.clone(),
                    approvals: Vec::new(),
                    notification: b.notification.clone(),
                });
            }
            EntryBody::Amended(_) | EntryBody::Retracted(_) => {
                if let Some(target) = e.body.correction_target() {
                    if matches!(e.body, EntryBody::Retracted(_)) {
                        self.retracted.insert(target);
                    }
                    self.corrections.push((target, Stamp::of(&e), e.body.clone()));
                }
            }
            EntryBody::Note(_) | EntryBody::Unknown { .. } => {}
            _ => {
                self.breach.apply(&e);
            }
        }
        s.timeline.push(TimelineItem::from_owned(e));
    }

    pub(super) fn finish(mut self) -> IncidentState {
        let s = &mut self.state;
        if !self.corrections.is_empty() {
            // Index only the corrected entries: few, even in a long incident.
            let targets: IdSet<EntryId> = self.corrections.iter().map(|(t, _, _)| *t).collect();
            let index: IdMap<EntryId, usize> = s
                .timeline
                .iter()
                .enumerate()
                .filter(|(_, item)| targets.contains(&item.entry_id))
                .map(|(i, item)| (item.entry_id, i))
                .collect();
            for (target, stamp, body) in &self.corrections {
                if let Some(&i) = index.get(target) {
                    s.timeline[i].apply_corrections([(stamp.clone(), body)]);
                }
            }
        }
        finish_structure(s, &self.supersessions);
        s.breach = std::mem::take(&mut self.breach).finish(&self.retracted);
        s.cadences = self.cadences.into_values().collect();
        let mut reports: BTreeMap<Position, Report> = BTreeMap::new();
        for (id, report) in self.reports {
            if !self.retracted.contains(&id) {
                reports.insert(report.position.clone(), report);
            }
        }
        s.command.reports = reports.into_values().collect();
        s.command.snoozes = self.snoozes.into_values().collect();
        for (offer, outcome) in self.handover_outcomes {
            // The first outcome in fold order decides; a later accept of a cancelled offer
            // (possible across a partition) stays in the timeline only.
            if let Some(h) = s
                .command
                .handovers
                .iter_mut()
                .find(|h| h.offer.entry_id == offer && h.outcome == HandoverOutcome::Pending)
            {
                h.outcome = outcome;
            }
        }
        if let Some(last) = self.last_commander_assignment {
            for (h, ord) in s.command.handovers.iter_mut().zip(&self.handover_ords) {
                if h.outcome == HandoverOutcome::Pending && *ord < last {
                    h.outcome = HandoverOutcome::Lapsed;
                }
            }
        }
        if !self.approvals.is_empty() {
            let index: HashMap<EntryId, usize> =
                s.decisions.iter().enumerate().map(|(i, d)| (d.entry_id, i)).collect();
            for (decision, approval) in self.approvals {
                if let Some(&i) = index.get(&decision) {
                    let d = &mut s.decisions[i];
                    if !d.approvals.iter().any(|a| a.position == approval.position) {
                        d.approvals.push(approval);
                    }
                }
            }
        }
        self.state
    }
}

/// Resolves supersession links (assignment ends, decisions superseded) in fold order.
fn finish_structure(s: &mut IncidentState, supersessions: &[Supersession]) {
    let assignment_index: HashMap<EntryId, usize> =
        s.assignments.iter().enumerate().map(|(i, a)| (a.entry_id, i)).collect();
    for sup in supersessions {
        for target in &sup.targets {
            let Some(&i) = assignment_index.get(target) else {
                continue;
            };
            let a = &mut s.assignments[i];
            // Only the same position's register is affected, and only the first end counts.
            if a.position == sup.position && a.ended.is_none() && a.entry_id != sup.stamp.entry_id {
                a.ended = Some(AssignmentEnd {
                    stamp: sup.stamp.clone(),
                    relieved: sup.relieved,
                    reason: sup.reason.clone(),
                });
            }
        }
    }
    let decision_index: HashMap<EntryId, usize> =
        s.decisions.iter().enumerate().map(|(i, d)| (d.entry_id, i)).collect();
    let links: Vec<(EntryId, EntryId)> =
        s.decisions.iter().flat_map(|d| d.supersedes.iter().map(move |t| (*t, d.entry_id))).collect();
    for (target, by) in links {
        if let Some(&i) = decision_index.get(&target) {
            if target != by && !s.decisions[i].superseded_by.contains(&by) {
                s.decisions[i].superseded_by.push(by);
            }
        }
    }
}
