//! The client side of the live channel `GET /v1/events` (server-sent events): a blocking
//! iterator of typed events. A consumer treats every event as "sync this incident soon"; the
//! events carry no entries, so a missed one costs only latency (the periodic sync repairs it).

use std::io::{BufRead, BufReader, Read};

use muster_core::IncidentId;
use serde::Deserialize;

use crate::client::{Result, SyncError};

/// One event of the live channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveEvent {
    /// The subscription is open: what follows is live.
    Ready,
    /// The server stored entries of `incident`, up to `rank`.
    Entries { incident: IncidentId, rank: u64 },
    /// The server quarantined an entry of `incident` (alert `id`).
    Alert { incident: IncidentId, id: u64 },
    /// The caller was added to or removed from `incident`.
    Membership { incident: IncidentId },
    /// The server dropped notices for this subscriber: sync everything.
    Resync,
}

#[derive(Deserialize)]
struct IncidentRank {
    incident: IncidentId,
    #[serde(default)]
    rank: u64,
    #[serde(default)]
    id: u64,
}

/// Parses one dispatched event; unknown event names are skipped (`None`), as SSE asks.
pub fn parse_event(name: &str, data: &str) -> Result<Option<LiveEvent>> {
    let fields = || {
        serde_json::from_str::<IncidentRank>(data).map_err(|e| SyncError::Protocol {
            status: 200,
            message: format!("live event {name:?} has bad data: {e}"),
        })
    };
    Ok(Some(match name {
        "ready" => LiveEvent::Ready,
        "resync" => LiveEvent::Resync,
        "entries" => {
            let f = fields()?;
            LiveEvent::Entries { incident: f.incident, rank: f.rank }
        }
        "alert" => {
            let f = fields()?;
            LiveEvent::Alert { incident: f.incident, id: f.id }
        }
        "membership" => LiveEvent::Membership { incident: fields()?.incident },
        _ => return Ok(None),
    }))
}

/// The open channel; see `HttpTransport::events`.
pub struct EventStream {
    reader: BufReader<Box<dyn Read + Send>>,
}

impl std::fmt::Debug for EventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EventStream")
    }
}

impl EventStream {
    pub fn new(body: Box<dyn Read + Send>) -> EventStream {
        EventStream { reader: BufReader::new(body) }
    }
}

impl Iterator for EventStream {
    type Item = Result<LiveEvent>;

    /// The next event; `None` when the server closed the stream.
    fn next(&mut self) -> Option<Self::Item> {
        let mut name = String::new();
        let mut data = String::new();
        let mut line = String::new();
        loop {
            line.clear();
            match self.reader.read_line(&mut line) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => return Some(Err(SyncError::Transport(format!("the live channel broke: {e}")))),
            }
            let l = line.trim_end_matches(['\r', '\n']);
            if l.is_empty() {
                if name.is_empty() && data.is_empty() {
                    continue;
                }
                let event = std::mem::take(&mut name);
                match parse_event(if event.is_empty() { "message" } else { &event }, &data) {
                    Ok(Some(e)) => return Some(Ok(e)),
                    Ok(None) => {
                        data.clear();
                        continue;
                    }
                    Err(e) => return Some(Err(e)),
                }
            }
            if l.starts_with(':') {
                continue; // keep-alive comment
            }
            let (field, value) =
                l.split_once(':').map_or((l, ""), |(f, v)| (f, v.strip_prefix(' ').unwrap_or(v)));
            match field {
                "event" => name = value.to_string(),
                "data" => {
                    if !data.is_empty() {
                        data.push('\n');
                    }
                    data.push_str(value);
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_events_comments_and_multi_line_data() {
        let id = "019a0000-0000-7000-8000-000000000001";
        let text = format!(
            ": keep-alive\n\nevent: ready\ndata: {{}}\n\nevent: entries\ndata: {{\"incident\":\"{id}\",\n\
             data: \"rank\":42}}\n\nevent: future-kind\ndata: x\n\nevent: resync\ndata: {{}}\n\n"
        );
        let events: Vec<LiveEvent> =
            EventStream::new(Box::new(std::io::Cursor::new(text.into_bytes()))).map(|e| e.unwrap()).collect();
        let incident: IncidentId = id.parse().unwrap();
        assert_eq!(
            events,
            vec![LiveEvent::Ready, LiveEvent::Entries { incident, rank: 42 }, LiveEvent::Resync]
        );
    }

    #[test]
    fn bad_data_names_the_event() {
        let err = parse_event("entries", "{\"rank\":1}").unwrap_err();
        assert!(err.to_string().contains("\"entries\""), "{err}");
    }
}
