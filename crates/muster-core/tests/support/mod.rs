//! Builders shared by the core's integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use muster_core::body::*;
use muster_core::*;

pub fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

pub fn incident() -> IncidentId {
    IncidentId::from_parts(1_790_000_000_000, [7; 10])
}

/// One device's stream of entries, chained and signed, written by one person.
#[derive(Debug)]
pub struct Stream {
    writer: StreamWriter,
    seed: u8,
    person: String,
    counter: u8,
}

impl Stream {
    pub fn new(seed: u8, person: &str) -> Self {
        Stream { writer: StreamWriter::new(key(seed), incident()), seed, person: person.into(), counter: 0 }
    }

    /// The next entry, recorded at `hlc.wall_ms` (the writer keeps the HLC increasing).
    pub fn write(&mut self, hlc: Hlc, body: EntryBody) -> Entry {
        self.counter = self.counter.wrapping_add(1);
        let mut random = [self.counter; 10];
        random[0] = self.seed;
        let recorded = WallClock { utc_ms: hlc.wall_ms as i64, offset_s: 0, zone: "UTC".into() };
        self.writer
            .write(recorded, Author { person: self.person.clone(), position: None }, body, random)
            .unwrap()
    }
}

pub fn hlc(ms: u64) -> Hlc {
    Hlc { wall_ms: ms, counter: 0 }
}

pub fn opened(title: &str) -> EntryBody {
    EntryBody::IncidentOpened(IncidentOpened { title: title.into(), drill: false, description: None })
}

pub fn note(text: &str) -> EntryBody {
    EntryBody::Note(Note { text: text.into(), occurred_at: None })
}

pub fn assign(position: Position, person: &str, supersedes: Vec<EntryId>) -> EntryBody {
    EntryBody::RoleAssigned(RoleAssigned { position, person: person.into(), supersedes })
}

pub fn relieve(position: Position, person: &str, supersedes: Vec<EntryId>) -> EntryBody {
    EntryBody::RoleRelieved(RoleRelieved { position, person: person.into(), supersedes, reason: None })
}

pub fn decide(question: &str, choice: &str, supersedes: Vec<EntryId>) -> EntryBody {
    EntryBody::DecisionRecorded(DecisionRecorded {
        question: question.into(),
        options: vec![choice.into(), "other".into()],
        choice: choice.into(),
        rationale: "r".into(),
        authority: Author { person: "IC".into(), position: Some(Position::IncidentCommander) },
        supersedes,
        approvals_required: vec![],
    })
}
