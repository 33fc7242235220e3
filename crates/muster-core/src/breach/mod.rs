//! The breach domain: its vocabulary (data categories, exposures, the organisation's legal roles,
//! triggers, delays, isolation actions, HICS 251 ratings), the scope's jurisdictions
//! ([`scope`]), the folded breach state ([`state`]), deadline arithmetic ([`deadline`]), what a
//! recorded delay does to a notice's due instant ([`delays`]) and the rulesets applied to it
//! ([`rules`]). The entry bodies themselves are in `crate::body::breach`
//! and `crate::body::systems`.

pub mod deadline;
pub mod delays;
pub mod rules;
pub mod scope;
pub mod state;

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;

pub use scope::{
    is_region, Affected, Jurisdiction, ScopedSystem, EU_MEMBERS, ISO_3166_1_ALPHA2, US_SUBDIVISIONS,
};

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
        DataOwner => "data-owner", "Owner or licensee of the personal data (US state breach laws)";
        LicensedHealthFacility => "licensed-health-facility", "California-licensed clinic, health facility, home health agency or hospice (H&S 1280.15)";
        DeviceManufacturer => "device-manufacturer", "Medical device manufacturer (EU MDR)";
    }
}

impl OrgRole {
    /// Roles that hold data on another organisation's behalf. US state breach laws put the duty
    /// to notify residents on the owner or licensee of the data; such a vendor tells the owner.
    pub const VENDORS: &'static [OrgRole] = &[OrgRole::BusinessAssociate, OrgRole::Processor];
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
    /// The law a delay of notification was granted under. Each law names the notices it holds
    /// back and how (see [`delays`]); a rule says which regime's delays apply to it.
    DelayRegime {
        Hipaa => "hipaa", "HIPAA: law-enforcement official (45 CFR 164.412)";
        Sec => "sec", "SEC Form 8-K: U.S. Attorney General (Item 1.05(c))";
        UsCa => "us-ca", "California: law-enforcement agency (Civ. Code 1798.82(c))";
        UsCaHealthFacility => "us-ca-health-facility", "California health facility: law enforcement (H&S Code 1280.15(c))";
        UsTx => "us-tx", "Texas: law-enforcement agency (Bus. & Com. Code 521.053(d))";
        UsFl => "us-fl", "Florida: law-enforcement agency (Fla. Stat. 501.171(4)(b))";
        UsCo => "us-co", "Colorado: law-enforcement agency (C.R.S. 6-1-716(2)(c))";
    }
}

impl Default for DelayRegime {
    /// Delays recorded before delays named their regime were HIPAA's (45 CFR 164.412): the
    /// only rules they suspended were the HIPAA ones.
    fn default() -> Self {
        DelayRegime::Hipaa
    }
}

impl DelayRegime {
    pub fn is_hipaa(&self) -> bool {
        *self == DelayRegime::Hipaa
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
    fn vocabularies_parse_forgivingly_and_name_choices() {
        assert_eq!(DataCategory::parse_user("data", "Clinical_PHI").unwrap(), DataCategory::ClinicalPhi);
        let e = Exposure::parse_user("exposure", "leaked").unwrap_err();
        assert!(e.reason.contains("exfiltration-confirmed"), "{e}");
    }
}
