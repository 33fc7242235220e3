//! Severity, status-prompt clocks, command handovers and decision approvals, as folded.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod support;

use muster_core::body::*;
use muster_core::fold::{Commander, HandoverOutcome};
use muster_core::prompts::{next_change_ms, prompt_clocks, CadenceSource, PromptState};
use muster_core::*;
use support::*;

const MIN: u64 = 60_000;

fn status(position: Position) -> EntryBody {
    EntryBody::StatusUpdate(StatusUpdate {
        position: Some(position),
        conditions: "PACS restore at 40%".into(),
        actions: String::new(),
        needs: String::new(),
    })
}

fn severity(severity: Severity) -> EntryBody {
    EntryBody::SeveritySet(SeveritySet { severity, rationale: None })
}

fn briefing() -> Briefing {
    Briefing {
        situation: "EHR encrypted, ED on paper".into(),
        objectives: "Restore lab interface".into(),
        severity: Some(Severity::Sev1),
        roster: vec![],
        open_decisions: vec![],
        overdue_prompts: vec![],
        isolated_systems: vec![],
        deadlines: vec![],
    }
}

#[test]
fn the_cadence_follows_severity_unless_a_position_has_its_own() {
    let mut a = Stream::new(1, "Okafor");
    let t0 = 1_000_000;
    let mut entries = vec![
        a.write(hlc(t0), opened("Ransomware")),
        a.write(hlc(t0 + 1), assign(Position::IncidentCommander, "Okafor", vec![])),
        a.write(hlc(t0 + 2), assign(Position::TechnicalLead, "Kim", vec![])),
        a.write(hlc(t0 + 3), assign(Position::Scribe, "Lee", vec![])),
    ];
    // No severity: SEV2's default, 30 minutes. The commander owes no prompt.
    let s = fold(incident(), entries.clone()).unwrap();
    let clocks = prompt_clocks(&s);
    assert_eq!(clocks.len(), 2, "{clocks:?}");
    assert!(clocks.iter().all(|c| c.position != Position::IncidentCommander));
    let tech = clocks.iter().find(|c| c.position == Position::TechnicalLead).unwrap();
    assert_eq!(tech.interval_minutes, 30);
    assert_eq!(tech.source, CadenceSource::Default { severity: Severity::Sev2 });
    assert_eq!(tech.due_ms, (t0 + 2 + 30 * MIN) as i64);

    // SEV1: every 15 minutes.
    entries.push(a.write(hlc(t0 + 10), severity(Severity::Sev1)));
    let s = fold(incident(), entries.clone()).unwrap();
    let tech = prompt_clocks(&s).into_iter().find(|c| c.position == Position::TechnicalLead).unwrap();
    assert_eq!(tech.interval_minutes, 15);
    assert_eq!(tech.due_ms, (t0 + 2 + 15 * MIN) as i64);

    // A configured SEV1 cadence replaces the built-in default; a position's own beats both.
    entries.push(a.write(
        hlc(t0 + 20),
        EntryBody::CadenceSet(CadenceSet {
            position: None,
            severity: Some(Severity::Sev1),
            interval_minutes: 10,
        }),
    ));
    entries.push(a.write(
        hlc(t0 + 30),
        EntryBody::CadenceSet(CadenceSet {
            position: Some(Position::Scribe),
            severity: None,
            interval_minutes: 45,
        }),
    ));
    let s = fold(incident(), entries.clone()).unwrap();
    let clocks = prompt_clocks(&s);
    let tech = clocks.iter().find(|c| c.position == Position::TechnicalLead).unwrap();
    assert_eq!(
        (tech.interval_minutes, &tech.source),
        (10, &CadenceSource::Severity { severity: Severity::Sev1 })
    );
    let scribe = clocks.iter().find(|c| c.position == Position::Scribe).unwrap();
    assert_eq!((scribe.interval_minutes, &scribe.source), (45, &CadenceSource::Position));

    // At SEV3 the SEV1 cadence no longer applies: SEV3's default (60) does.
    entries.push(a.write(hlc(t0 + 40), severity(Severity::Sev3)));
    let s = fold(incident(), entries).unwrap();
    let tech = prompt_clocks(&s).into_iter().find(|c| c.position == Position::TechnicalLead).unwrap();
    assert_eq!(tech.interval_minutes, 60);
}

#[test]
fn an_update_restarts_the_clock_a_retraction_undoes_it_and_a_snooze_defers_it() {
    let mut a = Stream::new(1, "Okafor");
    let t0 = 5_000_000u64;
    let mut entries = vec![
        a.write(hlc(t0), opened("Ransomware")),
        a.write(hlc(t0 + 1), assign(Position::TechnicalLead, "Kim", vec![])),
        a.write(hlc(t0 + 2), severity(Severity::Sev1)),
    ];
    let clock_at = |entries: &Vec<Entry>| {
        let s = fold(incident(), entries.clone()).unwrap();
        prompt_clocks(&s).into_iter().next().unwrap()
    };
    let c = clock_at(&entries);
    let due = (t0 + 1 + 15 * MIN) as i64;
    assert_eq!(c.due_ms, due);
    assert_eq!(c.state(due - 1), PromptState::Waiting);
    assert_eq!(c.state(due), PromptState::Due);
    // Escalates a third of an interval late (5 minutes for 15).
    assert_eq!(c.escalate_ms, due + 5 * MIN as i64);
    assert_eq!(c.state(c.escalate_ms), PromptState::Overdue);
    assert_eq!(next_change_ms(std::slice::from_ref(&c), due - 10), Some(due));
    assert_eq!(next_change_ms(std::slice::from_ref(&c), due), Some(c.escalate_ms));
    assert_eq!(next_change_ms(&[c], due + 5 * MIN as i64), None);

    let update = a.write(hlc(t0 + 20 * MIN), status(Position::TechnicalLead));
    entries.push(update.clone());
    let c = clock_at(&entries);
    assert_eq!(c.since_ms, (t0 + 20 * MIN) as i64);
    assert_eq!(c.due_ms, (t0 + 35 * MIN) as i64);
    assert_eq!(c.last_report.as_ref().unwrap().stamp.entry_id, update.id());

    entries.push(a.write(
        hlc(t0 + 21 * MIN),
        EntryBody::Retracted(Retraction {
            target: update.id(),
            reason: "posted for the wrong position".into(),
        }),
    ));
    let c = clock_at(&entries);
    assert!(c.last_report.is_none());
    assert_eq!(c.due_ms, due, "a retracted update does not count");

    entries.push(a.write(
        hlc(t0 + 22 * MIN),
        EntryBody::StatusSnoozed(StatusSnoozed {
            position: Position::TechnicalLead,
            minutes: 10,
            reason: "restoring the imaging archive".into(),
        }),
    ));
    let c = clock_at(&entries);
    assert_eq!(c.due_ms, (t0 + 32 * MIN) as i64);
    assert_eq!(c.snooze.as_ref().unwrap().reason, "restoring the imaging archive");
    // Overdue before the snooze, and not "on time" after it: snoozed until it ends, then due.
    assert_eq!(c.snoozed_until_ms, Some(c.due_ms));
    assert_eq!(c.state(c.due_ms - 1), PromptState::Snoozed);
    assert_eq!(c.state(c.due_ms), PromptState::Due);
    assert_eq!(c.state(c.escalate_ms), PromptState::Overdue);

    // A later update ends the snooze's effect.
    entries.push(a.write(hlc(t0 + 40 * MIN), status(Position::TechnicalLead)));
    let c = clock_at(&entries);
    assert!(c.snooze.is_none());
    assert_eq!(c.snoozed_until_ms, None);
    assert_eq!(c.due_ms, (t0 + 55 * MIN) as i64);
    assert_eq!(c.state(c.due_ms - 1), PromptState::Waiting);

    // A snooze that ends before the update is due anyway changes nothing: still on time.
    entries.push(a.write(
        hlc(t0 + 41 * MIN),
        EntryBody::StatusSnoozed(StatusSnoozed {
            position: Position::TechnicalLead,
            minutes: 5,
            reason: "in the huddle".into(),
        }),
    ));
    let c = clock_at(&entries);
    assert_eq!(c.due_ms, (t0 + 55 * MIN) as i64);
    assert_eq!(c.snoozed_until_ms, None);
    assert_eq!(c.state(c.due_ms - 1), PromptState::Waiting);
}

#[test]
fn closed_incidents_owe_no_updates() {
    let mut a = Stream::new(1, "Okafor");
    let entries = vec![
        a.write(hlc(1_000), opened("x")),
        a.write(hlc(2_000), assign(Position::Scribe, "Lee", vec![])),
        a.write(hlc(3_000), EntryBody::IncidentClosed(IncidentClosed { summary: "done".into() })),
    ];
    assert!(prompt_clocks(&fold(incident(), entries).unwrap()).is_empty());
}

#[test]
fn a_handover_is_pending_until_accepted_and_lapses_if_command_changes_otherwise() {
    let mut a = Stream::new(1, "Okafor");
    let mut b = Stream::new(2, "Reyes");
    let open = a.write(hlc(1_000), opened("Outage"));
    let ic = a.write(hlc(2_000), assign(Position::IncidentCommander, "Okafor", vec![]));
    let offer = a.write(
        hlc(3_000),
        EntryBody::HandoverOffered(HandoverOffered { to: "Reyes".into(), briefing: briefing() }),
    );
    let s = fold(incident(), vec![open.clone(), ic.clone(), offer.clone()]).unwrap();
    let pending = s.pending_handover().expect("pending");
    assert_eq!(pending.to, "Reyes");
    assert_eq!(pending.briefing.situation, "EHR encrypted, ED on paper");

    let accept = b.write(hlc(4_000), EntryBody::HandoverAccepted(HandoverAccepted { offer: offer.id() }));
    let takes = b.write(hlc(4_001), assign(Position::IncidentCommander, "Reyes", vec![ic.id()]));
    let s = fold(incident(), vec![open.clone(), ic.clone(), offer.clone(), accept.clone(), takes]).unwrap();
    assert!(s.pending_handover().is_none());
    assert!(
        matches!(&s.command.handovers[0].outcome, HandoverOutcome::Accepted { stamp } if stamp.entry_id == accept.id())
    );
    assert!(matches!(s.commander(), Commander::Held(h) if h.person == "Reyes"));

    // Another route to command (a direct assignment) makes a pending offer lapse.
    let direct = a.write(hlc(5_000), assign(Position::IncidentCommander, "Chen", vec![ic.id()]));
    let s = fold(incident(), vec![open.clone(), ic.clone(), offer.clone(), direct]).unwrap();
    assert_eq!(s.command.handovers[0].outcome, HandoverOutcome::Lapsed);
    assert!(s.pending_handover().is_none());

    // Declined: cancelled with the reason.
    let decline = b.write(
        hlc(4_000),
        EntryBody::HandoverCancelled(HandoverCancelled {
            offer: offer.id(),
            reason: "off shift in 1 h".into(),
        }),
    );
    let s = fold(incident(), vec![open, ic, offer, decline]).unwrap();
    assert!(
        matches!(&s.command.handovers[0].outcome, HandoverOutcome::Cancelled { reason, .. } if reason == "off shift in 1 h")
    );
    assert!(s.pending_handover().is_none());
}

#[test]
fn approvals_are_counted_once_per_position() {
    let mut a = Stream::new(1, "Okafor");
    let mut d = decide("Divert ambulances?", "go", vec![]);
    if let EntryBody::DecisionRecorded(b) = &mut d {
        b.approvals_required = vec![Position::ClinicalLiaison, Position::LegalLiaison];
    }
    let open = a.write(hlc(1_000), opened("x"));
    // Approving as a position needs that position: Okafor holds both.
    let cl = a.write(hlc(1_100), assign(Position::ClinicalLiaison, "Okafor", vec![]));
    let ll = a.write(hlc(1_200), assign(Position::LegalLiaison, "Okafor", vec![]));
    let decision = a.write(hlc(2_000), d);
    let approve = |a: &mut Stream, t: u64, p: Position| {
        a.write(
            hlc(t),
            EntryBody::DecisionApproved(DecisionApproved { decision: decision.id(), position: p }),
        )
    };
    let a1 = approve(&mut a, 3_000, Position::ClinicalLiaison);
    let a2 = approve(&mut a, 4_000, Position::ClinicalLiaison);
    let roles = [cl, ll];
    let with_roles = |v: Vec<Entry>| roles.iter().cloned().chain(v).collect::<Vec<_>>();
    let s = fold(incident(), with_roles(vec![open.clone(), decision.clone(), a1.clone(), a2])).unwrap();
    let dec = &s.decisions[0];
    assert_eq!(dec.approvals.len(), 1);
    assert_eq!(dec.approvals[0].stamp.entry_id, a1.id());
    assert_eq!(dec.awaiting(), vec![Position::LegalLiaison]);
    assert!(dec.is_open());
    let a3 = approve(&mut a, 5_000, Position::LegalLiaison);
    let s = fold(incident(), with_roles(vec![open, decision, a1, a3])).unwrap();
    assert!(s.decisions[0].awaiting().is_empty());
    assert!(!s.decisions[0].is_open());
}

#[test]
fn a_handover_offer_written_before_the_briefing_grew_decodes_and_keeps_its_bytes() {
    // A version-1 offer as Muster wrote it before isolated systems and deadlines were briefed.
    let old = r#"{"briefing":{"objectives":"Restore lab interface","open_decisions":[],"overdue_prompts":[],"roster":[],"severity":"sev1","situation":"EHR encrypted"},"to":"Reyes"}"#;
    let body = EntryBody::decode("command.handover.offered", 1, old).unwrap();
    let EntryBody::HandoverOffered(offer) = &body else { panic!("decoded as {body:?}") };
    assert!(offer.briefing.isolated_systems.is_empty() && offer.briefing.deadlines.is_empty());
    assert_eq!(body.to_canonical_json().unwrap(), old, "the signed bytes are unchanged");
    // A new one carries them.
    let mut b = briefing();
    b.isolated_systems.push(BriefedSystem { system: "pacs".into(), name: "PACS".into(), since: None });
    b.deadlines.push(BriefedDeadline {
        rule: "hipaa.hhs".into(),
        recipient: "HHS OCR".into(),
        due: None,
        overdue: true,
    });
    let body = EntryBody::HandoverOffered(HandoverOffered { to: "Reyes".into(), briefing: b });
    let json = body.to_canonical_json().unwrap();
    assert!(
        json.contains(r#""deadlines":[{"overdue":true,"recipient":"HHS OCR","rule":"hipaa.hhs"}]"#),
        "{json}"
    );
    assert_eq!(EntryBody::decode("command.handover.offered", 1, &json).unwrap(), body);
}
