#![allow(clippy::unwrap_used, clippy::expect_used)]
mod support;

use muster_core::body::*;
use muster_core::fold::Commander;
use muster_core::*;
use support::*;

#[test]
fn opening_assigning_and_handing_over_command() {
    let mut a = Stream::new(1, "Okafor");
    let e1 = a.write(hlc(1_000), opened("Ransomware on PACS"));
    let e2 = a.write(hlc(2_000), assign(Position::IncidentCommander, "Okafor", vec![]));
    let e3 = a.write(hlc(3_000), assign(Position::Scribe, "Lindqvist", vec![]));
    let e4 = a.write(hlc(4_000), assign(Position::IncidentCommander, "Reyes", vec![e2.id()]));
    let state = fold(incident(), vec![e1, e2.clone(), e3, e4.clone()]).unwrap();

    assert_eq!(state.title.as_deref(), Some("Ransomware on PACS"));
    assert_eq!(state.status, IncidentStatus::Open);
    match state.commander() {
        Commander::Held(a) => assert_eq!(a.person, "Reyes"),
        other => panic!("expected Reyes in command, got {other:?}"),
    }
    let roster = state.roster();
    assert_eq!(roster[0].position, Position::IncidentCommander);
    assert_eq!(roster[0].history.len(), 2);
    let first = &roster[0].history[0];
    assert_eq!(first.person, "Okafor");
    let end = first.ended.as_ref().expect("Okafor's command ended");
    assert_eq!(end.stamp.entry_id, e4.id());
    assert!(!end.relieved);
    assert_eq!(state.positions_of("Lindqvist"), vec![Position::Scribe]);
}

#[test]
fn concurrent_commander_assignments_conflict_until_resolved() {
    let mut a = Stream::new(1, "Okafor");
    let mut b = Stream::new(2, "Reyes");
    let open = a.write(hlc(1_000), opened("Outage"));
    let ic = a.write(hlc(2_000), assign(Position::IncidentCommander, "Okafor", vec![]));
    let deputy = a.write(hlc(2_500), assign(Position::DeputyIncidentCommander, "Reyes", vec![]));
    // Partitioned: Okafor hands command to Chen while the deputy, cut off, assumes it; both had
    // the authority, each superseding Okafor.
    let on_a = a.write(hlc(5_000), assign(Position::IncidentCommander, "Chen", vec![ic.id()]));
    let on_b = b.write(hlc(5_001), assign(Position::IncidentCommander, "Reyes", vec![ic.id()]));
    let state =
        fold(incident(), vec![open.clone(), ic.clone(), deputy.clone(), on_a.clone(), on_b.clone()]).unwrap();
    match state.commander() {
        Commander::Conflict(holders) => {
            let names: Vec<_> = holders.iter().map(|h| h.person.as_str()).collect();
            assert_eq!(names, vec!["Chen", "Reyes"]);
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    // Okafor's command ended at the first superseding entry in fold order.
    assert_eq!(state.assignments[0].ended.as_ref().unwrap().stamp.entry_id, on_a.id());

    // One of the two commanders resolves it.
    let resolve =
        b.write(hlc(9_000), assign(Position::IncidentCommander, "Reyes", vec![on_a.id(), on_b.id()]));
    let state = fold(incident(), vec![open, ic, deputy, on_a, on_b, resolve.clone()]).unwrap();
    match state.commander() {
        Commander::Held(h) => assert_eq!(h.entry_id, resolve.id()),
        other => panic!("expected the resolving entry to hold command, got {other:?}"),
    }
}

#[test]
fn relieving_vacates_and_lifecycle_follows_fold_order() {
    let mut a = Stream::new(1, "Okafor");
    let open = a.write(hlc(1_000), opened("Drill"));
    let ic = a.write(hlc(2_000), assign(Position::IncidentCommander, "Okafor", vec![]));
    let rel = a.write(hlc(3_000), relieve(Position::IncidentCommander, "Okafor", vec![ic.id()]));
    let close = a.write(hlc(4_000), EntryBody::IncidentClosed(IncidentClosed { summary: "done".into() }));
    let state = fold(incident(), vec![open.clone(), ic.clone(), rel.clone(), close.clone()]).unwrap();
    assert_eq!(state.commander(), Commander::Vacant);
    assert!(state.assignments[0].ended.as_ref().unwrap().relieved);
    assert_eq!(state.status, IncidentStatus::Closed);
    let reopen =
        a.write(hlc(5_000), EntryBody::IncidentReopened(IncidentReopened { reason: "new IOC".into() }));
    let state = fold(incident(), vec![open, ic, rel, close, reopen.clone()]).unwrap();
    assert_eq!(state.status, IncidentStatus::Open);
    assert_eq!(state.status_changed.unwrap().entry_id, reopen.id());
}

#[test]
fn amendments_and_retractions_show_on_their_target_whatever_the_arrival_order() {
    let mut a = Stream::new(1, "Scribe");
    let open = a.write(hlc(1_000), opened("x"));
    let n = a.write(hlc(2_000), note("EDR alert on PAC server"));
    let t = chrono::DateTime::parse_from_rfc3339("2026-11-22T02:14:00-06:00").unwrap();
    let amend = a.write(
        hlc(3_000),
        EntryBody::Amended(Amendment {
            target: n.id(),
            reason: "typo".into(),
            text: Some("EDR alert on PACS server".into()),
            occurred_at: Some(EventTime(t)),
        }),
    );
    let retract =
        a.write(hlc(4_000), EntryBody::Retracted(Retraction { target: n.id(), reason: "duplicate".into() }));
    let in_order = fold(incident(), vec![open.clone(), n.clone(), amend.clone(), retract.clone()]).unwrap();
    let reversed = fold(incident(), vec![retract.clone(), amend.clone(), n.clone(), open]).unwrap();
    assert_eq!(in_order, reversed);
    let item = &in_order.timeline[1];
    assert_eq!(item.summary, "EDR alert on PACS server");
    assert_eq!(item.occurred_at, Some(EventTime(t)));
    assert_eq!(item.amended_by, vec![amend.id()]);
    assert_eq!(item.retracted_by, vec![retract.id()]);
    // The original words are still there, and each correction says who, when and why.
    assert!(matches!(&item.body, EntryBody::Note(n) if n.text == "EDR alert on PAC server"));
    assert_eq!(item.original_summary(), "EDR alert on PAC server");
    assert_eq!(item.original_occurred_at(), None);
    assert!(item.text_amended() && item.time_amended());
    let kinds: Vec<_> = item.corrections.iter().map(|c| (c.kind, c.reason.as_str())).collect();
    assert_eq!(
        kinds,
        vec![(fold::CorrectionKind::Amended, "typo"), (fold::CorrectionKind::Retracted, "duplicate")]
    );
    assert_eq!(item.corrections[0].stamp.entry_id, amend.id());
    assert_eq!(item.corrections[0].stamp.by.person, "Scribe");
    assert_eq!(item.corrections[0].stamp.at, amend.envelope.recorded);
    assert_eq!(item.corrections[0].text.as_deref(), Some("EDR alert on PACS server"));
    assert_eq!(item.corrections[0].occurred_at, Some(EventTime(t)));
    assert_eq!(item.corrections[1].text, None);
    assert!(!item.can_retract(), "retracted once already");
    assert!(item.can_amend());
    assert_eq!(in_order.timeline[2].target, Some(n.id()));
}

#[test]
fn an_amendment_of_a_decision_is_listed_but_changes_nothing() {
    // The store refuses it; a misbehaving client could still send one.
    let mut a = Stream::new(1, "IC");
    let d = a.write(hlc(1_000), decide("Isolate PACS?", "isolate", vec![]));
    let amend = a.write(
        hlc(2_000),
        EntryBody::Amended(Amendment {
            target: d.id(),
            reason: "rewrite history".into(),
            text: Some("monitor".into()),
            occurred_at: None,
        }),
    );
    let state = fold(incident(), vec![d, amend]).unwrap();
    let item = &state.timeline[0];
    assert_eq!(item.summary, "Decision: Isolate PACS? -> isolate");
    assert_eq!(item.corrections.len(), 1);
    assert_eq!(item.corrections[0].text, None);
    assert!(!item.text_amended());
    assert!(!item.can_amend() && !item.can_retract());
}

#[test]
fn decisions_are_superseded_not_changed() {
    let mut a = Stream::new(1, "IC");
    let d1 = a.write(hlc(1_000), decide("Isolate PACS?", "isolate", vec![]));
    let d2 = a.write(hlc(2_000), decide("Isolate PACS?", "other", vec![d1.id()]));
    let state = fold(incident(), vec![d2.clone(), d1.clone()]).unwrap();
    assert_eq!(state.decisions.len(), 2);
    assert_eq!(state.decisions[0].choice, "isolate");
    assert_eq!(state.decisions[0].superseded_by, vec![d2.id()]);
    assert!(state.decisions[1].superseded_by.is_empty());
    assert_eq!(state.status, IncidentStatus::Unopened);
}

#[test]
fn cadence_per_position_falls_back_to_the_default() {
    let mut a = Stream::new(1, "IC");
    let d = a.write(
        hlc(1_000),
        EntryBody::CadenceSet(CadenceSet { position: None, severity: None, interval_minutes: 30 }),
    );
    let t = a.write(
        hlc(2_000),
        EntryBody::CadenceSet(CadenceSet {
            position: Some(Position::TechnicalLead),
            severity: None,
            interval_minutes: 15,
        }),
    );
    let d2 = a.write(
        hlc(3_000),
        EntryBody::CadenceSet(CadenceSet { position: None, severity: None, interval_minutes: 20 }),
    );
    let state = fold(incident(), vec![d, t, d2]).unwrap();
    assert_eq!(state.cadence_for(&Position::TechnicalLead).unwrap().interval_minutes, 15);
    assert_eq!(state.cadence_for(&Position::Scribe).unwrap().interval_minutes, 20);
    assert_eq!(state.cadences.len(), 2);
}

#[test]
fn entries_of_another_incident_are_refused() {
    let mut a = Stream::new(1, "IC");
    let e = a.write(hlc(1_000), note("x"));
    let other = IncidentId::from_parts(1, [0; 10]);
    assert!(fold(other, vec![e]).is_err());
}

#[test]
fn duplicates_count_once() {
    let mut a = Stream::new(1, "IC");
    let e = a.write(hlc(1_000), note("x"));
    let state = fold(incident(), vec![e.clone(), e.clone(), e]).unwrap();
    assert_eq!(state.entry_count, 1);
    assert_eq!(state.timeline.len(), 1);
}
