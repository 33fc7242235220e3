//! Property: the fold is a function of the *set* of entries. Random multi-device histories
//! (assignments that supersede arbitrary earlier ones, decisions, corrections, lifecycle changes),
//! folded in random orders with duplicates, give identical states and digests.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod support;

use muster_core::body::*;
use muster_core::breach::*;
use muster_core::systems::parse_csv;
use muster_core::*;
use proptest::prelude::*;
use support::*;

#[derive(Clone, Debug)]
enum Op {
    Note,
    Assign { position: u8, person: u8, supersede_mask: u16 },
    Relieve { position: u8, supersede_mask: u16 },
    Decide { supersede_mask: u16 },
    Amend { target: u16 },
    Retract { target: u16 },
    Close,
    Reopen,
    Cadence { position: Option<u8>, minutes: u8 },
    Severity { level: u8 },
    Status { position: u8 },
    Snooze { position: u8, minutes: u8 },
    Offer { person: u8 },
    Accept { target: u16 },
    Cancel { target: u16 },
    Approve { target: u16, position: u8 },
    Scope { individuals: u16, supersede_mask: u16 },
    Trigger { kind: u8, minutes: u8 },
    Register { systems: u8 },
    Propose { system: u8 },
    Signoff { target: u16, approved: bool },
    CarryOut { target: u16 },
    Rate { system: u8, status: u8 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::Note),
        3 => (0u8..3, 0u8..4, any::<u16>()).prop_map(|(position, person, supersede_mask)| Op::Assign { position, person, supersede_mask }),
        1 => (0u8..3, any::<u16>()).prop_map(|(position, supersede_mask)| Op::Relieve { position, supersede_mask }),
        1 => any::<u16>().prop_map(|supersede_mask| Op::Decide { supersede_mask }),
        1 => any::<u16>().prop_map(|target| Op::Amend { target }),
        1 => any::<u16>().prop_map(|target| Op::Retract { target }),
        1 => Just(Op::Close),
        1 => Just(Op::Reopen),
        1 => (proptest::option::of(0u8..3), 1u8..60).prop_map(|(position, minutes)| Op::Cadence { position, minutes }),
        1 => (0u8..4).prop_map(|level| Op::Severity { level }),
        2 => (0u8..3).prop_map(|position| Op::Status { position }),
        1 => (0u8..3, 1u8..30).prop_map(|(position, minutes)| Op::Snooze { position, minutes }),
        1 => (0u8..4).prop_map(|person| Op::Offer { person }),
        1 => any::<u16>().prop_map(|target| Op::Accept { target }),
        1 => any::<u16>().prop_map(|target| Op::Cancel { target }),
        1 => (any::<u16>(), 0u8..3).prop_map(|(target, position)| Op::Approve { target, position }),
        1 => (any::<u16>(), any::<u16>()).prop_map(|(individuals, supersede_mask)| Op::Scope { individuals, supersede_mask }),
        1 => (0u8..6, any::<u8>()).prop_map(|(kind, minutes)| Op::Trigger { kind, minutes }),
        1 => (1u8..4).prop_map(|systems| Op::Register { systems }),
        1 => (0u8..3).prop_map(|system| Op::Propose { system }),
        1 => (any::<u16>(), any::<bool>()).prop_map(|(target, approved)| Op::Signoff { target, approved }),
        1 => any::<u16>().prop_map(|target| Op::CarryOut { target }),
        1 => (0u8..3, 0u8..3).prop_map(|(system, status)| Op::Rate { system, status }),
    ]
}

fn positions() -> [Position; 3] {
    [Position::IncidentCommander, Position::Scribe, Position::Custom("Safety Officer".into())]
}

fn pick(ids: &[EntryId], mask: u16) -> Vec<EntryId> {
    ids.iter().rev().take(16).enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, id)| *id).collect()
}

/// Builds a history: each op is made on one of three devices at a time that may equal another
/// device's time (HLC ties are broken by device and seq).
fn history(ops: &[(u8, u8, Op)]) -> Vec<Entry> {
    let mut streams = [Stream::new(11, "A"), Stream::new(12, "B"), Stream::new(13, "C")];
    let mut entries = vec![streams[0].write(hlc(1), opened("Property incident"))];
    let mut assignments: Vec<EntryId> = Vec::new();
    let mut decisions: Vec<EntryId> = Vec::new();
    let mut offers: Vec<EntryId> = Vec::new();
    let mut scopes: Vec<EntryId> = Vec::new();
    let mut proposals: Vec<EntryId> = Vec::new();
    let mut clock = 10u64;
    let system_ids = ["ehr", "lis", "pharmacy"];
    let nth = |ids: &[EntryId], i: u16| ids.get(usize::from(i) % ids.len().max(1)).copied();
    let fallback = entries[0].id();
    for (device, step, op) in ops {
        clock += u64::from(*step % 3);
        let d = usize::from(*device % 3);
        let body = match op {
            Op::Note => note("n"),
            Op::Assign { position, person, supersede_mask } => assign(
                positions()[usize::from(*position)].clone(),
                ["Okafor", "Reyes", "Chen", "Lindqvist"][usize::from(*person)],
                pick(&assignments, *supersede_mask),
            ),
            Op::Relieve { position, supersede_mask } => relieve(
                positions()[usize::from(*position)].clone(),
                "someone",
                pick(&assignments, *supersede_mask),
            ),
            Op::Decide { supersede_mask } => decide("q", "go", pick(&decisions, *supersede_mask)),
            Op::Amend { target } => EntryBody::Amended(Amendment {
                target: entries[usize::from(*target) % entries.len()].id(),
                reason: "fix".into(),
                text: Some(format!("amended {target}")),
                occurred_at: None,
            }),
            Op::Retract { target } => EntryBody::Retracted(Retraction {
                target: entries[usize::from(*target) % entries.len()].id(),
                reason: "wrong".into(),
            }),
            Op::Close => EntryBody::IncidentClosed(IncidentClosed { summary: "s".into() }),
            Op::Reopen => EntryBody::IncidentReopened(IncidentReopened { reason: "r".into() }),
            Op::Cadence { position, minutes } => EntryBody::CadenceSet(CadenceSet {
                position: position.map(|p| positions()[usize::from(p)].clone()),
                severity: None,
                interval_minutes: u32::from(*minutes),
            }),
            Op::Severity { level } => EntryBody::SeveritySet(SeveritySet {
                severity: muster_core::severity::SEVERITIES[usize::from(*level)],
                rationale: None,
            }),
            Op::Status { position } => EntryBody::StatusUpdate(StatusUpdate {
                position: Some(positions()[usize::from(*position)].clone()),
                conditions: "c".into(),
                actions: String::new(),
                needs: String::new(),
            }),
            Op::Snooze { position, minutes } => EntryBody::StatusSnoozed(StatusSnoozed {
                position: positions()[usize::from(*position)].clone(),
                minutes: u32::from(*minutes),
                reason: "busy".into(),
            }),
            Op::Offer { person } => EntryBody::HandoverOffered(HandoverOffered {
                to: ["Okafor", "Reyes", "Chen", "Lindqvist"][usize::from(*person)].into(),
                briefing: Briefing {
                    situation: "s".into(),
                    objectives: "o".into(),
                    severity: None,
                    roster: vec![],
                    open_decisions: vec![],
                    overdue_prompts: vec![],
                    isolated_systems: vec![],
                    deadlines: vec![],
                },
            }),
            Op::Accept { target } => EntryBody::HandoverAccepted(HandoverAccepted {
                offer: nth(&offers, *target).unwrap_or(fallback),
            }),
            Op::Cancel { target } => EntryBody::HandoverCancelled(HandoverCancelled {
                offer: nth(&offers, *target).unwrap_or(fallback),
                reason: "no".into(),
            }),
            Op::Approve { target, position } => EntryBody::DecisionApproved(DecisionApproved {
                decision: nth(&decisions, *target).unwrap_or(fallback),
                position: positions()[usize::from(*position)].clone(),
            }),
            Op::Scope { individuals, supersede_mask } => EntryBody::ScopeSet(ScopeSet {
                affected: vec![Affected {
                    jurisdiction: Jurisdiction::parse("affected", "US-CA").unwrap(),
                    individuals: u64::from(*individuals),
                }],
                data: vec![DataCategory::ClinicalPhi],
                exposure: vec![],
                systems: vec![],
                roles: vec![OrgRole::CoveredEntity],
                litigation_exposure: individuals % 2 == 0,
                supersedes: pick(&scopes, *supersede_mask),
            }),
            Op::Trigger { kind, minutes } => EntryBody::TriggerRecorded(TriggerRecorded {
                trigger: TriggerKind::ALL[usize::from(*kind)],
                at: EventTime(
                    chrono::DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z").unwrap()
                        + chrono::Duration::minutes(i64::from(*minutes)),
                ),
                note: None,
            }),
            Op::Register { systems } => EntryBody::SystemsRegistered(SystemsRegistered {
                systems: parse_csv(&format!(
                    "id,name,criticality,department,downtime_procedure,depends_on,services,functions\n{}",
                    system_ids[..usize::from(*systems)]
                        .iter()
                        .enumerate()
                        .map(|(i, id)| format!(
                            "{id},{id},high,IT,paper,{},Ward,{}\n",
                            if i > 0 { "ehr" } else { "" },
                            if *id == "pharmacy" { "medication-administration" } else { "" }
                        ))
                        .collect::<String>()
                ))
                .unwrap()
                .systems,
            }),
            Op::Propose { system } => EntryBody::IsolationProposed(IsolationProposed {
                system: system_ids[usize::from(*system)].into(),
                action: IsolationAction::Isolate,
                reason: "r".into(),
            }),
            Op::Signoff { target, approved } => EntryBody::IsolationSignedOff(IsolationSignedOff {
                proposal: nth(&proposals, *target).unwrap_or(fallback),
                approved: *approved,
                note: "n".into(),
            }),
            Op::CarryOut { target } => EntryBody::IsolationCarriedOut(IsolationCarriedOut {
                proposal: nth(&proposals, *target).unwrap_or(fallback),
                system: system_ids[usize::from(*target) % 3].into(),
                action: if target % 2 == 0 { IsolationAction::Isolate } else { IsolationAction::Restore },
            }),
            Op::Rate { system, status } => EntryBody::SystemStatusSet(SystemStatusSet {
                system: system_ids[usize::from(*system)].into(),
                status: FunctionalStatus::ALL[usize::from(*status)],
                comment: None,
            }),
        };
        let e = streams[d].write(hlc(clock), body);
        match &e.body {
            EntryBody::RoleAssigned(_) => assignments.push(e.id()),
            EntryBody::DecisionRecorded(_) => decisions.push(e.id()),
            EntryBody::HandoverOffered(_) => offers.push(e.id()),
            EntryBody::ScopeSet(_) => scopes.push(e.id()),
            EntryBody::IsolationProposed(_) => proposals.push(e.id()),
            _ => {}
        }
        entries.push(e);
    }
    entries
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn any_order_and_duplicates_give_the_same_state(
        ops in prop::collection::vec((any::<u8>(), any::<u8>(), op()), 0..60),
        shuffle_seed in any::<u64>(),
        duplicate_every in 1usize..7,
    ) {
        let entries = history(&ops);
        let reference = fold(incident(), entries.clone()).unwrap();

        // A deterministic shuffle from the seed plus duplicated entries.
        let mut shuffled = entries.clone();
        let mut x = shuffle_seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let dups: Vec<Entry> = entries.iter().step_by(duplicate_every).cloned().collect();
        shuffled.extend(dups);

        let other = fold(incident(), shuffled).unwrap();
        prop_assert_eq!(other.digest(), reference.digest());
        prop_assert_eq!(&other, &reference);
        prop_assert_eq!(reference.entry_count as usize, entries.len());
    }

    #[test]
    fn subsets_fold_without_panicking_and_merge_to_the_whole(
        ops in prop::collection::vec((any::<u8>(), any::<u8>(), op()), 0..40),
        keep_mask in any::<u64>(),
    ) {
        // A partition: one replica holds a subset, the other the rest; their union is the whole.
        let entries = history(&ops);
        let mut left: Vec<Entry> = Vec::new();
        let mut right: Vec<Entry> = Vec::new();
        for (i, e) in entries.iter().cloned().enumerate() {
            if keep_mask & (1 << (i % 64)) != 0 { left.push(e) } else { right.push(e) }
        }
        fold(incident(), left.clone()).unwrap();
        fold(incident(), right.clone()).unwrap();
        let merged = fold(incident(), right.into_iter().chain(left)).unwrap();
        prop_assert_eq!(merged.digest(), fold(incident(), entries).unwrap().digest());
    }
}

#[test]
fn digest_changes_when_the_state_changes() {
    let mut a = Stream::new(1, "A");
    let e1 = a.write(hlc(1), opened("x"));
    let e2 = a.write(hlc(2), note("y"));
    let one = fold(incident(), vec![e1.clone()]).unwrap();
    let two = fold(incident(), vec![e1, e2]).unwrap();
    assert_ne!(one.digest(), two.digest());
}
