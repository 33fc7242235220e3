//! IPC shapes of the Systems screen (HICS 251): the board, isolation proposals with their
//! clinical sign-offs, what an isolation would take down, and the forms that change them.

use muster_core::breach::state::{BoardLine, ProposalRecord};
use muster_core::systems::Impact;
use muster_core::ViewerZone;
use serde::{Deserialize, Serialize};

#[cfg(test)]
use ts_rs::TS;

use crate::breach_dto::BreachVocabulary;
use crate::dto::StampView;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct BoardLineView {
    pub system: String,
    pub name: String,
    pub criticality: String,
    pub department: String,
    pub downtime_procedure: String,
    pub status: String,
    pub status_label: String,
    pub isolated: bool,
    pub rated: bool,
    pub comment: Option<String>,
    pub down_because: Vec<String>,
    pub unsigned: bool,
    pub needs_signoff: bool,
}

impl BoardLineView {
    fn of(b: &BoardLine) -> Self {
        BoardLineView {
            system: b.system.id.clone(),
            name: b.system.name.clone(),
            criticality: b.system.criticality.slug().into(),
            department: b.system.department.clone(),
            downtime_procedure: b.system.downtime_procedure.clone(),
            status: b.status.slug().into(),
            status_label: b.status.label().into(),
            isolated: b.isolated,
            rated: b.rated,
            comment: b.comment.clone(),
            down_because: b.down_because.clone(),
            unsigned: b.unsigned,
            needs_signoff: b.system.needs_clinical_signoff(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct SignoffView {
    pub approved: bool,
    pub note: String,
    pub recorded: StampView,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct ProposalView {
    pub entry_id: String,
    pub short: String,
    pub system: String,
    pub action: String,
    pub reason: String,
    pub recorded: StampView,
    pub signoff: Option<SignoffView>,
    pub carried_out: Option<StampView>,
    pub needs_signoff: bool,
    /// Open: neither carried out nor refused.
    pub open: bool,
}

impl ProposalView {
    fn of(p: &ProposalRecord, needs_signoff: bool, zone: &ViewerZone) -> Self {
        ProposalView {
            entry_id: p.stamp.entry_id.to_string(),
            short: p.stamp.entry_id.short(),
            system: p.system.clone(),
            action: p.action.slug().into(),
            reason: p.reason.clone(),
            recorded: StampView::of(&p.stamp, zone),
            signoff: p.signoffs.first().map(|s| SignoffView {
                approved: s.approved,
                note: s.note.clone(),
                recorded: StampView::of(&s.stamp, zone),
            }),
            carried_out: p.carried_out.as_ref().map(|s| StampView::of(s, zone)),
            needs_signoff,
            open: p.carried_out.is_none() && p.refused().is_none(),
        }
    }
}

/// Everything the Systems screen (HICS 251) shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct SystemsView {
    pub incident: String,
    pub has_register: bool,
    pub register_recorded: Option<StampView>,
    pub board: Vec<BoardLineView>,
    pub proposals: Vec<ProposalView>,
    /// The operator holds the clinical liaison position (may sign off).
    pub operator_is_clinical_liaison: bool,
    pub vocabulary: BreachVocabulary,
}

impl SystemsView {
    pub fn of(
        incident: String,
        state: &muster_core::IncidentState,
        operator: &str,
        needs_signoff: impl Fn(&str) -> bool,
        zone: &ViewerZone,
    ) -> Self {
        let b = &state.breach;
        SystemsView {
            incident,
            has_register: b.register.is_some(),
            register_recorded: b.register.as_ref().map(|r| StampView::of(&r.stamp, zone)),
            board: b.board().iter().map(BoardLineView::of).collect(),
            proposals: b
                .proposals
                .iter()
                .rev()
                .map(|p| ProposalView::of(p, needs_signoff(&p.system), zone))
                .collect(),
            operator_is_clinical_liaison: state
                .positions_of(operator)
                .contains(&muster_core::Position::ClinicalLiaison),
            vocabulary: BreachVocabulary::get(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct AffectedSystemView {
    pub id: String,
    pub name: String,
    pub criticality: String,
    pub department: String,
    pub downtime_procedure: String,
    pub via: Vec<String>,
    pub direct: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct AffectedServiceView {
    pub service: String,
    pub systems: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct ImpactView {
    pub system: String,
    pub name: String,
    pub affected: Vec<AffectedSystemView>,
    pub services: Vec<AffectedServiceView>,
    pub needs_clinical_signoff: bool,
    pub signoff_because: Vec<String>,
}

impl ImpactView {
    pub fn of(i: &Impact) -> Self {
        ImpactView {
            system: i.system.id.clone(),
            name: i.system.name.clone(),
            affected: i
                .affected
                .iter()
                .map(|a| AffectedSystemView {
                    id: a.id.clone(),
                    name: a.name.clone(),
                    criticality: a.criticality.slug().into(),
                    department: a.department.clone(),
                    downtime_procedure: a.downtime_procedure.clone(),
                    via: a.via.clone(),
                    direct: a.direct,
                })
                .collect(),
            services: i
                .services
                .iter()
                .map(|s| AffectedServiceView { service: s.service.clone(), systems: s.systems.clone() })
                .collect(),
            needs_clinical_signoff: i.needs_clinical_signoff,
            signoff_because: i.signoff_because.clone(),
        }
    }
}

// ------------------------------------------------------------------ inputs

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct RegisterInput {
    pub incident: String,
    pub file_name: String,
    pub csv: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct SystemRef {
    pub incident: String,
    pub system: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct ProposeInput {
    pub incident: String,
    pub system: String,
    /// isolate or restore
    pub action: String,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct SignoffInput {
    pub incident: String,
    pub proposal: String,
    pub approved: bool,
    pub note: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct ProposalRef {
    pub incident: String,
    pub proposal: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct RateInput {
    pub incident: String,
    pub system: String,
    pub status: String,
    pub comment: Option<String>,
}
