//! Builders shared by the core's integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Utc};
use muster_core::body::*;
use muster_core::breach::*;
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
        notification: None,
    })
}

// ------------------------------------------------------------------------------------------------
// Breach entries, for the rules tests (clocks, classification, escalation).

/// An RFC 3339 instant.
pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("{s:?}: {e}")).with_timezone(&Utc)
}

/// An RFC 3339 event time, as written in entry bodies (the offset is kept).
pub fn event(s: &str) -> EventTime {
    EventTime(DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("{s:?}: {e}")))
}

impl Stream {
    /// The next entry, recorded at `recorded` (RFC 3339) on a machine whose IANA zone is `zone`.
    pub fn write_at(&mut self, recorded: &str, zone: &str, body: EntryBody) -> Entry {
        self.counter = self.counter.wrapping_add(1);
        let mut random = [self.counter; 10];
        random[0] = self.seed;
        let wall = WallClock::parse(recorded, zone).unwrap();
        self.writer.write(wall, Author { person: self.person.clone(), position: None }, body, random).unwrap()
    }
}

/// An incident log written entry by entry, each recorded at a stated time and zone.
#[derive(Debug)]
pub struct Log {
    pub stream: Stream,
    pub entries: Vec<Entry>,
    /// Streams of other people writing into the same log (their own devices).
    others: Vec<(String, Stream)>,
}

impl Log {
    pub fn new(person: &str) -> Self {
        Log { stream: Stream::new(1, person), entries: Vec::new(), others: Vec::new() }
    }

    /// Appends an entry recorded by `person` on their own device.
    pub fn add_as(&mut self, person: &str, recorded: &str, zone: &str, body: EntryBody) -> EntryId {
        let n = self.others.len();
        let i = match self.others.iter().position(|(p, _)| p == person) {
            Some(i) => i,
            None => {
                self.others.push((person.to_string(), Stream::new(100 + n as u8, person)));
                n
            }
        };
        let e = self.others[i].1.write_at(recorded, zone, body);
        let id = e.id();
        self.entries.push(e);
        id
    }

    /// Appends an entry recorded at `recorded` in `zone` and returns its id.
    pub fn add(&mut self, recorded: &str, zone: &str, body: EntryBody) -> EntryId {
        let e = self.stream.write_at(recorded, zone, body);
        let id = e.id();
        self.entries.push(e);
        id
    }

    pub fn state(&self) -> IncidentState {
        fold(incident(), self.entries.clone()).unwrap()
    }
}

/// A scope snapshot, built up field by field.
#[derive(Clone, Debug)]
pub struct Scope(pub ScopeSet);

pub fn scope() -> Scope {
    Scope(ScopeSet::empty())
}

impl Scope {
    pub fn affected(mut self, jurisdiction: &str, individuals: u64) -> Self {
        let jurisdiction = Jurisdiction::parse("affected", jurisdiction).unwrap();
        self.0.affected.push(Affected { jurisdiction, individuals });
        self
    }
    /// A count for `jurisdiction` spelled as an entry stores it (decoded, not normalised): how
    /// a scope written before `PR` and `US-PR` were read as one place may hold it.
    pub fn stored(mut self, jurisdiction: &str, individuals: u64) -> Self {
        let jurisdiction: Jurisdiction = serde_json::from_value(serde_json::json!(jurisdiction)).unwrap();
        self.0.affected.push(Affected { jurisdiction, individuals });
        self
    }
    pub fn data(mut self, data: &[DataCategory]) -> Self {
        self.0.data.extend_from_slice(data);
        self
    }
    pub fn exposure(mut self, exposure: &[Exposure]) -> Self {
        self.0.exposure.extend_from_slice(exposure);
        self
    }
    pub fn roles(mut self, roles: &[OrgRole]) -> Self {
        self.0.roles.extend_from_slice(roles);
        self
    }
    pub fn system(mut self, id: &str, criticality: SystemCriticality) -> Self {
        self.0.systems.push(ScopedSystem { system: id.into(), criticality });
        self
    }
    pub fn litigation(mut self, flag: bool) -> Self {
        self.0.litigation_exposure = flag;
        self
    }
    pub fn supersedes(mut self, ids: &[EntryId]) -> Self {
        self.0.supersedes.extend_from_slice(ids);
        self
    }
    pub fn body(self) -> EntryBody {
        EntryBody::ScopeSet(self.0)
    }
}

pub fn trigger(kind: TriggerKind, happened: &str) -> EntryBody {
    EntryBody::TriggerRecorded(TriggerRecorded { trigger: kind, at: event(happened), note: None })
}

/// A HIPAA law-enforcement delay (45 CFR 164.412), as every delay was before delays named
/// their law.
pub fn law_enforcement_delay(basis: DelayBasis, from: &str, until: Option<&str>) -> EntryBody {
    delay_under(DelayRegime::Hipaa, basis, from, until)
}

/// A delay granted under `regime`'s law.
pub fn delay_under(regime: DelayRegime, basis: DelayBasis, from: &str, until: Option<&str>) -> EntryBody {
    EntryBody::LawEnforcementDelay(LawEnforcementDelay {
        basis,
        agency: "FBI field office".into(),
        statement: "Notification would impede a criminal investigation.".into(),
        from: event(from),
        until: until.map(event),
        regime,
    })
}

/// A communication meeting `obligations`, sent at `sent_at` (`None`: when it was recorded).
pub fn sent(obligations: &[&str], sent_at: Option<&str>) -> EntryBody {
    EntryBody::CommunicationSent(CommunicationSent {
        recipient: "Regulator".into(),
        channel: "portal".into(),
        summary: "Notice filed".into(),
        sent_at: sent_at.map(event),
        obligations: obligations.iter().map(|s| s.to_string()).collect(),
    })
}

/// The notify / do-not-notify decision for the obligation of `rule`.
pub fn notification(rule: &str, notify: bool, rationale: &str, supersedes: Vec<EntryId>) -> EntryBody {
    let choice = if notify { "notify" } else { "do not notify" };
    EntryBody::DecisionRecorded(DecisionRecorded {
        question: format!("Notify under {rule}?"),
        options: vec!["notify".into(), "do not notify".into()],
        choice: choice.into(),
        rationale: rationale.into(),
        authority: Author { person: "IC".into(), position: Some(Position::IncidentCommander) },
        supersedes,
        approvals_required: vec![],
        notification: Some(NotificationChoice { rule: rule.into(), notify }),
    })
}

pub fn classified(severity: Severity, major: bool, borderline: bool) -> EntryBody {
    EntryBody::ClassificationRecorded(ClassificationRecorded {
        severity,
        major,
        borderline,
        matrix: "muster-classification@1".into(),
        fired: vec![],
        scope: None,
        rationale: None,
    })
}

/// A peer review of `classification`: confirmed, or changed to `major`.
pub fn reviewed(classification: EntryId, confirmed: bool, major: Option<bool>) -> EntryBody {
    EntryBody::ClassificationReviewed(ClassificationReviewed {
        classification,
        confirmed,
        severity: None,
        major,
        rationale: (!confirmed).then(|| "second opinion".into()),
    })
}

pub fn escalated(rule: &str) -> EntryBody {
    EntryBody::EscalationDone(EscalationDone { rule: rule.into(), note: None })
}

pub fn retract(target: EntryId) -> EntryBody {
    EntryBody::Retracted(Retraction { target, reason: "entered in error".into() })
}
