//! Timeline pages: rows, the query and its facets, one entry's detail, and the note, amend and
//! retract inputs.

use serde::{Deserialize, Serialize};

#[cfg(test)]
use ts_rs::TS;

use super::*;

/// One line of the timeline screen.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct TimelineRow {
    pub id: String,
    pub short: String,
    pub kind: String,
    /// When it was recorded (the author's clock), in the viewer's zone.
    pub recorded_ms: f64,
    pub recorded_text: String,
    /// The author's own zone, when it differs from the viewer's.
    pub recorded_zone: Option<String>,
    /// When it happened, if the author said so (after amendments).
    pub occurred_ms: Option<f64>,
    pub occurred_text: Option<String>,
    /// Who recorded it (the person at the signing device).
    pub author: String,
    pub author_position: Option<PositionView>,
    /// On whose behalf it was recorded, when not the recorder's own.
    pub on_behalf: Option<String>,
    /// Why this reserved act is not in force (its recorder lacked the authority).
    pub not_in_force: Option<String>,
    pub summary: String,
    /// For amendments and retractions: the entry they correct.
    pub target: Option<String>,
    pub target_short: Option<String>,
    pub amended_by: Vec<String>,
    pub retracted_by: Vec<String>,
    /// What it said as written, when an amendment changed the text (shown next to the new
    /// words, marked corrected).
    pub original_summary: Option<String>,
    /// When it said it happened as written ("as recorded" if it gave no time), when an
    /// amendment changed the time.
    pub original_occurred_text: Option<String>,
    /// Every amendment and retraction of it, oldest first, with who, when and why.
    pub corrections: Vec<CorrectionView>,
    /// Whether it may be amended (notes) or retracted (some kinds, once).
    pub can_amend: bool,
    pub can_retract: bool,
    pub device: String,
    pub seq: f64,
    /// Set when the sync server flagged the entry: its author's clock was off from the
    /// server's by this much (ms; positive: fast) when it was pushed. The entry is as written.
    pub clock_skew_ms: Option<f64>,
}

ipc_state! {
    /// How a timeline entry was corrected.
    CorrectionState { Amended, Retracted }
}

/// One correction as its target shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct CorrectionView {
    pub kind: CorrectionState,
    /// The amending or retracting entry.
    pub entry_id: String,
    pub short: String,
    pub by: String,
    pub by_position: Option<PositionView>,
    pub at_ms: f64,
    pub at_text: String,
    pub reason: String,
    /// The new text (amendments of notes; null: the text stands).
    pub text: Option<String>,
    /// The new event time, in the viewer's zone (null: the time stands).
    pub occurred_text: Option<String>,
}

/// What the timeline is ordered by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "snake_case")]
pub enum TimelineOrder {
    /// When each entry was recorded (the log's order).
    #[default]
    Recorded,
    /// When each entry says it happened; an entry that gives no time counts as recorded.
    Occurred,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct TimelineQuery {
    pub incident: String,
    pub newest_first: bool,
    /// Recorded time unless given.
    #[serde(default)]
    pub order: TimelineOrder,
    /// Entry kinds to keep (empty: all).
    pub kinds: Vec<String>,
    /// Position slugs of authors to keep (empty: all); "none" keeps authors without one.
    pub positions: Vec<String>,
    /// Author names to keep (empty: all).
    pub authors: Vec<String>,
    /// Words that must all appear (case-insensitive) in the text, author or id.
    pub text: String,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct Facet {
    pub value: String,
    pub label: String,
    pub count: u32,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct TimelinePage {
    pub total: u32,
    pub matched: u32,
    pub offset: u32,
    pub rows: Vec<TimelineRow>,
    pub kinds: Vec<Facet>,
    pub positions: Vec<Facet>,
    pub authors: Vec<Facet>,
    /// How long the backend took to filter, in milliseconds (shown in benchmarks).
    pub query_ms: f64,
    /// True while the incident's timeline is being indexed: this page came straight from the
    /// store and the facets are empty; `timeline-indexed` follows.
    pub indexing: bool,
}

/// Everything about one timeline entry: the row detail pane.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct EntryDetail {
    pub row: TimelineRow,
    /// The device key that signed it (its public key, hex), and whether it is this laptop's.
    pub device_id: String,
    pub this_device: bool,
    /// For a decision: the decision as the log holds it now (approvals, awaiting, superseded).
    pub decision: Option<DecisionView>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct EntryRef {
    pub incident: String,
    pub entry: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct NoteInput {
    pub incident: String,
    pub text: String,
    /// When it happened, as typed (02:14, 2026-11-22 02:14, RFC 3339); empty: now.
    pub occurred_at: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct AmendInput {
    pub incident: String,
    pub target: String,
    pub reason: String,
    pub text: Option<String>,
    pub occurred_at: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct RetractInput {
    pub incident: String,
    pub target: String,
    pub reason: String,
}
