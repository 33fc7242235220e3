//! Reserved acts take effect only with authority under the roster at that point of the fold
//! ("Trust nobody" 5): made without it, they are kept, shown and never in force.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use muster_core::body::*;
use muster_core::fold::{fold, Commander, IncidentStatus};
use muster_core::*;
use support::*;

fn briefing() -> Briefing {
    Briefing {
        situation: "EHR encrypted".into(),
        objectives: "Restore labs".into(),
        severity: None,
        roster: vec![],
        open_decisions: vec![],
        overdue_prompts: vec![],
        isolated_systems: vec![],
        deadlines: vec![],
    }
}

fn commander_of(s: &IncidentState) -> String {
    match s.commander() {
        Commander::Held(a) => a.person.clone(),
        other => panic!("expected one commander, got {other:?}"),
    }
}

#[test]
fn a_member_who_does_not_command_cannot_name_a_commander() {
    let mut okafor = Stream::new(1, "Okafor");
    let mut mallory = Stream::new(2, "Mallory");
    let open = okafor.write(hlc(1_000), opened("Ransomware"));
    let ic = okafor.write(hlc(1_001), assign(Position::IncidentCommander, "Okafor", vec![]));
    let scribe = okafor.write(hlc(1_002), assign(Position::Scribe, "Mallory", vec![]));
    let coup = mallory.write(hlc(2_000), assign(Position::IncidentCommander, "Mallory", vec![ic.id()]));
    let close =
        mallory.write(hlc(2_001), EntryBody::IncidentClosed(IncidentClosed { summary: "done".into() }));
    let s = fold(incident(), vec![open, ic, scribe, coup.clone(), close.clone()]).unwrap();
    assert_eq!(commander_of(&s), "Okafor", "the assignment without authority is not in force");
    assert_eq!(s.status, IncidentStatus::Open, "nor is the close");
    // Both are kept and say why.
    let refused: Vec<EntryId> = s.command.unauthorised.iter().map(|u| u.stamp.entry_id).collect();
    assert_eq!(refused, vec![coup.id(), close.id()]);
    assert!(
        s.command.unauthorised[0].reason.contains("Mallory was not in command: Okafor commanded"),
        "{}",
        s.command.unauthorised[0].reason
    );
    let row = s.timeline.iter().find(|t| t.entry_id == coup.id()).unwrap();
    assert!(row.not_in_force.is_some());
    assert_eq!(s.entry_count, 5);
}

#[test]
fn recording_on_someones_behalf_does_not_lend_their_authority() {
    // A scribe may record for the commander, but a reserved act is the recorder's: "Sam for
    // Okafor" assigning command is not Okafor assigning it.
    let mut okafor = Stream::new(1, "Okafor");
    let open = okafor.write(hlc(1_000), opened("x"));
    let ic = okafor.write(hlc(1_001), assign(Position::IncidentCommander, "Okafor", vec![]));
    let sam = okafor.write(hlc(1_002), assign(Position::Scribe, "Sam", vec![]));
    let unsigned = UnsignedEntry {
        id: EntryId::from_parts(2_000, [3; 10]),
        incident_id: incident(),
        seq: 1,
        prev_hash: Hash32::ZERO,
        hlc: hlc(2_000),
        recorded: WallClock { utc_ms: 2_000, offset_s: 0, zone: "UTC".into() },
        author: Author { person: "Sam".into(), position: Some(Position::Scribe) },
        on_behalf: Some("Okafor".into()),
        body: assign(Position::IncidentCommander, "Reyes", vec![ic.id()]),
    }
    .sign(&key(3))
    .unwrap();
    let s = fold(incident(), vec![open, ic, sam, unsigned.clone()]).unwrap();
    assert_eq!(commander_of(&s), "Okafor");
    let row = s.timeline.iter().find(|t| t.entry_id == unsigned.id()).unwrap();
    assert_eq!(row.on_behalf.as_deref(), Some("Okafor"));
    assert_eq!(row.author.person, "Sam");
    assert!(row.not_in_force.as_deref().unwrap().contains("Sam was not in command"));
}

#[test]
fn the_deputy_assumes_command_and_a_handover_passes_it_on() {
    let mut okafor = Stream::new(1, "Okafor");
    let mut chen = Stream::new(2, "Chen");
    let mut reyes = Stream::new(3, "Reyes");
    let open = okafor.write(hlc(1_000), opened("x"));
    let ic = okafor.write(hlc(1_001), assign(Position::IncidentCommander, "Okafor", vec![]));
    let deputy = okafor.write(hlc(1_002), assign(Position::DeputyIncidentCommander, "Chen", vec![]));
    // Succession: the deputy takes command themselves (Okafor's laptop is gone).
    let assume = chen.write(hlc(2_000), assign(Position::IncidentCommander, "Chen", vec![ic.id()]));
    let offer = chen.write(
        hlc(3_000),
        EntryBody::HandoverOffered(HandoverOffered { to: "Reyes".into(), briefing: briefing() }),
    );
    let accept = reyes.write(hlc(4_000), EntryBody::HandoverAccepted(HandoverAccepted { offer: offer.id() }));
    let takes = reyes.write(hlc(4_001), assign(Position::IncidentCommander, "Reyes", vec![assume.id()]));
    let s = fold(incident(), vec![open, ic, deputy, assume, offer, accept, takes]).unwrap();
    assert!(s.command.unauthorised.is_empty(), "{:?}", s.command.unauthorised);
    assert_eq!(commander_of(&s), "Reyes");
}

#[test]
fn only_the_person_offered_command_can_accept_it() {
    let mut okafor = Stream::new(1, "Okafor");
    let mut mallory = Stream::new(2, "Mallory");
    let open = okafor.write(hlc(1_000), opened("x"));
    let ic = okafor.write(hlc(1_001), assign(Position::IncidentCommander, "Okafor", vec![]));
    let offer = okafor.write(
        hlc(2_000),
        EntryBody::HandoverOffered(HandoverOffered { to: "Reyes".into(), briefing: briefing() }),
    );
    let accept =
        mallory.write(hlc(3_000), EntryBody::HandoverAccepted(HandoverAccepted { offer: offer.id() }));
    let takes = mallory.write(hlc(3_001), assign(Position::IncidentCommander, "Mallory", vec![ic.id()]));
    let s = fold(incident(), vec![open, ic, offer, accept, takes]).unwrap();
    assert_eq!(commander_of(&s), "Okafor");
    assert_eq!(s.command.unauthorised.len(), 2);
    assert!(s.command.unauthorised[0].reason.contains("offered to Reyes, not to Mallory"));
    assert!(s.pending_handover().is_some(), "the offer still waits for Reyes");
}

#[test]
fn approval_and_sign_off_need_the_position() {
    let mut okafor = Stream::new(1, "Okafor");
    let open = okafor.write(hlc(1_000), opened("x"));
    let ic = okafor.write(hlc(1_001), assign(Position::IncidentCommander, "Okafor", vec![]));
    let mut d = decide("Divert ambulances?", "go", vec![]);
    if let EntryBody::DecisionRecorded(b) = &mut d {
        b.approvals_required = vec![Position::LegalLiaison];
    }
    let decision = okafor.write(hlc(2_000), d);
    let legal = okafor.write(hlc(2_500), assign(Position::LegalLiaison, "Okafor", vec![]));
    let as_legal = okafor.write(
        hlc(3_000),
        EntryBody::DecisionApproved(DecisionApproved {
            decision: decision.id(),
            position: Position::LegalLiaison,
        }),
    );
    let s = fold(incident(), vec![open.clone(), ic.clone(), decision.clone(), as_legal.clone()]).unwrap();
    assert_eq!(s.decisions[0].awaiting(), vec![Position::LegalLiaison], "the commander is not legal");
    assert!(
        s.command.unauthorised[0].reason.contains("did not hold Legal Liaison"),
        "{}",
        s.command.unauthorised[0].reason
    );
    // Once Okafor holds the position (earlier in the fold), the same approval counts.
    let s = fold(incident(), vec![open, ic, decision, legal, as_legal]).unwrap();
    assert!(s.decisions[0].awaiting().is_empty());
    assert!(s.command.unauthorised.is_empty());
}

#[test]
fn two_commanders_named_with_authority_still_conflict() {
    // Okafor names Chen while the deputy Reyes, cut off, assumes command: both had authority.
    let mut okafor = Stream::new(1, "Okafor");
    let mut reyes = Stream::new(2, "Reyes");
    let open = okafor.write(hlc(1_000), opened("x"));
    let ic = okafor.write(hlc(1_001), assign(Position::IncidentCommander, "Okafor", vec![]));
    let deputy = okafor.write(hlc(1_002), assign(Position::DeputyIncidentCommander, "Reyes", vec![]));
    let chen = okafor.write(hlc(2_000), assign(Position::IncidentCommander, "Chen", vec![ic.id()]));
    let assume = reyes.write(hlc(2_001), assign(Position::IncidentCommander, "Reyes", vec![ic.id()]));
    let s = fold(incident(), vec![open, ic, deputy, chen, assume]).unwrap();
    assert!(s.command.unauthorised.is_empty());
    assert!(matches!(s.commander(), Commander::Conflict(c) if c.len() == 2));
}

#[test]
fn a_commander_handing_on_while_the_deputy_assumes_first_still_conflicts() {
    // The deputy's assumption is ordered first: Okafor is no longer in command at that point of
    // the fold, yet her hand-over replaced her own command as her laptop knew it.
    let mut okafor = Stream::new(1, "Okafor");
    let mut reyes = Stream::new(2, "Reyes");
    let open = okafor.write(hlc(1_000), opened("x"));
    let ic = okafor.write(hlc(1_001), assign(Position::IncidentCommander, "Okafor", vec![]));
    let deputy = okafor.write(hlc(1_002), assign(Position::DeputyIncidentCommander, "Reyes", vec![]));
    let assume = reyes.write(hlc(2_000), assign(Position::IncidentCommander, "Reyes", vec![ic.id()]));
    let chen = okafor.write(hlc(2_001), assign(Position::IncidentCommander, "Chen", vec![ic.id()]));
    let s = fold(incident(), vec![open, ic.clone(), deputy, assume, chen]).unwrap();
    assert!(s.command.unauthorised.is_empty(), "{:?}", s.command.unauthorised);
    assert!(matches!(s.commander(), Commander::Conflict(c) if c.len() == 2));

    // (Superseding somebody else's command gives no such authority: the first test above.)

    // Relieving herself of the command she held, ordered after the deputy took it, is in force too.
    let mut okafor = Stream::new(1, "Okafor");
    let mut reyes = Stream::new(2, "Reyes");
    let open = okafor.write(hlc(1_000), opened("x"));
    let ic = okafor.write(hlc(1_001), assign(Position::IncidentCommander, "Okafor", vec![]));
    let deputy = okafor.write(hlc(1_002), assign(Position::DeputyIncidentCommander, "Reyes", vec![]));
    let assume = reyes.write(hlc(2_000), assign(Position::IncidentCommander, "Reyes", vec![ic.id()]));
    let off = okafor.write(hlc(2_001), relieve(Position::IncidentCommander, "Okafor", vec![ic.id()]));
    let s = fold(incident(), vec![open, ic, deputy, assume, off]).unwrap();
    assert!(s.command.unauthorised.is_empty(), "{:?}", s.command.unauthorised);
    assert_eq!(commander_of(&s), "Reyes");
}
