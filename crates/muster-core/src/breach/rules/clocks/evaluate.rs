//! The obligations a clock ruleset gives an incident: which rules apply to its scope, who owes
//! each notice, its due instant after the delays of its law, and its status.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::{ClockRule, ClockRuleset, Deadline};
use crate::breach::deadline::{after_end_of_year, due_after, end_of_year};
use crate::breach::delays::{delayed_due, held_until, DelayPeriod};
use crate::breach::rules::Facts;
use crate::breach::state::{BreachState, TriggerRecord};
use crate::breach::{DelayRegime, OrgRole, TriggerKind};
use crate::entry::Author;
use crate::fold::IncidentState;
use crate::ids::EntryId;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObligationStatus {
    Pending,
    Met,
    Waived,
    Overdue,
}

impl ObligationStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            ObligationStatus::Pending => "pending",
            ObligationStatus::Met => "met",
            ObligationStatus::Waived => "waived",
            ObligationStatus::Overdue => "overdue",
        }
    }
}

/// One obligation of this incident, as `muster clocks --json` prints it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Obligation {
    pub rule: String,
    pub regime: String,
    pub recipient: String,
    pub citation: String,
    /// The organisation role that owes the notice: of the rule's `owed_by`, the first the scope
    /// records (the first listed when it records none).
    pub owed_by: OrgRole,
    /// The law whose delays hold this notice back (`None`: no delay does).
    pub delayed_by: Option<DelayRegime>,
    /// The trigger kind the clock starts from.
    pub trigger: TriggerKind,
    /// When the trigger happened (`None`: not recorded yet).
    pub trigger_at: Option<DateTime<Utc>>,
    pub trigger_recorded_by: Option<Author>,
    pub trigger_entry: Option<EntryId>,
    /// For rules counted from another obligation: its id.
    pub after: Option<String>,
    pub deadline: String,
    /// The due instant (`None` where the law sets no fixed period or the trigger is missing).
    pub due: Option<DateTime<Utc>>,
    /// Counted from the anchor obligation's due instant because it is not met yet.
    pub provisional: bool,
    /// The zone the days were counted in (the jurisdiction's, or the organisation's).
    pub zone: String,
    pub status: ObligationStatus,
    pub met_by: Option<EntryId>,
    pub met_at: Option<DateTime<Utc>>,
    /// Met after the due instant.
    pub late: bool,
    pub waived_by: Option<EntryId>,
    pub waiver_rationale: Option<String>,
    /// A delay of `delayed_by`'s law holding this notice back now, until this instant.
    pub suspended_until: Option<DateTime<Utc>>,
    /// Why the rule applies to this incident.
    pub applies_because: String,
    pub note: Option<String>,
}

/// Every obligation the ruleset gives this incident, in ruleset order.
pub fn obligations(ruleset: &ClockRuleset, state: &IncidentState, now: DateTime<Utc>) -> Vec<Obligation> {
    let breach = &state.breach;
    let scope = breach.scope().map(|s| &s.scope);
    let major = breach.classification().is_some_and(|c| c.effective().1);
    let facts = Facts { scope, major };
    let delays: Vec<DelayPeriod> = breach.delays.iter().map(|d| DelayPeriod::of(&d.delay)).collect();

    let mut out: Vec<Obligation> = Vec::new();
    // Rules counted from another obligation come after the ones they count from.
    let ordered = ruleset
        .rules
        .iter()
        .filter(|r| r.after.is_none())
        .chain(ruleset.rules.iter().filter(|r| r.after.is_some()));
    for rule in ordered {
        if !rule.when.holds(&facts) {
            continue;
        }
        let trigger = breach.trigger(rule.trigger);
        let zone =
            rule.zone.or_else(|| trigger.and_then(|t| t.stamp.at.zone.parse::<Tz>().ok())).unwrap_or(Tz::UTC);
        let (start, provisional) = match &rule.after {
            None => (trigger.map(|t| t.at.0.with_timezone(&Utc)), false),
            Some(anchor) => match out.iter().find(|o| &o.rule == anchor) {
                Some(o) if o.met_at.is_some() => (o.met_at, false),
                Some(o) => (o.due, o.due.is_some()),
                None => (None, false),
            },
        };
        let clock = start.map(|s| Clock::of(rule, s, zone, &delays, now));
        let due = clock.and_then(|c| c.due);
        let met = met_by(breach, &rule.id);
        let (status, waived_by, waiver_rationale) = status(state, rule, &out, met, due, now);
        let anchor_trigger: Option<&TriggerRecord> = match &rule.after {
            None => trigger,
            Some(_) => None,
        };
        out.push(Obligation {
            rule: rule.id.clone(),
            regime: rule.regime.clone(),
            recipient: rule.recipient.clone(),
            citation: rule.citation.clone(),
            owed_by: owed_by(rule, &facts),
            delayed_by: rule.delayed_by,
            trigger: rule.trigger,
            trigger_at: anchor_trigger.map(|t| t.at.0.with_timezone(&Utc)).or(if rule.after.is_some() {
                start
            } else {
                None
            }),
            trigger_recorded_by: anchor_trigger.map(|t| t.stamp.by.clone()),
            trigger_entry: anchor_trigger.map(|t| t.stamp.entry_id),
            after: rule.after.clone(),
            deadline: rule.deadline.describe(),
            due,
            provisional,
            zone: zone.name().to_string(),
            status,
            met_by: met.map(|(id, _)| id),
            met_at: met.map(|(_, at)| at),
            late: matches!((met, due), (Some((_, at)), Some(d)) if at > d),
            waived_by,
            waiver_rationale,
            suspended_until: clock.and_then(|c| c.held_until),
            applies_because: rule.when.explain(&facts),
            note: rule.note.clone(),
        });
    }
    // Back to ruleset order, so the list reads as the file does.
    let position = |id: &str| ruleset.rules.iter().position(|r| r.id == id).unwrap_or(usize::MAX);
    out.sort_by_key(|o| position(&o.rule));
    out
}

/// A started clock: its due instant after the delays of its law (`None` where the law sets no
/// fixed period), and the end of a delay holding the notice back now.
#[derive(Clone, Copy)]
struct Clock {
    due: Option<DateTime<Utc>>,
    held_until: Option<DateTime<Utc>>,
}

impl Clock {
    /// The clock of `rule` started at `start`.
    fn of(
        rule: &ClockRule,
        start: DateTime<Utc>,
        zone: Tz,
        delays: &[DelayPeriod],
        now: DateTime<Utc>,
    ) -> Clock {
        let (period_start, due) = match rule.deadline {
            Deadline::Period(p) => (start, Some(due_after(start, p, zone, rule.calendar))),
            // The annual log counts from the end of the calendar year, not from the discovery:
            // a delay over before then holds nothing back (45 CFR 164.408(c)).
            Deadline::DaysAfterYearEnd(n) => {
                (end_of_year(start, zone), Some(after_end_of_year(start, n, zone)))
            }
            Deadline::None => (start, None),
        };
        let Some(regime) = rule.delayed_by else {
            return Clock { due, held_until: None };
        };
        let intervals: Vec<(DateTime<Utc>, DateTime<Utc>)> =
            delays.iter().filter(|d| d.regime == regime).map(|d| (d.from, d.until)).collect();
        // The notice's own period counted again from the end of a delay (H&S Code 1280.15(c)).
        let restart = |from: DateTime<Utc>| match rule.deadline {
            Deadline::Period(p) => due_after(from, p, zone, rule.calendar),
            Deadline::DaysAfterYearEnd(n) => after_end_of_year(from, n, zone),
            Deadline::None => from,
        };
        match due {
            Some(due) => {
                let due = delayed_due(regime.effect(), period_start, due, &intervals, &restart);
                Clock { due: Some(due), held_until: held_until(period_start, due, &intervals, now) }
            }
            // No period to move, but the notice is still held back while the delay runs.
            None => Clock {
                due: None,
                held_until: held_until(period_start, DateTime::<Utc>::MAX_UTC, &intervals, now),
            },
        }
    }
}

/// The role that owes `rule`'s notice: of its `owed_by`, the first the scope records; with none
/// recorded (a scope without roles, taken as the data owner's), the first listed.
fn owed_by(rule: &ClockRule, facts: &Facts<'_>) -> OrgRole {
    let recorded = |r: &&OrgRole| facts.scope.is_some_and(|s| s.roles.contains(r));
    rule.owed_by.iter().find(recorded).or(rule.owed_by.first()).copied().unwrap_or(OrgRole::DataOwner)
}

/// The earliest communication meeting `rule`, and when it was sent.
fn met_by(breach: &BreachState, rule: &str) -> Option<(EntryId, DateTime<Utc>)> {
    breach
        .communications
        .iter()
        .filter(|c| c.communication.obligations.iter().any(|o| o == rule))
        .map(|c| {
            let at = c
                .communication
                .sent_at
                .map(|t| t.0.with_timezone(&Utc))
                .unwrap_or_else(|| c.stamp.at.instant());
            (c.stamp.entry_id, at)
        })
        .min_by_key(|(id, at)| (*at, *id))
}

type Status = (ObligationStatus, Option<EntryId>, Option<String>);

/// The status of `rule`'s obligation, with the decision that waived it and why.
fn status(
    state: &IncidentState,
    rule: &ClockRule,
    earlier: &[Obligation],
    met: Option<(EntryId, DateTime<Utc>)>,
    due: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Status {
    // The standing (not superseded) notify / do-not-notify decision for this rule, latest first.
    let choice = state
        .decisions
        .iter()
        .rev()
        .filter(|d| d.superseded_by.is_empty())
        .find_map(|d| d.notification.as_ref().filter(|n| n.rule == rule.id).map(|n| (d, n.notify)));
    // A rule counted from another obligation is owed only if that one is: waiving the notice
    // to residents waives the sample copy to the attorney general that follows it.
    let anchor_waiver = rule
        .after
        .as_ref()
        .and_then(|a| earlier.iter().find(|o| &o.rule == a))
        .filter(|o| o.status == ObligationStatus::Waived)
        .map(|o| {
            let why = o.waiver_rationale.clone().unwrap_or_default();
            (o.waived_by, format!("follows the waiver of {}: {why}", o.rule))
        });
    match (met, choice, anchor_waiver) {
        (Some(_), _, _) => (ObligationStatus::Met, None, None),
        (None, Some((d, false)), _) => {
            (ObligationStatus::Waived, Some(d.entry_id), Some(d.rationale.clone()))
        }
        (None, _, Some((by, why))) => (ObligationStatus::Waived, by, Some(why)),
        _ if due.is_some_and(|d| now > d) => (ObligationStatus::Overdue, None, None),
        _ => (ObligationStatus::Pending, None, None),
    }
}
