//! Regulatory notification clocks. A ruleset (assets/rules/regulatory-clocks.toml) lists one
//! rule per obligation: who must be told, under which section, from which trigger, within what
//! period, and when it applies. `obligations` applies the rules that apply to an incident's
//! scope and computes each one's due instant and status.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::{line_of, parse_toml, rule_id_on_line, Condition, Facts, RulesFile, RulesetError, RulesetHeader};
use crate::breach::deadline::{after_end_of_year, due_after, suspend, HolidayCalendar, Period};
use crate::breach::state::TriggerRecord;
use crate::breach::{DelayBasis, TriggerKind, ORAL_DELAY_MAX_DAYS};
use crate::entry::Author;
use crate::fold::IncidentState;
use crate::ids::EntryId;

pub const BUILT_IN_FILE: &str = "regulatory-clocks.toml";
pub const BUILT_IN: &str = include_str!("../../../../../assets/rules/regulatory-clocks.toml");

/// How long an obligation's period is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deadline {
    Period(Period),
    /// `n` days after the end of the calendar year of the trigger (HIPAA annual HHS log).
    DaysAfterYearEnd(u32),
    /// The law sets no fixed period ("without undue delay", "as soon as feasible").
    None,
}

impl Deadline {
    pub fn describe(&self) -> String {
        match self {
            Deadline::Period(Period::Hours(n)) => format!("{n} hours"),
            Deadline::Period(Period::CalendarDays(n)) => format!("{n} calendar days"),
            Deadline::Period(Period::BusinessDays(n)) => format!("{n} business days"),
            Deadline::Period(Period::Months(1)) => "1 month".to_string(),
            Deadline::Period(Period::Months(n)) => format!("{n} months"),
            Deadline::DaysAfterYearEnd(n) => format!("{n} days after the end of the calendar year"),
            Deadline::None => "no fixed period".to_string(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClockRule {
    pub id: String,
    pub regime: String,
    pub recipient: String,
    pub citation: String,
    pub trigger: TriggerKind,
    pub deadline: Deadline,
    pub calendar: HolidayCalendar,
    /// IANA zone the days are counted in; `None`: the zone of whoever recorded the trigger
    /// (the organisation's).
    pub zone: Option<Tz>,
    /// A law-enforcement delay suspends this clock (45 CFR 164.412).
    pub law_enforcement_delay: bool,
    /// Counted from another obligation being met (or, until it is, from its due instant).
    pub after: Option<String>,
    pub when: Condition,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClockRuleset {
    pub header: RulesetHeader,
    pub rules: Vec<ClockRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: toml::Spanned<String>,
    regime: String,
    recipient: String,
    citation: String,
    trigger: TriggerKind,
    deadline: toml::Spanned<RawDeadline>,
    #[serde(default)]
    calendar: Option<HolidayCalendar>,
    #[serde(default)]
    zone: Option<toml::Spanned<String>>,
    #[serde(default)]
    law_enforcement_delay: bool,
    #[serde(default)]
    after: Option<toml::Spanned<String>>,
    #[serde(default)]
    when: Option<toml::Spanned<Condition>>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeadline {
    hours: Option<u32>,
    calendar_days: Option<u32>,
    business_days: Option<u32>,
    months: Option<u32>,
    days_after_year_end: Option<u32>,
    none: Option<bool>,
}

impl ClockRuleset {
    pub fn built_in() -> Result<ClockRuleset, RulesetError> {
        ClockRuleset::parse(BUILT_IN_FILE, BUILT_IN)
    }

    pub fn parse(file: &str, text: &str) -> Result<ClockRuleset, RulesetError> {
        let raw: RulesFile<RawRule> = parse_toml(file, text)?;
        let err = |line: usize, field: &str, message: String| RulesetError {
            file: file.to_string(),
            line,
            field: field.to_string(),
            message,
        };
        let mut rules: Vec<ClockRule> = Vec::new();
        let mut lines: BTreeMap<String, usize> = BTreeMap::new();
        // The line `after` is written on, for its error below.
        let mut after_lines: BTreeMap<String, usize> = BTreeMap::new();
        for r in raw.rule {
            let (id, line) = rule_id_on_line(file, text, r.id, |id| lines.contains_key(id))?;
            let deadline_line = line_of(text, r.deadline.span().start);
            let d = r.deadline.into_inner();
            let given = [
                d.hours.map(|n| Deadline::Period(Period::Hours(n))),
                d.calendar_days.map(|n| Deadline::Period(Period::CalendarDays(n))),
                d.business_days.map(|n| Deadline::Period(Period::BusinessDays(n))),
                d.months.map(|n| Deadline::Period(Period::Months(n))),
                d.days_after_year_end.map(Deadline::DaysAfterYearEnd),
                d.none.filter(|b| *b).map(|_| Deadline::None),
            ];
            let given: Vec<Deadline> = given.into_iter().flatten().collect();
            let deadline = match given.as_slice() {
                [one] => *one,
                _ => {
                    return Err(err(
                        deadline_line,
                        "deadline",
                        "give exactly one of hours, calendar_days, business_days, months, days_after_year_end, none = true"
                            .into(),
                    ))
                }
            };
            if let Deadline::Period(
                Period::Hours(0) | Period::CalendarDays(0) | Period::BusinessDays(0) | Period::Months(0),
            ) = deadline
            {
                return Err(err(deadline_line, "deadline", "a period of 0 is not a deadline".into()));
            }
            let zone = match r.zone {
                None => None,
                Some(z) => {
                    let zone_line = line_of(text, z.span().start);
                    let name = z.into_inner();
                    Some(name.parse::<Tz>().map_err(|_| {
                        err(
                            zone_line,
                            "zone",
                            format!("{name:?} is not an IANA time zone (America/New_York)"),
                        )
                    })?)
                }
            };
            let when_line = r.when.as_ref().map_or(line, |w| line_of(text, w.span().start));
            let when = r.when.map(toml::Spanned::into_inner).unwrap_or_default();
            when.check(file, when_line)?;
            let after = r.after.map(|a| {
                after_lines.insert(id.clone(), line_of(text, a.span().start));
                a.into_inner()
            });
            lines.insert(id.clone(), line);
            rules.push(ClockRule {
                id,
                regime: r.regime,
                recipient: r.recipient,
                citation: r.citation,
                trigger: r.trigger,
                deadline,
                calendar: r.calendar.unwrap_or(HolidayCalendar::None),
                zone,
                law_enforcement_delay: r.law_enforcement_delay,
                after,
                when,
                note: r.note,
            });
        }
        for rule in &rules {
            let Some(after) = &rule.after else { continue };
            let line = after_lines.get(&rule.id).or(lines.get(&rule.id)).copied().unwrap_or(1);
            match rules.iter().find(|r| &r.id == after) {
                None => return Err(err(line, "after", format!("{after:?} names no rule in this file"))),
                Some(anchor) if anchor.after.is_some() => {
                    return Err(err(line, "after", format!("{after:?} is itself counted from another rule")))
                }
                Some(_) => {}
            }
        }
        Ok(ClockRuleset { header: raw.ruleset, rules })
    }
}

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
    /// A law-enforcement delay in force now, until this instant.
    pub suspended_until: Option<DateTime<Utc>>,
    /// Why the rule applies to this incident.
    pub applies_because: String,
    pub note: Option<String>,
}

/// How near an open obligation is to its due instant, for the reminders people get outside
/// the window (an OS notification): a day before, an hour before, and once it is overdue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeadlineStage {
    /// Due within 24 hours.
    DayBefore,
    /// Due within one hour.
    HourBefore,
    /// The due instant has passed and it is neither met nor waived.
    Overdue,
}

impl DeadlineStage {
    pub fn as_str(&self) -> &'static str {
        match self {
            DeadlineStage::DayBefore => "day_before",
            DeadlineStage::HourBefore => "hour_before",
            DeadlineStage::Overdue => "overdue",
        }
    }
}

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

/// The reminder stage an obligation is in at `now`: only open ones (pending or overdue) with a
/// due instant, and none while a law-enforcement delay suspends the clock. As for the status,
/// the due instant itself is still on time; overdue starts the millisecond after.
pub fn deadline_stage(o: &Obligation, now: DateTime<Utc>) -> Option<DeadlineStage> {
    if !matches!(o.status, ObligationStatus::Pending | ObligationStatus::Overdue)
        || o.suspended_until.is_some()
    {
        return None;
    }
    let left_ms = (o.due? - now).num_milliseconds();
    if left_ms < 0 {
        Some(DeadlineStage::Overdue)
    } else if left_ms <= HOUR_MS {
        Some(DeadlineStage::HourBefore)
    } else if left_ms <= DAY_MS {
        Some(DeadlineStage::DayBefore)
    } else {
        None
    }
}

/// When an open obligation's reminders begin (the day-before stage: 24 hours before it is due),
/// for screens that list what is due soon; `None` for one met, waived, without a due instant or
/// held by a law-enforcement delay, as for `deadline_stage`.
pub fn reminded_from(o: &Obligation) -> Option<DateTime<Utc>> {
    if !matches!(o.status, ObligationStatus::Pending | ObligationStatus::Overdue)
        || o.suspended_until.is_some()
    {
        return None;
    }
    o.due.map(|due| due - Duration::milliseconds(DAY_MS))
}

/// The next instant after `now` at which an open obligation enters another reminder stage (or
/// a suspension ends), so a scheduler can sleep until then.
pub fn next_deadline_change(obligations: &[Obligation], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    obligations
        .iter()
        .filter(|o| matches!(o.status, ObligationStatus::Pending | ObligationStatus::Overdue))
        .flat_map(|o| {
            let due = o.due.filter(|_| o.suspended_until.is_none());
            let stages = due.into_iter().flat_map(|due| {
                [
                    due - Duration::milliseconds(DAY_MS),
                    due - Duration::milliseconds(HOUR_MS),
                    due + Duration::milliseconds(1),
                ]
            });
            stages.chain(o.suspended_until)
        })
        .filter(|t| *t > now)
        .min()
}

/// Every obligation the ruleset gives this incident, in ruleset order.
pub fn obligations(ruleset: &ClockRuleset, state: &IncidentState, now: DateTime<Utc>) -> Vec<Obligation> {
    let breach = &state.breach;
    let scope = breach.scope().map(|s| &s.scope);
    let major = breach.classification().is_some_and(|c| c.effective().1);
    let facts = Facts { scope, major };
    let suspensions: Vec<(DateTime<Utc>, DateTime<Utc>)> = breach
        .delays
        .iter()
        .map(|d| {
            let from = d.delay.from.0.with_timezone(&Utc);
            let cap = from + Duration::days(ORAL_DELAY_MAX_DAYS);
            let until = match (d.delay.basis, d.delay.until) {
                (DelayBasis::Written, Some(u)) => u.0.with_timezone(&Utc),
                (DelayBasis::Oral, Some(u)) => u.0.with_timezone(&Utc).min(cap),
                (_, None) => cap,
            };
            (from, until)
        })
        .collect();

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
        let mut due = start.and_then(|s| match rule.deadline {
            Deadline::Period(p) => Some(due_after(s, p, zone, rule.calendar)),
            Deadline::DaysAfterYearEnd(n) => Some(after_end_of_year(s, n, zone)),
            Deadline::None => None,
        });
        let mut suspended_until = None;
        if rule.law_enforcement_delay {
            if let (Some(s), Some(d)) = (start, due) {
                due = Some(suspend(s, d, &suspensions));
            }
            suspended_until =
                suspensions.iter().filter(|(f, u)| *f <= now && now < *u).map(|(_, u)| *u).max();
        }
        let met = breach
            .communications
            .iter()
            .filter(|c| c.communication.obligations.contains(&rule.id))
            .map(|c| {
                let at = c
                    .communication
                    .sent_at
                    .map(|t| t.0.with_timezone(&Utc))
                    .unwrap_or_else(|| c.stamp.at.instant());
                (c.stamp.entry_id, at)
            })
            .min_by_key(|(id, at)| (*at, *id));
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
            .and_then(|a| out.iter().find(|o| &o.rule == a))
            .filter(|o| o.status == ObligationStatus::Waived)
            .map(|o| {
                let why = o.waiver_rationale.clone().unwrap_or_default();
                (o.waived_by, format!("follows the waiver of {}: {why}", o.rule))
            });
        let (status, waived_by, waiver_rationale) = match (met, choice, anchor_waiver) {
            (Some(_), _, _) => (ObligationStatus::Met, None, None),
            (None, Some((d, false)), _) => {
                (ObligationStatus::Waived, Some(d.entry_id), Some(d.rationale.clone()))
            }
            (None, _, Some((by, why))) => (ObligationStatus::Waived, by, Some(why)),
            _ if due.is_some_and(|d| now > d) => (ObligationStatus::Overdue, None, None),
            _ => (ObligationStatus::Pending, None, None),
        };
        let anchor_trigger: Option<&TriggerRecord> = match &rule.after {
            None => trigger,
            Some(_) => None,
        };
        out.push(Obligation {
            rule: rule.id.clone(),
            regime: rule.regime.clone(),
            recipient: rule.recipient.clone(),
            citation: rule.citation.clone(),
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
            suspended_until,
            applies_because: rule.when.explain(&facts),
            note: rule.note.clone(),
        });
    }
    // Back to ruleset order, so the list reads as the file does.
    let position = |id: &str| ruleset.rules.iter().position(|r| r.id == id).unwrap_or(usize::MAX);
    out.sort_by_key(|o| position(&o.rule));
    out
}

/// The obligations as an iCalendar (RFC 5545) file: one all-day-free VEVENT per due instant,
/// with an alarm a day before. Obligations without a due instant are left out.
pub fn to_ical(
    obligations: &[Obligation],
    incident_title: &str,
    incident: &str,
    now: DateTime<Utc>,
) -> String {
    let mut out = String::new();
    let mut line = |s: &str| {
        out.push_str(&fold_ical_line(s));
        out.push_str("\r\n");
    };
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//Muster//Regulatory clocks//EN");
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    line(&format!("X-WR-CALNAME:{}", ical_text(&format!("Muster deadlines: {incident_title}"))));
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    for o in obligations {
        let Some(due) = o.due else { continue };
        let at = due.format("%Y%m%dT%H%M%SZ").to_string();
        line("BEGIN:VEVENT");
        line(&format!("UID:{}-{}@muster", incident, o.rule));
        line(&format!("DTSTAMP:{stamp}"));
        line(&format!("DTSTART:{at}"));
        line(&format!("DTEND:{at}"));
        line(&format!(
            "SUMMARY:{}",
            ical_text(&format!("{} due: notify {} ({})", o.rule, o.recipient, o.status.as_str()))
        ));
        let mut description = format!(
            "{} - {}. Period: {} from {}. Status: {}.",
            o.regime,
            o.citation,
            o.deadline,
            o.after.clone().unwrap_or_else(|| o.trigger.slug().to_string()),
            o.status.as_str()
        );
        if o.provisional {
            description.push_str(" Provisional: counted from the due date of the obligation it follows.");
        }
        line(&format!("DESCRIPTION:{}", ical_text(&description)));
        line(&format!("CATEGORIES:{}", ical_text(&o.regime)));
        line("BEGIN:VALARM");
        line("ACTION:DISPLAY");
        line(&format!("DESCRIPTION:{}", ical_text(&format!("{} due in 24 hours", o.rule))));
        line("TRIGGER:-PT24H");
        line("END:VALARM");
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    out
}

/// RFC 5545 TEXT escaping.
fn ical_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\n', "\\n").replace('\r', "")
}

/// RFC 5545 folds content lines longer than 75 octets, never inside a UTF-8 sequence.
fn fold_ical_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 70 * 3);
    let mut width = 0;
    for c in s.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out
}
