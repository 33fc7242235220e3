//! What crosses the IPC boundary: plain shapes for the UI, built from the library's state.
//! TypeScript declarations are generated from these (see `bindings`); instants are milliseconds
//! since the Unix epoch as `f64` (exact up to 2^53, a JavaScript number), with the text already
//! formatted in the viewer's zone where a screen shows it.
//!
//! By domain: [`incident`] (list, board), [`alerts`] (the alert area), [`timeline`], [`roster`],
//! [`status`] (prompts), [`decision`], [`breach`] (and its [`clocks`]), [`systems`], [`sync`], and
//! [`events`] (what the app pushes).

mod alerts;
mod breach;
mod clocks;
mod decision;
mod events;
mod incident;
mod roster;
mod status;
mod sync;
mod systems;
mod timeline;

pub use alerts::*;
pub use breach::*;
pub use clocks::*;
pub use decision::*;
pub use events::*;
pub use incident::*;
pub use roster::*;
pub use status::*;
pub use sync::*;
pub use systems::*;
pub use timeline::*;

use chrono::{DateTime, Utc};
use muster_core::fold::Stamp;
use muster_core::{Entry, Position, Severity, ViewerZone};
use serde::Serialize;

#[cfg(test)]
use ts_rs::TS;

/// A closed set of states the UI receives: serialised as snake_case strings, generated into
/// TypeScript as a union of those strings, so a screen cannot compare against a misspelt one.
macro_rules! ipc_state {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
        #[cfg_attr(test, derive(TS))]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }
    };
}
pub(crate) use ipc_state;

pub fn ms(utc_ms: i64) -> f64 {
    utc_ms as f64
}

pub fn format_ms(zone: &ViewerZone, utc_ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(utc_ms).map(|t| zone.format(t)).unwrap_or_default()
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct PositionView {
    pub slug: String,
    pub title: String,
}

impl PositionView {
    pub fn of(p: &Position) -> Self {
        PositionView { slug: p.slug(), title: p.title() }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct SeverityInfo {
    pub slug: String,
    pub label: String,
    pub default_minutes: u32,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    /// Who is acting: the name given at this installation (else the OS user's, until one is).
    pub operator: String,
    /// Someone gave their name at this installation: until then the console asks for it first
    /// and writes nothing.
    pub operator_named: bool,
    /// Short id of this installation's device key, once one exists.
    pub device: Option<String>,
    /// The viewer's IANA zone (or UTC): every time on screen is in it.
    pub zone: String,
    /// The zone's abbreviation now (CST, CEST, UTC).
    pub zone_abbreviation: String,
    pub now_ms: f64,
    pub positions: Vec<PositionView>,
    pub severities: Vec<SeverityInfo>,
    pub current_incident: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct StampView {
    pub entry_id: String,
    pub short: String,
    pub at_ms: f64,
    pub at_text: String,
    pub by: String,
    pub by_position: Option<PositionView>,
}

impl StampView {
    pub fn of(s: &Stamp, zone: &ViewerZone) -> Self {
        StampView {
            entry_id: s.entry_id.to_string(),
            short: s.entry_id.short(),
            at_ms: ms(s.at.utc_ms),
            at_text: format_ms(zone, s.at.utc_ms),
            by: s.by.person.clone(),
            by_position: s.by.position.as_ref().map(PositionView::of),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct Written {
    pub entry_id: String,
    pub short: String,
    pub kind: String,
    pub summary: String,
}

impl Written {
    pub fn of(e: &Entry) -> Self {
        Written {
            entry_id: e.id().to_string(),
            short: e.id().short(),
            kind: e.kind().to_string(),
            summary: e.body.describe(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct Opened {
    pub incident: String,
    pub short: String,
}

pub fn severity_info(s: Severity) -> SeverityInfo {
    SeverityInfo {
        slug: s.slug().into(),
        label: s.label().into(),
        default_minutes: s.default_cadence_minutes(),
    }
}
