//! The clinical systems register, isolation proposals, the clinical liaison's sign-off,
//! carrying an isolation out and HICS 251 ratings.

use muster_core::body::*;
use muster_core::breach::state::ProposalRecord;
use muster_core::breach::*;
use muster_core::entry::Author;
use muster_core::systems::{impact, parse_csv, to_csv, Impact, Register};
use muster_core::{Entry, EntryBody, IncidentId, IncidentState, Position, ValidationError};

use super::*;
use crate::error::{Result, StoreError};
use crate::muster::Muster;

impl Muster {
    /// Records the clinical systems register from CSV text (all or nothing).
    pub fn register_systems(&mut self, incident: IncidentId, file: &str, csv: &str) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let register =
            parse_csv(csv).map_err(|source| StoreError::Register { file: file.to_string(), source })?;
        let body = EntryBody::SystemsRegistered(SystemsRegistered { systems: register.systems });
        self.append_one(incident, &state, body)
    }

    /// The register in force as CSV.
    pub fn register_csv(&self, state: &IncidentState) -> Result<String> {
        let register = register_of(state)?;
        Ok(to_csv(&register))
    }

    /// What isolating `system` would take down (nothing written).
    pub fn impact(&self, state: &IncidentState, system: &str) -> Result<Impact> {
        let register = register_of(state)?;
        impact(&register, system).map_err(|source| StoreError::Register { file: "register".into(), source })
    }

    /// Proposes to isolate or restore a system; returns the entry and what it affects.
    pub fn propose_isolation(
        &mut self,
        incident: IncidentId,
        system: &str,
        action: IsolationAction,
        reason: &str,
    ) -> Result<(Entry, Impact)> {
        let state = self.open_state(incident)?;
        let impact = self.impact(&state, system)?;
        if let Some(why) = self.proposal_refusal(&state, system, action) {
            return Err(StoreError::Refused(why));
        }
        let body = EntryBody::IsolationProposed(IsolationProposed {
            system: system.to_string(),
            action,
            reason: reason.trim().to_string(),
        });
        let entry = self.append_one(incident, &state, body)?;
        Ok((entry, impact))
    }

    fn open_proposal<'a>(
        &self,
        state: &'a IncidentState,
        incident: IncidentId,
        reference: Option<&str>,
    ) -> Result<&'a ProposalRecord> {
        match reference {
            Some(r) => {
                let entry = self.resolve_entry(incident, r)?;
                state
                    .breach
                    .proposal(entry.id())
                    .ok_or_else(|| ValidationError::new("proposal", r, "is not an isolation proposal").into())
            }
            None => {
                let open: Vec<&ProposalRecord> = state
                    .breach
                    .proposals
                    .iter()
                    .filter(|p| p.carried_out.is_none() && p.refused().is_none())
                    .collect();
                match open.as_slice() {
                    [one] => Ok(*one),
                    [] => Err(StoreError::Refused("there is no open isolation proposal".into())),
                    _ => Err(StoreError::Refused(format!(
                        "{} isolation proposals are open; name one ({})",
                        open.len(),
                        open.iter()
                            .map(|p| format!("#{} {} {}", p.stamp.entry_id.short(), p.action, p.system))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))),
                }
            }
        }
    }

    /// The clinical liaison signs off (or refuses) a proposal. Only the holder of the clinical
    /// liaison position can.
    pub fn sign_off(
        &mut self,
        incident: IncidentId,
        proposal: Option<&str>,
        approved: bool,
        note: &str,
    ) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let operator = self.operator()?;
        if let Some(why) = not_the_clinical_liaison(&state, &operator) {
            return Err(StoreError::Refused(why));
        }
        let p = self.open_proposal(&state, incident, proposal)?;
        if let Some(why) = self.sign_off_refusal(&state, &operator, p) {
            return Err(StoreError::Refused(why));
        }
        let body = EntryBody::IsolationSignedOff(IsolationSignedOff {
            proposal: p.stamp.entry_id,
            approved,
            note: note.trim().to_string(),
        });
        self.append(
            incident,
            Author { person: operator, position: Some(Position::ClinicalLiaison) },
            vec![body],
        )?
        .pop()
        .ok_or_else(|| StoreError::Internal("nothing was written".into()))
    }

    /// Carries out a proposal. One that takes down medication administration or diagnostics
    /// needs the clinical liaison's sign-off first.
    pub fn carry_out(&mut self, incident: IncidentId, proposal: Option<&str>) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let p = self.open_proposal(&state, incident, proposal)?;
        if let Some(why) = self.carry_out_refusal(&state, p)? {
            return Err(StoreError::Refused(why));
        }
        let body = EntryBody::IsolationCarriedOut(IsolationCarriedOut {
            proposal: p.stamp.entry_id,
            system: p.system.clone(),
            action: p.action,
        });
        self.append_one(incident, &state, body)
    }

    /// Why [`Self::carry_out`] would refuse this proposal now, in the words of its refusal
    /// (`None`: it would be carried out), so a screen can show the reason before the click.
    pub fn carry_out_refusal(&self, state: &IncidentState, p: &ProposalRecord) -> Result<Option<String>> {
        if p.carried_out.is_some() {
            return Ok(Some(format!("proposal #{} was already carried out", p.stamp.entry_id.short())));
        }
        if let Some(refusal) = p.refused() {
            return Ok(Some(format!(
                "the clinical liaison ({}) refused proposal #{}: {}",
                refusal.stamp.by.person,
                p.stamp.entry_id.short(),
                refusal.note
            )));
        }
        let impact = self.impact(state, &p.system)?;
        if impact.needs_clinical_signoff && p.signed_off().is_none() {
            return Ok(Some(format!(
                "to {} {} needs the clinical liaison's sign-off first ({} handle medication administration or diagnostics)",
                p.action,
                p.system,
                impact.signoff_because.join(", ")
            )));
        }
        Ok(None)
    }

    /// Why [`Self::propose_isolation`] would refuse to propose `action` for `system` now (`None`:
    /// it would be proposed), in the words of its refusal.
    pub fn proposal_refusal(
        &self,
        state: &IncidentState,
        system: &str,
        action: IsolationAction,
    ) -> Option<String> {
        let isolated = state.breach.is_isolated(system);
        match action {
            IsolationAction::Isolate if isolated => return Some(format!("{system} is already isolated")),
            IsolationAction::Restore if !isolated => return Some(format!("{system} is not isolated")),
            _ => {}
        }
        state
            .breach
            .proposals
            .iter()
            .find(|p| {
                p.system == system && p.action == action && p.carried_out.is_none() && p.refused().is_none()
            })
            .map(|open| {
                format!("proposal #{} to {action} {system} is still open", open.stamp.entry_id.short())
            })
    }

    /// Why [`Self::sign_off`] would refuse `operator`'s sign-off (or refusal) of this proposal now
    /// (`None`: it would be recorded), in the words of its refusal.
    pub fn sign_off_refusal(
        &self,
        state: &IncidentState,
        operator: &str,
        p: &ProposalRecord,
    ) -> Option<String> {
        if let Some(why) = not_the_clinical_liaison(state, operator) {
            return Some(why);
        }
        if p.carried_out.is_some() {
            return Some(format!("proposal #{} was already carried out", p.stamp.entry_id.short()));
        }
        p.signoffs.first().map(|first| {
            format!(
                "proposal #{} was already {} by {}",
                p.stamp.entry_id.short(),
                if first.approved { "signed off" } else { "refused" },
                first.stamp.by.person
            )
        })
    }

    /// A HICS 251 rating of a system.
    pub fn rate_system(
        &mut self,
        incident: IncidentId,
        system: &str,
        status: FunctionalStatus,
        comment: Option<&str>,
    ) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let register = register_of(&state)?;
        if register.get(system).is_none() {
            return Err(
                ValidationError::new("system", system, "is not in the clinical systems register").into()
            );
        }
        let body = EntryBody::SystemStatusSet(SystemStatusSet {
            system: system.to_string(),
            status,
            comment: opt_text(comment),
        });
        self.append_one(incident, &state, body)
    }
}

fn not_the_clinical_liaison(state: &IncidentState, operator: &str) -> Option<String> {
    (!state.positions_of(operator).contains(&Position::ClinicalLiaison)).then(|| {
        format!(
            "you ({operator}) do not hold {}; only the clinical liaison signs off isolations",
            Position::ClinicalLiaison
        )
    })
}

fn register_of(state: &IncidentState) -> Result<Register> {
    state.breach.register.as_ref().map(|r| r.register()).ok_or_else(|| {
        StoreError::Refused(
            "no clinical systems register yet; import one (`muster systems import FILE.csv`)".into(),
        )
    })
}
