//! `muster demo`: seeds a realistic incident from the scenario in assets/demo/ so a newcomer
//! sees a full console. The scenario's war-room laptops sign with throwaway keys and their
//! entries are ingested through the normal, verifying path.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use ed25519_dalek::SigningKey;
use muster_core::body::*;
use muster_core::breach::*;
use muster_core::entry::Author;
use muster_core::{
    fold, Entry, EntryBody, EntryId, IncidentId, Position, StreamWriter, ValidationError, ViewerZone,
    WallClock,
};
use serde::Deserialize;

use crate::clock::random_10;
use crate::error::{Result, StoreError};
use crate::rows::Source;
use crate::store::Store;

pub const RANSOMWARE_SCENARIO: &str = include_str!("../../../assets/demo/ransomware.toml");
/// The demo hospital's clinical systems register.
pub const DEMO_SYSTEMS: &str = include_str!("../../../assets/demo/systems.csv");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    scenario: Header,
    laptops: Vec<Laptop>,
    steps: Vec<Step>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    title: String,
    description: String,
    zone: String,
    starts_minutes_ago: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Laptop {
    name: String,
}

#[derive(Debug, Deserialize)]
struct Step {
    at: i64,
    on: String,
    by: String,
    #[serde(rename = "as")]
    position: Option<String>,
    label: Option<String>,
    #[serde(flatten)]
    action: Action,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "do", rename_all = "kebab-case")]
enum Action {
    Open,
    Note {
        text: String,
        occurred: Option<i64>,
    },
    Assign {
        position: String,
        person: String,
        supersedes: Option<Vec<String>>,
    },
    Relieve {
        position: String,
        reason: Option<String>,
    },
    Status {
        position: Option<String>,
        conditions: String,
        actions: String,
        needs: String,
    },
    Cadence {
        position: Option<String>,
        minutes: u32,
    },
    Severity {
        severity: String,
        rationale: Option<String>,
    },
    Decide {
        question: String,
        options: Vec<String>,
        choice: String,
        rationale: String,
        supersedes: Option<String>,
    },
    Amend {
        target: String,
        reason: String,
        text: Option<String>,
        occurred: Option<i64>,
    },
    Trigger {
        trigger: String,
        occurred: i64,
        note: Option<String>,
    },
    Register,
    Scope {
        affected: Vec<String>,
        data: Vec<String>,
        exposure: Vec<String>,
        systems: Vec<String>,
        roles: Vec<String>,
    },
    Classify,
    Propose {
        system: String,
        reason: String,
    },
    Signoff {
        proposal: String,
        note: String,
    },
    CarryOut {
        proposal: String,
    },
    Rate {
        system: String,
        status: String,
        comment: Option<String>,
    },
    Escalated {
        rule: String,
        note: Option<String>,
    },
    Retract {
        target: String,
        reason: String,
    },
}

fn bad(step: usize, reason: impl Into<String>) -> StoreError {
    StoreError::Internal(format!("demo scenario step {step}: {}", reason.into()))
}

/// Builds the scenario's entries (signed by throwaway laptop keys), relative to `now`.
pub fn build_scenario(
    text: &str,
    now: DateTime<Utc>,
    entropy: &mut dyn crate::clock::Entropy,
) -> Result<(IncidentId, Vec<Entry>)> {
    let scenario: Scenario =
        toml::from_str(text).map_err(|e| StoreError::Internal(format!("demo scenario: {e}")))?;
    let zone = ViewerZone::from_name(&scenario.scenario.zone)?;
    let start = now - Duration::minutes(scenario.scenario.starts_minutes_ago);
    let at = |minutes: i64| start + Duration::minutes(minutes);
    let ms = |t: DateTime<Utc>| u64::try_from(t.timestamp_millis()).unwrap_or(0);
    let incident = IncidentId::from_parts(ms(start), random_10(entropy));

    let mut streams: HashMap<String, StreamWriter> = HashMap::new();
    for laptop in &scenario.laptops {
        let mut seed = [0u8; 32];
        entropy.fill(&mut seed);
        streams.insert(laptop.name.clone(), StreamWriter::new(SigningKey::from_bytes(&seed), incident));
    }
    let mut labels: HashMap<String, EntryId> = HashMap::new();
    let mut entries: Vec<Entry> = Vec::new();
    let position = |step: usize, field: &str, slug: &str| -> Result<Position> {
        Position::parse_user(field, slug).map_err(|e| bad(step, e.to_string()))
    };
    let event_time = |minutes: i64| -> EventTime {
        let t = at(minutes);
        EventTime(t.with_timezone(&zone.offset_at(t)))
    };

    for (n, step) in scenario.steps.iter().enumerate() {
        let step_no = n + 1;
        let label = |name: &str| {
            labels.get(name).copied().ok_or_else(|| bad(step_no, format!("unknown label {name:?}")))
        };
        let state = || fold(incident, entries.clone()).map_err(|e| bad(step_no, e.to_string()));
        let body = match &step.action {
            Action::Open => EntryBody::IncidentOpened(IncidentOpened {
                title: scenario.scenario.title.clone(),
                drill: true,
                description: Some(scenario.scenario.description.clone()),
            }),
            Action::Note { text, occurred } => {
                EntryBody::Note(Note { text: text.clone(), occurred_at: occurred.map(event_time) })
            }
            Action::Assign { position: p, person, supersedes } => {
                let position = position(step_no, "position", p)?;
                let supersedes = match supersedes {
                    Some(names) => names.iter().map(|n| label(n)).collect::<Result<Vec<_>>>()?,
                    None => state()?.holders(&position).iter().map(|a| a.entry_id).collect(),
                };
                EntryBody::RoleAssigned(RoleAssigned { position, person: person.clone(), supersedes })
            }
            Action::Relieve { position: p, reason } => {
                let position = position(step_no, "position", p)?;
                let s = state()?;
                let holders = s.holders(&position);
                EntryBody::RoleRelieved(RoleRelieved {
                    position: position.clone(),
                    person: holders.iter().map(|a| a.person.as_str()).collect::<Vec<_>>().join(", "),
                    supersedes: holders.iter().map(|a| a.entry_id).collect(),
                    reason: reason.clone(),
                })
            }
            Action::Status { position: p, conditions, actions, needs } => {
                EntryBody::StatusUpdate(StatusUpdate {
                    position: match p.as_deref().or(step.position.as_deref()) {
                        Some(slug) => Some(position(step_no, "position", slug)?),
                        None => None,
                    },
                    conditions: conditions.clone(),
                    actions: actions.clone(),
                    needs: needs.clone(),
                })
            }
            Action::Cadence { position: p, minutes } => EntryBody::CadenceSet(CadenceSet {
                position: p.as_deref().map(|slug| position(step_no, "position", slug)).transpose()?,
                severity: None,
                interval_minutes: *minutes,
            }),
            Action::Severity { severity, rationale } => EntryBody::SeveritySet(SeveritySet {
                severity: muster_core::Severity::parse_user("severity", severity)
                    .map_err(|e| bad(step_no, e.to_string()))?,
                rationale: rationale.clone(),
            }),
            Action::Decide { question, options, choice, rationale, supersedes } => {
                EntryBody::DecisionRecorded(DecisionRecorded {
                    question: question.clone(),
                    options: options.clone(),
                    choice: choice.clone(),
                    rationale: rationale.clone(),
                    authority: Author {
                        person: step.by.clone(),
                        position: step.position.as_deref().map(|s| position(step_no, "as", s)).transpose()?,
                    },
                    supersedes: supersedes.iter().map(|n| label(n)).collect::<Result<Vec<_>>>()?,
                    approvals_required: vec![],
                    notification: None,
                })
            }
            Action::Amend { target, reason, text, occurred } => EntryBody::Amended(Amendment {
                target: label(target)?,
                reason: reason.clone(),
                text: text.clone(),
                occurred_at: occurred.map(event_time),
            }),
            Action::Retract { target, reason } => {
                EntryBody::Retracted(Retraction { target: label(target)?, reason: reason.clone() })
            }
            Action::Trigger { trigger, occurred, note } => EntryBody::TriggerRecorded(TriggerRecorded {
                trigger: TriggerKind::parse_user("trigger", trigger)
                    .map_err(|e| bad(step_no, e.to_string()))?,
                at: event_time(*occurred),
                note: note.clone(),
            }),
            Action::Register => {
                let register =
                    muster_core::systems::parse_csv(DEMO_SYSTEMS).map_err(|e| bad(step_no, e.to_string()))?;
                EntryBody::SystemsRegistered(SystemsRegistered { systems: register.systems })
            }
            Action::Scope { affected, data, exposure, systems, roles } => {
                let v = |e: ValidationError| bad(step_no, e.to_string());
                let affected = affected
                    .iter()
                    .map(|a| {
                        let (j, n) =
                            a.split_once(':').ok_or_else(|| bad(step_no, format!("affected {a:?}")))?;
                        Ok(Affected {
                            jurisdiction: Jurisdiction::parse("affected", j).map_err(v)?,
                            individuals: n.parse().map_err(|_| bad(step_no, format!("affected {a:?}")))?,
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                let systems = systems
                    .iter()
                    .map(|a| {
                        let (id, c) =
                            a.split_once(':').ok_or_else(|| bad(step_no, format!("system {a:?}")))?;
                        Ok(ScopedSystem {
                            system: id.to_string(),
                            criticality: SystemCriticality::parse_user("systems", c).map_err(v)?,
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                EntryBody::ScopeSet(ScopeSet {
                    affected,
                    data: data
                        .iter()
                        .map(|d| DataCategory::parse_user("data", d))
                        .collect::<Result<_, _>>()
                        .map_err(v)?,
                    exposure: exposure
                        .iter()
                        .map(|d| Exposure::parse_user("exposure", d))
                        .collect::<Result<_, _>>()
                        .map_err(v)?,
                    systems,
                    roles: roles
                        .iter()
                        .map(|d| OrgRole::parse_user("roles", d))
                        .collect::<Result<_, _>>()
                        .map_err(v)?,
                    litigation_exposure: false,
                    supersedes: state()?.breach.scopes.iter().map(|s| s.stamp.entry_id).collect(),
                })
            }
            Action::Classify => {
                let s = state()?;
                let scope = s.breach.scope().ok_or_else(|| bad(step_no, "classify before any scope"))?;
                let matrix = muster_core::breach::rules::classification::Matrix::built_in()
                    .map_err(|e| bad(step_no, e.to_string()))?;
                let verdict = matrix.classify(Some(&scope.scope));
                EntryBody::ClassificationRecorded(ClassificationRecorded {
                    severity: verdict.severity,
                    major: verdict.major,
                    borderline: verdict.borderline,
                    matrix: verdict.matrix,
                    fired: verdict.fired.into_iter().map(|f| f.id).collect(),
                    scope: Some(scope.stamp.entry_id),
                    rationale: None,
                })
            }
            Action::Propose { system, reason } => EntryBody::IsolationProposed(IsolationProposed {
                system: system.clone(),
                action: IsolationAction::Isolate,
                reason: reason.clone(),
            }),
            Action::Signoff { proposal, note } => EntryBody::IsolationSignedOff(IsolationSignedOff {
                proposal: label(proposal)?,
                approved: true,
                note: note.clone(),
            }),
            Action::CarryOut { proposal } => {
                let id = label(proposal)?;
                let s = state()?;
                let p = s
                    .breach
                    .proposal(id)
                    .ok_or_else(|| bad(step_no, format!("{proposal:?} is not a proposal")))?;
                EntryBody::IsolationCarriedOut(IsolationCarriedOut {
                    proposal: id,
                    system: p.system.clone(),
                    action: p.action,
                })
            }
            Action::Rate { system, status, comment } => EntryBody::SystemStatusSet(SystemStatusSet {
                system: system.clone(),
                status: FunctionalStatus::parse_user("status", status)
                    .map_err(|e| bad(step_no, e.to_string()))?,
                comment: comment.clone(),
            }),
            Action::Escalated { rule, note } => {
                EntryBody::EscalationDone(EscalationDone { rule: rule.clone(), note: note.clone() })
            }
        };
        let stream =
            streams.get_mut(&step.on).ok_or_else(|| bad(step_no, format!("unknown laptop {:?}", step.on)))?;
        let author = Author {
            person: step.by.clone(),
            position: step.position.as_deref().map(|s| position(step_no, "as", s)).transpose()?,
        };
        let entry = stream.write(WallClock::new(at(step.at), &zone), author, body, random_10(entropy))?;
        entry.validate().map_err(|e: ValidationError| bad(step_no, e.to_string()))?;
        if let Some(name) = &step.label {
            labels.insert(name.clone(), entry.id());
        }
        entries.push(entry);
    }
    Ok((incident, entries))
}

/// Seeds the demo incident into the store. Returns its id and the number of entries.
pub fn seed_demo(store: &mut Store) -> Result<(IncidentId, usize)> {
    let now = store.clock().now();
    let (incident, entries) = build_scenario(RANSOMWARE_SCENARIO, now, store.entropy())?;
    store.ingest(&entries, Source::Demo)?;
    Ok((incident, entries.len()))
}
