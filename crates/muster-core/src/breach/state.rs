//! The breach part of an incident's state, folded from its entries: scope (a multi-value
//! register, like the incident commander), classifications and their peer reviews, clock
//! triggers, law-enforcement delays, communications, escalation steps done, the clinical systems
//! register, isolation proposals with their clinical sign-offs, and HICS 251 system status.
//! Rulesets (clocks, classification matrix, escalation) are applied to this state elsewhere, so
//! the state stays the same whatever ruleset a reader runs.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::body::{
    ClassificationRecorded, ClassificationReviewed, CommunicationSent, LawEnforcementDelay, ScopeSet,
};
use crate::body::{EntryBody, EventTime};
use crate::breach::{FunctionalStatus, IsolationAction, TriggerKind};
use crate::entry::Entry;
use crate::fold::Stamp;
use crate::ids::{EntryId, IdSet};
use crate::severity::Severity;
use crate::systems::{Register, SystemRecord};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeRecord {
    pub stamp: Stamp,
    pub scope: ScopeSet,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRecord {
    pub stamp: Stamp,
    pub review: ClassificationReviewed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassificationRecord {
    pub stamp: Stamp,
    pub classification: ClassificationRecorded,
    /// Peer reviews in fold order; the first one decides (a later one, possible across a
    /// partition, is kept here and in the timeline).
    pub reviews: Vec<ReviewRecord>,
}

impl ClassificationRecord {
    /// Severity and major flag after the deciding review.
    pub fn effective(&self) -> (Severity, bool) {
        let c = &self.classification;
        match self.reviews.first() {
            Some(r) if !r.review.confirmed => {
                (r.review.severity.unwrap_or(c.severity), r.review.major.unwrap_or(c.major))
            }
            _ => (c.severity, c.major),
        }
    }

    /// Borderline and not reviewed yet.
    pub fn awaiting_review(&self) -> bool {
        self.classification.borderline && self.reviews.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriggerRecord {
    pub stamp: Stamp,
    pub trigger: TriggerKind,
    pub at: EventTime,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelayRecord {
    pub stamp: Stamp,
    pub delay: LawEnforcementDelay,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunicationRecord {
    pub stamp: Stamp,
    pub communication: CommunicationSent,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationTick {
    pub stamp: Stamp,
    pub rule: String,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRecord {
    pub stamp: Stamp,
    pub systems: Vec<SystemRecord>,
}

impl RegisterRecord {
    pub fn register(&self) -> Register {
        Register { systems: self.systems.clone() }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignoffRecord {
    pub stamp: Stamp,
    pub approved: bool,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalRecord {
    pub stamp: Stamp,
    pub system: String,
    pub action: IsolationAction,
    pub reason: String,
    /// In fold order; the first decides.
    pub signoffs: Vec<SignoffRecord>,
    pub carried_out: Option<Stamp>,
}

impl ProposalRecord {
    pub fn signed_off(&self) -> Option<&SignoffRecord> {
        self.signoffs.first().filter(|s| s.approved)
    }

    pub fn refused(&self) -> Option<&SignoffRecord> {
        self.signoffs.first().filter(|s| !s.approved)
    }
}

/// One system's isolation and HICS 251 status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemLine {
    pub system: String,
    pub isolated: bool,
    /// The latest isolation or restoration.
    pub changed: Option<Stamp>,
    /// The latest rating, if any was given after the latest isolation or restoration.
    pub status: Option<FunctionalStatus>,
    pub comment: Option<String>,
    pub rated: Option<Stamp>,
    /// Carried out although the system needs a clinical sign-off and none approved the
    /// proposal (possible only from a client that skipped the check): shown as a warning.
    pub unsigned: bool,
}

impl SystemLine {
    /// The HICS 251 rating shown: the latest rating, or non-functional while isolated, or fully.
    pub fn effective_status(&self) -> FunctionalStatus {
        match (self.status, self.isolated) {
            (Some(s), _) => s,
            (None, true) => FunctionalStatus::Non,
            (None, false) => FunctionalStatus::Fully,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreachState {
    /// Standing scope snapshots (none supersedes another), in fold order: the last is current,
    /// more than one is a conflict.
    pub scopes: Vec<ScopeRecord>,
    /// The first scope entry (superseded or not) that flagged litigation exposure.
    pub litigation_flagged: Option<Stamp>,
    pub classifications: Vec<ClassificationRecord>,
    /// Not retracted, in fold order.
    pub triggers: Vec<TriggerRecord>,
    pub delays: Vec<DelayRecord>,
    pub communications: Vec<CommunicationRecord>,
    pub escalations: Vec<EscalationTick>,
    pub register: Option<RegisterRecord>,
    pub proposals: Vec<ProposalRecord>,
    /// By system id.
    pub systems: Vec<SystemLine>,
}

impl BreachState {
    pub fn scope(&self) -> Option<&ScopeRecord> {
        self.scopes.last()
    }

    pub fn scope_conflict(&self) -> bool {
        self.scopes.len() > 1
    }

    pub fn classification(&self) -> Option<&ClassificationRecord> {
        self.classifications.last()
    }

    /// The trigger a clock starts from: the earliest stated time of that kind (the conservative
    /// reading when two people recorded it differently).
    pub fn trigger(&self, kind: TriggerKind) -> Option<&TriggerRecord> {
        self.triggers.iter().filter(|t| t.trigger == kind).min_by_key(|t| (t.at.0, t.stamp.entry_id))
    }

    /// Why [`Self::trigger`] is the one the clocks run from, in words for the people choosing
    /// between two records of the same moment; `None` when at most one of its kind is recorded
    /// (there is nothing to choose between).
    pub fn governing_trigger_because(&self, kind: TriggerKind) -> Option<String> {
        let recorded = self.triggers.iter().filter(|t| t.trigger == kind).count();
        (recorded > 1).then(|| {
            format!(
                "the earliest of the {recorded} {} times recorded: when people record the same moment \
                 differently, the clocks run from the earliest (the conservative reading)",
                kind.slug()
            )
        })
    }

    pub fn proposal(&self, id: EntryId) -> Option<&ProposalRecord> {
        self.proposals.iter().find(|p| p.stamp.entry_id == id)
    }

    pub fn system_line(&self, system: &str) -> Option<&SystemLine> {
        self.systems.iter().find(|s| s.system == system)
    }

    pub fn is_isolated(&self, system: &str) -> bool {
        self.system_line(system).is_some_and(|s| s.isolated)
    }
}

/// Collects breach entries during the fold; `finish` resolves links once every entry is in.
#[derive(Default)]
pub(crate) struct BreachBuilder {
    scopes: Vec<ScopeRecord>,
    classifications: Vec<ClassificationRecord>,
    reviews: Vec<ReviewRecord>,
    triggers: Vec<TriggerRecord>,
    delays: Vec<DelayRecord>,
    communications: Vec<CommunicationRecord>,
    escalations: Vec<EscalationTick>,
    register: Option<RegisterRecord>,
    proposals: Vec<ProposalRecord>,
    signoffs: Vec<(EntryId, SignoffRecord)>,
    /// Isolations and ratings in fold order (they interleave: a rating given before the latest
    /// isolation no longer describes the system).
    system_events: Vec<(Stamp, Event)>,
}

impl BreachBuilder {
    /// Takes the entry if it is a breach kind; returns whether it did.
    pub(crate) fn apply(&mut self, e: &Entry) -> bool {
        let stamp = || Stamp::of(e);
        match &e.body {
            EntryBody::ScopeSet(b) => self.scopes.push(ScopeRecord { stamp: stamp(), scope: b.clone() }),
            EntryBody::ClassificationRecorded(b) => self.classifications.push(ClassificationRecord {
                stamp: stamp(),
                classification: b.clone(),
                reviews: Vec::new(),
            }),
            EntryBody::ClassificationReviewed(b) => {
                self.reviews.push(ReviewRecord { stamp: stamp(), review: b.clone() })
            }
            EntryBody::TriggerRecorded(b) => self.triggers.push(TriggerRecord {
                stamp: stamp(),
                trigger: b.trigger,
                at: b.at,
                note: b.note.clone(),
            }),
            EntryBody::LawEnforcementDelay(b) => {
                self.delays.push(DelayRecord { stamp: stamp(), delay: b.clone() })
            }
            EntryBody::CommunicationSent(b) => {
                self.communications.push(CommunicationRecord { stamp: stamp(), communication: b.clone() })
            }
            EntryBody::EscalationDone(b) => self.escalations.push(EscalationTick {
                stamp: stamp(),
                rule: b.rule.clone(),
                note: b.note.clone(),
            }),
            EntryBody::SystemsRegistered(b) => {
                self.register = Some(RegisterRecord { stamp: stamp(), systems: b.systems.clone() })
            }
            EntryBody::IsolationProposed(b) => self.proposals.push(ProposalRecord {
                stamp: stamp(),
                system: b.system.clone(),
                action: b.action,
                reason: b.reason.clone(),
                signoffs: Vec::new(),
                carried_out: None,
            }),
            EntryBody::IsolationSignedOff(b) => self.signoffs.push((
                b.proposal,
                SignoffRecord { stamp: stamp(), approved: b.approved, note: b.note.clone() },
            )),
            EntryBody::IsolationCarriedOut(b) => self.system_events.push((
                stamp(),
                Event::Carried { proposal: b.proposal, system: b.system.clone(), action: b.action },
            )),
            EntryBody::SystemStatusSet(b) => self.system_events.push((
                stamp(),
                Event::Rated { system: b.system.clone(), status: b.status, comment: b.comment.clone() },
            )),
            _ => return false,
        }
        true
    }

    pub(crate) fn finish(self, retracted: &IdSet<EntryId>) -> BreachState {
        let litigation_flagged =
            self.scopes.iter().find(|s| s.scope.litigation_exposure).map(|s| s.stamp.clone());
        let superseded: IdSet<EntryId> =
            self.scopes.iter().flat_map(|s| s.scope.supersedes.iter().copied()).collect();
        let scopes: Vec<ScopeRecord> =
            self.scopes.into_iter().filter(|s| !superseded.contains(&s.stamp.entry_id)).collect();

        let mut classifications = self.classifications;
        let index: HashMap<EntryId, usize> =
            classifications.iter().enumerate().map(|(i, c)| (c.stamp.entry_id, i)).collect();
        for review in self.reviews {
            if let Some(&i) = index.get(&review.review.classification) {
                classifications[i].reviews.push(review);
            }
        }

        let live = |s: &Stamp| !retracted.contains(&s.entry_id);
        let triggers = self.triggers.into_iter().filter(|t| live(&t.stamp)).collect();
        let delays = self.delays.into_iter().filter(|d| live(&d.stamp)).collect();
        let communications = self.communications.into_iter().filter(|c| live(&c.stamp)).collect();
        let escalations = self.escalations.into_iter().filter(|t| live(&t.stamp)).collect();

        let register = self.register;
        let mut proposals = self.proposals;
        let index: HashMap<EntryId, usize> =
            proposals.iter().enumerate().map(|(i, p)| (p.stamp.entry_id, i)).collect();
        for (proposal, signoff) in self.signoffs {
            if let Some(&i) = index.get(&proposal) {
                proposals[i].signoffs.push(signoff);
            }
        }
        let needs_signoff = |system: &str| {
            register
                .as_ref()
                .and_then(|r| r.systems.iter().find(|s| s.id == system))
                .is_some_and(|s| s.needs_clinical_signoff())
        };
        let mut lines: BTreeMap<String, SystemLine> = BTreeMap::new();
        let line = |lines: &mut BTreeMap<String, SystemLine>, system: &str| {
            lines
                .entry(system.to_string())
                .or_insert_with(|| SystemLine {
                    system: system.to_string(),
                    isolated: false,
                    changed: None,
                    status: None,
                    comment: None,
                    rated: None,
                    unsigned: false,
                })
                .clone()
        };
        for (stamp, event) in self.system_events {
            match event {
                Event::Carried { proposal, system, action } => {
                    let mut l = line(&mut lines, &system);
                    l.isolated = action == IsolationAction::Isolate;
                    l.changed = Some(stamp.clone());
                    l.status = None;
                    l.comment = None;
                    l.rated = None;
                    let signed = index.get(&proposal).and_then(|&i| proposals[i].signed_off()).is_some();
                    l.unsigned = needs_signoff(&system) && !signed;
                    if let Some(&i) = index.get(&proposal) {
                        if proposals[i].carried_out.is_none() {
                            proposals[i].carried_out = Some(stamp);
                        }
                    }
                    lines.insert(system, l);
                }
                Event::Rated { system, status, comment } => {
                    let mut l = line(&mut lines, &system);
                    l.status = Some(status);
                    l.comment = comment;
                    l.rated = Some(stamp);
                    lines.insert(system, l);
                }
            }
        }
        BreachState {
            scopes,
            litigation_flagged,
            classifications,
            triggers,
            delays,
            communications,
            escalations,
            register,
            proposals,
            systems: lines.into_values().collect(),
        }
    }
}

enum Event {
    Carried { proposal: EntryId, system: String, action: IsolationAction },
    Rated { system: String, status: FunctionalStatus, comment: Option<String> },
}

/// One row of the HICS 251 board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BoardLine {
    pub system: SystemRecord,
    pub status: FunctionalStatus,
    pub isolated: bool,
    pub comment: Option<String>,
    /// Rated by someone (rather than derived from isolations).
    pub rated: bool,
    /// Isolated systems this one depends on, directly or through others: it is at best
    /// partially functional while they are down.
    pub down_because: Vec<String>,
    pub unsigned: bool,
}

impl BreachState {
    /// The HICS 251 board: every registered system with its functional status. A rating given
    /// after the latest isolation or restoration wins; otherwise an isolated system is
    /// non-functional and one that depends on an isolated system is partially functional.
    pub fn board(&self) -> Vec<BoardLine> {
        let Some(record) = &self.register else {
            return Vec::new();
        };
        let register = record.register();
        let isolated: Vec<&str> =
            self.systems.iter().filter(|l| l.isolated).map(|l| l.system.as_str()).collect();
        let mut down: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for root in &isolated {
            if let Ok(impact) = crate::systems::impact(&register, root) {
                for a in impact.affected {
                    down.entry(a.id).or_default().push((*root).to_string());
                }
            }
        }
        register
            .systems
            .iter()
            .map(|system| {
                let line = self.system_line(&system.id);
                let isolated = line.is_some_and(|l| l.isolated);
                let down_because = down.get(&system.id).cloned().unwrap_or_default();
                let rated = line.and_then(|l| l.status).is_some();
                let status = match line.and_then(|l| l.status) {
                    Some(s) => s,
                    None if isolated => FunctionalStatus::Non,
                    None if !down_because.is_empty() => FunctionalStatus::Partially,
                    None => FunctionalStatus::Fully,
                };
                BoardLine {
                    system: system.clone(),
                    status,
                    isolated,
                    comment: line.and_then(|l| l.comment.clone()),
                    rated,
                    down_because,
                    unsigned: line.is_some_and(|l| l.unsigned),
                }
            })
            .collect()
    }
}
