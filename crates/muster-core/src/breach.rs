//! The breach domain's vocabulary and entry bodies: the scope of an incident (who is affected
//! where, which data, how exposed, which systems, the organisation's legal roles), its
//! classification and peer review, the triggers that start regulatory clocks, law-enforcement
//! delays, communications sent, escalation steps done, and the clinical systems register with
//! isolation proposals, clinical sign-offs and HICS 251 system status.

use serde::{Deserialize, Serialize};

use crate::body::EventTime;
use crate::error::ValidationError;
use crate::ids::EntryId;
use crate::severity::Severity;
use crate::systems::SystemRecord;

/// Declares a closed vocabulary with stable kebab-case slugs (the stored form) and labels.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $slug:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $slug)] $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            pub fn slug(&self) -> &'static str {
                match self { $($name::$variant => $slug,)+ }
            }

            pub fn label(&self) -> &'static str {
                match self { $($name::$variant => $label,)+ }
            }

            /// Parses a slug as typed by a user (case and `_`/space for `-` forgiven).
            pub fn parse_user(field: &str, input: &str) -> Result<$name, ValidationError> {
                let wanted = input.trim().to_ascii_lowercase().replace(['_', ' '], "-");
                $name::ALL.iter().copied().find(|v| v.slug() == wanted).ok_or_else(|| {
                    let known: Vec<&str> = $name::ALL.iter().map(|v| v.slug()).collect();
                    ValidationError::new(field, input, format!("must be one of {}", known.join(", ")))
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.slug())
            }
        }
    };
}

vocabulary! {
    /// Categories of data involved. Several carry extra duties (Part 2 records, genetic data).
    DataCategory {
        ClinicalPhi => "clinical-phi", "Clinical PHI";
        Genetic => "genetic", "Genetic data";
        SubstanceUse => "substance-use", "Substance-use disorder records (42 CFR Part 2)";
        MentalHealth => "mental-health", "Mental health records";
        Financial => "financial", "Billing and financial data";
        Research => "research", "Research data";
        StaffPii => "staff-pii", "Staff personal data";
        Credentials => "credentials", "Credentials (user names and passwords)";
    }
}

impl DataCategory {
    /// Protected health information under HIPAA: everything clinical or billing about patients.
    /// Staff records and bare credentials are not PHI.
    pub fn is_phi(&self) -> bool {
        matches!(
            self,
            DataCategory::ClinicalPhi
                | DataCategory::Genetic
                | DataCategory::SubstanceUse
                | DataCategory::MentalHealth
                | DataCategory::Financial
                | DataCategory::Research
        )
    }
}

vocabulary! {
    /// How the data was exposed.
    Exposure {
        ExfiltrationConfirmed => "exfiltration-confirmed", "Confirmed exfiltration";
        UnauthorisedAccess => "unauthorised-access", "Unauthorised access";
        RansomwareEncryption => "ransomware-encryption", "Encrypted by ransomware";
        EncryptedDeviceLost => "encrypted-device-lost", "Encrypted device lost or stolen";
        UnencryptedDeviceLost => "unencrypted-device-lost", "Unencrypted device lost or stolen";
        Misdirected => "misdirected", "Misdirected (mail, fax, e-mail)";
        ImproperDisposal => "improper-disposal", "Improper disposal";
        Other => "other", "Other";
    }
}

vocabulary! {
    /// The organisation's legal roles for this incident; they decide which laws apply.
    OrgRole {
        CoveredEntity => "covered-entity", "HIPAA covered entity";
        BusinessAssociate => "business-associate", "HIPAA business associate";
        Controller => "controller", "GDPR controller";
        Processor => "processor", "GDPR processor";
        ListedCompany => "listed-company", "SEC registrant (listed company)";
        Nis2Entity => "nis2-entity", "NIS2 essential or important entity";
    }
}

vocabulary! {
    /// Criticality of an affected system for the scope (mirrors the clinical register).
    SystemCriticality {
        LifeCritical => "life-critical", "Life-critical";
        High => "high", "High";
        Medium => "medium", "Medium";
        Low => "low", "Low";
    }
}

impl SystemCriticality {
    /// 0 is the most critical.
    pub fn rank(&self) -> u8 {
        match self {
            SystemCriticality::LifeCritical => 0,
            SystemCriticality::High => 1,
            SystemCriticality::Medium => 2,
            SystemCriticality::Low => 3,
        }
    }
}

vocabulary! {
    /// The moments regulatory clocks start from. One incident carries several, each recorded
    /// with its time and who recorded it.
    TriggerKind {
        Discovery => "discovery", "Discovery (known, or would have been known with reasonable diligence)";
        Awareness => "awareness", "Awareness (reasonable certainty that a breach occurred)";
        Determination => "determination", "Determination that a breach occurred";
        Materiality => "materiality", "Materiality determination (SEC)";
        HighRisk => "high-risk", "High risk to individuals established";
        Suspicion => "suspicion", "Reasonable grounds to suspect an eligible breach";
    }
}

vocabulary! {
    /// Whether a law-enforcement delay request was made in writing or orally (45 CFR 164.412).
    DelayBasis {
        Written => "written", "Written statement";
        Oral => "oral", "Oral statement";
    }
}

vocabulary! {
    IsolationAction {
        Isolate => "isolate", "Isolate";
        Restore => "restore", "Restore";
    }
}

vocabulary! {
    /// HICS 251 rating of a system.
    FunctionalStatus {
        Fully => "fully-functional", "Fully functional";
        Partially => "partially-functional", "Partially functional";
        Non => "non-functional", "Non-functional";
    }
}

pub const MAX_JURISDICTIONS: usize = 300;
pub const MAX_SCOPE_SYSTEMS: usize = 500;
pub const MAX_REGISTER_SYSTEMS: usize = 2_000;
pub const MAX_RULE_ID: usize = 64;
/// An oral law-enforcement request delays notification at most 30 days (45 CFR 164.412(b)).
pub const ORAL_DELAY_MAX_DAYS: i64 = 30;

/// A jurisdiction: an ISO 3166-1 alpha-2 country (`DE`) or ISO 3166-2 subdivision (`US-CA`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Jurisdiction(String);

impl Jurisdiction {
    pub fn parse(field: &str, input: &str) -> Result<Jurisdiction, ValidationError> {
        let code = input.trim().to_ascii_uppercase();
        let (country, subdivision) = match code.split_once('-') {
            Some((c, s)) => (c, Some(s)),
            None => (code.as_str(), None),
        };
        if !ISO_3166_1_ALPHA2.split_whitespace().any(|c| c == country) {
            return Err(ValidationError::new(
                field,
                input,
                "is not an ISO 3166-1 alpha-2 country code (such as US, DE, GB) or an ISO 3166-2 subdivision (such as US-CA)",
            ));
        }
        if let Some(sub) = subdivision {
            let well_formed = (1..=3).contains(&sub.len()) && sub.chars().all(|c| c.is_ascii_alphanumeric());
            if !well_formed {
                return Err(ValidationError::new(
                    field,
                    input,
                    "an ISO 3166-2 subdivision is the country code, '-', and 1 to 3 letters or digits (US-CA)",
                ));
            }
            if country == "US" && !US_SUBDIVISIONS.split_whitespace().any(|s| s == sub) {
                return Err(ValidationError::new(
                    field,
                    input,
                    "is not a US state, district or outlying area in ISO 3166-2:US",
                ));
            }
        }
        Ok(Jurisdiction(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn country(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }

    pub fn is_subdivision(&self) -> bool {
        self.0.contains('-')
    }

    /// Whether this jurisdiction lies in `region`: a country (`US` holds `US-CA`), a subdivision
    /// (only itself), or a group (`EU`, `EEA`).
    pub fn within(&self, region: &str) -> bool {
        match region {
            "EU" => EU_MEMBERS.split_whitespace().any(|c| c == self.country()),
            "EEA" => {
                EU_MEMBERS.split_whitespace().any(|c| c == self.country())
                    || ["IS", "LI", "NO"].contains(&self.country())
            }
            _ if region.contains('-') => self.0 == region,
            _ => self.country() == region,
        }
    }
}

impl TryFrom<String> for Jurisdiction {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Jurisdiction::parse("jurisdiction", &s).map_err(|e| e.to_string())
    }
}

impl From<Jurisdiction> for String {
    fn from(j: Jurisdiction) -> String {
        j.0
    }
}

impl std::fmt::Display for Jurisdiction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `region` names something `Jurisdiction::within` understands.
pub fn is_region(region: &str) -> bool {
    matches!(region, "EU" | "EEA") || Jurisdiction::parse("region", region).is_ok_and(|j| j.0 == region)
}

/// ISO 3166-1 alpha-2, officially assigned codes.
pub const ISO_3166_1_ALPHA2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL \
BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE \
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE \
IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME \
MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK \
PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF \
TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// ISO 3166-2:US: 50 states, the District of Columbia and the outlying areas.
pub const US_SUBDIVISIONS: &str =
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT \
NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC AS GU MP PR UM VI";

/// The 27 member states of the European Union.
pub const EU_MEMBERS: &str =
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE";

/// Individuals affected in one jurisdiction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Affected {
    pub jurisdiction: Jurisdiction,
    pub individuals: u64,
}

/// A system affected by the incident, with its criticality.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopedSystem {
    pub system: String,
    pub criticality: SystemCriticality,
}

/// The scope of the incident as known now: a whole snapshot. `supersedes` lists the scope
/// entries its author saw; snapshots that do not supersede each other (written while
/// partitioned) both stand and are shown as a conflict until a later one supersedes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeSet {
    pub affected: Vec<Affected>,
    pub data: Vec<DataCategory>,
    pub exposure: Vec<Exposure>,
    pub systems: Vec<ScopedSystem>,
    pub roles: Vec<OrgRole>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub litigation_exposure: bool,
    pub supersedes: Vec<EntryId>,
}

impl ScopeSet {
    /// Nothing known yet: no one affected, no data, no exposure, no systems, no role.
    pub fn empty() -> ScopeSet {
        ScopeSet {
            affected: vec![],
            data: vec![],
            exposure: vec![],
            systems: vec![],
            roles: vec![],
            litigation_exposure: false,
            supersedes: vec![],
        }
    }

    /// Individuals affected in jurisdictions within `region` (`None`: everywhere).
    pub fn individuals_in(&self, region: Option<&str>) -> u64 {
        self.affected
            .iter()
            .filter(|a| region.is_none_or(|r| a.jurisdiction.within(r)))
            .map(|a| a.individuals)
            .fold(0u64, u64::saturating_add)
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.affected.len() > MAX_JURISDICTIONS {
            return Err(ValidationError::new(
                "affected",
                self.affected.len().to_string(),
                format!("at most {MAX_JURISDICTIONS} jurisdictions"),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for a in &self.affected {
            if !seen.insert(&a.jurisdiction) {
                return Err(ValidationError::new(
                    "affected",
                    a.jurisdiction.as_str(),
                    "is listed twice; give one count per jurisdiction",
                ));
            }
        }
        if self.systems.len() > MAX_SCOPE_SYSTEMS {
            return Err(ValidationError::new(
                "systems",
                self.systems.len().to_string(),
                format!("at most {MAX_SCOPE_SYSTEMS} systems"),
            ));
        }
        for s in &self.systems {
            system_id("systems", &s.system)?;
        }
        if self.supersedes.len() > crate::body::MAX_SUPERSEDES {
            return Err(ValidationError::new(
                "supersedes",
                self.supersedes.len().to_string(),
                "too many entries",
            ));
        }
        Ok(())
    }

    pub fn describe(&self) -> String {
        let affected: Vec<String> =
            self.affected.iter().map(|a| format!("{} {}", a.jurisdiction, a.individuals)).collect();
        let data: Vec<&str> = self.data.iter().map(|d| d.slug()).collect();
        let exposure: Vec<&str> = self.exposure.iter().map(|d| d.slug()).collect();
        let roles: Vec<&str> = self.roles.iter().map(|d| d.slug()).collect();
        let mut text = format!(
            "Scope: {} individuals ({}) | data: {} | exposure: {} | roles: {}",
            self.individuals_in(None),
            if affected.is_empty() { "none".to_string() } else { affected.join(", ") },
            none_if_empty(&data),
            none_if_empty(&exposure),
            none_if_empty(&roles),
        );
        if !self.systems.is_empty() {
            let systems: Vec<&str> = self.systems.iter().map(|s| s.system.as_str()).collect();
            text.push_str(&format!(" | systems: {}", systems.join(", ")));
        }
        if self.litigation_exposure {
            text.push_str(" | litigation exposure");
        }
        text
    }
}

fn none_if_empty(items: &[&str]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

/// A system id as in the clinical register: lowercase letters, digits and '-'.
pub fn system_id(field: &str, id: &str) -> Result<(), ValidationError> {
    let ok = (1..=64).contains(&id.len())
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new(field, id, "a system id is 1 to 64 lowercase letters, digits or '-'"))
    }
}

/// The classification matrix's verdict, recorded with the rules that fired. `borderline`
/// results wait for a second person's review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassificationRecorded {
    pub severity: Severity,
    pub major: bool,
    pub borderline: bool,
    /// `name@version` of the matrix that produced it.
    pub matrix: String,
    pub fired: Vec<String>,
    /// The scope entry it was computed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<EntryId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
}

/// A second person's review of a classification: confirmed, or changed with a rationale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassificationReviewed {
    pub classification: EntryId,
    pub confirmed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub major: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
}

/// A moment a regulatory clock starts from, as it happened (`at`), recorded by the author.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerRecorded {
    pub trigger: TriggerKind,
    pub at: EventTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A law-enforcement official asked that notification be delayed (45 CFR 164.412).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LawEnforcementDelay {
    pub basis: DelayBasis,
    pub agency: String,
    pub statement: String,
    pub from: EventTime,
    /// Required for a written statement; an oral one lasts at most 30 days from `from`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<EventTime>,
}

/// A communication sent (notice to individuals, a regulator, the media...). `obligations`
/// names the regulatory rules it meets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommunicationSent {
    pub recipient: String,
    pub channel: String,
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<EventTime>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub obligations: Vec<String>,
}

/// A step of an escalation path done (ticks the checklist item of `rule`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationDone {
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The clinical systems register in force for this incident (a whole snapshot).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemsRegistered {
    pub systems: Vec<SystemRecord>,
}

/// A proposal to isolate (or restore) a system, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IsolationProposed {
    pub system: String,
    pub action: IsolationAction,
    pub reason: String,
}

/// The clinical liaison's sign-off (or refusal) of a proposal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IsolationSignedOff {
    pub proposal: EntryId,
    pub approved: bool,
    pub note: String,
}

/// The proposal was carried out: the system is now isolated (or restored).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IsolationCarriedOut {
    pub proposal: EntryId,
    pub system: String,
    pub action: IsolationAction,
}

/// A HICS 251 rating of one system, with a comment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemStatusSet {
    pub system: String,
    pub status: FunctionalStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A rule id as the rulesets write them: lowercase letters, digits, '.', '-'.
pub fn rule_id(field: &str, id: &str) -> Result<(), ValidationError> {
    let ok = (1..=MAX_RULE_ID).contains(&id.len())
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new(
            field,
            id,
            "a rule id is lowercase letters, digits, '.' and '-' (hipaa.hhs)",
        ))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn iso_country_list_is_complete_and_unique() {
        let codes: Vec<&str> = ISO_3166_1_ALPHA2.split_whitespace().collect();
        let unique: std::collections::BTreeSet<&str> = codes.iter().copied().collect();
        assert_eq!(codes.len(), 249);
        assert_eq!(unique.len(), 249);
        assert_eq!(US_SUBDIVISIONS.split_whitespace().count(), 57);
        assert_eq!(EU_MEMBERS.split_whitespace().count(), 27);
    }

    #[test]
    fn jurisdictions_parse_and_nest() {
        let ca = Jurisdiction::parse("affected", "us-ca").unwrap();
        assert_eq!(ca.as_str(), "US-CA");
        assert!(ca.within("US") && ca.within("US-CA") && !ca.within("US-TX") && !ca.within("EU"));
        let de = Jurisdiction::parse("affected", "DE").unwrap();
        assert!(de.within("EU") && de.within("EEA") && !de.within("US"));
        assert!(Jurisdiction::parse("affected", "NO").unwrap().within("EEA"));
        assert!(!Jurisdiction::parse("affected", "GB").unwrap().within("EU"));
        let e = Jurisdiction::parse("affected", "XX").unwrap_err();
        assert_eq!((e.field.as_str(), e.value.as_str()), ("affected", "XX"));
        assert!(Jurisdiction::parse("affected", "US-ZZ").is_err());
        assert!(Jurisdiction::parse("affected", "FR-IDFX").is_err());
        assert!(Jurisdiction::parse("affected", "FR-75").is_ok());
        assert!(is_region("EU") && is_region("US-CA") && !is_region("us"));
    }

    #[test]
    fn vocabularies_parse_forgivingly_and_name_choices() {
        assert_eq!(DataCategory::parse_user("data", "Clinical_PHI").unwrap(), DataCategory::ClinicalPhi);
        let e = Exposure::parse_user("exposure", "leaked").unwrap_err();
        assert!(e.reason.contains("exfiltration-confirmed"), "{e}");
    }

    #[test]
    fn a_jurisdiction_listed_twice_is_refused() {
        let j = Jurisdiction::parse("affected", "US-CA").unwrap();
        let scope = ScopeSet {
            affected: vec![
                Affected { jurisdiction: j.clone(), individuals: 1 },
                Affected { jurisdiction: j, individuals: 2 },
            ],
            ..ScopeSet::empty()
        };
        assert_eq!(scope.validate().unwrap_err().value, "US-CA");
    }
}
