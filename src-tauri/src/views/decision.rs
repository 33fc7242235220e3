//! The decision log and approvals.

use muster_core::fold::Decision;
use muster_core::ViewerZone;
use serde::{Deserialize, Serialize};

#[cfg(test)]
use ts_rs::TS;

use super::*;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct ApprovalView {
    pub position: PositionView,
    pub stamp: StampView,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct DecisionView {
    pub id: String,
    pub short: String,
    pub question: String,
    pub options: Vec<String>,
    pub choice: String,
    pub rationale: String,
    pub authority: String,
    pub authority_position: Option<PositionView>,
    pub recorded: StampView,
    pub supersedes: Vec<String>,
    pub superseded_by: Vec<String>,
    pub approvals_required: Vec<PositionView>,
    pub approvals: Vec<ApprovalView>,
    pub awaiting: Vec<PositionView>,
}

impl DecisionView {
    pub fn of(d: &Decision, zone: &ViewerZone) -> Self {
        DecisionView {
            id: d.entry_id.to_string(),
            short: d.entry_id.short(),
            question: d.question.clone(),
            options: d.options.clone(),
            choice: d.choice.clone(),
            rationale: d.rationale.clone(),
            authority: d.authority.person.clone(),
            authority_position: d.authority.position.as_ref().map(PositionView::of),
            recorded: StampView::of(&d.recorded, zone),
            supersedes: d.supersedes.iter().map(|i| i.short()).collect(),
            superseded_by: d.superseded_by.iter().map(|i| i.short()).collect(),
            approvals_required: d.approvals_required.iter().map(PositionView::of).collect(),
            approvals: d
                .approvals
                .iter()
                .map(|a| ApprovalView {
                    position: PositionView::of(&a.position),
                    stamp: StampView::of(&a.stamp, zone),
                })
                .collect(),
            awaiting: d.awaiting().iter().map(PositionView::of).collect(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct ApproveInput {
    pub incident: String,
    pub decision: String,
    pub position: String,
}
