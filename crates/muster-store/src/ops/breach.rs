//! The breach: scope, classification and peer review, clock triggers, law-enforcement delays,
//! communications, notify / do-not-notify decisions, obligations and escalation ticks.
//! Each checks its input against the incident's state and the rules in force, then appends.

use chrono::{DateTime, FixedOffset};
use muster_core::body::*;
use muster_core::breach::rules::classification::Verdict;
use muster_core::breach::rules::clocks::{obligations, Obligation};
use muster_core::breach::rules::escalation::{checklist, ChecklistItem, StepStatus};
use muster_core::breach::*;
use muster_core::entry::Author;
use muster_core::{Entry, EntryBody, IncidentId, IncidentState, Severity, ValidationError};

use super::*;
use crate::error::{Result, StoreError};
use crate::muster::Muster;
use crate::rulebook::Rulebook;

/// Changes to the scope; `None` keeps what the current scope says.
#[derive(Debug, Clone, Default)]
pub struct ScopeInput {
    pub affected: Option<Vec<Affected>>,
    pub data: Option<Vec<DataCategory>>,
    pub exposure: Option<Vec<Exposure>>,
    pub systems: Option<Vec<ScopedSystem>>,
    pub roles: Option<Vec<OrgRole>>,
    pub litigation_exposure: Option<bool>,
}

/// A peer review of a classification.
#[derive(Debug, Clone, Default)]
pub struct ReviewInput {
    /// The classification reviewed; default: the latest.
    pub classification: Option<String>,
    pub confirm: bool,
    pub severity: Option<Severity>,
    pub major: Option<bool>,
    pub rationale: Option<String>,
}

#[derive(Debug, Clone)]
pub struct CommunicationInput {
    pub recipient: String,
    pub channel: String,
    pub summary: String,
    pub sent_at: Option<DateTime<FixedOffset>>,
    pub obligations: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct DelayInput {
    pub basis: DelayBasis,
    pub agency: String,
    pub statement: String,
    pub from: DateTime<FixedOffset>,
    pub until: Option<DateTime<FixedOffset>>,
    /// The law the delay was granted under; it decides which notices it holds back.
    pub regime: DelayRegime,
}

impl Muster {
    /// The rulesets in force for this installation (built-in, or its own copies in
    /// `<data dir>/rules/`, falling back to the last valid copy).
    pub fn rulebook(&self) -> Result<Rulebook> {
        Ok(Rulebook::load(self.data_dir(), self.store())?)
    }

    /// Records a new scope snapshot: the current scope with the given parts replaced.
    pub fn set_scope(&mut self, incident: IncidentId, input: ScopeInput) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let current = state.breach.scope().map(|s| s.scope.clone());
        let base = current.clone().unwrap_or_else(ScopeSet::empty);
        let mut affected = input.affected.unwrap_or(base.affected);
        affected.sort_by(|a, b| a.jurisdiction.cmp(&b.jurisdiction));
        let mut systems = input.systems.unwrap_or(base.systems);
        systems.sort_by(|a, b| a.system.cmp(&b.system));
        let scope = ScopeSet {
            affected,
            data: sorted_unique(&input.data.unwrap_or(base.data)),
            exposure: sorted_unique(&input.exposure.unwrap_or(base.exposure)),
            systems,
            roles: sorted_unique(&input.roles.unwrap_or(base.roles)),
            litigation_exposure: input.litigation_exposure.unwrap_or(base.litigation_exposure),
            supersedes: state.breach.scopes.iter().map(|s| s.stamp.entry_id).collect(),
        };
        scope.validate()?;
        let unchanged = current.as_ref().is_some_and(|c| {
            ScopeSet { supersedes: vec![], ..c.clone() } == ScopeSet { supersedes: vec![], ..scope.clone() }
        });
        if unchanged && !state.breach.scope_conflict() {
            return Err(StoreError::Refused("the scope is already exactly that".into()));
        }
        self.append_one(incident, &state, EntryBody::ScopeSet(scope))
    }

    /// What the classification matrix in force makes of the current scope (nothing written).
    pub fn classification_preview(&self, state: &IncidentState, rules: &Rulebook) -> Verdict {
        rules.matrix.classify(state.breach.scope().map(|s| &s.scope))
    }

    /// Classifies the incident with the matrix in force and records the verdict with the rules
    /// that fired; the incident's severity follows. Lowering the severity needs a rationale.
    pub fn classify(&mut self, incident: IncidentId, rationale: Option<&str>) -> Result<Vec<Entry>> {
        let state = self.open_state(incident)?;
        if state.breach.scope_conflict() {
            return Err(StoreError::Refused(
                "two scopes recorded while partitioned stand side by side; record the scope again (`muster scope set`) to resolve it first".into(),
            ));
        }
        let Some(scope) = state.breach.scope() else {
            return Err(StoreError::Refused(
                "record the scope first (`muster scope set --affected US-CA:600 --data clinical-phi ...`)"
                    .into(),
            ));
        };
        let rules = self.rulebook()?;
        let verdict = rules.matrix.classify(Some(&scope.scope));
        let rationale = opt_text(rationale);
        let downgrade = state.severity().is_some_and(|current| verdict.severity.rank() > current.rank());
        if downgrade && rationale.is_none() {
            return Err(ValidationError::new(
                "rationale",
                "",
                format!(
                    "the matrix gives {} but the incident is {}; lowering the severity needs a rationale",
                    verdict.severity,
                    state.severity().map(|s| s.to_string()).unwrap_or_default()
                ),
            )
            .into());
        }
        let mut bodies = vec![EntryBody::ClassificationRecorded(ClassificationRecorded {
            severity: verdict.severity,
            major: verdict.major,
            borderline: verdict.borderline,
            matrix: verdict.matrix.clone(),
            fired: verdict.fired.iter().map(|f| f.id.clone()).collect(),
            scope: Some(scope.stamp.entry_id),
            rationale: rationale.clone(),
        })];
        if state.severity() != Some(verdict.severity) {
            let why = rationale.clone().unwrap_or_else(|| {
                let fired: Vec<&str> = verdict.fired.iter().map(|f| f.id.as_str()).collect();
                format!("classification matrix {}: {}", verdict.matrix, fired.join(", "))
            });
            bodies.push(EntryBody::SeveritySet(SeveritySet {
                severity: verdict.severity,
                rationale: Some(why),
            }));
        }
        let author = self.author_in(&state)?;
        self.append(incident, author, bodies)
    }

    /// A second person confirms or changes a classification. The classifier cannot review
    /// their own classification.
    pub fn review_classification(&mut self, incident: IncidentId, input: ReviewInput) -> Result<Vec<Entry>> {
        let state = self.open_state(incident)?;
        let operator = self.operator()?;
        let record = match &input.classification {
            Some(reference) => {
                let entry = self.resolve_entry(incident, reference)?;
                state.breach.classifications.iter().find(|c| c.stamp.entry_id == entry.id()).ok_or_else(
                    || ValidationError::new("classification", reference, "is not a classification"),
                )?
            }
            None => state
                .breach
                .classification()
                .ok_or_else(|| StoreError::Refused("the incident has not been classified yet".into()))?,
        };
        if record.stamp.by.person == operator {
            return Err(StoreError::Refused(format!(
                "{operator} recorded this classification; peer review is by a second person"
            )));
        }
        if !record.reviews.is_empty() {
            return Err(StoreError::Refused(format!(
                "classification #{} was already reviewed by {}",
                record.stamp.entry_id.short(),
                record.reviews[0].stamp.by.person
            )));
        }
        let rationale = opt_text(input.rationale.as_deref());
        let changes = input.severity.is_some() || input.major.is_some();
        if input.confirm && changes {
            return Err(ValidationError::new(
                "confirm",
                "true",
                "either confirm the classification or give what it changes to, not both",
            )
            .into());
        }
        if !input.confirm && !changes {
            return Err(ValidationError::new(
                "severity",
                "",
                "confirm the classification, or give the severity or major flag it changes to",
            )
            .into());
        }
        if changes && rationale.is_none() {
            return Err(
                ValidationError::new("rationale", "", "changing a classification needs a rationale").into()
            );
        }
        let review = ClassificationReviewed {
            classification: record.stamp.entry_id,
            confirmed: input.confirm,
            severity: input.severity,
            major: input.major,
            rationale: rationale.clone(),
        };
        let mut bodies = vec![EntryBody::ClassificationReviewed(review)];
        if let Some(sev) = input.severity {
            if state.severity() != Some(sev) {
                bodies.push(EntryBody::SeveritySet(SeveritySet {
                    severity: sev,
                    rationale: Some(format!("peer review: {}", rationale.unwrap_or_default())),
                }));
            }
        }
        let author = self.author_in(&state)?;
        self.append(incident, author, bodies)
    }

    /// Records when a clock trigger happened (discovery, awareness, ...).
    pub fn record_trigger(
        &mut self,
        incident: IncidentId,
        trigger: TriggerKind,
        at: DateTime<FixedOffset>,
        note: Option<&str>,
    ) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let at = self.check_event_time("at", at)?;
        let body = EntryBody::TriggerRecorded(TriggerRecorded { trigger, at, note: opt_text(note) });
        self.append_one(incident, &state, body)
    }

    /// Records a law-enforcement request to delay notification (45 CFR 164.412).
    pub fn record_delay(&mut self, incident: IncidentId, input: DelayInput) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let from = EventTime(input.from);
        let until = input.until.map(EventTime);
        let body = EntryBody::LawEnforcementDelay(LawEnforcementDelay {
            basis: input.basis,
            agency: input.agency.trim().to_string(),
            statement: input.statement.trim().to_string(),
            from,
            until,
            regime: input.regime,
        });
        self.append_one(incident, &state, body)
    }

    /// Logs a communication sent; `obligations` are the rule ids it meets.
    pub fn record_communication(&mut self, incident: IncidentId, input: CommunicationInput) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let rules = self.rulebook()?;
        for id in &input.obligations {
            if !rules.clocks.rules.iter().any(|r| &r.id == id) {
                return Err(ValidationError::new(
                    "obligations",
                    id,
                    "names no rule of the regulatory clocks in force (see `muster clocks`)",
                )
                .into());
            }
        }
        let sent_at = input.sent_at.map(|t| self.check_event_time("sent_at", t)).transpose()?;
        let body = EntryBody::CommunicationSent(CommunicationSent {
            recipient: input.recipient.trim().to_string(),
            channel: input.channel.trim().to_string(),
            summary: input.summary.trim().to_string(),
            sent_at,
            obligations: sorted_unique(&input.obligations),
        });
        self.append_one(incident, &state, body)
    }

    /// The notify / do-not-notify decision for one obligation, with its rationale. It
    /// supersedes the standing choice for the same rule.
    pub fn decide_notification(
        &mut self,
        incident: IncidentId,
        rule: &str,
        notify: bool,
        rationale: &str,
        authority: Option<&str>,
    ) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let rules = self.rulebook()?;
        let Some(clock) = rules.clocks.rules.iter().find(|r| r.id == rule) else {
            return Err(ValidationError::new(
                "rule",
                rule,
                "names no rule of the regulatory clocks in force",
            )
            .into());
        };
        let author = self.author_in(&state)?;
        let authority = match authority {
            Some(person) => {
                validate_person("authority", person)?;
                Author {
                    person: person.trim().into(),
                    position: state.positions_of(person.trim()).into_iter().next(),
                }
            }
            None => author.clone(),
        };
        let supersedes = state
            .decisions
            .iter()
            .filter(|d| d.superseded_by.is_empty() && d.notification.as_ref().is_some_and(|n| n.rule == rule))
            .map(|d| d.entry_id)
            .collect();
        let (yes, no) = ("notify".to_string(), "do not notify".to_string());
        let body = EntryBody::DecisionRecorded(DecisionRecorded {
            question: format!("Notify {} under {} ({})?", clock.recipient, rule, clock.citation),
            options: vec![yes.clone(), no.clone()],
            choice: if notify { yes } else { no },
            rationale: rationale.trim().to_string(),
            authority,
            supersedes,
            approvals_required: vec![],
            notification: Some(NotificationChoice { rule: rule.to_string(), notify }),
        });
        self.append_one(incident, &state, body)
    }

    /// The regulatory obligations of an incident under the rules in force, at the clock's now.
    pub fn obligations(&self, state: &IncidentState, rules: &Rulebook) -> Vec<Obligation> {
        obligations(&rules.clocks, state, self.clock().now())
    }

    pub fn checklist(&self, state: &IncidentState, rules: &Rulebook) -> Vec<ChecklistItem> {
        checklist(&rules.escalation, state, self.clock().now())
    }

    /// Ticks off an escalation step of the incident's checklist.
    pub fn escalation_done(&mut self, incident: IncidentId, rule: &str, note: Option<&str>) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let rules = self.rulebook()?;
        let items = self.checklist(&state, &rules);
        let Some(item) = items.iter().find(|i| i.rule == rule) else {
            let known: Vec<&str> = items.iter().map(|i| i.rule.as_str()).collect();
            return Err(ValidationError::new(
                "rule",
                rule,
                format!(
                    "is not on this incident's escalation checklist ({})",
                    if known.is_empty() { "empty".to_string() } else { known.join(", ") }
                ),
            )
            .into());
        };
        if item.status == StepStatus::Done {
            return Err(StoreError::Refused(format!("escalation {rule} is already done")));
        }
        let body = EntryBody::EscalationDone(EscalationDone { rule: rule.to_string(), note: opt_text(note) });
        self.append_one(incident, &state, body)
    }
}
