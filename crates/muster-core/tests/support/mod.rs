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

/// One device's stream of entries, chained and signed.
#[derive(Debug)]
pub struct Stream {
    pub key: SigningKey,
    pub seq: u64,
    pub prev: Hash32,
    pub person: String,
    pub counter: u8,
}

impl Stream {
    pub fn new(seed: u8, person: &str) -> Self {
        Stream {
            key: key(seed),
            seq: 0,
            prev: Hash32::ZERO,
            person: person.into(),
            counter: 0,
        }
    }

    pub fn write(&mut self, hlc: Hlc, body: EntryBody) -> Entry {
        self.seq += 1;
        self.counter = self.counter.wrapping_add(1);
        let seed = self.key.to_bytes()[0];
        let mut random = [self.counter; 10];
        random[0] = seed;
        random[1] = (self.seq >> 8) as u8;
        random[2] = self.seq as u8;
        let e = UnsignedEntry {
            id: EntryId::from_parts(hlc.wall_ms, random),
            incident_id: incident(),
            seq: self.seq,
            prev_hash: self.prev,
            hlc,
            recorded: WallClock {
                utc_ms: hlc.wall_ms as i64,
                offset_s: 0,
                zone: "UTC".into(),
            },
            author: Author {
                person: self.person.clone(),
                position: None,
            },
            body,
        }
        .sign(&self.key)
        .unwrap();
        self.prev = e.hash();
        e
    }
}

pub fn hlc(ms: u64) -> Hlc {
    Hlc {
        wall_ms: ms,
        counter: 0,
    }
}

pub fn opened(title: &str) -> EntryBody {
    EntryBody::IncidentOpened(IncidentOpened {
        title: title.into(),
        drill: false,
        description: None,
    })
}

pub fn note(text: &str) -> EntryBody {
    EntryBody::Note(Note {
        text: text.into(),
        occurred_at: None,
    })
}

pub fn assign(position: Position, person: &str, supersedes: Vec<EntryId>) -> EntryBody {
    EntryBody::RoleAssigned(RoleAssigned {
        position,
        person: person.into(),
        supersedes,
    })
}

pub fn relieve(position: Position, person: &str, supersedes: Vec<EntryId>) -> EntryBody {
    EntryBody::RoleRelieved(RoleRelieved {
        position,
        person: person.into(),
        supersedes,
        reason: None,
    })
}

pub fn decide(question: &str, choice: &str, supersedes: Vec<EntryId>) -> EntryBody {
    EntryBody::DecisionRecorded(DecisionRecorded {
        question: question.into(),
        options: vec![choice.into(), "other".into()],
        choice: choice.into(),
        rationale: "r".into(),
        authority: Author {
            person: "IC".into(),
            position: Some(Position::IncidentCommander),
        },
        supersedes,
    })
}
