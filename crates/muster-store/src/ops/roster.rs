//! The roster: assign and relieve positions; command handover (briefing, offer, accept, cancel).

use chrono::DateTime;
use muster_core::body::*;
use muster_core::breach::rules::clocks::{Obligation, ObligationStatus};
use muster_core::entry::Author;
use muster_core::fold::{Commander, Decision};
use muster_core::prompts::{prompt_clocks, PromptState};
use muster_core::{Entry, EntryBody, IncidentId, IncidentState, Position, ValidationError};

use super::*;
use crate::error::{Result, StoreError};
use crate::muster::Muster;

/// What the outgoing incident commander writes into a handover briefing; the roster, decisions
/// in force, overdue status updates, isolated systems and open deadlines are added from the
/// incident's state.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HandoverInput {
    pub to: String,
    pub situation: String,
    pub objectives: String,
}

impl Muster {
    /// Assigns a position. The assignment supersedes everyone holding it now (so a handover, or
    /// the resolution of a conflict, is a single entry).
    pub fn assign_role(&mut self, incident: IncidentId, position: Position, person: &str) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let person = person.trim();
        validate_person("person", person)?;
        let holders = state.holders(&position);
        if holders.len() == 1 && holders[0].person == person {
            return Err(StoreError::Refused(format!("{person} already holds {position}")));
        }
        let supersedes = holders.iter().map(|a| a.entry_id).collect();
        self.append_one(
            incident,
            &state,
            EntryBody::RoleAssigned(RoleAssigned { position, person: person.to_string(), supersedes }),
        )
    }

    /// Relieves the holder(s) of a position: `person` if given, else everyone holding it.
    pub fn relieve_role(
        &mut self,
        incident: IncidentId,
        position: Position,
        person: Option<&str>,
        reason: Option<&str>,
    ) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let holders: Vec<_> = state
            .holders(&position)
            .into_iter()
            .filter(|a| person.is_none_or(|p| a.person == p.trim()))
            .collect();
        if holders.is_empty() {
            return Err(match person {
                Some(p) => StoreError::Refused(format!("{} does not hold {position}", p.trim())),
                None => StoreError::Refused(format!("nobody holds {position}")),
            });
        }
        let names: Vec<&str> = holders.iter().map(|a| a.person.as_str()).collect();
        let body = EntryBody::RoleRelieved(RoleRelieved {
            position,
            person: names.join(", "),
            supersedes: holders.iter().map(|a| a.entry_id).collect(),
            reason: reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty()),
        });
        self.append_one(incident, &state, body)
    }

    /// The HICS 201 briefing for a handover, from the state and what the commander wrote: the
    /// roster, every decision in force (those awaiting approval marked), the status updates
    /// overdue, the systems isolated and the regulatory deadlines still open, as of now.
    pub fn briefing(&self, state: &IncidentState, situation: &str, objectives: &str) -> Result<Briefing> {
        let now = self.clock().now();
        let now_ms = now.timestamp_millis();
        let roster = state
            .roster()
            .into_iter()
            .flat_map(|line| {
                line.holders.into_iter().map(|a| BriefedRole { position: a.position, person: a.person })
            })
            .collect();
        let in_force: Vec<&Decision> = state.decisions.iter().filter(|d| d.in_force()).collect();
        // A briefing holds at most MAX_BRIEFING_ITEMS of each: the newest, in the log's order.
        let newest = |n: usize| n.saturating_sub(MAX_BRIEFING_ITEMS);
        let open_decisions = in_force[newest(in_force.len())..]
            .iter()
            .map(|d| BriefedDecision {
                decision: d.entry_id,
                question: d.question.clone(),
                choice: d.choice.clone(),
                awaiting: d.awaiting(),
            })
            .collect();
        let overdue_prompts = prompt_clocks(state)
            .into_iter()
            .filter(|c| matches!(c.state(now_ms), PromptState::Due | PromptState::Overdue))
            .filter_map(|c| {
                let due = DateTime::from_timestamp_millis(c.due_ms)?.fixed_offset();
                Some(BriefedPrompt {
                    position: c.position,
                    holder: c.holders.join(", "),
                    due: EventTime(due),
                })
            })
            .take(MAX_BRIEFING_ITEMS)
            .collect();
        let register = state.breach.register.as_ref();
        let isolated_systems = state
            .breach
            .systems
            .iter()
            .filter(|l| l.isolated)
            .take(MAX_BRIEFING_ITEMS)
            .map(|l| BriefedSystem {
                system: l.system.clone(),
                name: register
                    .and_then(|r| r.systems.iter().find(|s| s.id == l.system))
                    .map_or_else(|| l.system.clone(), |s| s.name.clone()),
                since: l.changed.as_ref().map(|c| EventTime(c.at.instant().fixed_offset())),
            })
            .collect();
        let mut open: Vec<Obligation> = self
            .obligations(state, &self.rulebook()?)
            .into_iter()
            .filter(|o| matches!(o.status, ObligationStatus::Pending | ObligationStatus::Overdue))
            .collect();
        open.sort_by_key(|o| (o.due.is_none(), o.due, o.rule.clone()));
        let deadlines = open
            .into_iter()
            .take(MAX_BRIEFING_ITEMS)
            .map(|o| BriefedDeadline {
                overdue: o.status == ObligationStatus::Overdue,
                due: o.due.map(|d| EventTime(d.fixed_offset())),
                rule: o.rule,
                recipient: o.recipient,
            })
            .collect();
        Ok(Briefing {
            situation: situation.trim().into(),
            objectives: objectives.trim().into(),
            severity: state.severity(),
            roster,
            open_decisions,
            overdue_prompts,
            isolated_systems,
            deadlines,
        })
    }

    /// The incident commander offers command to another person, with the briefing.
    pub fn offer_handover(&mut self, incident: IncidentId, input: &HandoverInput) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let operator = self.operator()?;
        let to = input.to.trim();
        validate_person("to", to)?;
        match state.commander() {
            Commander::Held(ic) if ic.person == operator => {
                if ic.person == to {
                    return Err(ValidationError::new("to", to, "already commands this incident").into());
                }
            }
            Commander::Held(ic) => {
                return Err(StoreError::Refused(format!(
                    "only the incident commander ({}) can offer command; you are {operator}",
                    ic.person
                )))
            }
            Commander::Vacant => {
                return Err(StoreError::Refused("nobody commands this incident: assign a commander".into()))
            }
            Commander::Conflict(_) => {
                return Err(StoreError::Refused(
                    "two commanders stand (a conflict): resolve it before handing over".into(),
                ))
            }
        }
        if let Some(p) = state.pending_handover() {
            return Err(StoreError::Refused(format!(
                "command is already offered to {} (#{}): withdraw that offer first",
                p.to,
                p.offer.entry_id.short()
            )));
        }
        let briefing = self.briefing(&state, &input.situation, &input.objectives)?;
        let author = Author { person: operator, position: Some(Position::IncidentCommander) };
        let body = EntryBody::HandoverOffered(HandoverOffered { to: to.to_string(), briefing });
        body.validate()?;
        let mut written = self.append(incident, author, vec![body])?;
        written.pop().ok_or_else(|| StoreError::Internal("nothing was written".into()))
    }

    /// The person the pending offer names accepts command: the acceptance and the assignment
    /// that puts them in command are one atomic write.
    pub fn accept_handover(&mut self, incident: IncidentId) -> Result<Vec<Entry>> {
        let state = self.open_state(incident)?;
        let operator = self.operator()?;
        let Some(offer) = state.pending_handover() else {
            return Err(StoreError::Refused("no command handover is waiting for acceptance".into()));
        };
        if offer.to != operator {
            return Err(StoreError::Refused(format!(
                "command was offered to {}, not to you ({operator})",
                offer.to
            )));
        }
        let supersedes = state.holders(&Position::IncidentCommander).iter().map(|a| a.entry_id).collect();
        let bodies = vec![
            EntryBody::HandoverAccepted(HandoverAccepted { offer: offer.offer.entry_id }),
            EntryBody::RoleAssigned(RoleAssigned {
                position: Position::IncidentCommander,
                person: operator.clone(),
                supersedes,
            }),
        ];
        let position = state.positions_of(&operator).into_iter().next();
        self.append(incident, Author { person: operator, position }, bodies)
    }

    /// Withdraws (the outgoing commander) or declines (the person named) the pending offer.
    pub fn cancel_handover(&mut self, incident: IncidentId, reason: &str) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let operator = self.operator()?;
        let Some(offer) = state.pending_handover() else {
            return Err(StoreError::Refused("no command handover is waiting for acceptance".into()));
        };
        if offer.to != operator && offer.offer.by.person != operator {
            return Err(StoreError::Refused(format!(
                "only {} (offering) or {} (offered) can cancel this handover",
                offer.offer.by.person, offer.to
            )));
        }
        let body = EntryBody::HandoverCancelled(HandoverCancelled {
            offer: offer.offer.entry_id,
            reason: reason.trim().into(),
        });
        self.append_one(incident, &state, body)
    }
}
