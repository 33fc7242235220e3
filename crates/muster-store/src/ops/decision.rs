//! The decision log: record a decision (superseding an earlier one) and approve it.

use muster_core::body::*;
use muster_core::entry::Author;
use muster_core::{Entry, EntryBody, IncidentId, Position, ValidationError};

use super::*;
use crate::error::{Result, StoreError};
use crate::muster::Muster;

/// A decision as a person states it. The desktop takes it as the window sends it (blank
/// options, authority or supersedes are ignored).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DecisionInput {
    pub question: String,
    pub options: Vec<String>,
    pub choice: String,
    pub rationale: String,
    /// Who holds the authority for it; defaults to the operator in their current position.
    pub authority: Option<String>,
    /// A reference to the decision this one replaces.
    pub supersedes: Option<String>,
    /// Positions that must approve it (slugs on the wire).
    #[cfg_attr(feature = "ts", ts(type = "Array<string>"))]
    pub approvals_required: Vec<Position>,
}

impl Muster {
    /// The operator approves a decision for a position they hold.
    pub fn approve_decision(
        &mut self,
        incident: IncidentId,
        decision: &str,
        position: Position,
    ) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let operator = self.operator()?;
        let target = self.resolve_entry(incident, decision)?;
        let Some(d) = state.decisions.iter().find(|d| d.entry_id == target.id()) else {
            return Err(ValidationError::new("decision", decision, "is not a decision").into());
        };
        if !d.superseded_by.is_empty() {
            return Err(StoreError::Refused(format!("decision #{} was superseded", d.entry_id.short())));
        }
        if !d.approvals_required.contains(&position) {
            return Err(ValidationError::new(
                "position",
                position.slug(),
                "this decision does not ask for that position's approval",
            )
            .into());
        }
        if d.approvals.iter().any(|a| a.position == position) {
            return Err(StoreError::Refused(format!("{position} already approved this decision")));
        }
        if !state.positions_of(&operator).contains(&position) {
            return Err(StoreError::Refused(format!("you ({operator}) do not hold {position}")));
        }
        let body = EntryBody::DecisionApproved(DecisionApproved {
            decision: d.entry_id,
            position: position.clone(),
        });
        self.append(incident, Author { person: operator, position: Some(position) }, vec![body])?
            .pop()
            .ok_or_else(|| StoreError::Internal("nothing was written".into()))
    }

    pub fn record_decision(&mut self, incident: IncidentId, mut input: DecisionInput) -> Result<Entry> {
        // A form sends what its fields hold: blank lines are no options, a blank field no value.
        input.options.retain(|o| !o.trim().is_empty());
        input.authority = input.authority.filter(|a| !a.trim().is_empty());
        input.supersedes = input.supersedes.filter(|s| !s.trim().is_empty());
        let state = self.open_state(incident)?;
        let author = self.author_in(&state)?;
        let authority = match &input.authority {
            Some(person) => {
                validate_person("authority", person)?;
                Author {
                    person: person.trim().into(),
                    position: state.positions_of(person.trim()).into_iter().next(),
                }
            }
            None => author,
        };
        let supersedes = match &input.supersedes {
            None => vec![],
            Some(r) => {
                let target = self.resolve_entry(incident, r)?;
                if target.kind() != DecisionRecorded::KIND {
                    return Err(ValidationError::new("supersedes", r, "is not a decision").into());
                }
                if state.decisions.iter().any(|d| d.entry_id == target.id() && !d.superseded_by.is_empty()) {
                    return Err(StoreError::Refused(format!(
                        "decision #{} was already superseded",
                        target.id().short()
                    )));
                }
                vec![target.id()]
            }
        };
        let mut options: Vec<String> = input.options.iter().map(|o| o.trim().to_string()).collect();
        let choice = input.choice.trim().to_string();
        if options.is_empty() {
            options.push(choice.clone());
        }
        let body = EntryBody::DecisionRecorded(DecisionRecorded {
            question: input.question.trim().into(),
            options,
            choice,
            rationale: input.rationale.trim().into(),
            authority,
            supersedes,
            approvals_required: dedup_positions(&input.approvals_required),
            notification: None,
        });
        self.append_one(incident, &state, body)
    }
}
