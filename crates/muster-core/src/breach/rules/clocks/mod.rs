//! Regulatory notification clocks. A ruleset (assets/rules/regulatory-clocks.toml) lists one
//! rule per obligation: who must be told, by whom, under which section, from which trigger,
//! within what period, which law's delays hold it back, and when it applies. This module is the
//! rule model and its parser; [`obligations`] applies the rules to an incident (module
//! `evaluate`), [`reminders`] says when people are reminded, and [`to_ical`] exports the due
//! instants as a calendar.

mod evaluate;
mod ical;
mod reminders;

pub use evaluate::{obligations, Obligation, ObligationStatus};
pub use ical::to_ical;
pub use reminders::{deadline_stage, next_deadline_change, DeadlineStage};

use std::collections::BTreeMap;

use chrono_tz::Tz;
use serde::Deserialize;

use super::{line_of, parse_toml, rule_id_on_line, Condition, RulesFile, RulesetError, RulesetHeader};
use crate::breach::deadline::{HolidayCalendar, Period};
use crate::breach::{DelayRegime, OrgRole, TriggerKind};

pub const BUILT_IN_FILE: &str = "regulatory-clocks.toml";
pub const BUILT_IN: &str = include_str!("../../../../../../assets/rules/regulatory-clocks.toml");

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
    /// The organisation roles that owe this notice, at least one: of those the scope records,
    /// the first owes it; with none recorded, the first listed.
    pub owed_by: Vec<OrgRole>,
    pub trigger: TriggerKind,
    pub deadline: Deadline,
    pub calendar: HolidayCalendar,
    /// IANA zone the days are counted in; `None`: the zone of whoever recorded the trigger
    /// (the organisation's).
    pub zone: Option<Tz>,
    /// The law whose recorded delays hold this notice back (crate::breach::delays); `None`: no
    /// delay does.
    pub delayed_by: Option<DelayRegime>,
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
    owed_by: toml::Spanned<OneOrMore<OrgRole>>,
    trigger: TriggerKind,
    deadline: toml::Spanned<RawDeadline>,
    #[serde(default)]
    calendar: Option<HolidayCalendar>,
    #[serde(default)]
    zone: Option<toml::Spanned<String>>,
    #[serde(default)]
    delayed_by: Option<toml::Spanned<DelayRegime>>,
    /// The ruleset v2 spelling of `delayed_by = "hipaa"`, still read in installations' files.
    #[serde(default)]
    law_enforcement_delay: Option<toml::Spanned<bool>>,
    #[serde(default)]
    after: Option<toml::Spanned<String>>,
    #[serde(default)]
    when: Option<toml::Spanned<Condition>>,
    #[serde(default)]
    note: Option<String>,
}

/// A value or a list of them (`owed_by = "covered-entity"` or `owed_by = ["a", "b"]`). Read by
/// hand rather than as an untagged enum so that a wrong value is named in the error ("unknown
/// variant `landlord`, expected one of ...") instead of "did not match any variant".
struct OneOrMore<T>(Vec<T>);

impl<T> OneOrMore<T> {
    fn into_vec(self) -> Vec<T> {
        self.0
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMore<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Visit<T> {
            type Value = OneOrMore<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a role or a list of roles")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                let one = T::deserialize(serde::de::value::StrDeserializer::<E>::new(v))?;
                Ok(OneOrMore(vec![one]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut all = Vec::new();
                while let Some(v) = seq.next_element()? {
                    all.push(v);
                }
                Ok(OneOrMore(all))
            }
        }
        d.deserialize_any(Visit(std::marker::PhantomData))
    }
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
            let owed_by_line = line_of(text, r.owed_by.span().start);
            let owed_by = r.owed_by.into_inner().into_vec();
            check_owed_by(&owed_by, &when).map_err(|m| err(owed_by_line, "owed_by", m))?;
            let delayed_by = match (r.delayed_by, r.law_enforcement_delay) {
                (Some(d), Some(_)) => {
                    return Err(err(
                        line_of(text, d.span().start),
                        "delayed_by",
                        "give delayed_by only: law_enforcement_delay = true is the older spelling of delayed_by = \"hipaa\"".into(),
                    ))
                }
                (Some(d), None) => Some(d.into_inner()),
                (None, Some(legacy)) => legacy.into_inner().then_some(DelayRegime::Hipaa),
                (None, None) => None,
            };
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
                owed_by,
                trigger: r.trigger,
                deadline,
                calendar: r.calendar.unwrap_or(HolidayCalendar::None),
                zone,
                delayed_by,
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

/// What a rule's `owed_by` must be: at least one role, each a role the rule can apply to
/// (one of `roles_any` when given; not one of `roles_not_only`, the roles it excludes).
fn check_owed_by(owed_by: &[OrgRole], when: &Condition) -> Result<(), String> {
    if owed_by.is_empty() {
        return Err("name the organisation role that owes this notice".into());
    }
    let slugs = |roles: &[OrgRole]| roles.iter().map(|r| r.slug()).collect::<Vec<_>>().join(", ");
    for role in owed_by {
        if !when.roles_any.is_empty() && !when.roles_any.contains(role) {
            return Err(format!(
                "{role} never owes it: the rule applies only to the roles in when.roles_any ({})",
                slugs(&when.roles_any)
            ));
        }
        if when.roles_not_only.contains(role) {
            return Err(format!(
                "{role} never owes it: when.roles_not_only excludes an organisation with only {}",
                slugs(&when.roles_not_only)
            ));
        }
    }
    Ok(())
}
