//! The clinical systems register (HICS 251) and isolations: the board, proposals, sign-offs,
//! impact, and the import, export, propose, sign-off and rate inputs.

use muster_core::breach::state::{BoardLine, ProposalRecord};
use muster_core::breach::{FunctionalStatus, IsolationAction};
use muster_core::systems::Impact;
use muster_core::ViewerZone;
use serde::{Deserialize, Serialize};

#[cfg(test)]
use ts_rs::TS;

use super::*;

/// An action a screen offers and whether the backend would take it now. A blocked action is
/// shown disabled with `blocked_because` next to it: the words its refusal would use, so nobody
/// clicks to find out.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct ActionView {
    pub allowed: bool,
    pub blocked_because: Option<String>,
}

impl ActionView {
    pub fn of(refusal: Option<String>) -> Self {
        ActionView { allowed: refusal.is_none(), blocked_because: refusal }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct BoardLineView {
    pub system: String,
    pub name: String,
    pub criticality: String,
    pub criticality_label: String,
    pub department: String,
    pub downtime_procedure: String,
    pub status: String,
    pub status_label: String,
    pub isolated: bool,
    /// Rated by someone since its latest isolation or restoration; otherwise the status is
    /// derived from isolations.
    pub rated: bool,
    pub rated_by: Option<StampView>,
    /// Where the status comes from, in words: who rated it, or how it was derived.
    pub status_because: String,
    pub comment: Option<String>,
    pub down_because: Vec<String>,
    pub unsigned: bool,
    pub needs_signoff: bool,
    /// What can be proposed for it next: `isolate`, or `restore` while it is isolated.
    pub next_action: String,
    pub propose: ActionView,
}

/// Most urgent first: non-functional, partially, fully functional.
fn status_rank(s: FunctionalStatus) -> u8 {
    match s {
        FunctionalStatus::Non => 0,
        FunctionalStatus::Partially => 1,
        FunctionalStatus::Fully => 2,
    }
}

fn status_because(b: &BoardLine, rated_by: Option<&StampView>) -> String {
    let needs = |list: &[String]| match list {
        [one] => format!("{one}, which is isolated"),
        many => format!("{}, which are isolated", many.join(", ")),
    };
    match (rated_by, b.isolated) {
        (Some(r), _) => format!("Rated by {}, {}.", r.by, r.at_text),
        (None, true) => {
            "Derived, not rated since it was isolated: an isolated system counts as non-functional \
                         until someone rates it."
                .into()
        }
        (None, false) if !b.down_because.is_empty() => format!(
            "Derived, not rated: it needs {}, so it counts as partially functional until someone rates it.",
            needs(&b.down_because)
        ),
        (None, false) => "Not rated: counts as fully functional while nothing it needs is isolated.".into(),
    }
}

impl BoardLineView {
    fn of(b: &BoardLine, rated_by: Option<StampView>, propose: Option<String>) -> Self {
        BoardLineView {
            system: b.system.id.clone(),
            name: b.system.name.clone(),
            criticality: b.system.criticality.slug().into(),
            criticality_label: b.system.criticality.label().into(),
            department: b.system.department.clone(),
            downtime_procedure: b.system.downtime_procedure.clone(),
            status: b.status.slug().into(),
            status_label: b.status.label().into(),
            isolated: b.isolated,
            rated: b.rated,
            status_because: status_because(b, rated_by.as_ref().filter(|_| b.rated)),
            rated_by: rated_by.filter(|_| b.rated),
            comment: b.comment.clone(),
            down_because: b.down_because.clone(),
            unsigned: b.unsigned,
            needs_signoff: b.system.needs_clinical_signoff(),
            next_action: if b.isolated { IsolationAction::Restore } else { IsolationAction::Isolate }
                .slug()
                .into(),
            propose: ActionView::of(propose),
        }
    }
}

/// An isolated system as the wallboard lists it: most critical first.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct IsolatedSystemView {
    pub system: String,
    /// The register's name for it (its id when the register does not list it).
    pub name: String,
    pub criticality: String,
    /// The isolation that was carried out.
    pub since: Option<StampView>,
}

impl IsolatedSystemView {
    pub fn list(state: &muster_core::IncidentState, zone: &ViewerZone) -> Vec<Self> {
        let b = &state.breach;
        let register = b.register.as_ref().map(|r| r.register());
        let record = |id: &str| register.as_ref().and_then(|r| r.get(id).cloned());
        let mut out: Vec<(u8, IsolatedSystemView)> = b
            .systems
            .iter()
            .filter(|l| l.isolated)
            .map(|l| {
                let rec = record(&l.system);
                let rank = rec.as_ref().map_or(u8::MAX, |r| r.criticality.rank());
                let view = IsolatedSystemView {
                    system: l.system.clone(),
                    name: rec.as_ref().map_or_else(|| l.system.clone(), |r| r.name.clone()),
                    criticality: rec.as_ref().map_or("", |r| r.criticality.slug()).into(),
                    since: l.changed.as_ref().map(|s| StampView::of(s, zone)),
                };
                (rank, view)
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.system.cmp(&b.1.system)));
        out.into_iter().map(|(_, v)| v).collect()
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct SignoffView {
    pub approved: bool,
    pub note: String,
    pub recorded: StampView,
}

/// What the backend says of a proposal's next steps (see `ProposalView::of`).
#[derive(Debug)]
pub struct ProposalChecks {
    pub needs_signoff: bool,
    pub sign_off_refusal: Option<String>,
    pub carry_out_refusal: Option<String>,
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
    /// Offered while it is open, needs the clinical liaison's sign-off and has none; blocked
    /// for whoever is not the clinical liaison.
    pub sign_off: Option<ActionView>,
    /// Offered while it is open; blocked until the sign-off it needs is given.
    pub carry_out: Option<ActionView>,
}

impl ProposalView {
    fn of(p: &ProposalRecord, checks: ProposalChecks, zone: &ViewerZone) -> Self {
        let open = p.carried_out.is_none() && p.refused().is_none();
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
            needs_signoff: checks.needs_signoff,
            open,
            sign_off: (open && checks.needs_signoff && p.signoffs.is_empty())
                .then(|| ActionView::of(checks.sign_off_refusal)),
            carry_out: open.then(|| ActionView::of(checks.carry_out_refusal)),
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
    /// Most urgent first: by status (non-functional first), then clinical criticality, then id.
    pub board: Vec<BoardLineView>,
    /// Open ones first, then newest first.
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
        checks: impl Fn(&ProposalRecord) -> ProposalChecks,
        proposal_refusal: impl Fn(&str, IsolationAction) -> Option<String>,
        zone: &ViewerZone,
    ) -> Self {
        let b = &state.breach;
        let mut board: Vec<(&BoardLine, BoardLineView)> = Vec::new();
        let lines = b.board();
        for line in &lines {
            let rated_by =
                b.system_line(&line.system.id).and_then(|l| l.rated.as_ref()).map(|s| StampView::of(s, zone));
            let action = if line.isolated { IsolationAction::Restore } else { IsolationAction::Isolate };
            board.push((line, BoardLineView::of(line, rated_by, proposal_refusal(&line.system.id, action))));
        }
        board.sort_by_key(|(l, _)| (status_rank(l.status), l.system.criticality.rank(), l.system.id.clone()));
        let mut proposals: Vec<ProposalView> =
            b.proposals.iter().rev().map(|p| ProposalView::of(p, checks(p), zone)).collect();
        proposals.sort_by_key(|p| !p.open);
        SystemsView {
            incident,
            has_register: b.register.is_some(),
            register_recorded: b.register.as_ref().map(|r| StampView::of(&r.stamp, zone)),
            board: board.into_iter().map(|(_, v)| v).collect(),
            proposals,
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

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct RegisterInput {
    pub incident: String,
    pub file_name: String,
    pub csv: String,
}

/// What to save to a file: `systems-csv` (the clinical systems register, the CSV `muster
/// systems import` reads) or `deadlines-ics` (the regulatory deadlines as iCalendar).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct ExportInput {
    pub incident: String,
    pub kind: String,
}

/// A file written by `export_file`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct Saved {
    /// Where it was written (the Downloads folder, else the installation's `exports` folder).
    pub path: String,
    pub bytes: u32,
    /// What it holds, for people: "12 systems", "7 deadlines".
    pub summary: String,
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
