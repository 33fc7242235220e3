//! Delays of notification granted under a law (a law-enforcement agency's request, the U.S.
//! Attorney General's determination): how long a recorded one lasts, and what it does to the due
//! instant of the notices its law names. Which notices those are is the ruleset's business (each
//! rule names the regime whose delays apply to it, `delayed_by`); what a delay does is the law's,
//! so it is here, next to the vocabulary the entries store.
//!
//! Every delay only counts while it overlaps the notice's own counting period: from the instant
//! the period starts (the trigger, or the end of the calendar year for HIPAA's annual log) to the
//! instant the notice falls due. A delay that ended before the period began, or that began after
//! the notice was already due, holds nothing back.

use chrono::{DateTime, Duration, Utc};

use super::{DelayBasis, DelayRegime};
use crate::body::LawEnforcementDelay;

/// How a delay moves the due instant of a notice it applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DelayEffect {
    /// The clock stops while the delay runs and then resumes: the due instant moves by the
    /// delayed time within the period (45 CFR 164.412: "delay such notification ... for the time
    /// period specified").
    Suspend,
    /// The notice is not due before the delay ends, and the period is not otherwise extended:
    /// the statutes say the notice is made as soon as (or promptly after) the agency determines
    /// it will not compromise the investigation.
    Hold,
    /// The notice's own period runs again from the end of the delay (H&S Code 1280.15(c): the
    /// report is made within 15 business days after the end of the delay).
    Restart,
    /// Each successive determination moves the due instant to the end of the period it states,
    /// at most `caps_days[n]` days past the due instant it extends (Form 8-K Item 1.05(c): up to
    /// 30 days, an additional 30, a final 60 in extraordinary circumstances).
    Extend { caps_days: &'static [i64] },
}

/// Item 1.05(c): the initial delay, the extension, and the final extension.
const SEC_CAPS_DAYS: &[i64] = &[30, 30, 60];

impl DelayRegime {
    pub fn citation(&self) -> &'static str {
        match self {
            DelayRegime::Hipaa => "45 CFR 164.412",
            DelayRegime::Sec => "Form 8-K Item 1.05(c)",
            DelayRegime::UsCa => "Cal. Civ. Code 1798.82(a)(2), (c)",
            DelayRegime::UsCaHealthFacility => "Cal. Health & Safety Code 1280.15(c)",
            DelayRegime::UsTx => "Tex. Bus. & Com. Code 521.053(d)",
            DelayRegime::UsFl => "Fla. Stat. 501.171(4)(b)",
            DelayRegime::UsCo => "C.R.S. 6-1-716(2)(c)",
        }
    }

    pub fn effect(&self) -> DelayEffect {
        match self {
            DelayRegime::Hipaa => DelayEffect::Suspend,
            DelayRegime::Sec => DelayEffect::Extend { caps_days: SEC_CAPS_DAYS },
            DelayRegime::UsCaHealthFacility => DelayEffect::Restart,
            DelayRegime::UsCa | DelayRegime::UsTx | DelayRegime::UsFl | DelayRegime::UsCo => {
                DelayEffect::Hold
            }
        }
    }

    /// The longest an oral statement delays notice, counted from its start, where the law sets
    /// one (an oral statement may then omit its end).
    pub fn oral_max_days(&self) -> Option<i64> {
        match self {
            // 45 CFR 164.412(b); H&S Code 1280.15(c)(1).
            DelayRegime::Hipaa | DelayRegime::UsCaHealthFacility => Some(30),
            _ => None,
        }
    }

    /// The longest a written statement delays notice, counted from its start, where the law
    /// sets one (H&S Code 1280.15(c)(1): 60 days; a longer delay is a new, extended request).
    pub fn written_max_days(&self) -> Option<i64> {
        match self {
            DelayRegime::UsCaHealthFacility => Some(60),
            _ => None,
        }
    }

    /// Only a statement in writing delays notice under this law: the Attorney General notifies
    /// the Commission in writing (Item 1.05(c)); Florida's delay is "upon the written request"
    /// of the agency (501.171(4)(b)).
    pub fn needs_written(&self) -> bool {
        matches!(self, DelayRegime::Sec | DelayRegime::UsFl)
    }
}

/// A recorded delay as the interval it holds notices back, `[from, until)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DelayPeriod {
    pub regime: DelayRegime,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

impl DelayPeriod {
    /// The interval a recorded delay covers: the end it states, cut to the law's limit for its
    /// basis. An oral statement without an end lasts the law's limit (entries are validated, so
    /// only a regime with such a limit may omit the end; anything else ends where it starts).
    pub fn of(delay: &LawEnforcementDelay) -> DelayPeriod {
        let from = delay.from.0.with_timezone(&Utc);
        let stated = delay.until.map(|u| u.0.with_timezone(&Utc));
        let limit = match delay.basis {
            DelayBasis::Oral => delay.regime.oral_max_days(),
            DelayBasis::Written => delay.regime.written_max_days(),
        }
        .and_then(|days| from.checked_add_signed(Duration::days(days)));
        let until = match (stated, limit) {
            (Some(u), Some(l)) => u.min(l),
            (Some(u), None) => u,
            (None, Some(l)) => l,
            (None, None) => from,
        };
        DelayPeriod { regime: delay.regime, from, until }
    }
}

/// The due instant of a notice after the delays of its regime. `period_start` is when its
/// counting period began, `due` its due instant without delays, `delays` the intervals of its
/// regime in any order; `restart(instant)` is the notice's own period counted from `instant`
/// (used by [`DelayEffect::Restart`]). Saturates at [`DateTime::<Utc>::MAX_UTC`].
pub fn delayed_due(
    effect: DelayEffect,
    period_start: DateTime<Utc>,
    due: DateTime<Utc>,
    delays: &[(DateTime<Utc>, DateTime<Utc>)],
    restart: &dyn Fn(DateTime<Utc>) -> DateTime<Utc>,
) -> DateTime<Utc> {
    let mut intervals: Vec<(DateTime<Utc>, DateTime<Utc>)> =
        delays.iter().copied().filter(|&(from, until)| until > from && until > period_start).collect();
    intervals.sort_unstable();
    match effect {
        DelayEffect::Suspend => super::deadline::suspend(period_start, due, &intervals),
        DelayEffect::Hold => {
            let mut due = due;
            // In order of their start: a hold that pushes the due instant out can bring a later
            // delay into range, and one starting after the notice was due holds nothing back.
            for (from, until) in intervals {
                if from > due {
                    break;
                }
                due = due.max(until);
            }
            due
        }
        DelayEffect::Restart => {
            let mut due = due;
            for (from, until) in intervals {
                if from > due {
                    break;
                }
                due = due.max(restart(until));
            }
            due
        }
        DelayEffect::Extend { caps_days } => {
            let mut due = due;
            let mut granted = 0;
            for (from, until) in intervals {
                // A determination made after the filing was due does not revive it (SEC C&DI
                // 104B.01: the Attorney General notifies the Commission before it is due).
                if from > due {
                    break;
                }
                if until <= due {
                    continue; // states no time beyond the current due instant
                }
                let Some(&cap) = caps_days.get(granted) else { break };
                let limit = due.checked_add_signed(Duration::days(cap)).unwrap_or(DateTime::<Utc>::MAX_UTC);
                due = until.min(limit);
                granted += 1;
            }
            due
        }
    }
}

/// The end of a delay holding the notice back at `now`: one in force now that overlaps the
/// notice's counting period `[period_start, due]` (`due` after the delays). `None` before the
/// period begins, after the delay ends, or for a delay that began after the notice was due.
/// The end is cut to `due`, since nothing holds the notice back once it is due.
pub fn held_until(
    period_start: DateTime<Utc>,
    due: DateTime<Utc>,
    delays: &[(DateTime<Utc>, DateTime<Utc>)],
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if now < period_start {
        return None;
    }
    delays
        .iter()
        .filter(|&&(from, until)| from <= now && now < until && from <= due && until > period_start)
        .map(|&(_, until)| until.min(due))
        .filter(|&until| now < until)
        .max()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::body::EventTime;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn t(s: &str) -> DateTime<Utc> {
        at(&format!("2026-{s}T00:00:00Z"))
    }

    fn delay(regime: DelayRegime, basis: DelayBasis, from: &str, until: Option<&str>) -> LawEnforcementDelay {
        LawEnforcementDelay {
            basis,
            agency: "FBI".into(),
            statement: "impede".into(),
            from: EventTime(DateTime::parse_from_rfc3339(from).unwrap()),
            until: until.map(|u| EventTime(DateTime::parse_from_rfc3339(u).unwrap())),
            regime,
        }
    }

    #[test]
    fn a_recorded_delay_lasts_what_it_states_cut_to_its_laws_limit() {
        use DelayBasis::{Oral, Written};
        use DelayRegime::*;
        let from = "2026-03-01T00:00:00Z";
        // (regime, basis, stated end, end in force)
        let cases = [
            (Hipaa, Written, Some("2026-06-01T00:00:00Z"), "2026-06-01T00:00:00Z"),
            (Hipaa, Oral, None, "2026-03-31T00:00:00Z"),
            (Hipaa, Oral, Some("2026-05-01T00:00:00Z"), "2026-03-31T00:00:00Z"),
            (Hipaa, Oral, Some("2026-03-10T00:00:00Z"), "2026-03-10T00:00:00Z"),
            (UsCaHealthFacility, Written, Some("2026-06-01T00:00:00Z"), "2026-04-30T00:00:00Z"),
            (UsCaHealthFacility, Oral, None, "2026-03-31T00:00:00Z"),
            (UsTx, Oral, Some("2026-06-01T00:00:00Z"), "2026-06-01T00:00:00Z"),
            (Sec, Written, Some("2026-06-01T00:00:00Z"), "2026-06-01T00:00:00Z"),
        ];
        for (regime, basis, until, expected) in cases {
            let p = DelayPeriod::of(&delay(regime, basis, from, until));
            assert_eq!((p.regime, p.from, p.until), (regime, at(from), at(expected)), "{regime} {basis}");
        }
    }

    #[test]
    fn each_effect_counts_only_delays_that_overlap_the_period() {
        let start = t("01-01");
        let due = t("01-31");
        let fifteen_days = |from: DateTime<Utc>| from + Duration::days(15);
        type Interval = (DateTime<Utc>, DateTime<Utc>);
        // (effect, delays, due after them)
        let cases: Vec<(&str, DelayEffect, Vec<Interval>, DateTime<Utc>)> = vec![
            ("suspend: ten days", DelayEffect::Suspend, vec![(t("01-10"), t("01-20"))], t("02-10")),
            (
                "suspend: over before the period",
                DelayEffect::Suspend,
                vec![(t("01-01") - Duration::days(90), t("01-01") - Duration::days(60))],
                due,
            ),
            ("hold: ends before the due", DelayEffect::Hold, vec![(t("01-10"), t("01-20"))], due),
            ("hold: ends after the due", DelayEffect::Hold, vec![(t("01-20"), t("02-20"))], t("02-20")),
            ("hold: starts after the due", DelayEffect::Hold, vec![(t("02-01"), t("03-01"))], due),
            (
                "hold: a later one brought into range",
                DelayEffect::Hold,
                vec![(t("02-15"), t("03-01")), (t("01-20"), t("02-20"))],
                t("03-01"),
            ),
            (
                "restart: the period again from the end",
                DelayEffect::Restart,
                vec![(t("01-10"), t("01-20"))],
                t("02-04"),
            ),
            (
                "restart: over before the period",
                DelayEffect::Restart,
                vec![(t("01-01") - Duration::days(30), t("01-01"))],
                due,
            ),
            ("restart: starts after the due", DelayEffect::Restart, vec![(t("02-01"), t("02-05"))], due),
        ];
        for (name, effect, delays, expected) in cases {
            assert_eq!(delayed_due(effect, start, due, &delays, &fifteen_days), expected, "{name}");
        }
    }

    #[test]
    fn sec_determinations_extend_by_at_most_30_then_30_then_60_days() {
        let effect = DelayRegime::Sec.effect();
        let start = t("03-05");
        let due = t("03-11");
        let none = |i: DateTime<Utc>| i;
        let days = |n: i64| due + Duration::days(n);
        type Interval = (DateTime<Utc>, DateTime<Utc>);
        let cases: Vec<(&str, Vec<Interval>, DateTime<Utc>)> = vec![
            ("20 days asked: 20 granted", vec![(t("03-09"), days(20))], days(20)),
            ("45 days asked: capped at 30", vec![(t("03-09"), days(45))], days(30)),
            (
                "then an extension of 40: capped at 30 more",
                vec![(t("03-09"), days(30)), (days(25), days(70))],
                days(60),
            ),
            (
                "then a final one of 90: capped at 60 more",
                vec![(t("03-09"), days(30)), (days(25), days(60)), (days(55), days(200))],
                days(120),
            ),
            (
                "a fourth is beyond Item 1.05(c) (an exemptive order)",
                vec![
                    (t("03-09"), days(30)),
                    (days(25), days(60)),
                    (days(55), days(120)),
                    (days(110), days(200)),
                ],
                days(120),
            ),
            ("determined after the filing was due: nothing", vec![(days(1), days(20))], due),
            (
                "an extension asked after the delay ran out: nothing more",
                vec![(t("03-09"), days(20)), (days(21), days(40))],
                days(20),
            ),
        ];
        for (name, delays, expected) in cases {
            assert_eq!(delayed_due(effect, start, due, &delays, &none), expected, "{name}");
        }
    }

    #[test]
    fn a_delay_holds_a_notice_back_only_inside_its_period() {
        let start = t("03-01");
        let due = t("04-30");
        let delays = [(t("03-10"), t("03-20"))];
        assert_eq!(held_until(start, due, &delays, t("03-15")), Some(t("03-20")));
        assert_eq!(held_until(start, due, &delays, t("03-20")), None, "ended");
        assert_eq!(held_until(start, due, &delays, t("03-05")), None, "not begun");
        // The period of HIPAA's annual log begins with the new year: a delay in force now, before
        // it begins, does not hold it back.
        assert_eq!(held_until(t("12-31"), due + Duration::days(365), &delays, t("03-15")), None);
        // Asked for after the notice was due: nothing held back.
        assert_eq!(held_until(start, t("03-05"), &delays, t("03-15")), None);
    }
}
