//! The stable JSON shapes printed with `--json` (documented in docs/cli-json.md). Built from the
//! domain types here, so that a refactor of the domain cannot silently change the contract.

use chrono::{DateTime, SecondsFormat, Utc};
use muster_core::fold::{Assignment, Commander, Decision, Stamp};
use muster_core::{Author, Entry, IncidentState, TimelineItem, ViewerZone, WallClock};
use muster_store::IncidentSummary;
use serde::Serialize;
use serde_json::Value;

pub fn utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn local(t: DateTime<Utc>, zone: &ViewerZone) -> String {
    t.with_timezone(&zone.offset_at(t)).to_rfc3339_opts(SecondsFormat::Millis, false)
}

#[derive(Serialize)]
pub struct AuthorView {
    pub person: String,
    pub position: Option<String>,
}

impl From<&Author> for AuthorView {
    fn from(a: &Author) -> Self {
        AuthorView { person: a.person.clone(), position: a.position.as_ref().map(|p| p.slug()) }
    }
}

/// A time as the author's clock said it and in the viewer's zone.
#[derive(Serialize)]
pub struct TimeView {
    pub utc: String,
    pub local: String,
    pub author_zone: String,
}

impl TimeView {
    pub fn of(w: &WallClock, zone: &ViewerZone) -> Self {
        TimeView { utc: utc(w.instant()), local: local(w.instant(), zone), author_zone: w.zone.clone() }
    }
}

#[derive(Serialize)]
pub struct IncidentRef {
    pub id: String,
    #[serde(rename = "ref")]
    pub short: String,
    pub title: Option<String>,
    pub drill: bool,
    pub status: &'static str,
}

impl IncidentRef {
    pub fn of(s: &IncidentState) -> Self {
        IncidentRef {
            id: s.incident_id.to_string(),
            short: s.incident_id.short(),
            title: s.title.clone(),
            drill: s.drill,
            status: s.status.as_str(),
        }
    }
}

#[derive(Serialize)]
pub struct IncidentListItem {
    pub id: String,
    #[serde(rename = "ref")]
    pub short: String,
    pub title: Option<String>,
    pub drill: bool,
    pub status: &'static str,
    pub opened_at: Option<TimeView>,
    pub opened_by: Option<AuthorView>,
    pub entry_count: u64,
    pub commanders: Vec<String>,
    pub current: bool,
}

impl IncidentListItem {
    pub fn of(s: &IncidentSummary, zone: &ViewerZone, current: bool) -> Self {
        IncidentListItem {
            id: s.id.to_string(),
            short: s.id.short(),
            title: s.title.clone(),
            drill: s.drill,
            status: s.status.as_str(),
            opened_at: s.opened.as_ref().map(|o| TimeView::of(&o.at, zone)),
            opened_by: s.opened.as_ref().map(|o| AuthorView::from(&o.by)),
            entry_count: s.entry_count,
            commanders: s.commanders.clone(),
            current,
        }
    }
}

#[derive(Serialize)]
pub struct TimelineEntryView {
    pub id: String,
    #[serde(rename = "ref")]
    pub short: String,
    pub kind: String,
    pub recorded_at: TimeView,
    /// When it happened as stated (RFC 3339 with the author's offset); null: as recorded.
    pub occurred_at: Option<String>,
    /// Who recorded it (the person at the signing device).
    pub author: AuthorView,
    /// On whose behalf it was recorded; null: the recorder's own.
    pub on_behalf: Option<String>,
    /// Why this reserved act is not in force (its recorder lacked the authority); null: it is,
    /// or it is not a reserved act.
    pub not_in_force: Option<String>,
    pub device: String,
    pub seq: u64,
    pub summary: String,
    pub target: Option<String>,
    pub amended_by: Vec<String>,
    pub retracted_by: Vec<String>,
    /// What it said and when it said it happened as written, before any amendment.
    pub original_summary: String,
    pub original_occurred_at: Option<String>,
    /// Every amendment and retraction of it, oldest first: who, when, why, what changed.
    pub corrections: Vec<CorrectionView>,
    pub body: Value,
}

#[derive(Serialize)]
pub struct CorrectionView {
    pub id: String,
    #[serde(rename = "ref")]
    pub short: String,
    /// "amended" or "retracted".
    pub kind: muster_core::fold::CorrectionKind,
    pub at: TimeView,
    pub by: AuthorView,
    pub reason: String,
    /// The new text an amendment gave; null: the text stands.
    pub text: Option<String>,
    /// The new event time an amendment gave (RFC 3339 as stated); null: the time stands.
    pub occurred_at: Option<String>,
}

impl TimelineEntryView {
    pub fn of(t: &TimelineItem, zone: &ViewerZone) -> Self {
        TimelineEntryView {
            id: t.entry_id.to_string(),
            short: t.entry_id.short(),
            kind: t.kind.clone(),
            recorded_at: TimeView::of(&t.recorded, zone),
            occurred_at: t.occurred_at.map(|o| o.0.to_rfc3339()),
            author: (&t.author).into(),
            on_behalf: t.on_behalf.clone(),
            not_in_force: t.not_in_force.clone(),
            device: t.device_id.to_string(),
            seq: t.seq,
            summary: t.summary.clone(),
            target: t.target.map(|x| x.to_string()),
            amended_by: t.amended_by.iter().map(|x| x.to_string()).collect(),
            retracted_by: t.retracted_by.iter().map(|x| x.to_string()).collect(),
            original_summary: t.original_summary(),
            original_occurred_at: t.original_occurred_at().map(|o| o.0.to_rfc3339()),
            corrections: t
                .corrections
                .iter()
                .map(|c| CorrectionView {
                    id: c.stamp.entry_id.to_string(),
                    short: c.stamp.entry_id.short(),
                    kind: c.kind,
                    at: TimeView::of(&c.stamp.at, zone),
                    by: (&c.stamp.by).into(),
                    reason: c.reason.clone(),
                    text: c.text.clone(),
                    occurred_at: c.occurred_at.map(|o| o.0.to_rfc3339()),
                })
                .collect(),
            body: t.body.to_value(),
        }
    }
}

#[derive(Serialize)]
pub struct StampView {
    pub entry: String,
    pub at: TimeView,
    pub by: AuthorView,
}

impl StampView {
    pub fn of(s: &Stamp, zone: &ViewerZone) -> Self {
        StampView { entry: s.entry_id.to_string(), at: TimeView::of(&s.at, zone), by: (&s.by).into() }
    }
}

#[derive(Serialize)]
pub struct AssignmentView {
    pub entry: String,
    pub person: String,
    pub since: TimeView,
    pub assigned_by: AuthorView,
    pub until: Option<TimeView>,
    pub ended_by: Option<String>,
    pub relieved: Option<bool>,
    pub reason: Option<String>,
}

impl AssignmentView {
    pub fn of(a: &Assignment, zone: &ViewerZone) -> Self {
        AssignmentView {
            entry: a.entry_id.to_string(),
            person: a.person.clone(),
            since: TimeView::of(&a.assigned_at, zone),
            assigned_by: (&a.assigned_by).into(),
            until: a.ended.as_ref().map(|e| TimeView::of(&e.stamp.at, zone)),
            ended_by: a.ended.as_ref().map(|e| e.stamp.entry_id.to_string()),
            relieved: a.ended.as_ref().map(|e| e.relieved),
            reason: a.ended.as_ref().and_then(|e| e.reason.clone()),
        }
    }
}

#[derive(Serialize)]
pub struct CommanderView {
    /// "held", "vacant" or "conflict".
    pub state: &'static str,
    pub holders: Vec<AssignmentView>,
}

impl CommanderView {
    pub fn of(c: &Commander, zone: &ViewerZone) -> Self {
        match c {
            Commander::Vacant => CommanderView { state: "vacant", holders: vec![] },
            Commander::Held(a) => CommanderView { state: "held", holders: vec![AssignmentView::of(a, zone)] },
            Commander::Conflict(v) => CommanderView {
                state: "conflict",
                holders: v.iter().map(|a| AssignmentView::of(a, zone)).collect(),
            },
        }
    }
}

#[derive(Serialize)]
pub struct PositionView {
    pub position: String,
    pub title: String,
    pub conflict: bool,
    pub holders: Vec<AssignmentView>,
    pub history: Vec<AssignmentView>,
}

#[derive(Serialize)]
pub struct RosterView {
    pub incident: IncidentRef,
    pub zone: String,
    pub commander: CommanderView,
    pub positions: Vec<PositionView>,
}

impl RosterView {
    pub fn of(s: &IncidentState, zone: &ViewerZone) -> Self {
        RosterView {
            incident: IncidentRef::of(s),
            zone: zone.name(),
            commander: CommanderView::of(&s.commander(), zone),
            positions: s
                .roster()
                .iter()
                .map(|line| PositionView {
                    position: line.position.slug(),
                    title: line.position.title(),
                    conflict: line.holders.len() > 1,
                    holders: line.holders.iter().map(|a| AssignmentView::of(a, zone)).collect(),
                    history: line.history.iter().map(|a| AssignmentView::of(a, zone)).collect(),
                })
                .collect(),
        }
    }
}

#[derive(Serialize)]
pub struct DecisionView {
    pub id: String,
    #[serde(rename = "ref")]
    pub short: String,
    pub question: String,
    pub options: Vec<String>,
    pub choice: String,
    pub rationale: String,
    pub authority: AuthorView,
    pub recorded: StampView,
    pub supersedes: Vec<String>,
    pub superseded_by: Vec<String>,
    pub in_force: bool,
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
            authority: (&d.authority).into(),
            recorded: StampView::of(&d.recorded, zone),
            supersedes: d.supersedes.iter().map(|x| x.to_string()).collect(),
            superseded_by: d.superseded_by.iter().map(|x| x.to_string()).collect(),
            in_force: d.superseded_by.is_empty(),
        }
    }
}

/// What a write command prints with --json.
#[derive(Serialize)]
pub struct WrittenView {
    pub id: String,
    #[serde(rename = "ref")]
    pub short: String,
    pub incident: String,
    pub kind: String,
    pub device: String,
    pub seq: u64,
    pub hash: String,
    pub summary: String,
}

impl WrittenView {
    pub fn of(e: &Entry) -> Self {
        WrittenView {
            id: e.id().to_string(),
            short: e.id().short(),
            incident: e.incident_id().to_string(),
            kind: e.kind().to_string(),
            device: e.device_id().to_string(),
            seq: e.seq(),
            hash: e.hash().to_string(),
            summary: e.body.describe(),
        }
    }
}

/// One position's status-update clock (`muster prompts --json`).
#[derive(Serialize)]
pub struct PromptView {
    pub position: String,
    pub holders: Vec<String>,
    pub interval_minutes: u32,
    /// position | incident | severity | default
    pub cadence_from: &'static str,
    /// RFC 3339 UTC.
    pub due: String,
    pub escalates: String,
    /// waiting | snoozed | due | overdue
    pub state: &'static str,
    pub last_report: Option<String>,
    pub snoozed: Option<Value>,
}

impl PromptView {
    pub fn of(c: &muster_core::prompts::PromptClock, now_ms: i64) -> Self {
        use muster_core::prompts::{CadenceSource, PromptState};
        let at = |ms: i64| DateTime::<Utc>::from_timestamp_millis(ms).map(utc).unwrap_or_default();
        PromptView {
            position: c.position.slug(),
            holders: c.holders.clone(),
            interval_minutes: c.interval_minutes,
            cadence_from: match c.source {
                CadenceSource::Position => "position",
                CadenceSource::Incident => "incident",
                CadenceSource::Severity { .. } => "severity",
                CadenceSource::Default { .. } => "default",
            },
            due: at(c.due_ms),
            escalates: at(c.escalate_ms),
            state: match c.state(now_ms) {
                PromptState::Waiting => "waiting",
                PromptState::Snoozed => "snoozed",
                PromptState::Due => "due",
                PromptState::Overdue => "overdue",
            },
            last_report: c.last_report.as_ref().map(|r| r.stamp.entry_id.to_string()),
            snoozed: c.snooze.as_ref().map(
                |s| serde_json::json!({ "minutes": s.minutes, "reason": s.reason, "by": s.stamp.by.person }),
            ),
        }
    }
}
