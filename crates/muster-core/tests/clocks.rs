//! The regulatory notification clocks of assets/rules/regulatory-clocks.toml applied to folded
//! incident logs: which rules apply at each threshold, the exact due instant of each one (days end
//! at 23:59:59 local time in the rule's zone, or the recorder's; hours are exact), business days
//! across weekends and US federal holidays, DST, leap years, law-enforcement delays, statuses, the
//! iCalendar export, and the errors a malformed ruleset gives.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod support;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use muster_core::breach::rules::clocks::{obligations, to_ical, ClockRuleset, Obligation, ObligationStatus};
use muster_core::breach::{
    DataCategory as D, DelayBasis, DelayRegime, Exposure as X, OrgRole as R, TriggerKind as T,
};
use muster_core::*;
use support::*;

const NY: &str = "America/New_York";
const LA: &str = "America/Los_Angeles";
const CHICAGO: &str = "America/Chicago";
const DENVER: &str = "America/Denver";
const SYDNEY: &str = "Australia/Sydney";
const BERLIN: &str = "Europe/Berlin";
const LONDON: &str = "Europe/London";

fn ruleset() -> ClockRuleset {
    ClockRuleset::built_in().expect("the built-in clock ruleset parses")
}

/// The obligations of `log` at `now`, under the built-in ruleset.
fn obligations_of(log: &Log, now: &str) -> Vec<Obligation> {
    obligations(&ruleset(), &log.state(), at(now))
}

fn ids(obligations: &[Obligation]) -> Vec<&str> {
    obligations.iter().map(|o| o.rule.as_str()).collect()
}

fn find<'a>(obligations: &'a [Obligation], rule: &str) -> &'a Obligation {
    obligations
        .iter()
        .find(|o| o.rule == rule)
        .unwrap_or_else(|| panic!("{rule} does not apply; applying: {:?}", ids(obligations)))
}

/// An instant written in RFC 3339 with the offset in force in `zone`.
fn local(instant: DateTime<Utc>, zone: &str) -> String {
    instant.with_timezone(&zone.parse::<Tz>().unwrap()).to_rfc3339()
}

/// Asserts the obligation's due instant, and that it reads exactly `expected` in the obligation's
/// own zone (so the offset, not just the instant, is checked).
fn assert_due(o: &Obligation, expected: Option<&str>, context: &str) {
    let got = o.due.map(|d| local(d, &o.zone));
    assert_eq!(got.as_deref(), expected, "{context}: {} due (zone {})", o.rule, o.zone);
}

// Scopes. PHI exfiltrated is exposed in every sense a rule asks about; "encrypted" is the HIPAA
// and state-law safe harbour of a lost encrypted device.

fn phi(roles: &[R]) -> Scope {
    scope().data(&[D::ClinicalPhi]).exposure(&[X::ExfiltrationConfirmed]).roles(roles)
}

fn phi_encrypted(roles: &[R]) -> Scope {
    scope().data(&[D::ClinicalPhi]).exposure(&[X::EncryptedDeviceLost]).roles(roles)
}

/// Personal data under state breach laws, with no HIPAA role.
fn pii() -> Scope {
    scope().data(&[D::Financial]).exposure(&[X::UnauthorisedAccess])
}

fn pii_encrypted() -> Scope {
    scope().data(&[D::Financial]).exposure(&[X::EncryptedDeviceLost])
}

/// The six clock triggers, each at a different time so that a rule counting from the wrong one
/// shows. All are recorded in New York.
const TRIGGERS: [(T, &str); 6] = [
    (T::Suspicion, "2026-03-01T20:00:00-05:00"),     // Sunday
    (T::Discovery, "2026-03-02T09:00:00-05:00"),     // Monday
    (T::Awareness, "2026-03-03T10:30:00-05:00"),     // Tuesday
    (T::Determination, "2026-03-04T11:00:00-05:00"), // Wednesday
    (T::Materiality, "2026-03-05T16:00:00-05:00"),   // Thursday
    (T::HighRisk, "2026-03-06T12:00:00-05:00"),      // Friday
];

fn trigger_time(kind: T) -> &'static str {
    TRIGGERS.iter().find(|(k, _)| *k == kind).map(|(_, t)| *t).unwrap()
}

/// An incident with `scope`, classified major or not, and every trigger recorded in New York.
fn incident_with(scope: &Scope, major: bool) -> Log {
    let mut log = Log::new("Okafor");
    log.add("2026-03-01T19:00:00-05:00", NY, opened("Breach at Mercy General"));
    log.add("2026-03-01T19:05:00-05:00", NY, scope.clone().body());
    if major {
        log.add("2026-03-01T19:10:00-05:00", NY, classified(Severity::Sev1, true, false));
    }
    for (kind, time) in TRIGGERS {
        log.add(time, NY, trigger(kind, time));
    }
    log
}

/// Before any due instant of the table below.
const EARLY: &str = "2026-03-01T23:00:00-05:00";

struct RuleCase {
    rule: &'static str,
    trigger: T,
    /// A scope under which the rule applies...
    applies: Scope,
    major: bool,
    /// ...its due instant, written in `zone`...
    due: Option<&'static str>,
    zone: &'static str,
    provisional: bool,
    /// ...and scopes at the edge of its condition under which it does not apply.
    not: Vec<(&'static str, Scope, bool)>,
}

fn rule_cases() -> Vec<RuleCase> {
    let ce = || phi(&[R::CoveredEntity]);
    let ba = || phi(&[R::BusinessAssociate]);
    let controller = || phi(&[R::Controller]);
    let nis2 = || phi(&[R::Nis2Entity]).affected("DE", 40);
    let c = |rule, trigger, applies, due, zone, not| RuleCase {
        rule,
        trigger,
        applies,
        major: false,
        due,
        zone,
        provisional: false,
        not,
    };
    vec![
        // ------------------------------------------------------------------ HIPAA
        c(
            "hipaa.individuals",
            T::Discovery,
            ce().affected("US-NY", 1),
            Some("2026-05-01T23:59:59-04:00"),
            NY,
            vec![
                ("no individual affected", ce().affected("US-NY", 0), false),
                (
                    "only an encrypted device lost (safe harbour)",
                    phi_encrypted(&[R::CoveredEntity]).affected("US-NY", 1000),
                    false,
                ),
                ("a business associate, not a covered entity", ba().affected("US-NY", 1000), false),
                (
                    "no PHI (staff records)",
                    scope()
                        .data(&[D::StaffPii])
                        .exposure(&[X::ExfiltrationConfirmed])
                        .roles(&[R::CoveredEntity])
                        .affected("US-NY", 1000),
                    false,
                ),
            ],
        ),
        c(
            "hipaa.media",
            T::Discovery,
            ce().affected("US-CA", 501),
            Some("2026-05-01T23:59:59-04:00"),
            NY,
            vec![
                ("exactly 500 residents of one state", ce().affected("US-CA", 500), false),
                (
                    "800 in all but no state has more than 500",
                    ce().affected("US-CA", 400).affected("US-NV", 400),
                    false,
                ),
                (
                    "501 residents, only an encrypted device lost",
                    phi_encrypted(&[R::CoveredEntity]).affected("US-CA", 501),
                    false,
                ),
            ],
        ),
        c(
            "hipaa.hhs",
            T::Discovery,
            ce().affected("US-CA", 500),
            Some("2026-05-01T23:59:59-04:00"),
            NY,
            vec![("499 individuals in all", ce().affected("US-CA", 250).affected("US-TX", 249), false)],
        ),
        c(
            "hipaa.hhs-annual",
            T::Discovery,
            ce().affected("US-CA", 499),
            Some("2027-03-01T23:59:59-05:00"),
            NY,
            vec![
                ("500 individuals in all", ce().affected("US-CA", 250).affected("US-TX", 250), false),
                ("no individual affected", ce().affected("US-NY", 0), false),
            ],
        ),
        c(
            "hipaa.business-associate",
            T::Discovery,
            ba().affected("US-TX", 1),
            Some("2026-05-01T23:59:59-04:00"),
            NY,
            vec![
                ("a covered entity, not a business associate", ce().affected("US-TX", 1000), false),
                (
                    "only an encrypted device lost",
                    phi_encrypted(&[R::BusinessAssociate]).affected("US-TX", 1000),
                    false,
                ),
            ],
        ),
        // ------------------------------------------------------------------ GDPR, UK GDPR
        c(
            "gdpr.authority",
            T::Awareness,
            controller().affected("DE", 1),
            Some("2026-03-06T10:30:00-05:00"),
            NY,
            vec![
                ("a processor, not a controller", phi(&[R::Processor]).affected("DE", 1000), false),
                ("only UK data subjects", controller().affected("GB", 1000), false),
                ("only Swiss data subjects (not EEA)", controller().affected("CH", 1000), false),
            ],
        ),
        c(
            "gdpr.processor-to-controller",
            T::Awareness,
            phi(&[R::Processor]).affected("NO", 1),
            None,
            NY,
            vec![("a controller", controller().affected("NO", 1000), false)],
        ),
        c(
            "gdpr.data-subjects",
            T::HighRisk,
            controller().affected("FR", 1),
            None,
            NY,
            vec![(
                "only an encrypted device lost (Art. 34(3)(a))",
                phi_encrypted(&[R::Controller]).affected("FR", 1000),
                false,
            )],
        ),
        c(
            "uk-gdpr.authority",
            T::Awareness,
            controller().affected("GB", 1),
            Some("2026-03-06T10:30:00-05:00"),
            NY,
            vec![
                ("only EU data subjects", controller().affected("IE", 1000), false),
                ("a processor", phi(&[R::Processor]).affected("GB", 1000), false),
            ],
        ),
        c(
            "uk-gdpr.processor-to-controller",
            T::Awareness,
            phi(&[R::Processor]).affected("GB", 1),
            None,
            NY,
            vec![
                ("a controller", controller().affected("GB", 1000), false),
                ("only EU data subjects", phi(&[R::Processor]).affected("IE", 1000), false),
            ],
        ),
        c(
            "uk-gdpr.data-subjects",
            T::HighRisk,
            controller().affected("GB", 1),
            None,
            NY,
            vec![(
                "only an encrypted device lost",
                phi_encrypted(&[R::Controller]).affected("GB", 1000),
                false,
            )],
        ),
        // ------------------------------------------------------------------ NIS2
        RuleCase {
            major: true,
            not: vec![
                ("not a major incident", nis2(), false),
                ("major, but not an NIS2 entity", controller().affected("DE", 40), true),
            ],
            ..c("nis2.early-warning", T::Awareness, nis2(), Some("2026-03-04T10:30:00-05:00"), NY, vec![])
        },
        RuleCase {
            major: true,
            not: vec![("not a major incident", nis2(), false)],
            ..c("nis2.notification", T::Awareness, nis2(), Some("2026-03-06T10:30:00-05:00"), NY, vec![])
        },
        RuleCase {
            major: true,
            // One month from the notification's due instant (not met yet), in the recorder's zone.
            provisional: true,
            not: vec![("not a major incident", nis2(), false)],
            ..c("nis2.final-report", T::Awareness, nis2(), Some("2026-04-06T23:59:59-04:00"), NY, vec![])
        },
        // ------------------------------------------------------------------ Canada, Australia
        c(
            "pipeda.commissioner",
            T::Determination,
            pii().affected("CA", 1),
            None,
            NY,
            vec![("California (US-CA) is not Canada (CA)", pii().affected("US-CA", 1000), false)],
        ),
        c(
            "pipeda.individuals",
            T::Determination,
            pii().affected("CA", 1),
            None,
            NY,
            vec![("nobody in Canada", pii().affected("GB", 1000), false)],
        ),
        c(
            "au-ndb.assessment",
            T::Suspicion,
            pii().affected("AU", 1),
            // 20:00 on Sunday in New York is Monday noon in Sydney: Sydney's days count.
            Some("2026-04-01T23:59:59+11:00"),
            SYDNEY,
            vec![("nobody in Australia", pii().affected("NZ", 1000), false)],
        ),
        c(
            "au-ndb.notification",
            T::Determination,
            pii().affected("AU", 1),
            None,
            // No fixed period, so no zone of its own: the recorder's.
            NY,
            vec![("nobody in Australia", pii().affected("NZ", 1000), false)],
        ),
        // ------------------------------------------------------------------ US states
        // The residents', attorney-general and consumer-reporting notices are the data owner's:
        // an organisation that is only a vendor (business associate, processor) owes none of
        // them, but tells the owner under the state's vendor rule.
        c(
            "us-ca.residents",
            T::Discovery,
            pii().affected("US-CA", 1),
            Some("2026-04-01T23:59:59-07:00"),
            LA,
            vec![
                ("only an encrypted device lost", pii_encrypted().affected("US-CA", 1000), false),
                ("no Californian", pii().affected("US-NV", 1000), false),
                (
                    "only a business associate",
                    pii().roles(&[R::BusinessAssociate]).affected("US-CA", 1000),
                    false,
                ),
                ("only a processor", pii().roles(&[R::Processor]).affected("US-CA", 1000), false),
                (
                    "a business associate and a processor, nothing else",
                    pii().roles(&[R::BusinessAssociate, R::Processor]).affected("US-CA", 1000),
                    false,
                ),
            ],
        ),
        RuleCase {
            // 15 days after the residents are notified; until then from their due date.
            provisional: true,
            ..c(
                "us-ca.attorney-general",
                T::Discovery,
                pii().affected("US-CA", 501),
                Some("2026-04-16T23:59:59-07:00"),
                LA,
                vec![
                    ("exactly 500 Californians", pii().affected("US-CA", 500), false),
                    ("only a processor", pii().roles(&[R::Processor]).affected("US-CA", 5000), false),
                ],
            )
        },
        c(
            "us-ca.vendor-to-owner",
            T::Discovery,
            pii().roles(&[R::BusinessAssociate]).affected("US-CA", 1),
            // "Immediately following discovery": no fixed period, in Pacific time.
            None,
            LA,
            vec![
                ("the owner itself", pii().roles(&[R::CoveredEntity]).affected("US-CA", 1000), false),
                ("no role given", pii().affected("US-CA", 1000), false),
                ("a processor, only Nevadans", pii().roles(&[R::Processor]).affected("US-NV", 1000), false),
                (
                    "only an encrypted device lost",
                    pii_encrypted().roles(&[R::Processor]).affected("US-CA", 1000),
                    false,
                ),
            ],
        ),
        c(
            "us-ca.cdph",
            T::Discovery,
            phi(&[R::LicensedHealthFacility]).affected("US-CA", 1),
            // Detected Monday 2 March (06:00 in Los Angeles): 15 California business days, the
            // last Monday 23 March, after the change to daylight saving time.
            Some("2026-03-23T23:59:59-07:00"),
            LA,
            vec![
                (
                    "a covered entity not licensed in California",
                    phi(&[R::CoveredEntity, R::Controller]).affected("US-CA", 1000),
                    false,
                ),
                ("no patient affected", phi(&[R::LicensedHealthFacility]).affected("US-CA", 0), false),
                (
                    "staff records only (not patients' medical information)",
                    scope()
                        .data(&[D::StaffPii])
                        .exposure(&[X::ExfiltrationConfirmed])
                        .roles(&[R::LicensedHealthFacility])
                        .affected("US-CA", 100),
                    false,
                ),
            ],
        ),
        c(
            "us-ca.facility-patient",
            T::Discovery,
            // A California facility's patient is owed the report wherever the patient lives.
            phi(&[R::LicensedHealthFacility]).affected("US-NV", 1),
            Some("2026-03-23T23:59:59-07:00"),
            LA,
            vec![(
                "a covered entity not licensed in California",
                phi(&[R::CoveredEntity]).affected("US-CA", 1000),
                false,
            )],
        ),
        c(
            "us-tx.individuals",
            T::Determination,
            pii().affected("US-TX", 1),
            Some("2026-05-03T23:59:59-05:00"),
            CHICAGO,
            vec![
                ("only an encrypted device lost", pii_encrypted().affected("US-TX", 1000), false),
                ("no Texan", pii().affected("US-OK", 1000), false),
                (
                    "only a business associate",
                    pii().roles(&[R::BusinessAssociate]).affected("US-TX", 1000),
                    false,
                ),
            ],
        ),
        c(
            "us-tx.attorney-general",
            T::Determination,
            pii().affected("US-TX", 250),
            Some("2026-04-03T23:59:59-05:00"),
            CHICAGO,
            vec![
                ("249 Texans", pii().affected("US-TX", 249).affected("US-OK", 5000), false),
                ("only a processor", pii().roles(&[R::Processor]).affected("US-TX", 5000), false),
            ],
        ),
        c(
            "us-tx.consumer-reporting",
            T::Determination,
            pii().affected("US-TX", 10_001),
            None,
            CHICAGO,
            vec![
                ("exactly 10,000 Texans", pii().affected("US-TX", 10_000), false),
                ("only a processor", pii().roles(&[R::Processor]).affected("US-TX", 20_000), false),
            ],
        ),
        c(
            "us-tx.vendor-to-owner",
            T::Discovery,
            pii().roles(&[R::Processor]).affected("US-TX", 1),
            None,
            CHICAGO,
            vec![
                ("the owner itself", pii().roles(&[R::DataOwner]).affected("US-TX", 1000), false),
                ("a processor, only Oklahomans", pii().roles(&[R::Processor]).affected("US-OK", 1000), false),
            ],
        ),
        c(
            "us-fl.individuals",
            T::Determination,
            pii().affected("US-FL", 1),
            Some("2026-04-03T23:59:59-04:00"),
            NY,
            vec![
                ("only an encrypted device lost", pii_encrypted().affected("US-FL", 1000), false),
                (
                    "only a third-party agent",
                    pii().roles(&[R::BusinessAssociate]).affected("US-FL", 1000),
                    false,
                ),
            ],
        ),
        c(
            "us-fl.department",
            T::Determination,
            pii().affected("US-FL", 500),
            Some("2026-04-03T23:59:59-04:00"),
            NY,
            vec![
                ("499 Floridians", pii().affected("US-FL", 499), false),
                ("only a third-party agent", pii().roles(&[R::Processor]).affected("US-FL", 5000), false),
            ],
        ),
        c(
            "us-fl.consumer-reporting",
            T::Determination,
            pii().affected("US-FL", 1001),
            None,
            NY,
            vec![
                ("exactly 1,000 Floridians", pii().affected("US-FL", 1000).affected("US-GA", 5000), false),
                (
                    "only a third-party agent",
                    pii().roles(&[R::BusinessAssociate]).affected("US-FL", 5000),
                    false,
                ),
                ("only an encrypted device lost", pii_encrypted().affected("US-FL", 5000), false),
            ],
        ),
        c(
            "us-fl.third-party-agent",
            T::Determination,
            pii().roles(&[R::BusinessAssociate]).affected("US-FL", 1),
            // Ten days from Wednesday 4 March, across the start of daylight saving time (8 March).
            Some("2026-03-14T23:59:59-04:00"),
            NY,
            vec![
                (
                    "the covered entity itself",
                    pii().roles(&[R::CoveredEntity]).affected("US-FL", 1000),
                    false,
                ),
                ("no role given", pii().affected("US-FL", 1000), false),
                ("a processor, only Georgians", pii().roles(&[R::Processor]).affected("US-GA", 1000), false),
                (
                    "only an encrypted device lost",
                    pii_encrypted().roles(&[R::Processor]).affected("US-FL", 1000),
                    false,
                ),
            ],
        ),
        c(
            "us-co.residents",
            T::Determination,
            pii().affected("US-CO", 1),
            Some("2026-04-03T23:59:59-06:00"),
            DENVER,
            vec![
                ("only an encrypted device lost", pii_encrypted().affected("US-CO", 1000), false),
                (
                    "only a third-party service provider",
                    pii().roles(&[R::BusinessAssociate]).affected("US-CO", 1000),
                    false,
                ),
            ],
        ),
        c(
            "us-co.attorney-general",
            T::Determination,
            pii().affected("US-CO", 500),
            Some("2026-04-03T23:59:59-06:00"),
            DENVER,
            vec![
                ("499 Coloradans", pii().affected("US-CO", 499), false),
                (
                    "only a third-party service provider",
                    pii().roles(&[R::Processor]).affected("US-CO", 5000),
                    false,
                ),
            ],
        ),
        c(
            "us-co.consumer-reporting",
            T::Determination,
            pii().affected("US-CO", 1001),
            None,
            DENVER,
            vec![
                (
                    "1,001 in all, 1,000 of them in Colorado",
                    pii().affected("US-CO", 1000).affected("US-UT", 1),
                    false,
                ),
                (
                    "only a third-party service provider",
                    pii().roles(&[R::Processor]).affected("US-CO", 5000),
                    false,
                ),
            ],
        ),
        c(
            "us-co.vendor-to-owner",
            T::Discovery,
            pii().roles(&[R::BusinessAssociate]).affected("US-CO", 1),
            None,
            DENVER,
            vec![
                (
                    "the covered entity itself",
                    pii().roles(&[R::CoveredEntity]).affected("US-CO", 1000),
                    false,
                ),
                ("no Coloradan", pii().roles(&[R::BusinessAssociate]).affected("US-UT", 1000), false),
            ],
        ),
        // ------------------------------------------------------------------ SEC
        c(
            "sec.8k",
            T::Materiality,
            // Thursday 5 March: Friday 6, Monday 9, Tuesday 10, Wednesday 11.
            scope().roles(&[R::ListedCompany]),
            Some("2026-03-11T23:59:59-04:00"),
            NY,
            vec![("not a listed company", phi(&[R::CoveredEntity]).affected("US-NY", 100_000), false)],
        ),
        // ------------------------------------------------------------------ EU MDR
        // Awareness on Tuesday 3 March, recorded in New York: days end there.
        c(
            "eu-mdr.serious-incident",
            T::Awareness,
            scope().roles(&[R::DeviceManufacturer]),
            Some("2026-03-18T23:59:59-04:00"),
            NY,
            vec![(
                "a hospital, not a manufacturer",
                phi(&[R::CoveredEntity, R::Controller, R::LicensedHealthFacility]).affected("DE", 1000),
                false,
            )],
        ),
        c(
            "eu-mdr.death-or-deterioration",
            T::Awareness,
            scope().roles(&[R::DeviceManufacturer]),
            Some("2026-03-13T23:59:59-04:00"),
            NY,
            vec![("a processor, not a manufacturer", phi(&[R::Processor]).affected("DE", 1000), false)],
        ),
        c(
            "eu-mdr.public-health-threat",
            T::Awareness,
            scope().roles(&[R::DeviceManufacturer]),
            Some("2026-03-05T23:59:59-05:00"),
            NY,
            vec![("no role given", phi(&[]).affected("DE", 1000), false)],
        ),
    ]
}

#[test]
fn the_table_covers_every_built_in_rule_once() {
    let table: Vec<&str> = rule_cases().iter().map(|c| c.rule).collect();
    let built_in: Vec<String> = ruleset().rules.iter().map(|r| r.id.clone()).collect();
    assert_eq!(table, built_in, "one case per rule, in ruleset order");
}

/// Who owes each notice under the table's scope that makes it apply.
const OWED_BY: [(&str, R); 39] = [
    ("hipaa.individuals", R::CoveredEntity),
    ("hipaa.media", R::CoveredEntity),
    ("hipaa.hhs", R::CoveredEntity),
    ("hipaa.hhs-annual", R::CoveredEntity),
    ("hipaa.business-associate", R::BusinessAssociate),
    ("gdpr.authority", R::Controller),
    ("gdpr.processor-to-controller", R::Processor),
    ("gdpr.data-subjects", R::Controller),
    ("uk-gdpr.authority", R::Controller),
    ("uk-gdpr.processor-to-controller", R::Processor),
    ("uk-gdpr.data-subjects", R::Controller),
    ("nis2.early-warning", R::Nis2Entity),
    ("nis2.notification", R::Nis2Entity),
    ("nis2.final-report", R::Nis2Entity),
    ("pipeda.commissioner", R::DataOwner),
    ("pipeda.individuals", R::DataOwner),
    ("au-ndb.assessment", R::DataOwner),
    ("au-ndb.notification", R::DataOwner),
    ("us-ca.residents", R::DataOwner),
    ("us-ca.attorney-general", R::DataOwner),
    ("us-ca.vendor-to-owner", R::BusinessAssociate),
    ("us-ca.cdph", R::LicensedHealthFacility),
    ("us-ca.facility-patient", R::LicensedHealthFacility),
    ("us-tx.individuals", R::DataOwner),
    ("us-tx.attorney-general", R::DataOwner),
    ("us-tx.consumer-reporting", R::DataOwner),
    ("us-tx.vendor-to-owner", R::Processor),
    ("us-fl.individuals", R::DataOwner),
    ("us-fl.department", R::DataOwner),
    ("us-fl.consumer-reporting", R::DataOwner),
    ("us-fl.third-party-agent", R::BusinessAssociate),
    ("us-co.residents", R::DataOwner),
    ("us-co.attorney-general", R::DataOwner),
    ("us-co.consumer-reporting", R::DataOwner),
    ("us-co.vendor-to-owner", R::BusinessAssociate),
    ("sec.8k", R::ListedCompany),
    ("eu-mdr.serious-incident", R::DeviceManufacturer),
    ("eu-mdr.death-or-deterioration", R::DeviceManufacturer),
    ("eu-mdr.public-health-threat", R::DeviceManufacturer),
];

#[test]
fn every_obligation_names_the_role_that_owes_it() {
    let table: Vec<&str> = OWED_BY.iter().map(|(rule, _)| *rule).collect();
    let built_in: Vec<String> = ruleset().rules.iter().map(|r| r.id.clone()).collect();
    assert_eq!(table, built_in, "one role per rule, in ruleset order");
    for case in rule_cases() {
        let expected = OWED_BY.iter().find(|(rule, _)| *rule == case.rule).map(|(_, role)| *role).unwrap();
        let log = incident_with(&case.applies, case.major);
        let all = obligations_of(&log, EARLY);
        assert_eq!(find(&all, case.rule).owed_by, expected, "{}", case.rule);
    }
}

#[test]
fn a_vendor_rule_is_owed_by_whichever_vendor_role_the_scope_records() {
    // (roles, Florida third-party agent owed by)
    let cases = [
        (vec![R::BusinessAssociate], R::BusinessAssociate),
        (vec![R::Processor], R::Processor),
        // Both recorded: the first the rule lists.
        (vec![R::Processor, R::BusinessAssociate], R::BusinessAssociate),
    ];
    for (roles, expected) in cases {
        let log = incident_with(&pii().roles(&roles).affected("US-FL", 10), false);
        let all = obligations_of(&log, EARLY);
        assert_eq!(find(&all, "us-fl.third-party-agent").owed_by, expected, "{roles:?}");
    }
    // With no role recorded the organisation is taken as the owner, and the scope says so.
    let log = incident_with(&pii().affected("US-CA", 10), false);
    let all = obligations_of(&log, EARLY);
    let residents = find(&all, "us-ca.residents");
    assert_eq!(residents.owed_by, R::DataOwner);
    assert!(
        residents.applies_because.contains("no organisation role recorded"),
        "{}",
        residents.applies_because
    );
    // A covered entity owes its residents the owner's notice; the reason names its roles.
    let log = incident_with(&phi(&[R::CoveredEntity, R::BusinessAssociate]).affected("US-CA", 10), false);
    let all = obligations_of(&log, EARLY);
    let residents = find(&all, "us-ca.residents");
    assert_eq!(residents.owed_by, R::DataOwner);
    assert!(
        residents.applies_because.contains("roles covered-entity, business-associate (not only"),
        "{}",
        residents.applies_because
    );
}

#[test]
fn every_rule_applies_with_its_exact_due_instant() {
    for case in rule_cases() {
        let log = incident_with(&case.applies, case.major);
        let all = obligations_of(&log, EARLY);
        let o = find(&all, case.rule);
        let context = format!("{} under {}", case.rule, case.applies.0.describe());
        assert_eq!(o.trigger, case.trigger, "{context}: trigger");
        assert_eq!(o.zone, case.zone, "{context}: zone");
        assert_due(o, case.due, &context);
        assert_eq!(o.provisional, case.provisional, "{context}: provisional");
        assert_eq!(o.status, ObligationStatus::Pending, "{context}: status");
        assert!(!o.late && o.met_by.is_none() && o.waived_by.is_none(), "{context}");
        if o.after.is_none() {
            assert_eq!(o.trigger_at, Some(at(trigger_time(case.trigger))), "{context}: trigger_at");
            assert_eq!(o.trigger_recorded_by.as_ref().map(|a| a.person.as_str()), Some("Okafor"));
        }
        if o.due.is_none() {
            assert_eq!(o.deadline, "no fixed period", "{context}");
        }
        assert!(!o.applies_because.is_empty(), "{context}");
    }
}

#[test]
fn no_rule_applies_just_past_the_edge_of_its_condition() {
    for case in rule_cases() {
        assert!(!case.not.is_empty(), "{}: give at least one boundary case", case.rule);
        for (why, scope, major) in &case.not {
            let log = incident_with(scope, *major);
            let all = obligations_of(&log, EARLY);
            assert!(
                !ids(&all).contains(&case.rule),
                "{} applies although {why} ({}); applying: {:?}",
                case.rule,
                scope.0.describe(),
                ids(&all)
            );
        }
    }
}

#[test]
fn a_missing_trigger_leaves_the_due_instant_open() {
    let mut log = Log::new("Okafor");
    log.add("2026-03-01T19:00:00-05:00", NY, opened("Breach"));
    log.add(
        "2026-03-01T19:05:00-05:00",
        NY,
        phi(&[R::CoveredEntity, R::Controller]).affected("US-CA", 600).affected("DE", 3).body(),
    );
    log.add("2026-03-02T09:00:00-05:00", NY, trigger(T::Discovery, "2026-03-02T09:00:00-05:00"));
    let all = obligations_of(&log, "2027-01-01T00:00:00Z");
    let hipaa = find(&all, "hipaa.individuals");
    assert_due(hipaa, Some("2026-05-01T23:59:59-04:00"), "discovery recorded");
    assert_eq!(hipaa.status, ObligationStatus::Overdue);
    // Awareness is not recorded: GDPR's clock has not started, so it cannot be overdue.
    let gdpr = find(&all, "gdpr.authority");
    assert_eq!((gdpr.due, gdpr.trigger_at, gdpr.status), (None, None, ObligationStatus::Pending));
    // Zone-less rules fall back to UTC without a trigger to take the recorder's zone from.
    assert_eq!(gdpr.zone, "UTC");
}

#[test]
fn a_retracted_trigger_no_longer_starts_a_clock_and_the_earliest_trigger_wins() {
    let mut log = Log::new("Okafor");
    log.add("2026-03-01T19:00:00-05:00", NY, opened("Breach"));
    log.add("2026-03-01T19:05:00-05:00", NY, pii().affected("US-CA", 10).body());
    let wrong = log.add("2026-03-02T09:00:00-05:00", NY, trigger(T::Discovery, "2026-02-01T09:00:00-05:00"));
    log.add("2026-03-02T09:10:00-05:00", NY, trigger(T::Discovery, "2026-03-02T09:00:00-05:00"));
    log.add("2026-03-02T09:20:00-05:00", NY, trigger(T::Discovery, "2026-03-04T09:00:00-05:00"));
    let all = obligations_of(&log, EARLY);
    assert_due(find(&all, "us-ca.residents"), Some("2026-03-03T23:59:59-08:00"), "the earliest of three");
    log.add("2026-03-02T09:30:00-05:00", NY, retract(wrong));
    let all = obligations_of(&log, EARLY);
    assert_due(find(&all, "us-ca.residents"), Some("2026-04-01T23:59:59-07:00"), "after the retraction");
}

// ------------------------------------------------------------------------------------------------
// Thresholds and roles, as whole lists of the rules that apply.

/// The obligations that apply to an incident with `scope`, in ruleset order.
fn applying(scope: &Scope, major: bool) -> Vec<String> {
    let log = incident_with(scope, major);
    obligations_of(&log, EARLY).into_iter().map(|o| o.rule).collect()
}

#[test]
fn hipaa_thresholds_differ_by_recipient() {
    let ce = || phi(&[R::CoveredEntity]);
    let cases: Vec<(&str, Scope, Vec<&str>)> = vec![
        ("499 in California", ce().affected("US-CA", 499), vec!["hipaa.individuals", "hipaa.hhs-annual"]),
        // HHS is "500 or more"; the media "more than 500 residents of a State".
        ("exactly 500 in California", ce().affected("US-CA", 500), vec!["hipaa.individuals", "hipaa.hhs"]),
        (
            "501 in California",
            ce().affected("US-CA", 501),
            vec!["hipaa.individuals", "hipaa.media", "hipaa.hhs"],
        ),
        (
            "300 + 300 in two states",
            ce().affected("US-CA", 300).affected("US-TX", 300),
            vec!["hipaa.individuals", "hipaa.hhs"],
        ),
        ("1 individual", ce().affected("US-WA", 1), vec!["hipaa.individuals", "hipaa.hhs-annual"]),
        (
            "501 in Puerto Rico (a jurisdiction)",
            ce().affected("US-PR", 501),
            vec!["hipaa.individuals", "hipaa.media", "hipaa.hhs"],
        ),
    ];
    for (name, scope, expected) in cases {
        let hipaa: Vec<String> =
            applying(&scope, false).into_iter().filter(|r| r.starts_with("hipaa.")).collect();
        assert_eq!(hipaa, expected, "{name}");
    }
}

#[test]
fn state_thresholds() {
    // (state rule, count below, count at which it applies)
    let cases = [
        ("us-tx.attorney-general", "US-TX", 249, 250),
        ("us-tx.consumer-reporting", "US-TX", 10_000, 10_001),
        ("us-fl.department", "US-FL", 499, 500),
        ("us-co.attorney-general", "US-CO", 499, 500),
        ("us-ca.attorney-general", "US-CA", 500, 501),
    ];
    for (rule, state, below, applies) in cases {
        assert!(
            !applying(&pii().affected(state, below), false).iter().any(|r| r == rule),
            "{rule} at {below}"
        );
        assert!(
            applying(&pii().affected(state, applies), false).iter().any(|r| r == rule),
            "{rule} at {applies}"
        );
    }
    // The Texas 30 days are the Attorney General's; individuals still have 60.
    let log = incident_with(&pii().affected("US-TX", 300), false);
    let all = obligations_of(&log, EARLY);
    assert_eq!(find(&all, "us-tx.individuals").deadline, "60 calendar days");
    assert_eq!(find(&all, "us-tx.attorney-general").deadline, "30 calendar days");
}

#[test]
fn several_jurisdictions_at_once() {
    let cases: Vec<(&str, Scope, bool, Vec<&str>)> = vec![
        (
            "a covered entity and controller: California 600, Texas 300, Germany 20, UK 5",
            phi(&[R::CoveredEntity, R::Controller])
                .affected("US-CA", 600)
                .affected("US-TX", 300)
                .affected("DE", 20)
                .affected("GB", 5),
            false,
            vec![
                "hipaa.individuals",
                "hipaa.media",
                "hipaa.hhs",
                "gdpr.authority",
                "gdpr.data-subjects",
                "uk-gdpr.authority",
                "uk-gdpr.data-subjects",
                "us-ca.residents",
                "us-ca.attorney-general",
                "us-tx.individuals",
                "us-tx.attorney-general",
            ],
        ),
        (
            "every role, every jurisdiction, a major incident",
            phi(&[
                R::CoveredEntity,
                R::BusinessAssociate,
                R::Controller,
                R::Processor,
                R::ListedCompany,
                R::Nis2Entity,
            ])
            .affected("US-CA", 501)
            .affected("US-TX", 10_001)
            .affected("US-FL", 500)
            .affected("US-CO", 500)
            .affected("DE", 20)
            .affected("GB", 5)
            .affected("CA", 3)
            .affected("AU", 2),
            true,
            vec![
                "hipaa.individuals",
                "hipaa.media",
                "hipaa.hhs",
                "hipaa.business-associate",
                "gdpr.authority",
                "gdpr.processor-to-controller",
                "gdpr.data-subjects",
                "uk-gdpr.authority",
                "uk-gdpr.processor-to-controller",
                "uk-gdpr.data-subjects",
                "nis2.early-warning",
                "nis2.notification",
                "nis2.final-report",
                "pipeda.commissioner",
                "pipeda.individuals",
                "au-ndb.assessment",
                "au-ndb.notification",
                "us-ca.residents",
                "us-ca.attorney-general",
                "us-ca.vendor-to-owner",
                "us-tx.individuals",
                "us-tx.attorney-general",
                "us-tx.consumer-reporting",
                "us-tx.vendor-to-owner",
                "us-fl.individuals",
                "us-fl.department",
                "us-fl.third-party-agent",
                "us-co.residents",
                "us-co.attorney-general",
                "us-co.vendor-to-owner",
                "sec.8k",
            ],
        ),
        (
            "every role, over every consumer-reporting threshold, a major incident",
            phi(R::ALL)
                .affected("US-CA", 501)
                .affected("US-TX", 10_001)
                .affected("US-FL", 1001)
                .affected("US-CO", 1001)
                .affected("DE", 20),
            true,
            vec![
                "hipaa.individuals",
                "hipaa.media",
                "hipaa.hhs",
                "hipaa.business-associate",
                "gdpr.authority",
                "gdpr.processor-to-controller",
                "gdpr.data-subjects",
                "nis2.early-warning",
                "nis2.notification",
                "nis2.final-report",
                "us-ca.residents",
                "us-ca.attorney-general",
                "us-ca.vendor-to-owner",
                "us-ca.cdph",
                "us-ca.facility-patient",
                "us-tx.individuals",
                "us-tx.attorney-general",
                "us-tx.consumer-reporting",
                "us-tx.vendor-to-owner",
                "us-fl.individuals",
                "us-fl.department",
                "us-fl.consumer-reporting",
                "us-fl.third-party-agent",
                "us-co.residents",
                "us-co.attorney-general",
                "us-co.consumer-reporting",
                "us-co.vendor-to-owner",
                "sec.8k",
                "eu-mdr.serious-incident",
                "eu-mdr.death-or-deterioration",
                "eu-mdr.public-health-threat",
            ],
        ),
        (
            // A vendor on both sides of the Atlantic owes its clients notice, not the residents.
            "a processor in the EEA that is a business associate in the US: Florida 499, Norway 7",
            phi(&[R::BusinessAssociate, R::Processor]).affected("US-FL", 499).affected("NO", 7),
            false,
            vec!["hipaa.business-associate", "gdpr.processor-to-controller", "us-fl.third-party-agent"],
        ),
        (
            "a business associate only, in California, Texas, Florida and Colorado",
            phi(&[R::BusinessAssociate])
                .affected("US-CA", 900)
                .affected("US-TX", 20_000)
                .affected("US-FL", 2000)
                .affected("US-CO", 2000),
            false,
            vec![
                "hipaa.business-associate",
                "us-ca.vendor-to-owner",
                "us-tx.vendor-to-owner",
                "us-fl.third-party-agent",
                "us-co.vendor-to-owner",
            ],
        ),
        (
            // A vendor that also owns some of the data owes both.
            "a business associate that is also the data owner",
            phi(&[R::BusinessAssociate, R::DataOwner]).affected("US-TX", 300),
            false,
            vec![
                "hipaa.business-associate",
                "us-tx.individuals",
                "us-tx.attorney-general",
                "us-tx.vendor-to-owner",
            ],
        ),
        (
            "a licensed California hospital that is a covered entity: 40 patients",
            phi(&[R::CoveredEntity, R::LicensedHealthFacility]).affected("US-CA", 40),
            false,
            vec![
                "hipaa.individuals",
                "hipaa.hhs-annual",
                "us-ca.residents",
                "us-ca.cdph",
                "us-ca.facility-patient",
            ],
        ),
        (
            "an encrypted laptop lost: the safe harbour holds for HIPAA and the states, not for GDPR Art. 33",
            phi_encrypted(&[R::CoveredEntity, R::Controller])
                .affected("US-CA", 5000)
                .affected("US-TX", 20_000)
                .affected("US-FL", 900)
                .affected("DE", 100),
            false,
            vec!["gdpr.authority"],
        ),
        (
            "an encrypted laptop and an unencrypted one lost: no safe harbour",
            scope()
                .data(&[D::ClinicalPhi])
                .exposure(&[X::EncryptedDeviceLost, X::UnencryptedDeviceLost])
                .roles(&[R::CoveredEntity, R::Controller])
                .affected("US-CA", 20)
                .affected("DE", 100),
            false,
            vec![
                "hipaa.individuals",
                "hipaa.hhs-annual",
                "gdpr.authority",
                "gdpr.data-subjects",
                "us-ca.residents",
            ],
        ),
        (
            "a business associate only",
            phi(&[R::BusinessAssociate]).affected("US-CA", 900),
            false,
            vec!["hipaa.business-associate", "us-ca.vendor-to-owner"],
        ),
        (
            "a covered entity that is also a business associate",
            phi(&[R::CoveredEntity, R::BusinessAssociate]).affected("US-NY", 40),
            false,
            vec!["hipaa.individuals", "hipaa.hhs-annual", "hipaa.business-associate"],
        ),
        (
            // A covered entity's patients are covered wherever they live; no state or EU law.
            "patients only in a jurisdiction without rules of its own",
            phi(&[R::CoveredEntity, R::Controller]).affected("JP", 9000),
            false,
            vec!["hipaa.individuals", "hipaa.hhs"],
        ),
        (
            "nobody in any jurisdiction with a rule, and no HIPAA role",
            phi(&[R::Controller]).affected("JP", 9000),
            false,
            vec![],
        ),
    ];
    for (name, scope, major, expected) in cases {
        assert_eq!(applying(&scope, major), expected, "{name}");
    }
}

#[test]
fn an_incident_without_scope_has_only_the_rules_that_need_none() {
    let mut log = Log::new("Okafor");
    log.add("2026-03-01T19:00:00-05:00", NY, opened("Breach"));
    assert!(obligations_of(&log, EARLY).is_empty());
    // A major classification alone is enough for nothing: NIS2 rules also need the role.
    log.add("2026-03-01T19:10:00-05:00", NY, classified(Severity::Sev1, true, false));
    assert!(obligations_of(&log, EARLY).is_empty());
}

#[test]
fn a_review_that_unmarks_major_drops_the_nis2_clocks() {
    let mut log = incident_with(&phi(&[R::Nis2Entity]).affected("DE", 40), false);
    let c = log.add("2026-03-07T09:00:00-05:00", NY, classified(Severity::Sev2, true, true));
    let nis2 = |log: &Log| -> Vec<String> {
        obligations_of(log, EARLY).into_iter().map(|o| o.rule).filter(|r| r.starts_with("nis2.")).collect()
    };
    assert_eq!(nis2(&log), ["nis2.early-warning", "nis2.notification", "nis2.final-report"]);
    log.add("2026-03-07T10:00:00-05:00", NY, reviewed(c, false, Some(false)));
    assert!(nis2(&log).is_empty());
}

// ------------------------------------------------------------------------------------------------
// Calendars: zones, leap years, business days, DST.

/// The due instant of `rule` for an incident with `scope` and one trigger of `kind` that happened
/// at `happened` and was recorded by someone whose machine is in `recorder_zone`.
fn due_of(rule: &str, scope: &Scope, kind: T, happened: &str, recorder_zone: &str) -> Obligation {
    let mut log = Log::new("Okafor");
    log.add(happened, recorder_zone, opened("Breach"));
    log.add(happened, recorder_zone, scope.clone().body());
    log.add(happened, recorder_zone, trigger(kind, happened));
    let all = obligations_of(&log, happened);
    find(&all, rule).clone()
}

#[test]
fn zone_less_rules_count_days_where_the_trigger_was_recorded() {
    let ce = phi(&[R::CoveredEntity]).affected("US-CA", 10);
    // 07:30 UTC on 3 March is still 2 March in Los Angeles, already 3 March in New York and Berlin.
    let cases = [
        (LA, "2026-05-01T23:59:59-07:00"),
        (NY, "2026-05-02T23:59:59-04:00"),
        (BERLIN, "2026-05-02T23:59:59+02:00"),
        ("UTC", "2026-05-02T23:59:59+00:00"),
    ];
    for (recorder, expected) in cases {
        let o = due_of("hipaa.individuals", &ce, T::Discovery, "2026-03-03T07:30:00Z", recorder);
        assert_eq!(o.zone, recorder);
        assert_due(&o, Some(expected), recorder);
    }
    // A rule with its own zone ignores the recorder's: California's 30 days are Pacific days.
    for recorder in [LA, NY, BERLIN] {
        let o = due_of("us-ca.residents", &ce, T::Discovery, "2026-03-03T07:30:00Z", recorder);
        assert_due(&o, Some("2026-04-01T23:59:59-07:00"), recorder);
    }
}

#[test]
fn hipaa_annual_log_and_sixty_days_in_a_leap_year() {
    let small = phi(&[R::CoveredEntity]).affected("US-NY", 12);
    // (rule, discovery, recorder zone, due)
    let cases = [
        // Breaches discovered in 2027 are logged 60 days after 31 December 2027: 29 February 2028.
        ("hipaa.hhs-annual", "2027-06-01T12:00:00-04:00", NY, "2028-02-29T23:59:59-05:00"),
        ("hipaa.hhs-annual", "2027-01-01T00:30:00-05:00", NY, "2028-02-29T23:59:59-05:00"),
        // Late on 31 December local time is already 2028 in UTC: the local year counts.
        ("hipaa.hhs-annual", "2027-12-31T23:30:00-05:00", NY, "2028-02-29T23:59:59-05:00"),
        ("hipaa.hhs-annual", "2027-12-31T21:00:00-08:00", LA, "2028-02-29T23:59:59-08:00"),
        // 2026 breaches: 1 March 2027 (not a leap year).
        ("hipaa.hhs-annual", "2026-06-01T12:00:00-04:00", NY, "2027-03-01T23:59:59-05:00"),
        // 2028 breaches: 1 March 2029.
        ("hipaa.hhs-annual", "2028-02-29T12:00:00-05:00", NY, "2029-03-01T23:59:59-05:00"),
        // 60 days across 29 February 2028: 16 days of January, 29 of February, 15 of March.
        ("hipaa.individuals", "2028-01-15T10:00:00-05:00", NY, "2028-03-15T23:59:59-04:00"),
        // The same in 2027: 16 + 28 + 16.
        ("hipaa.individuals", "2027-01-15T10:00:00-05:00", NY, "2027-03-16T23:59:59-04:00"),
        // From leap day itself.
        ("hipaa.individuals", "2028-02-29T10:00:00-05:00", NY, "2028-04-29T23:59:59-04:00"),
    ];
    for (rule, discovery, zone, expected) in cases {
        let o = due_of(rule, &small, T::Discovery, discovery, zone);
        assert_due(&o, Some(expected), &format!("{rule} from {discovery}"));
    }
}

#[test]
fn sec_business_days_skip_weekends_and_us_federal_holidays() {
    let listed = scope().roles(&[R::ListedCompany]);
    // (materiality determined, recorder zone, due in New York)
    let cases = [
        // Wednesday before Thanksgiving (Thursday 26 November): Fri 27, Mon 30, Tue 1, Wed 2.
        ("2026-11-25T14:00:00-05:00", NY, "2026-12-02T23:59:59-05:00"),
        // Thursday: Fri 13, then the weekend, Mon 16, Tue 17, Wed 18.
        ("2026-03-12T10:00:00-04:00", NY, "2026-03-18T23:59:59-04:00"),
        // Friday and Saturday both end on Thursday 19.
        ("2026-03-13T10:00:00-04:00", NY, "2026-03-19T23:59:59-04:00"),
        ("2026-03-14T10:00:00-04:00", NY, "2026-03-19T23:59:59-04:00"),
        // Across the weekend and the spring-forward change (Sunday 8 March): Thursday 5 -> Wed 11.
        ("2026-03-05T16:00:00-05:00", NY, "2026-03-11T23:59:59-04:00"),
        // Christmas (Friday 25 December) and the weekend: Thu 24, Mon 28, Tue 29, Wed 30.
        ("2026-12-23T10:00:00-05:00", NY, "2026-12-30T23:59:59-05:00"),
        // New Year's Day (Friday 1 January 2027): Wed 30, Thu 31, Mon 4, Tue 5.
        ("2026-12-29T10:00:00-05:00", NY, "2027-01-05T23:59:59-05:00"),
        // Martin Luther King Jr. Day (Monday 18 January 2027): Fri 15, Tue 19, Wed 20, Thu 21.
        ("2027-01-14T10:00:00-05:00", NY, "2027-01-21T23:59:59-05:00"),
        // The rule counts New York days: 22:30 on Thursday in Los Angeles is Friday in New York.
        ("2026-03-12T22:30:00-07:00", LA, "2026-03-19T23:59:59-04:00"),
    ];
    for (materiality, recorder, expected) in cases {
        let o = due_of("sec.8k", &listed, T::Materiality, materiality, recorder);
        assert_eq!(o.zone, NY);
        assert_eq!(o.deadline, "4 business days");
        assert_due(&o, Some(expected), &format!("sec.8k from {materiality}"));
    }
}

#[test]
fn calendar_days_across_dst_changes_end_at_local_midnight() {
    // (rule, scope, trigger, happened, recorder zone, due)
    let ca = pii().affected("US-CA", 10);
    let cases = [
        // US spring-forward (8 March 2026): 30 days from 20 February end in PDT.
        (
            "us-ca.residents",
            ca.clone(),
            T::Discovery,
            "2026-02-20T10:00:00-08:00",
            LA,
            "2026-03-22T23:59:59-07:00",
        ),
        // US fall-back (1 November 2026): from PDT into PST.
        (
            "us-ca.residents",
            ca.clone(),
            T::Discovery,
            "2026-10-15T10:00:00-07:00",
            LA,
            "2026-11-14T23:59:59-08:00",
        ),
        // Sydney's DST ends on 5 April 2026: 30 days from 10 March end in AEST.
        (
            "au-ndb.assessment",
            pii().affected("AU", 4),
            T::Suspicion,
            "2026-03-10T09:00:00+11:00",
            SYDNEY,
            "2026-04-09T23:59:59+10:00",
        ),
    ];
    for (rule, scope, kind, happened, zone, expected) in cases {
        let o = due_of(rule, &scope, kind, happened, zone);
        assert_due(&o, Some(expected), &format!("{rule} from {happened}"));
        let offset = |s: &str| s[s.len() - 6..].to_string();
        assert_ne!(
            offset(&local(at(happened), zone)),
            offset(&local(o.due.unwrap(), zone)),
            "{rule}: the offset changed"
        );
    }
}

#[test]
fn hour_clocks_are_exact_across_dst_changes() {
    let eu = phi(&[R::Controller, R::Nis2Entity]).affected("DE", 50).affected("GB", 5);
    // (rule, awareness, recorder zone, due as the wall clock shows it, hours)
    let cases = [
        // EU autumn change (25 October 2026): 72 h later the clock reads one hour less.
        ("gdpr.authority", "2026-10-23T10:00:00+02:00", BERLIN, "2026-10-26T09:00:00+01:00", 72),
        ("uk-gdpr.authority", "2026-10-23T10:00:00+01:00", LONDON, "2026-10-26T09:00:00+00:00", 72),
        // EU spring change (29 March 2026): one hour more.
        ("gdpr.authority", "2026-03-27T10:00:00+01:00", BERLIN, "2026-03-30T11:00:00+02:00", 72),
        ("nis2.early-warning", "2026-03-28T12:00:00+01:00", BERLIN, "2026-03-29T13:00:00+02:00", 24),
        ("nis2.notification", "2026-10-23T10:00:00+02:00", BERLIN, "2026-10-26T09:00:00+01:00", 72),
    ];
    for (rule, awareness, zone, expected, hours) in cases {
        let mut log = Log::new("Schmidt");
        log.add(awareness, zone, opened("Breach"));
        log.add(awareness, zone, eu.clone().body());
        log.add(awareness, zone, classified(Severity::Sev1, true, false));
        log.add(awareness, zone, trigger(T::Awareness, awareness));
        let all = obligations_of(&log, awareness);
        let o = find(&all, rule);
        assert_due(o, Some(expected), &format!("{rule} from {awareness}"));
        assert_eq!(o.due.unwrap() - at(awareness), Duration::hours(hours), "{rule}: exactly {hours} h");
    }
}

// ------------------------------------------------------------------------------------------------
// Law-enforcement delays (45 CFR 164.412) suspend the HIPAA clocks only.

#[test]
fn a_law_enforcement_delay_suspends_hipaa_clocks_only() {
    let scope = phi(&[R::CoveredEntity, R::Controller]).affected("US-CA", 600).affected("DE", 10);
    const HIPAA_DUE: &str = "2026-05-01T23:59:59-04:00";
    // (name, basis, from, until, hipaa.individuals due, a moment inside the delay, its end then)
    type Case = (
        &'static str,
        DelayBasis,
        &'static str,
        Option<&'static str>,
        &'static str,
        &'static str,
        Option<&'static str>,
    );
    let cases: Vec<Case> = vec![
        (
            "written, 30 days",
            DelayBasis::Written,
            "2026-03-10T00:00:00Z",
            Some("2026-04-09T00:00:00Z"),
            "2026-05-31T23:59:59-04:00",
            "2026-03-20T00:00:00Z",
            Some("2026-04-09T00:00:00Z"),
        ),
        (
            "written, 45 days: a written statement is not capped",
            DelayBasis::Written,
            "2026-03-10T00:00:00Z",
            Some("2026-04-24T00:00:00Z"),
            "2026-06-15T23:59:59-04:00",
            "2026-04-20T00:00:00Z",
            Some("2026-04-24T00:00:00Z"),
        ),
        (
            "oral, no end given: 30 days",
            DelayBasis::Oral,
            "2026-03-10T00:00:00Z",
            None,
            "2026-05-31T23:59:59-04:00",
            "2026-04-08T23:59:59Z",
            Some("2026-04-09T00:00:00Z"),
        ),
        (
            "oral, 45 days asked: capped at 30",
            DelayBasis::Oral,
            "2026-03-10T00:00:00Z",
            Some("2026-04-24T00:00:00Z"),
            "2026-05-31T23:59:59-04:00",
            "2026-04-20T00:00:00Z",
            None,
        ),
        (
            "oral, 10 days",
            DelayBasis::Oral,
            "2026-03-10T00:00:00Z",
            Some("2026-03-20T00:00:00Z"),
            "2026-05-11T23:59:59-04:00",
            "2026-03-15T00:00:00Z",
            Some("2026-03-20T00:00:00Z"),
        ),
        (
            // Nor is the overdue notice shown as held back (which would also silence its
            // overdue reminder): the delay and the notice's period do not overlap.
            "asked for after the clock ran out: no effect",
            DelayBasis::Written,
            "2026-05-05T00:00:00Z",
            Some("2026-06-05T00:00:00Z"),
            HIPAA_DUE,
            "2026-05-10T00:00:00Z",
            None,
        ),
        (
            // Seen after the discovery: before it, the clock had not started to hold back.
            "from before discovery: only the part after discovery counts (6 days)",
            DelayBasis::Written,
            "2026-02-20T14:00:00Z",
            Some("2026-03-08T14:00:00Z"),
            "2026-05-07T23:59:59-04:00",
            "2026-03-05T00:00:00Z",
            Some("2026-03-08T14:00:00Z"),
        ),
    ];
    for (name, basis, from, until, hipaa_due, inside, suspended_until) in cases {
        let mut log = incident_with(&scope, false);
        log.add("2026-03-10T09:00:00-04:00", NY, law_enforcement_delay(basis, from, until));
        let all = obligations_of(&log, inside);
        for rule in ["hipaa.individuals", "hipaa.media", "hipaa.hhs"] {
            let o = find(&all, rule);
            assert_due(o, Some(hipaa_due), name);
            assert_eq!(o.suspended_until, suspended_until.map(at), "{name}: {rule} suspended until");
        }
        // GDPR and the states are not moved, nor marked suspended.
        assert_due(find(&all, "gdpr.authority"), Some("2026-03-06T10:30:00-05:00"), name);
        assert_due(find(&all, "us-ca.residents"), Some("2026-04-01T23:59:59-07:00"), name);
        assert_due(find(&all, "us-ca.attorney-general"), Some("2026-04-16T23:59:59-07:00"), name);
        for rule in ["gdpr.authority", "us-ca.residents", "us-ca.attorney-general"] {
            assert_eq!(find(&all, rule).suspended_until, None, "{name}: {rule}");
        }
    }
}

#[test]
fn a_delay_holds_back_the_annual_hhs_log_only_inside_its_own_period() {
    // Discovered 2 March 2026 with 20 individuals: the log is due 1 March 2027 (45 CFR
    // 164.408(c), 60 days after the end of the calendar year), counted from 1 January 2027.
    // The notice to individuals counts from the discovery; the same delays move it by what
    // overlaps its own period.
    let scope = phi(&[R::CoveredEntity]).affected("US-NY", 20);
    const LOG_DUE: &str = "2027-03-01T23:59:59-05:00";
    const INDIVIDUALS_DUE: &str = "2026-05-01T23:59:59-04:00";
    // (name, from, until, log due, individuals due, a moment, log held back then, individuals held back then)
    type Case =
        (&'static str, &'static str, &'static str, &'static str, &'static str, &'static str, bool, bool);
    let cases: Vec<Case> = vec![
        (
            // The defect: a 30-day delay in March moved the next year's log by 30 days.
            "30 days in March, long before the year ends: the log does not move",
            "2026-03-10T00:00:00Z",
            "2026-04-09T00:00:00Z",
            LOG_DUE,
            "2026-05-31T23:59:59-04:00",
            "2026-03-20T00:00:00Z",
            false,
            true,
        ),
        (
            "ten days in February of the next year: the log moves ten days",
            "2027-02-01T05:00:00Z",
            "2027-02-11T05:00:00Z",
            "2027-03-11T23:59:59-05:00",
            INDIVIDUALS_DUE,
            "2027-02-05T00:00:00Z",
            true,
            false,
        ),
        (
            "20 December to 10 January: only the nine days from 1 January count",
            "2026-12-20T05:00:00Z",
            "2027-01-10T05:00:00Z",
            "2027-03-10T23:59:59-05:00",
            INDIVIDUALS_DUE,
            "2026-12-25T00:00:00Z",
            false,
            false,
        ),
        (
            "the same, seen on 5 January: the log is held back now",
            "2026-12-20T05:00:00Z",
            "2027-01-10T05:00:00Z",
            "2027-03-10T23:59:59-05:00",
            INDIVIDUALS_DUE,
            "2027-01-05T00:00:00Z",
            true,
            false,
        ),
        (
            "ending exactly as the year ends: nothing counts",
            "2026-12-01T05:00:00Z",
            "2027-01-01T05:00:00Z",
            LOG_DUE,
            INDIVIDUALS_DUE,
            "2026-12-15T00:00:00Z",
            false,
            false,
        ),
        (
            "starting after the log was due: nothing counts",
            "2027-03-02T05:00:00Z",
            "2027-04-01T04:00:00Z",
            LOG_DUE,
            INDIVIDUALS_DUE,
            "2027-03-10T00:00:00Z",
            false,
            false,
        ),
    ];
    for (name, from, until, log_due, individuals_due, now, log_held, individuals_held) in cases {
        let mut log = incident_with(&scope, false);
        log.add(
            "2026-03-10T09:00:00-04:00",
            NY,
            law_enforcement_delay(DelayBasis::Written, from, Some(until)),
        );
        let all = obligations_of(&log, now);
        let annual = find(&all, "hipaa.hhs-annual");
        assert_due(annual, Some(log_due), name);
        assert_eq!(annual.suspended_until.is_some(), log_held, "{name}: log held back at {now}");
        let individuals = find(&all, "hipaa.individuals");
        assert_due(individuals, Some(individuals_due), name);
        assert_eq!(
            individuals.suspended_until.is_some(),
            individuals_held,
            "{name}: individuals held back at {now}"
        );
    }
}

#[test]
fn overlapping_delays_are_not_counted_twice() {
    let scope = phi(&[R::CoveredEntity]).affected("US-NY", 20);
    let mut log = incident_with(&scope, false);
    // Oral on 10 March (30 days to 9 April), then a written statement to 19 April.
    log.add(
        "2026-03-10T09:00:00-04:00",
        NY,
        law_enforcement_delay(DelayBasis::Oral, "2026-03-10T00:00:00Z", None),
    );
    log.add(
        "2026-04-01T09:00:00-04:00",
        NY,
        law_enforcement_delay(DelayBasis::Written, "2026-04-01T00:00:00Z", Some("2026-04-19T00:00:00Z")),
    );
    let all = obligations_of(&log, "2026-04-10T00:00:00Z");
    let o = find(&all, "hipaa.individuals");
    // 10 March to 19 April is 40 days.
    assert_due(o, Some("2026-06-10T23:59:59-04:00"), "merged");
    assert_eq!(o.suspended_until, Some(at("2026-04-19T00:00:00Z")));
}

// ------------------------------------------------------------------------------------------------
// Delays under other laws: each holds back exactly the notices its statute names.

/// The due instants of `rules` for an incident with `scope` (every trigger in New York) and
/// `delays`, seen at `now`.
fn dues_with(
    scope: &Scope,
    delays: &[EntryBody],
    rules: &[&str],
    now: &str,
) -> Vec<(String, Option<String>, bool)> {
    let mut log = incident_with(scope, false);
    for d in delays {
        log.add("2026-03-05T09:00:00-05:00", NY, d.clone());
    }
    let all = obligations_of(&log, now);
    rules
        .iter()
        .map(|rule| {
            let o = find(&all, rule);
            (rule.to_string(), o.due.map(|d| local(d, &o.zone)), o.suspended_until.is_some())
        })
        .collect()
}

#[test]
fn each_states_delay_holds_back_only_the_notices_its_statute_names() {
    use DelayRegime as G;
    // Texas, Florida, Colorado and California say the notice is made as soon as (promptly
    // after) the agency lets it go: the notice is not due before the delay ends. Determination
    // on Wednesday 4 March; the delay runs 14 March to 13 May (Central/Eastern/Mountain noon).
    let texas =
        pii().affected("US-TX", 300).affected("US-FL", 600).affected("US-CO", 600).affected("US-CA", 600);
    let rules = [
        "us-tx.individuals",
        "us-tx.attorney-general",
        "us-fl.individuals",
        "us-fl.department",
        "us-co.residents",
        "us-co.attorney-general",
        "us-ca.residents",
        "us-ca.attorney-general",
    ];
    let undelayed = [
        "2026-05-03T23:59:59-05:00",
        "2026-04-03T23:59:59-05:00",
        "2026-04-03T23:59:59-04:00",
        "2026-04-03T23:59:59-04:00",
        "2026-04-03T23:59:59-06:00",
        "2026-04-03T23:59:59-06:00",
        "2026-04-01T23:59:59-07:00",
        "2026-04-16T23:59:59-07:00",
    ];
    let from = "2026-03-14T17:00:00Z";
    let until = "2026-05-13T17:00:00Z";
    let delay = |regime| delay_under(regime, DelayBasis::Written, from, Some(until));
    // (the delay's law, the rules it moves to the end of the delay; `after` rules follow)
    let cases: Vec<(&str, Vec<EntryBody>, Vec<&str>)> = vec![
        ("none", vec![], vec![]),
        ("HIPAA's moves no state's notice", vec![delay(G::Hipaa)], vec![]),
        ("an SEC determination moves no state's notice", vec![delay(G::Sec)], vec![]),
        // 521.053(d) names (b) and (c): not the attorney general's notice of (i).
        ("Texas", vec![delay(G::UsTx)], vec!["us-tx.individuals"]),
        // 501.171(4)(b) delays the notice to individuals, not the Department's of (3).
        ("Florida", vec![delay(G::UsFl)], vec!["us-fl.individuals"]),
        ("Colorado", vec![delay(G::UsCo)], vec!["us-co.residents"]),
        // 1798.82(c): the sample copy to the attorney general is counted from the residents'
        // notice, so it follows it.
        ("California", vec![delay(G::UsCa)], vec!["us-ca.residents", "us-ca.attorney-general"]),
    ];
    for (name, delays, moved) in cases {
        let got = dues_with(&texas, &delays, &rules, "2026-04-01T00:00:00Z");
        for ((rule, due, held), before) in got.iter().zip(undelayed) {
            let expected = match rule.as_str() {
                r if !moved.contains(&r) => before.to_string(),
                // 15 days after the residents' (moved) due instant.
                "us-ca.attorney-general" => "2026-05-28T23:59:59-07:00".to_string(),
                r => local(at(until), &find_zone(r)),
            };
            assert_eq!(due.as_deref(), Some(expected.as_str()), "{name}: {rule}");
            let held_expected = moved.contains(&rule.as_str()) && rule != "us-ca.attorney-general";
            assert_eq!(*held, held_expected, "{name}: {rule} held back on 1 April");
        }
    }
    // A state delay that ends before the notice is due changes nothing.
    let short = delay_under(G::UsTx, DelayBasis::Oral, "2026-03-10T17:00:00Z", Some("2026-03-20T17:00:00Z"));
    let got = dues_with(&texas, &[short], &["us-tx.individuals"], "2026-03-15T00:00:00Z");
    assert_eq!(got[0].1.as_deref(), Some("2026-05-03T23:59:59-05:00"));
    assert!(got[0].2, "held back while it runs");
    // Nor does a state delay move a HIPAA notice.
    let ce = phi(&[R::CoveredEntity]).affected("US-TX", 300);
    let got = dues_with(
        &ce,
        &[delay(G::UsTx)],
        &["hipaa.individuals", "us-tx.individuals"],
        "2026-04-01T00:00:00Z",
    );
    assert_eq!(got[0].1.as_deref(), Some("2026-05-01T23:59:59-04:00"));
    assert_eq!(got[1].1.as_deref(), Some(local(at(until), CHICAGO).as_str()));
}

/// The zone a state rule counts its days in.
fn find_zone(rule: &str) -> String {
    ruleset().rules.iter().find(|r| r.id == rule).and_then(|r| r.zone).map(|z| z.name().to_string()).unwrap()
}

#[test]
fn a_california_facilitys_report_to_the_patient_is_due_15_business_days_after_the_delay() {
    use DelayRegime as G;
    // Detected Monday 2 March: both reports due Monday 23 March. A law-enforcement delay holds
    // back the patient's (H&S Code 1280.15(c)), not the Department's.
    let facility = phi(&[R::LicensedHealthFacility]).affected("US-CA", 3);
    let rules = ["us-ca.cdph", "us-ca.facility-patient"];
    // (name, delay, the patient's report due)
    let cases: Vec<(&str, EntryBody, &str)> = vec![
        (
            // To Sunday 5 April: 15 business days from Monday 6 April, skipping Genocide
            // Remembrance Day (Friday 24 April): Monday 27 April.
            "written, to 5 April",
            delay_under(
                G::UsCaHealthFacility,
                DelayBasis::Written,
                "2026-03-05T00:00:00-08:00",
                Some("2026-04-05T00:00:00-07:00"),
            ),
            "2026-04-27T23:59:59-07:00",
        ),
        (
            // Written: at most 60 days, to 4 May; then 15 business days skipping Memorial Day.
            "written, 90 days asked: 60",
            delay_under(
                G::UsCaHealthFacility,
                DelayBasis::Written,
                "2026-03-05T00:00:00-08:00",
                Some("2026-06-03T00:00:00-07:00"),
            ),
            "2026-05-26T23:59:59-07:00",
        ),
        (
            // Oral, no end stated: 30 days, to Saturday 4 April.
            "oral: 30 days",
            delay_under(G::UsCaHealthFacility, DelayBasis::Oral, "2026-03-05T00:00:00-08:00", None),
            "2026-04-27T23:59:59-07:00",
        ),
        (
            "a HIPAA delay does not move it",
            law_enforcement_delay(
                DelayBasis::Written,
                "2026-03-05T00:00:00-08:00",
                Some("2026-04-05T00:00:00-07:00"),
            ),
            "2026-03-23T23:59:59-07:00",
        ),
        (
            "a delay over before the detection does not move it",
            delay_under(
                G::UsCaHealthFacility,
                DelayBasis::Written,
                "2026-02-01T00:00:00-08:00",
                Some("2026-03-01T00:00:00-08:00"),
            ),
            "2026-03-23T23:59:59-07:00",
        ),
    ];
    for (name, delay, patient_due) in cases {
        let got = dues_with(&facility, &[delay], &rules, "2026-03-10T00:00:00Z");
        assert_eq!(got[0].1.as_deref(), Some("2026-03-23T23:59:59-07:00"), "{name}: the Department's report");
        assert!(!got[0].2, "{name}: the Department's report is not held back");
        assert_eq!(got[1].1.as_deref(), Some(patient_due), "{name}: the patient's report");
    }
}

#[test]
fn the_attorney_generals_determinations_extend_the_8k_by_30_then_30_then_60_days() {
    use DelayRegime as G;
    // Material on Thursday 5 March: the 8-K is due Wednesday 11 March, 23:59:59 New York.
    let listed = scope().roles(&[R::ListedCompany]).affected("US-NY", 10);
    let sec = |from: &str, until: &str| delay_under(G::Sec, DelayBasis::Written, from, Some(until));
    // (name, determinations, 8-K due)
    let cases: Vec<(&str, Vec<EntryBody>, &str)> = vec![
        ("none", vec![], "2026-03-11T23:59:59-04:00"),
        (
            "20 days",
            vec![sec("2026-03-10T12:00:00-04:00", "2026-03-31T12:00:00-04:00")],
            "2026-03-31T12:00:00-04:00",
        ),
        (
            "45 days asked: 30 past the due",
            vec![sec("2026-03-10T12:00:00-04:00", "2026-04-25T12:00:00-04:00")],
            "2026-04-10T23:59:59-04:00",
        ),
        (
            "an extension of 45 asked: 30 more",
            vec![
                sec("2026-03-10T12:00:00-04:00", "2026-04-25T12:00:00-04:00"),
                sec("2026-04-08T12:00:00-04:00", "2026-05-30T12:00:00-04:00"),
            ],
            "2026-05-10T23:59:59-04:00",
        ),
        (
            "a final one of 90 asked: 60 more, 120 days in all",
            vec![
                sec("2026-03-10T12:00:00-04:00", "2026-04-25T12:00:00-04:00"),
                sec("2026-04-08T12:00:00-04:00", "2026-05-30T12:00:00-04:00"),
                sec("2026-05-08T12:00:00-04:00", "2026-08-10T12:00:00-04:00"),
            ],
            "2026-07-09T23:59:59-04:00",
        ),
        (
            "determined after the 8-K was due: nothing",
            vec![sec("2026-03-12T09:00:00-04:00", "2026-04-10T12:00:00-04:00")],
            "2026-03-11T23:59:59-04:00",
        ),
        (
            "a HIPAA delay does not move it",
            vec![law_enforcement_delay(
                DelayBasis::Written,
                "2026-03-10T12:00:00-04:00",
                Some("2026-04-25T12:00:00-04:00"),
            )],
            "2026-03-11T23:59:59-04:00",
        ),
    ];
    for (name, determinations, due) in cases {
        let got = dues_with(&listed, &determinations, &["sec.8k"], "2026-03-06T00:00:00Z");
        assert_eq!(got[0].1.as_deref(), Some(due), "{name}");
    }
}

#[test]
fn hipaa_media_counts_residents_of_puerto_rico_the_virgin_islands_and_guam() {
    // 45 CFR 160.103: a "State" includes the District of Columbia, Puerto Rico, the Virgin
    // Islands and Guam. ISO 3166-1 (PR) and ISO 3166-2 (US-PR) name the same place.
    let ce = || phi(&[R::CoveredEntity]);
    let cases: Vec<(&str, Scope, Vec<&str>)> = vec![
        ("PR:600 typed", ce().affected("PR", 600), vec!["hipaa.individuals", "hipaa.media", "hipaa.hhs"]),
        (
            "US-PR:600 typed",
            ce().affected("US-PR", 600),
            vec!["hipaa.individuals", "hipaa.media", "hipaa.hhs"],
        ),
        (
            "PR:600 as stored before",
            ce().stored("PR", 600),
            vec!["hipaa.individuals", "hipaa.media", "hipaa.hhs"],
        ),
        ("VI:501", ce().stored("VI", 501), vec!["hipaa.individuals", "hipaa.media", "hipaa.hhs"]),
        ("GU:501", ce().stored("GU", 501), vec!["hipaa.individuals", "hipaa.media", "hipaa.hhs"]),
        ("US-DC:501", ce().affected("US-DC", 501), vec!["hipaa.individuals", "hipaa.media", "hipaa.hhs"]),
        ("PR:500: not more than 500", ce().stored("PR", 500), vec!["hipaa.individuals", "hipaa.hhs"]),
        (
            // Stored in both spellings by an older scope: one place, the larger count, not 600.
            "PR:300 and US-PR:300, the same residents entered twice",
            ce().stored("PR", 300).stored("US-PR", 300),
            vec!["hipaa.individuals", "hipaa.hhs-annual"],
        ),
        (
            "PR:300 and US-PR:550",
            ce().stored("PR", 300).stored("US-PR", 550),
            vec!["hipaa.individuals", "hipaa.media", "hipaa.hhs"],
        ),
    ];
    for (name, scope, expected) in cases {
        let hipaa: Vec<String> =
            applying(&scope, false).into_iter().filter(|r| r.starts_with("hipaa.")).collect();
        assert_eq!(hipaa, expected, "{name}");
    }
    // The reason names the place once, in its one spelling.
    let log = incident_with(&ce().stored("PR", 600), false);
    let all = obligations_of(&log, EARLY);
    assert!(find(&all, "hipaa.media").applies_because.contains("more than 500 in US-PR 600"));
    // A new scope cannot list both spellings: they are one jurisdiction, listed twice.
    let both = ce().affected("PR", 300).affected("US-PR", 300);
    let e = muster_core::Body::validate(&both.0).unwrap_err();
    assert_eq!((e.field.as_str(), e.value.as_str()), ("affected", "US-PR"));
}

// ------------------------------------------------------------------------------------------------
// Statuses.

type Setup = fn(&mut Log, &mut Vec<EntryId>);

struct StatusCase {
    name: &'static str,
    setup: Setup,
    now: &'static str,
    status: ObligationStatus,
    late: bool,
    met_at: Option<&'static str>,
    /// Index in the ids the setup pushed, of the entry that met or waived the obligation.
    by: Option<usize>,
}

#[test]
fn statuses_of_the_gdpr_authority_obligation() {
    // gdpr.authority is due 2026-03-06T10:30:00-05:00 (15:30 UTC).
    fn none(_: &mut Log, _: &mut Vec<EntryId>) {}
    fn sent_on_time(log: &mut Log, ids: &mut Vec<EntryId>) {
        ids.push(log.add(
            "2026-03-05T13:00:00+01:00",
            BERLIN,
            sent(&["gdpr.authority"], Some("2026-03-05T12:00:00+01:00")),
        ));
    }
    fn sent_late(log: &mut Log, ids: &mut Vec<EntryId>) {
        ids.push(log.add(
            "2026-03-07T09:00:00+01:00",
            BERLIN,
            sent(&["gdpr.authority", "uk-gdpr.authority"], Some("2026-03-06T16:30:01+01:00")),
        ));
    }
    fn sent_at_the_due_instant(log: &mut Log, ids: &mut Vec<EntryId>) {
        ids.push(log.add(
            "2026-03-07T09:00:00+01:00",
            BERLIN,
            sent(&["gdpr.authority"], Some("2026-03-06T15:30:00Z")),
        ));
    }
    fn sent_without_a_time(log: &mut Log, ids: &mut Vec<EntryId>) {
        ids.push(log.add("2026-03-04T09:00:00-05:00", NY, sent(&["gdpr.authority"], None)));
    }
    fn sent_for_another_rule(log: &mut Log, ids: &mut Vec<EntryId>) {
        ids.push(log.add("2026-03-04T09:00:00-05:00", NY, sent(&["uk-gdpr.authority"], None)));
    }
    fn sent_twice(log: &mut Log, ids: &mut Vec<EntryId>) {
        ids.push(log.add(
            "2026-03-08T09:00:00-05:00",
            NY,
            sent(&["gdpr.authority"], Some("2026-03-08T09:00:00-05:00")),
        ));
        // Recorded later, but sent earlier: the earliest sending meets it.
        ids.push(log.add(
            "2026-03-09T09:00:00-05:00",
            NY,
            sent(&["gdpr.authority"], Some("2026-03-05T09:00:00-05:00")),
        ));
    }
    fn sent_then_retracted(log: &mut Log, _: &mut Vec<EntryId>) {
        let id = log.add("2026-03-04T09:00:00-05:00", NY, sent(&["gdpr.authority"], None));
        log.add("2026-03-04T09:05:00-05:00", NY, retract(id));
    }
    fn waived(log: &mut Log, ids: &mut Vec<EntryId>) {
        ids.push(log.add(
            "2026-03-04T09:00:00-05:00",
            NY,
            notification(
                "gdpr.authority",
                false,
                "Unlikely to result in a risk: the data were pseudonymised.",
                vec![],
            ),
        ));
    }
    fn waived_for_another_rule(log: &mut Log, ids: &mut Vec<EntryId>) {
        ids.push(log.add(
            "2026-03-04T09:00:00-05:00",
            NY,
            notification("uk-gdpr.authority", false, "No UK risk", vec![]),
        ));
    }
    fn waiver_superseded_by_notify(log: &mut Log, ids: &mut Vec<EntryId>) {
        let w = log.add(
            "2026-03-04T09:00:00-05:00",
            NY,
            notification("gdpr.authority", false, "Unlikely to result in a risk", vec![]),
        );
        ids.push(log.add(
            "2026-03-05T09:00:00-05:00",
            NY,
            notification("gdpr.authority", true, "The key was on the laptop", vec![w]),
        ));
    }
    fn notify_superseded_by_waiver(log: &mut Log, ids: &mut Vec<EntryId>) {
        let n =
            log.add("2026-03-04T09:00:00-05:00", NY, notification("gdpr.authority", true, "Notify", vec![]));
        ids.push(log.add(
            "2026-03-05T09:00:00-05:00",
            NY,
            notification("gdpr.authority", false, "On reflection, no risk", vec![n]),
        ));
    }
    fn notify_decision_only(log: &mut Log, ids: &mut Vec<EntryId>) {
        ids.push(log.add(
            "2026-03-04T09:00:00-05:00",
            NY,
            notification("gdpr.authority", true, "Notify", vec![]),
        ));
    }
    fn waived_then_sent(log: &mut Log, ids: &mut Vec<EntryId>) {
        log.add("2026-03-04T09:00:00-05:00", NY, notification("gdpr.authority", false, "No risk", vec![]));
        ids.push(log.add("2026-03-05T09:00:00-05:00", NY, sent(&["gdpr.authority"], None)));
    }

    let due = "2026-03-06T15:30:00Z";
    let after = "2026-03-06T15:30:01Z";
    let before = "2026-03-05T00:00:00Z";
    let c = |name, setup: Setup, now, status, late, met_at, by| StatusCase {
        name,
        setup,
        now,
        status,
        late,
        met_at,
        by,
    };
    let cases = vec![
        c("nothing sent, before the due", none, before, ObligationStatus::Pending, false, None, None),
        c("nothing sent, at the due instant", none, due, ObligationStatus::Pending, false, None, None),
        c("nothing sent, a second after", none, after, ObligationStatus::Overdue, false, None, None),
        c(
            "sent on time",
            sent_on_time,
            after,
            ObligationStatus::Met,
            false,
            Some("2026-03-05T11:00:00Z"),
            Some(0),
        ),
        c(
            "sent a second late",
            sent_late,
            after,
            ObligationStatus::Met,
            true,
            Some("2026-03-06T15:30:01Z"),
            Some(0),
        ),
        c(
            "sent at the due instant",
            sent_at_the_due_instant,
            after,
            ObligationStatus::Met,
            false,
            Some(due),
            Some(0),
        ),
        c(
            "sent, time taken from the record",
            sent_without_a_time,
            before,
            ObligationStatus::Met,
            false,
            Some("2026-03-04T14:00:00Z"),
            Some(0),
        ),
        c(
            "sent for another rule",
            sent_for_another_rule,
            after,
            ObligationStatus::Overdue,
            false,
            None,
            None,
        ),
        c(
            "sent twice: the earliest counts",
            sent_twice,
            after,
            ObligationStatus::Met,
            false,
            Some("2026-03-05T14:00:00Z"),
            Some(1),
        ),
        c("sent, then retracted", sent_then_retracted, after, ObligationStatus::Overdue, false, None, None),
        c("do-not-notify decision", waived, after, ObligationStatus::Waived, false, None, Some(0)),
        c(
            "do-not-notify for another rule",
            waived_for_another_rule,
            after,
            ObligationStatus::Overdue,
            false,
            None,
            None,
        ),
        c(
            "waiver superseded by a notify decision",
            waiver_superseded_by_notify,
            before,
            ObligationStatus::Pending,
            false,
            None,
            None,
        ),
        c(
            "waiver superseded by a notify decision, past due",
            waiver_superseded_by_notify,
            after,
            ObligationStatus::Overdue,
            false,
            None,
            None,
        ),
        c(
            "notify decision superseded by a waiver",
            notify_superseded_by_waiver,
            after,
            ObligationStatus::Waived,
            false,
            None,
            Some(0),
        ),
        c(
            "a notify decision waives nothing",
            notify_decision_only,
            after,
            ObligationStatus::Overdue,
            false,
            None,
            None,
        ),
        c(
            "waived, then sent anyway",
            waived_then_sent,
            after,
            ObligationStatus::Met,
            false,
            Some("2026-03-05T14:00:00Z"),
            Some(0),
        ),
    ];
    let scope = phi(&[R::Controller]).affected("DE", 100).affected("GB", 3);
    for case in cases {
        let mut log = incident_with(&scope, false);
        let mut ids = Vec::new();
        (case.setup)(&mut log, &mut ids);
        let all = obligations_of(&log, case.now);
        let o = find(&all, "gdpr.authority");
        let name = case.name;
        assert_eq!(o.due, Some(at(due)), "{name}");
        assert_eq!(o.status, case.status, "{name}");
        assert_eq!(o.late, case.late, "{name}: late");
        assert_eq!(o.met_at, case.met_at.map(at), "{name}: met_at");
        let by = case.by.map(|i| ids[i]);
        match case.status {
            ObligationStatus::Met => {
                assert_eq!(o.met_by, by, "{name}: met_by");
                assert_eq!((o.waived_by, o.waiver_rationale.as_deref()), (None, None), "{name}");
            }
            ObligationStatus::Waived => {
                assert_eq!(o.waived_by, by, "{name}: waived_by");
                assert!(o.waiver_rationale.as_deref().is_some_and(|r| !r.is_empty()), "{name}");
                assert_eq!(o.met_by, None, "{name}");
            }
            _ => assert_eq!((o.met_by, o.waived_by), (None, None), "{name}"),
        }
    }
}

#[test]
fn the_waiver_rationale_is_the_decisions() {
    let mut log = incident_with(&phi(&[R::Controller]).affected("DE", 100), false);
    let rationale = "Unlikely to result in a risk: the records were pseudonymised (Art. 33(1)).";
    let d =
        log.add("2026-03-04T09:00:00-05:00", NY, notification("gdpr.authority", false, rationale, vec![]));
    let all = obligations_of(&log, EARLY);
    let o = find(&all, "gdpr.authority");
    assert_eq!(
        (o.status, o.waived_by, o.waiver_rationale.as_deref()),
        (ObligationStatus::Waived, Some(d), Some(rationale))
    );
    // Only that rule: the data-subjects obligation stands.
    assert_eq!(find(&all, "gdpr.data-subjects").status, ObligationStatus::Pending);
}

#[test]
fn nis2_final_report_counts_from_the_notification() {
    let scope = phi(&[R::Nis2Entity]).affected("DE", 300);
    let awareness = "2026-03-03T10:30:00+01:00";
    let build = |extra: &[(&str, EntryBody)]| {
        let mut log = Log::new("Schmidt");
        log.add("2026-03-03T10:00:00+01:00", BERLIN, opened("Ransomware"));
        log.add("2026-03-03T10:05:00+01:00", BERLIN, scope.clone().body());
        log.add("2026-03-03T10:10:00+01:00", BERLIN, classified(Severity::Sev1, true, false));
        log.add("2026-03-03T10:40:00+01:00", BERLIN, trigger(T::Awareness, awareness));
        for (recorded, body) in extra {
            log.add(recorded, BERLIN, body.clone());
        }
        log
    };
    // (name, entries, now, final-report due, provisional, final-report status)
    type Case =
        (&'static str, Vec<(&'static str, EntryBody)>, &'static str, &'static str, bool, ObligationStatus);
    let cases: Vec<Case> = vec![
        (
            // The notification is due 6 March 10:30; one month on, in Berlin (summer time by then).
            "notification not sent: provisional from its due instant",
            vec![],
            "2026-03-04T00:00:00Z",
            "2026-04-06T23:59:59+02:00",
            true,
            ObligationStatus::Pending,
        ),
        (
            "notification sent on 5 March: one month from then",
            vec![(
                "2026-03-05T17:05:00+01:00",
                sent(&["nis2.early-warning", "nis2.notification"], Some("2026-03-05T17:00:00+01:00")),
            )],
            "2026-03-06T00:00:00Z",
            "2026-04-05T23:59:59+02:00",
            false,
            ObligationStatus::Pending,
        ),
        (
            "notification sent late, on 9 March: one month from then",
            vec![(
                "2026-03-09T09:05:00+01:00",
                sent(&["nis2.notification"], Some("2026-03-09T09:00:00+01:00")),
            )],
            "2026-03-10T00:00:00Z",
            "2026-04-09T23:59:59+02:00",
            false,
            ObligationStatus::Pending,
        ),
        (
            "notification sent 31 March: the month is clamped to 30 April",
            vec![(
                "2026-03-31T09:05:00+02:00",
                sent(&["nis2.notification"], Some("2026-03-31T09:00:00+02:00")),
            )],
            "2026-04-01T00:00:00Z",
            "2026-04-30T23:59:59+02:00",
            false,
            ObligationStatus::Pending,
        ),
        (
            "final report overdue",
            vec![(
                "2026-03-05T17:05:00+01:00",
                sent(&["nis2.notification"], Some("2026-03-05T17:00:00+01:00")),
            )],
            "2026-04-05T22:00:00Z",
            "2026-04-05T23:59:59+02:00",
            false,
            ObligationStatus::Overdue,
        ),
        (
            "final report sent",
            vec![
                (
                    "2026-03-05T17:05:00+01:00",
                    sent(&["nis2.notification"], Some("2026-03-05T17:00:00+01:00")),
                ),
                ("2026-04-01T10:00:00+02:00", sent(&["nis2.final-report"], None)),
            ],
            "2026-05-01T00:00:00Z",
            "2026-04-05T23:59:59+02:00",
            false,
            ObligationStatus::Met,
        ),
    ];
    for (name, extra, now, due, provisional, status) in cases {
        let log = build(&extra);
        let all = obligations_of(&log, now);
        let notification = find(&all, "nis2.notification");
        assert_due(notification, Some("2026-03-06T10:30:00+01:00"), name);
        let o = find(&all, "nis2.final-report");
        assert_eq!(o.after.as_deref(), Some("nis2.notification"), "{name}");
        assert_due(o, Some(due), name);
        assert_eq!(o.provisional, provisional, "{name}: provisional");
        assert_eq!(o.status, status, "{name}");
        // The final report is counted from the notification's met instant, or from its due one.
        assert_eq!(o.trigger_at, notification.met_at.or(notification.due), "{name}: counted from");
    }
}

#[test]
fn california_attorney_general_counts_from_the_residents_notice() {
    let scope = pii().affected("US-CA", 800);
    let mut log = incident_with(&scope, false);
    let all = obligations_of(&log, EARLY);
    let ag = find(&all, "us-ca.attorney-general");
    assert!(ag.provisional);
    assert_due(ag, Some("2026-04-16T23:59:59-07:00"), "provisional, 15 days from the residents' due date");
    // Residents told on 20 March (Pacific): the sample copy is due 4 April.
    log.add("2026-03-20T18:00:00-07:00", LA, sent(&["us-ca.residents"], Some("2026-03-20T17:00:00-07:00")));
    let all = obligations_of(&log, EARLY);
    let ag = find(&all, "us-ca.attorney-general");
    assert!(!ag.provisional);
    assert_due(ag, Some("2026-04-04T23:59:59-07:00"), "15 days from the residents' notice");
    assert_eq!(find(&all, "us-ca.residents").status, ObligationStatus::Met);
}

// ------------------------------------------------------------------------------------------------
// iCalendar export.

#[test]
fn the_ical_export_parses_and_holds_one_event_per_due_instant() {
    use icalendar::{Calendar, CalendarComponent, CalendarDateTime, Component, DatePerhapsTime};

    let scope = phi(&[R::CoveredEntity, R::Controller, R::ListedCompany, R::Nis2Entity])
        .affected("US-CA", 600)
        .affected("US-TX", 300)
        .affected("DE", 20)
        .affected("GB", 5);
    let log = incident_with(&scope, true);
    let all = obligations_of(&log, EARLY);
    let title =
        "Ransomware; PACS, radiology \\ Überlingen clinic — «Mercy General» outage affecting every ward";
    let now = at("2026-03-07T08:00:00Z");
    let incident_id = incident().to_string();
    let ics = to_ical(&all, title, &incident_id, now);

    // RFC 5545 3.1: CRLF line ends, content lines folded at 75 octets.
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    assert!(!ics.replace("\r\n", "").contains('\n'), "a bare LF");
    assert!(!ics.replace("\r\n", "").contains('\r'), "a bare CR");
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
    assert!(ics.contains("\r\n "), "the long title was folded");

    let calendar: Calendar = ics.parse().expect("the export parses as iCalendar");
    let events: Vec<&icalendar::Event> = calendar
        .components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    let due: Vec<&Obligation> = all.iter().filter(|o| o.due.is_some()).collect();
    assert!(due.len() < all.len(), "some obligations have no fixed period and are left out");
    assert_eq!(events.len(), due.len());
    for (event, o) in events.iter().zip(&due) {
        assert_eq!(event.get_uid(), Some(format!("{incident_id}-{}@muster", o.rule).as_str()));
        assert_eq!(
            event.get_start(),
            Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(o.due.unwrap()))),
            "{}",
            o.rule
        );
        assert_eq!(event.get_end(), event.get_start(), "{}", o.rule);
        assert_eq!(event.get_timestamp(), Some(now), "{}", o.rule);
        let summary = event.get_summary().unwrap();
        assert!(summary.starts_with(&format!("{} due: notify ", o.rule)), "{summary}");
        assert!(summary.ends_with("(pending)"), "{summary}");
        let description = event.get_description().unwrap();
        assert!(description.contains(&format!("Owed by: {}.", o.owed_by.label())), "{description}");
    }
    let uids: std::collections::BTreeSet<_> = events.iter().map(|e| e.get_uid()).collect();
    assert_eq!(uids.len(), events.len(), "UIDs are unique");

    // The title survives escaping and folding.
    let unfolded = icalendar::parser::unfold(&ics);
    let parsed = icalendar::parser::read_calendar(&unfolded).unwrap();
    let name = parsed.properties.iter().find(|p| p.name.as_str() == "X-WR-CALNAME").unwrap();
    assert_eq!(name.val.clone().unescape_text().as_str(), format!("Muster deadlines: {title}"));
    // Every event carries a display alarm a day before.
    for component in parsed.components.iter().filter(|c| c.name.as_str() == "VEVENT") {
        let alarm = component.components.iter().find(|c| c.name.as_str() == "VALARM").expect("an alarm");
        assert_eq!(alarm.find_prop("TRIGGER").map(|p| p.val.as_str()), Some("-PT24H"));
        assert_eq!(alarm.find_prop("ACTION").map(|p| p.val.as_str()), Some("DISPLAY"));
    }
}

#[test]
fn an_empty_ical_export_is_still_a_calendar() {
    let ics = to_ical(&[], "Nothing due", "x", at("2026-03-07T08:00:00Z"));
    let calendar: icalendar::Calendar = ics.parse().unwrap();
    assert!(calendar.components.is_empty());
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
}

// ------------------------------------------------------------------------------------------------
// Malformed rulesets.

const HEADER: &str = r#"[ruleset]
name = "test-clocks"
version = 1
as_of = "2026-11-22"
"#;

/// A valid two-rule file (lines 6-15 and 17-26); each case below breaks one thing.
const RULES: &str = r#"
[[rule]]
id = "x.notice"
regime = "X"
recipient = "Regulator"
citation = "X s. 1"
owed_by = "data-owner"
trigger = "discovery"
deadline = { calendar_days = 30 }
zone = "America/New_York"
when = { affected_in = "US-NY", affected_at_least = 1 }

[[rule]]
id = "x.follow-up"
regime = "X"
recipient = "Regulator"
citation = "X s. 2"
owed_by = "controller"
trigger = "discovery"
after = "x.notice"
deadline = { months = 1 }
when = { roles_any = ["controller"] }
"#;

#[test]
fn the_malformed_clock_test_file_is_valid_before_it_is_broken() {
    let rules = ClockRuleset::parse("clocks.toml", &format!("{HEADER}{RULES}")).unwrap();
    assert_eq!(rules.rules.len(), 2);
    assert_eq!(rules.header.label(), "test-clocks@1");
    assert_eq!(rules.rules[0].owed_by, [R::DataOwner]);
    assert_eq!(rules.rules[0].delayed_by, None);
}

#[test]
fn a_ruleset_v2_file_still_reads_its_law_enforcement_delay_as_hipaas() {
    // An installation's own copy written for ruleset v2 says law_enforcement_delay = true:
    // HIPAA delays hold such a rule back, as they did. (Its rules still need owed_by.)
    let good = format!("{HEADER}{RULES}");
    let v2 = good.replacen(
        "zone = \"America/New_York\"",
        "zone = \"America/New_York\"\nlaw_enforcement_delay = true",
        1,
    );
    let rules = ClockRuleset::parse("regulatory-clocks.toml", &v2).unwrap();
    assert_eq!(rules.rules[0].delayed_by, Some(DelayRegime::Hipaa));
    let off = good.replacen(
        "zone = \"America/New_York\"",
        "zone = \"America/New_York\"\nlaw_enforcement_delay = false",
        1,
    );
    assert_eq!(ClockRuleset::parse("regulatory-clocks.toml", &off).unwrap().rules[0].delayed_by, None);
    let listed = good.replacen("owed_by = \"controller\"", "owed_by = [\"controller\"]", 1);
    assert_eq!(
        ClockRuleset::parse("regulatory-clocks.toml", &listed).unwrap().rules[1].owed_by,
        [R::Controller]
    );
    // The built-in ruleset is v3, and every rule names who owes it.
    let built_in = ruleset();
    assert_eq!((built_in.header.version, built_in.header.as_of.as_str()), (3, "2026-12-01"));
    assert!(built_in.rules.iter().all(|r| !r.owed_by.is_empty()));
}

#[test]
fn malformed_clock_rulesets_name_file_line_and_field() {
    // (what, text to replace, replacement, line, field)
    let cases: Vec<(&str, &str, &str, usize, &str)> = vec![
        (
            "a TOML syntax error",
            "regime = \"X\"\nrecipient = \"Regulator\"\ncitation = \"X s. 2\"",
            "regime = \"X\nrecipient = \"Regulator\"\ncitation = \"X s. 2\"",
            19,
            "regime",
        ),
        (
            "an unknown field in a rule",
            "zone = \"America/New_York\"",
            "zone = \"America/New_York\"\ncolour = \"red\"",
            15,
            "colour",
        ),
        (
            "an unknown field in a deadline",
            "deadline = { months = 1 }",
            "deadline = { weeks = 4 }",
            25,
            "weeks",
        ),
        (
            "an unknown field in a condition",
            "when = { roles_any = [\"controller\"] }",
            "when = { roles_any = [\"controller\"], mood = \"calm\" }",
            26,
            "mood",
        ),
        (
            "an unknown trigger",
            "trigger = \"discovery\"\ndeadline = { calendar_days",
            "trigger = \"breakfast\"\ndeadline = { calendar_days",
            12,
            "trigger",
        ),
        ("an unknown role", "[\"controller\"]", "[\"landlord\"]", 26, "when"),
        ("an unknown calendar", "zone = \"America/New_York\"", "calendar = \"lunar\"", 14, "calendar"),
        ("a count of the wrong type", "affected_at_least = 1", "affected_at_least = \"one\"", 15, "when"),
        (
            "two deadline kinds",
            "deadline = { calendar_days = 30 }",
            "deadline = { calendar_days = 30, hours = 72 }",
            13,
            "deadline",
        ),
        (
            "no deadline kind",
            "deadline = { calendar_days = 30 }",
            "deadline = { none = false }",
            13,
            "deadline",
        ),
        ("a period of 0", "deadline = { months = 1 }", "deadline = { months = 0 }", 25, "deadline"),
        ("a duplicate id", "id = \"x.follow-up\"", "id = \"x.notice\"", 18, "id"),
        ("an id with capitals", "id = \"x.notice\"", "id = \"X.Notice\"", 7, "id"),
        ("a bad zone", "zone = \"America/New_York\"", "zone = \"America/Gotham\"", 14, "zone"),
        ("a bad region", "affected_in = \"US-NY\"", "affected_in = \"US-XX\"", 15, "when.affected_in"),
        (
            "a region in lower case",
            "affected_in = \"US-NY\"",
            "affected_in = \"us-ny\"",
            15,
            "when.affected_in",
        ),
        (
            "a bad region in a [rule.when] table",
            "when = { roles_any = [\"controller\"] }",
            "[rule.when]\nroles_any = [\"controller\"]\naffected_in = \"U.S.\"",
            26,
            "when.affected_in",
        ),
        ("`after` naming an unknown rule", "after = \"x.notice\"", "after = \"x.notise\"", 24, "after"),
        (
            "`after` naming a rule that is itself counted from another",
            "after = \"x.notice\"",
            "after = \"x.follow-up\"",
            24,
            "after",
        ),
        ("a missing field", "citation = \"X s. 1\"\n", "", 6, "citation"),
        ("no role owing the notice", "owed_by = \"data-owner\"\n", "", 6, "owed_by"),
        ("an unknown role owing it", "owed_by = \"data-owner\"", "owed_by = \"landlord\"", 11, "owed_by"),
        ("an empty list of roles owing it", "owed_by = \"data-owner\"", "owed_by = []", 11, "owed_by"),
        (
            "owed by a role the rule never applies to (not in roles_any)",
            "owed_by = \"controller\"",
            "owed_by = [\"controller\", \"processor\"]",
            22,
            "owed_by",
        ),
        (
            "owed by a role roles_not_only excludes",
            "affected_at_least = 1 }",
            "affected_at_least = 1, roles_not_only = [\"data-owner\"] }",
            11,
            "owed_by",
        ),
        (
            "an unknown law of delays",
            "zone = \"America/New_York\"",
            "zone = \"America/New_York\"\ndelayed_by = \"interpol\"",
            15,
            "delayed_by",
        ),
        (
            "delayed_by with its older spelling",
            "zone = \"America/New_York\"",
            "zone = \"America/New_York\"\ndelayed_by = \"hipaa\"\nlaw_enforcement_delay = true",
            15,
            "delayed_by",
        ),
        ("a missing header field", "version = 1\n", "", 1, "version"),
        (
            "a missing header",
            "[ruleset]\nname = \"test-clocks\"\nversion = 1\nas_of = \"2026-11-22\"\n",
            "",
            1,
            "ruleset",
        ),
    ];
    let good = format!("{HEADER}{RULES}");
    for (what, from, to, line, field) in cases {
        assert!(good.contains(from), "{what}: {from:?} is not in the file");
        let text = good.replacen(from, to, 1);
        let e = ClockRuleset::parse("regulatory-clocks.toml", &text).expect_err(what);
        let numbered: Vec<String> =
            text.lines().enumerate().map(|(i, l)| format!("{:>3} {l}", i + 1)).collect();
        let context = format!("{what}: {e}\n{}", numbered.join("\n"));
        assert_eq!(e.file, "regulatory-clocks.toml", "{context}");
        assert_eq!((e.line, e.field.as_str()), (line, field), "{context}");
        assert!(!e.message.is_empty(), "{context}");
        assert_eq!(e.code(), "ruleset.invalid");
        assert!(
            e.to_string().starts_with(&format!("regulatory-clocks.toml, line {line}, field {field}: ")),
            "{e}"
        );
    }
}

#[test]
fn hipaa_counts_every_affected_individual_and_a_waived_anchor_waives_what_follows_it() {
    // A covered entity with 450 US and 60 foreign patients notifies HHS within 60 days: the
    // 500 of 45 CFR 164.408(b) counts individuals, not residents.
    let mut log = Log::new("Dr Okafor");
    log.add("2026-11-01T10:00:00Z", CHICAGO, opened("PHI"));
    log.add(
        "2026-11-01T10:01:00Z",
        CHICAGO,
        scope()
            .affected("US-CA", 450)
            .affected("DE", 60)
            .data(&[D::ClinicalPhi])
            .roles(&[R::CoveredEntity])
            .body(),
    );
    let ids: Vec<String> = obligations_of(&log, "2026-11-02T00:00:00Z").into_iter().map(|o| o.rule).collect();
    assert!(ids.contains(&"hipaa.hhs".to_string()), "{ids:?}");
    assert!(!ids.contains(&"hipaa.hhs-annual".to_string()), "{ids:?}");
    assert!(!ids.contains(&"hipaa.media".to_string()), "450 residents of one state: {ids:?}");

    // California: waiving the residents' notice waives the sample copy to the AG that follows it.
    let mut log = Log::new("Dr Okafor");
    log.add("2026-11-01T10:00:00Z", LA, opened("PHI"));
    log.add("2026-11-01T10:01:00Z", LA, scope().affected("US-CA", 800).data(&[D::ClinicalPhi]).body());
    log.add("2026-11-01T10:02:00Z", LA, trigger(T::Discovery, "2026-11-01T09:00:00-08:00"));
    let mut waiver = match decide("Notify residents?", "do not notify", vec![]) {
        EntryBody::DecisionRecorded(d) => d,
        _ => unreachable!(),
    };
    waiver.options = vec!["notify".into(), "do not notify".into()];
    waiver.notification =
        Some(muster_core::body::NotificationChoice { rule: "us-ca.residents".into(), notify: false });
    log.add("2026-11-01T10:03:00Z", LA, EntryBody::DecisionRecorded(waiver));
    let list = obligations_of(&log, "2026-12-30T00:00:00Z");
    let ag = list.iter().find(|o| o.rule == "us-ca.attorney-general").unwrap();
    assert_eq!(ag.status, ObligationStatus::Waived);
    assert!(ag.waiver_rationale.as_deref().unwrap().contains("us-ca.residents"), "{ag:?}");
}

// Reminders outside the window: a day before, an hour before, and once overdue.

#[test]
fn reminders_fire_a_day_and_an_hour_before_and_when_overdue_never_while_suspended_or_met() {
    use muster_core::breach::rules::clocks::{deadline_stage, next_deadline_change, DeadlineStage as S};
    let scope = phi(&[R::CoveredEntity, R::Controller]).affected("US-CA", 600).affected("DE", 10);
    let log = incident_with(&scope, false);
    // gdpr.authority: 72 hours from awareness (2026-03-03T10:30-05:00).
    const DUE: &str = "2026-03-06T10:30:00-05:00";
    let after_due = at(DUE) + Duration::milliseconds(1);
    let cases = [
        ("2026-03-05T10:29:59-05:00", None, Some(at("2026-03-05T10:30:00-05:00"))),
        ("2026-03-05T10:30:00-05:00", Some(S::DayBefore), Some(at("2026-03-06T09:30:00-05:00"))),
        ("2026-03-06T09:29:59-05:00", Some(S::DayBefore), Some(at("2026-03-06T09:30:00-05:00"))),
        ("2026-03-06T09:30:00-05:00", Some(S::HourBefore), Some(after_due)),
        // The due instant is still on time, as for the status.
        (DUE, Some(S::HourBefore), Some(after_due)),
        ("2026-03-06T10:30:01-05:00", Some(S::Overdue), None),
        ("2026-03-20T00:00:00-05:00", Some(S::Overdue), None),
    ];
    for (now, stage, next) in cases {
        let all = obligations_of(&log, now);
        let gdpr = find(&all, "gdpr.authority");
        assert_due(gdpr, Some(DUE), now);
        assert_eq!(deadline_stage(gdpr, at(now)), stage, "gdpr.authority at {now}");
        assert_eq!(
            next_deadline_change(std::slice::from_ref(gdpr), at(now)),
            next,
            "next change after {now}"
        );
    }
    // Over every obligation, the scheduler wakes at the soonest change of any of them.
    let all = obligations_of(&log, EARLY);
    let soonest = all
        .iter()
        .filter_map(|o| o.due)
        .flat_map(|d| [d - Duration::hours(24), d - Duration::hours(1), d + Duration::milliseconds(1)])
        .filter(|t| *t > at(EARLY))
        .min();
    assert_eq!(next_deadline_change(&all, at(EARLY)), soonest);
    assert!(soonest.is_some());

    // Met: no reminder. Rules with no fixed deadline: none either.
    let mut met = incident_with(&scope, false);
    met.add("2026-03-04T09:00:00-05:00", NY, sent(&["gdpr.authority"], Some("2026-03-04T09:00:00-05:00")));
    let all = obligations_of(&met, "2026-03-06T10:00:00-05:00");
    let gdpr = find(&all, "gdpr.authority");
    assert_eq!(gdpr.status, ObligationStatus::Met);
    assert_eq!(deadline_stage(gdpr, at("2026-03-06T10:00:00-05:00")), None);
    for o in all.iter().filter(|o| o.due.is_none()) {
        assert_eq!(deadline_stage(o, at("2026-03-06T10:00:00-05:00")), None, "{}", o.rule);
    }

    // A law-enforcement delay in force: the HIPAA clocks are quiet until it ends, then wake.
    let mut delayed = incident_with(&scope, false);
    delayed.add(
        "2026-03-10T09:00:00-04:00",
        NY,
        law_enforcement_delay(DelayBasis::Written, "2026-03-10T00:00:00Z", Some("2026-04-09T00:00:00Z")),
    );
    let inside = "2026-03-20T00:00:00Z";
    let all = obligations_of(&delayed, inside);
    let hipaa = find(&all, "hipaa.individuals");
    assert_eq!(deadline_stage(hipaa, at(inside)), None);
    assert_eq!(
        next_deadline_change(std::slice::from_ref(hipaa), at(inside)),
        Some(at("2026-04-09T00:00:00Z"))
    );
}
