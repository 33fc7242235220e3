//! Muster's domain: the signed incident-log entry, its kinds, and the deterministic fold of
//! entries into incident state. Pure: no I/O; time and randomness are passed in.

pub mod body;
pub mod breach;
pub mod canonical;
pub mod entry;
pub mod error;
pub mod fold;
pub mod hlc;
pub mod ids;
pub mod ingest;
pub mod position;
pub mod prompts;
pub mod severity;
pub mod stream;
pub mod systems;
pub mod time;

pub use body::{Body, EntryBody};
pub use entry::{Author, Entry, Envelope, UnsignedEntry};
pub use error::{ErrorCode, ValidationError};
pub use fold::{fold, Commander, IncidentState, IncidentStatus, TimelineItem};
pub use hlc::Hlc;
pub use ids::{DeviceId, EntryId, Hash32, IncidentId};
pub use ingest::{Head, IngestReason};
pub use position::Position;
pub use severity::Severity;
pub use stream::StreamWriter;
pub use time::{ViewerZone, WallClock};

/// Re-exported so that callers sign with the same key type the core verifies.
pub use ed25519_dalek::SigningKey;
