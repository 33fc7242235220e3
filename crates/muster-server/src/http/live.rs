//! The live channel `GET /v1/events` (server-sent events): handlers publish a `Notice` after a
//! change; each subscriber is told only about its own incidents and memberships.

use std::collections::HashSet;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use muster_core::IncidentId;
use serde_json::json;
use tokio::sync::broadcast;

use super::{now_ms, ApiError, Authed, Shared};
use crate::storage::{Caller, Storage};

/// What happened, for the live channel. Subscribers see only their incidents' notices.
#[derive(Debug, Clone)]
pub(super) enum Notice {
    /// New entries are stored, up to `rank`, pushed by the session of device `by`.
    Entries { incident: IncidentId, rank: u64, by: muster_core::DeviceId },
    /// An entry was quarantined: alert `id`.
    Alert { incident: IncidentId, id: u64 },
    /// `user`'s membership of `incident` changed.
    Membership { incident: IncidentId, user: String },
}

/// Notices buffered per subscriber before it is told to `resync`.
pub(super) const NOTICE_BUFFER: usize = 1024;
/// The SSE keep-alive comment interval.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// One subscriber of the live channel: the caller and the incidents they may see.
struct Subscriber<S> {
    app: Shared<S>,
    caller: Caller,
    incidents: HashSet<IncidentId>,
    notices: broadcast::Receiver<Notice>,
    greeted: bool,
}

impl<S: Storage> Subscriber<S> {
    async fn refresh(&mut self) {
        // On a storage failure keep the old set: a missed notice is repaired by the next sync.
        if let Ok(me) = self.app.storage.me(&self.caller, now_ms()).await {
            self.incidents = me.incidents.into_iter().map(|i| i.id).collect();
        }
    }

    /// The next event for this subscriber, or `None` when the server shuts down.
    async fn next(&mut self) -> Option<Event> {
        if !self.greeted {
            self.greeted = true;
            return Some(Event::default().event("ready").data("{}"));
        }
        loop {
            let notice = match self.notices.recv().await {
                Ok(n) => n,
                // Too slow a reader: it missed notices and must sync everything it holds.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    return Some(Event::default().event("resync").data("{}"));
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            let event = match notice {
                // The pushing session holds what it pushed: telling it would only cost it an
                // empty sync round. The same user's other laptops (other devices) are told.
                Notice::Entries { incident, rank, by }
                    if self.incidents.contains(&incident) && by != self.caller.device =>
                {
                    Event::default()
                        .event("entries")
                        .data(json!({"incident": incident, "rank": rank}).to_string())
                }
                Notice::Alert { incident, id } if self.incidents.contains(&incident) => {
                    Event::default().event("alert").data(json!({"incident": incident, "id": id}).to_string())
                }
                Notice::Membership { incident, user } if user == self.caller.user => {
                    self.refresh().await;
                    Event::default().event("membership").data(json!({"incident": incident}).to_string())
                }
                _ => continue,
            };
            return Some(event);
        }
    }
}

/// `GET /v1/events`: the live channel (server-sent events) of the caller's incidents:
/// `ready {}` first, then `entries {incident, rank}`, `alert {incident, id}`,
/// `membership {incident}` (the caller was added or removed), `resync {}` (notices were
/// missed: sync everything); a keep-alive comment every 15 s. A non-member is never told
/// anything about an incident.
pub(super) async fn events<S: Storage>(
    State(app): State<Shared<S>>,
    Authed(caller): Authed,
) -> Result<Response, ApiError> {
    let notices = app.notices.subscribe();
    let me = app.storage.me(&caller, now_ms()).await?;
    let subscriber = Subscriber {
        incidents: me.incidents.into_iter().map(|i| i.id).collect(),
        app,
        caller,
        notices,
        greeted: false,
    };
    let stream = futures_util::stream::unfold(subscriber, |mut sub| async move {
        let event = sub.next().await?;
        Some((Ok::<Event, Infallible>(event), sub))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)).into_response())
}
