//! Muster sync: the client (`Transport`, `Client`) and the engine (`sync_once`; see
//! docs/design/sync-plan.md §6).

pub mod client;
pub mod engine;
#[cfg(feature = "http")]
pub mod events;
pub mod session;

#[cfg(feature = "http")]
pub use client::HttpTransport;
pub use client::{Client, Method, Request, Response, SyncError, Transport, WallClockFn};
pub use engine::{incidents_to_sync, sync_once, IncidentFailure, IncidentReport, SyncPlan, SyncReport};
#[cfg(feature = "http")]
pub use events::{EventStream, LiveEvent};
