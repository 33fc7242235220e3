//! Who may do what, at each point of the fold ("Trust nobody" 5, docs/decisions/0028).
//!
//! Some acts are reserved to a position: assigning or relieving the incident commander,
//! offering and accepting command, closing and reopening the incident, approving a decision as
//! a position, and the clinical liaison's sign-off of an isolation. Such an act takes effect only
//! if its *recorder* (the entry's `author.person`: the person at the signing device, not the
//! person it was recorded on behalf of) had that authority under the roster as it stood at that
//! point of the fold. An act without it is kept — in the timeline and in
//! `CommandState::unauthorised` — and never takes effect. The sync server applies the same
//! function to the entries it is given, so the laptops and the server agree.
//!
//! Who has command authority at a point:
//! - a current holder of incident command;
//! - the deputy incident commander, assuming command themselves (succession);
//! - the person an offer of command names, taking it in the write that accepts it;
//! - a commander replacing or relieving their own command (the assignment their entry
//!   supersedes named them), even when a concurrent entry ordered first replaced them;
//! - while command is vacant and no deputy stands: the incident's opener, or anyone holding a
//!   position (so an incident is never left with nobody able to take command).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::body::EntryBody;
use crate::entry::Entry;
use crate::ids::{DeviceId, EntryId};
use crate::position::Position;

use super::state::Stamp;

/// A reserved act made without the authority it needs: kept and shown, never in force.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnauthorisedAct {
    pub stamp: Stamp,
    /// Set when the recorder wrote on someone else's behalf.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf: Option<String>,
    pub kind: String,
    /// What the entry says.
    pub summary: String,
    /// Why it is not in force, for people.
    pub reason: String,
}

/// An offer of command made with authority: who made it and whom it names.
#[derive(Clone, Debug)]
struct Offer {
    by: String,
    to: String,
}

/// The roster as it stands at the current point of the fold, as far as authority goes.
#[derive(Default)]
pub(super) struct Authority {
    /// Assignments in force now: (entry, position, person).
    active: Vec<(EntryId, Position, String)>,
    opener: Option<String>,
    offers: HashMap<EntryId, Offer>,
    /// Every assignment of incident command that took effect, to whom: a recorder replacing
    /// their own command had it as far as they could see, even if a concurrent entry ordered
    /// before theirs replaced them meanwhile (two cut-off laptops: the existing conflict).
    command_assignments: HashMap<EntryId, String>,
    /// The device and person that just accepted command: the assignment in the same write
    /// may put them in command. Cleared by that device's next entry.
    accepted: Option<(DeviceId, String)>,
}

impl Authority {
    fn holds(&self, person: &str, position: &Position) -> bool {
        self.active.iter().any(|(_, p, who)| p == position && who == person)
    }

    fn vacant(&self, position: &Position) -> bool {
        !self.active.iter().any(|(_, p, _)| p == position)
    }

    fn commanders(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .active
            .iter()
            .filter(|(_, p, _)| *p == Position::IncidentCommander)
            .map(|(_, _, who)| who.as_str())
            .collect();
        names.dedup();
        names
    }

    /// Whether `recorder` may act as command now (close, reopen, offer, assign command to anyone).
    fn commands(&self, recorder: &str) -> bool {
        if self.holds(recorder, &Position::IncidentCommander) {
            return true;
        }
        if !self.vacant(&Position::IncidentCommander) {
            return false;
        }
        if !self.vacant(&Position::DeputyIncidentCommander) {
            return self.holds(recorder, &Position::DeputyIncidentCommander);
        }
        self.opener.as_deref() == Some(recorder) || self.active.iter().any(|(_, _, who)| who == recorder)
    }

    /// Whether an assignment or relief of command supersedes one that put `recorder` in command:
    /// they acted on their own command as their laptop knew it.
    fn replaces_own_command(&self, recorder: &str, supersedes: &[EntryId]) -> bool {
        supersedes.iter().any(|id| self.command_assignments.get(id).is_some_and(|who| who == recorder))
    }

    fn no_command(&self, recorder: &str) -> String {
        match self.commanders().as_slice() {
            [] if !self.vacant(&Position::DeputyIncidentCommander) => {
                format!("{recorder} was not in command: command was vacant and the deputy takes it")
            }
            [] => format!("{recorder} was not in command and holds no position in this incident"),
            names => format!("{recorder} was not in command: {} commanded", names.join(" and ")),
        }
    }

    /// Why `e` is not in force, if it is a reserved act its recorder had no authority for.
    pub(super) fn refusal(&mut self, e: &Entry) -> Option<String> {
        let recorder = e.envelope.author.person.as_str();
        let accepted = match &self.accepted {
            Some((device, who)) if *device == e.device_id() => {
                let who = who.clone();
                self.accepted = None;
                Some(who)
            }
            _ => None,
        };
        match &e.body {
            EntryBody::RoleAssigned(b) if b.position == Position::IncidentCommander => {
                let takes_offered = accepted.as_deref() == Some(recorder) && b.person == recorder;
                let deputy_assumes =
                    b.person == recorder && self.holds(recorder, &Position::DeputyIncidentCommander);
                let replaces_own = self.replaces_own_command(recorder, &b.supersedes);
                (!(self.commands(recorder) || takes_offered || deputy_assumes || replaces_own))
                    .then(|| self.no_command(recorder))
            }
            EntryBody::RoleRelieved(b) if b.position == Position::IncidentCommander => {
                (!(self.commands(recorder) || self.replaces_own_command(recorder, &b.supersedes)))
                    .then(|| self.no_command(recorder))
            }
            EntryBody::HandoverOffered(_) | EntryBody::IncidentClosed(_) | EntryBody::IncidentReopened(_) => {
                (!self.commands(recorder)).then(|| self.no_command(recorder))
            }
            EntryBody::HandoverAccepted(b) => match self.offers.get(&b.offer) {
                Some(offer) if offer.to == recorder => None,
                Some(offer) => Some(format!("command was offered to {}, not to {recorder}", offer.to)),
                None => {
                    Some(format!("{recorder} accepted an offer of command that was not made with authority"))
                }
            },
            EntryBody::HandoverCancelled(b) => match self.offers.get(&b.offer) {
                Some(offer) if offer.to == recorder || offer.by == recorder => None,
                Some(offer) => Some(format!(
                    "only {} (offering) or {} (offered) may cancel this offer",
                    offer.by, offer.to
                )),
                // Cancelling an offer that never took effect changes nothing either way.
                None => None,
            },
            EntryBody::DecisionApproved(b) => (!self.holds(recorder, &b.position)).then(|| {
                format!("{recorder} did not hold {} and cannot approve as that position", b.position)
            }),
            EntryBody::IsolationSignedOff(_) => (!self.holds(recorder, &Position::ClinicalLiaison))
                .then(|| format!("{recorder} was not the clinical liaison, whose sign-off this is")),
            _ => None,
        }
    }

    /// Moves the roster on by an entry that is in force.
    pub(super) fn apply(&mut self, e: &Entry) {
        let recorder = &e.envelope.author.person;
        match &e.body {
            // The first "opened" names the opener (as it names the incident).
            EntryBody::IncidentOpened(_) if self.opener.is_none() => {
                self.opener = Some(recorder.clone());
            }
            EntryBody::RoleAssigned(b) => {
                self.active.retain(|(id, p, _)| !(p == &b.position && b.supersedes.contains(id)));
                self.active.push((e.id(), b.position.clone(), b.person.clone()));
                if b.position == Position::IncidentCommander {
                    self.command_assignments.insert(e.id(), b.person.clone());
                    // Command changed: offers still pending have lapsed (as the fold shows them).
                    self.offers.clear();
                }
            }
            EntryBody::RoleRelieved(b) => {
                self.active.retain(|(id, p, _)| !(p == &b.position && b.supersedes.contains(id)));
                if b.position == Position::IncidentCommander {
                    self.offers.clear();
                }
            }
            EntryBody::HandoverOffered(b) => {
                self.offers.insert(e.id(), Offer { by: recorder.clone(), to: b.to.clone() });
            }
            EntryBody::HandoverAccepted(b) => {
                self.offers.remove(&b.offer);
                self.accepted = Some((e.device_id(), recorder.clone()));
            }
            EntryBody::HandoverCancelled(b) => {
                self.offers.remove(&b.offer);
            }
            _ => {}
        }
    }
}
