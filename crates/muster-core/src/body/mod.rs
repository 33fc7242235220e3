//! Entry kinds and their versioned bodies. A body is stored as canonical JSON; its kind and
//! version travel in the envelope so that an older Muster can verify, store and relay an entry
//! of a kind it does not know (it shows it as such instead of refusing it).
//!
//! Each kind is declared once: its body type implements [`Body`] (name, validation,
//! description) in the module of its domain, and one line of [`entry_kinds!`] below registers
//! it — the enum variant, decoding, encoding, the list of known kinds and the structural flag
//! all come from that line.

mod breach;
mod correction;
mod decision;
mod incident;
mod limits;
mod roster;
mod status;
mod systems;

use chrono::{DateTime, FixedOffset};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::canonical::{canonical_json, canonicalize_json_text};
use crate::error::{BodyError, CanonicalError, ValidationError};
use crate::ids::EntryId;

pub use breach::{
    ClassificationRecorded, ClassificationReviewed, CommunicationSent, EscalationDone, LawEnforcementDelay,
    ScopeSet, TriggerRecorded,
};
pub use correction::{Amendment, Retraction};
pub use decision::{DecisionApproved, DecisionRecorded, NotificationChoice};
pub use incident::{IncidentClosed, IncidentOpened, IncidentReopened, Note, SeveritySet};
pub use limits::{
    MAX_BRIEFING_ITEMS, MAX_CADENCE_MINUTES, MAX_LONG_TEXT, MAX_OPTIONS, MAX_PERSON, MAX_SHORT_TEXT,
    MAX_SNOOZE_MINUTES, MAX_SUPERSEDES, MAX_TITLE,
};
pub use roster::{
    BriefedDecision, BriefedPrompt, BriefedRole, Briefing, HandoverAccepted, HandoverCancelled,
    HandoverOffered, RoleAssigned, RoleRelieved,
};
pub use status::{CadenceSet, StatusSnoozed, StatusUpdate};
pub use systems::{
    IsolationCarriedOut, IsolationProposed, IsolationSignedOff, SystemStatusSet, SystemsRegistered,
};

/// What every entry body of this version (body version 1) declares about itself.
pub trait Body: Serialize + DeserializeOwned {
    /// The kind's name in the envelope (`note`, `role.assigned`...). Never changes once shipped.
    const KIND: &'static str;
    /// Whether the incident's structure (lifecycle, roster, decisions, cadence, severity,
    /// prompt clocks, handovers, breach and systems state) depends on it, as opposed to only
    /// the timeline. The store refolds structure from these entries alone, so every kind the
    /// structural fold reads must say `true`.
    const STRUCTURAL: bool;
    /// The limits this body must respect (field, value and reason on failure).
    fn validate(&self) -> Result<(), ValidationError>;
    /// One line for people: what this entry says.
    fn describe(&self) -> String;
    /// The entry this one corrects (amendments and retractions).
    fn correction_target(&self) -> Option<EntryId> {
        None
    }
}

/// When something happened, as the author stated it (with its UTC offset).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct EventTime(pub DateTime<FixedOffset>);

impl Serialize for EventTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false))
    }
}

impl<'de> Deserialize<'de> for EventTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s)
            .map(EventTime)
            .map_err(|e| serde::de::Error::custom(format!("{s:?} is not an RFC 3339 time: {e}")))
    }
}

/// Registers every kind: one line per kind, `Variant(BodyType)`.
macro_rules! entry_kinds {
    ($($variant:ident($body:ty)),+ $(,)?) => {
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub enum EntryBody {
            $($variant($body),)+
            /// A kind or version from a newer Muster: kept verbatim, shown as such, relayed unchanged.
            Unknown { kind: String, version: u16, json: String },
        }

        /// Every kind this version of Muster understands (all at body version 1).
        pub const KNOWN_KINDS: &[&str] = &[$(<$body as Body>::KIND),+];

        impl EntryBody {
            pub fn kind(&self) -> &str {
                match self {
                    $(EntryBody::$variant(_) => <$body as Body>::KIND,)+
                    EntryBody::Unknown { kind, .. } => kind,
                }
            }

            /// See [`Body::STRUCTURAL`]. Unknown kinds are not structural.
            pub fn affects_structure(kind: &str) -> bool {
                $(if kind == <$body as Body>::KIND {
                    return <$body as Body>::STRUCTURAL;
                })+
                false
            }

            /// The JSON of a known kind at version 1; `None` for a kind this version does not know.
            fn decode_known(kind: &str, json: &str) -> Option<Result<EntryBody, serde_json::Error>> {
                $(if kind == <$body as Body>::KIND {
                    return Some(serde_json::from_str::<$body>(json).map(EntryBody::$variant));
                })+
                None
            }

            fn known_to_value(&self) -> Result<Value, serde_json::Error> {
                match self {
                    $(EntryBody::$variant(b) => serde_json::to_value(b),)+
                    EntryBody::Unknown { json, .. } => serde_json::from_str(json),
                }
            }

            /// Checks the limits every body of this version must respect. Run on local writes and
            /// on every received entry, so a misbehaving client cannot store a 1 GB note.
            pub fn validate(&self) -> Result<(), ValidationError> {
                match self {
                    $(EntryBody::$variant(b) => b.validate(),)+
                    EntryBody::Unknown { json, .. } => {
                        if json.len() > 4 * MAX_LONG_TEXT * 4 {
                            return Err(ValidationError::new("body", "(too long)", "body is too large"));
                        }
                        Ok(())
                    }
                }
            }

            /// One line for people: what this entry says.
            pub fn describe(&self) -> String {
                match self {
                    $(EntryBody::$variant(b) => b.describe(),)+
                    EntryBody::Unknown { kind, version, .. } => {
                        format!("({kind} v{version}: written by a newer Muster)")
                    }
                }
            }

            /// The entry this one corrects, for amendments and retractions.
            pub fn correction_target(&self) -> Option<EntryId> {
                match self {
                    $(EntryBody::$variant(b) => b.correction_target(),)+
                    EntryBody::Unknown { .. } => None,
                }
            }
        }
    };
}

entry_kinds! {
    IncidentOpened(IncidentOpened),
    IncidentClosed(IncidentClosed),
    IncidentReopened(IncidentReopened),
    Note(Note),
    RoleAssigned(RoleAssigned),
    RoleRelieved(RoleRelieved),
    StatusUpdate(StatusUpdate),
    CadenceSet(CadenceSet),
    DecisionRecorded(DecisionRecorded),
    Amended(Amendment),
    Retracted(Retraction),
    SeveritySet(SeveritySet),
    StatusSnoozed(StatusSnoozed),
    HandoverOffered(HandoverOffered),
    HandoverAccepted(HandoverAccepted),
    HandoverCancelled(HandoverCancelled),
    DecisionApproved(DecisionApproved),
    ScopeSet(ScopeSet),
    ClassificationRecorded(ClassificationRecorded),
    ClassificationReviewed(ClassificationReviewed),
    TriggerRecorded(TriggerRecorded),
    LawEnforcementDelay(LawEnforcementDelay),
    CommunicationSent(CommunicationSent),
    EscalationDone(EscalationDone),
    SystemsRegistered(SystemsRegistered),
    IsolationProposed(IsolationProposed),
    IsolationSignedOff(IsolationSignedOff),
    IsolationCarriedOut(IsolationCarriedOut),
    SystemStatusSet(SystemStatusSet),
}

impl EntryBody {
    pub fn version(&self) -> u16 {
        match self {
            EntryBody::Unknown { version, .. } => *version,
            _ => 1,
        }
    }

    pub fn to_value(&self) -> Value {
        // Serialising these plain structs to a Value cannot fail (string keys, no floats); an
        // unknown body was valid JSON when it was decoded.
        self.known_to_value().unwrap_or(Value::Null)
    }

    /// The canonical JSON text of this body, as signed.
    pub fn to_canonical_json(&self) -> Result<String, CanonicalError> {
        match self {
            EntryBody::Unknown { json, .. } => canonicalize_json_text(json),
            _ => canonical_json(&self.to_value()),
        }
    }

    /// Decodes a stored or received body. Unknown kinds and versions are kept as `Unknown`;
    /// a known kind and version whose JSON does not fit the schema is an error.
    pub fn decode(kind: &str, version: u16, json: &str) -> Result<EntryBody, BodyError> {
        let known = if version == 1 { EntryBody::decode_known(kind, json) } else { None };
        match known {
            Some(parsed) => {
                parsed.map_err(|e| BodyError { kind: kind.to_string(), version, reason: e.to_string() })
            }
            None => {
                serde_json::from_str::<Value>(json).map_err(|e| BodyError {
                    kind: kind.to_string(),
                    version,
                    reason: e.to_string(),
                })?;
                Ok(EntryBody::Unknown { kind: kind.to_string(), version, json: json.to_string() })
            }
        }
    }
}

impl Serialize for EntryBody {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::entry::Author;
    use crate::position::Position;
    use crate::severity::Severity;

    #[test]
    fn every_known_kind_round_trips_through_canonical_json() {
        let id = EntryId::from_parts(1, [0; 10]);
        let bodies = vec![
            EntryBody::IncidentOpened(IncidentOpened { title: "T".into(), drill: true, description: None }),
            EntryBody::IncidentClosed(IncidentClosed { summary: "s".into() }),
            EntryBody::IncidentReopened(IncidentReopened { reason: "r".into() }),
            EntryBody::Note(Note {
                text: "n".into(),
                occurred_at: Some(EventTime(
                    DateTime::parse_from_rfc3339("2026-01-01T00:00:00+01:00").unwrap(),
                )),
            }),
            EntryBody::RoleAssigned(RoleAssigned {
                position: Position::Scribe,
                person: "p".into(),
                supersedes: vec![id],
            }),
            EntryBody::RoleRelieved(RoleRelieved {
                position: Position::Scribe,
                person: "p".into(),
                supersedes: vec![id],
                reason: None,
            }),
            EntryBody::StatusUpdate(StatusUpdate {
                position: None,
                conditions: "c".into(),
                actions: "".into(),
                needs: "".into(),
            }),
            EntryBody::CadenceSet(CadenceSet {
                position: Some(Position::TechnicalLead),
                severity: None,
                interval_minutes: 15,
            }),
            EntryBody::DecisionRecorded(DecisionRecorded {
                question: "q".into(),
                options: vec!["a".into(), "b".into()],
                choice: "a".into(),
                rationale: "because".into(),
                authority: Author { person: "x".into(), position: Some(Position::IncidentCommander) },
                supersedes: vec![],
                approvals_required: vec![Position::LegalLiaison],
                notification: None,
            }),
            EntryBody::Amended(Amendment {
                target: id,
                reason: "typo".into(),
                text: Some("t".into()),
                occurred_at: None,
            }),
            EntryBody::Retracted(Retraction { target: id, reason: "wrong incident".into() }),
            EntryBody::SeveritySet(SeveritySet {
                severity: Severity::Sev1,
                rationale: Some("EHR down".into()),
            }),
            EntryBody::StatusSnoozed(StatusSnoozed {
                position: Position::TechnicalLead,
                minutes: 10,
                reason: "imaging restore in progress".into(),
            }),
            EntryBody::HandoverOffered(HandoverOffered {
                to: "Dr Okafor".into(),
                briefing: Briefing {
                    situation: "EHR encrypted".into(),
                    objectives: "Keep ED on downtime forms".into(),
                    severity: Some(Severity::Sev1),
                    roster: vec![BriefedRole { position: Position::Scribe, person: "Lee".into() }],
                    open_decisions: vec![BriefedDecision {
                        decision: id,
                        question: "Divert ambulances?".into(),
                        choice: "yes".into(),
                        awaiting: vec![Position::ClinicalLiaison],
                    }],
                    overdue_prompts: vec![BriefedPrompt {
                        position: Position::TechnicalLead,
                        holder: "Kim".into(),
                        due: EventTime(DateTime::parse_from_rfc3339("2026-01-01T00:15:00Z").unwrap()),
                    }],
                },
            }),
            EntryBody::HandoverAccepted(HandoverAccepted { offer: id }),
            EntryBody::HandoverCancelled(HandoverCancelled { offer: id, reason: "declined".into() }),
            EntryBody::DecisionApproved(DecisionApproved { decision: id, position: Position::LegalLiaison }),
            EntryBody::ScopeSet(ScopeSet {
                affected: vec![crate::breach::Affected {
                    jurisdiction: crate::breach::Jurisdiction::parse("affected", "US-CA").unwrap(),
                    individuals: 600,
                }],
                data: vec![crate::breach::DataCategory::ClinicalPhi],
                exposure: vec![crate::breach::Exposure::ExfiltrationConfirmed],
                systems: vec![crate::breach::ScopedSystem {
                    system: "pacs".into(),
                    criticality: crate::breach::SystemCriticality::High,
                }],
                roles: vec![crate::breach::OrgRole::CoveredEntity],
                litigation_exposure: true,
                supersedes: vec![id],
            }),
            EntryBody::ClassificationRecorded(ClassificationRecorded {
                severity: Severity::Sev1,
                major: true,
                borderline: false,
                matrix: "muster-classification@1".into(),
                fired: vec!["phi-500".into()],
                scope: Some(id),
                rationale: None,
            }),
            EntryBody::ClassificationReviewed(ClassificationReviewed {
                classification: id,
                confirmed: false,
                severity: Some(Severity::Sev2),
                major: None,
                rationale: Some("count is an estimate".into()),
            }),
            EntryBody::TriggerRecorded(TriggerRecorded {
                trigger: crate::breach::TriggerKind::Discovery,
                at: EventTime(DateTime::parse_from_rfc3339("2026-01-01T00:15:00-06:00").unwrap()),
                note: None,
            }),
            EntryBody::LawEnforcementDelay(LawEnforcementDelay {
                basis: crate::breach::DelayBasis::Oral,
                agency: "FBI".into(),
                statement: "notice would impede the investigation".into(),
                from: EventTime(DateTime::parse_from_rfc3339("2026-01-02T00:00:00Z").unwrap()),
                until: None,
                regime: crate::breach::DelayRegime::Hipaa,
            }),
            EntryBody::CommunicationSent(CommunicationSent {
                recipient: "HHS OCR".into(),
                channel: "breach portal".into(),
                summary: "initial report".into(),
                sent_at: None,
                obligations: vec!["hipaa.hhs".into()],
            }),
            EntryBody::EscalationDone(EscalationDone { rule: "executives".into(), note: None }),
            EntryBody::SystemsRegistered(SystemsRegistered { systems: vec![] }),
            EntryBody::IsolationProposed(IsolationProposed {
                system: "pacs".into(),
                action: crate::breach::IsolationAction::Isolate,
                reason: "encrypting".into(),
            }),
            EntryBody::IsolationSignedOff(IsolationSignedOff {
                proposal: id,
                approved: true,
                note: "ok".into(),
            }),
            EntryBody::IsolationCarriedOut(IsolationCarriedOut {
                proposal: id,
                system: "pacs".into(),
                action: crate::breach::IsolationAction::Isolate,
            }),
            EntryBody::SystemStatusSet(SystemStatusSet {
                system: "pacs".into(),
                status: crate::breach::FunctionalStatus::Partially,
                comment: Some("reads only".into()),
            }),
        ];
        assert_eq!(bodies.len(), KNOWN_KINDS.len());
        let unique: std::collections::BTreeSet<&str> = KNOWN_KINDS.iter().copied().collect();
        assert_eq!(unique.len(), KNOWN_KINDS.len(), "a kind name is registered twice");
        for body in bodies {
            assert!(KNOWN_KINDS.contains(&body.kind()), "{} is not registered", body.kind());
            body.validate().unwrap();
            let json = body.to_canonical_json().unwrap();
            let back = EntryBody::decode(body.kind(), 1, &json).unwrap();
            assert_eq!(back.kind(), body.kind(), "{json} decoded as another kind");
            assert_eq!(back, body, "{json}");
        }
    }

    #[test]
    fn unknown_kinds_and_versions_are_kept_verbatim() {
        let b = EntryBody::decode("evidence.collected", 1, r#"{"item":"disk"}"#).unwrap();
        assert!(matches!(&b, EntryBody::Unknown { kind, .. } if kind == "evidence.collected"));
        let b = EntryBody::decode(Note::KIND, 2, r#"{"text":"x","lang":"de"}"#).unwrap();
        assert_eq!(b.version(), 2);
        assert!(b.describe().contains("newer Muster"));
    }

    #[test]
    fn malformed_known_bodies_are_errors_naming_the_problem() {
        let e = EntryBody::decode(Note::KIND, 1, r#"{"txt":"x"}"#).unwrap_err();
        assert!(e.reason.contains("txt"), "{e}");
        let e =
            EntryBody::decode(RoleAssigned::KIND, 1, r#"{"position":"chief","person":"x","supersedes":[]}"#)
                .unwrap_err();
        assert!(e.reason.contains("chief"), "{e}");
    }

    #[test]
    fn validation_names_field_and_value() {
        let e = EntryBody::Note(Note { text: "  ".into(), occurred_at: None }).validate().unwrap_err();
        assert_eq!(e.field, "text");
        let d = EntryBody::DecisionRecorded(DecisionRecorded {
            question: "Isolate PACS?".into(),
            options: vec!["isolate".into(), "monitor".into()],
            choice: "wait".into(),
            rationale: "r".into(),
            authority: Author { person: "x".into(), position: None },
            supersedes: vec![],
            approvals_required: vec![],
            notification: None,
        });
        let e = d.validate().unwrap_err();
        assert_eq!((e.field.as_str(), e.value.as_str()), ("choice", "wait"));
        let c = EntryBody::CadenceSet(CadenceSet { position: None, severity: None, interval_minutes: 0 });
        assert_eq!(c.validate().unwrap_err().field, "interval_minutes");
        let n = EntryBody::Note(Note { text: "a\u{0}b".into(), occurred_at: None });
        assert!(n.validate().unwrap_err().reason.contains("U+0000"));
    }
}
