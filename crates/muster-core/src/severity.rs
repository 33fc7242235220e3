//! Incident severity and what it sets by default: how often each position owes a status update.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;

/// SEV1 is the most severe (for example: clinical systems down across the organisation).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Sev1,
    Sev2,
    Sev3,
    Sev4,
}

pub const SEVERITIES: [Severity; 4] = [Severity::Sev1, Severity::Sev2, Severity::Sev3, Severity::Sev4];

impl Severity {
    pub fn slug(&self) -> &'static str {
        match self {
            Severity::Sev1 => "sev1",
            Severity::Sev2 => "sev2",
            Severity::Sev3 => "sev3",
            Severity::Sev4 => "sev4",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Severity::Sev1 => "SEV1",
            Severity::Sev2 => "SEV2",
            Severity::Sev3 => "SEV3",
            Severity::Sev4 => "SEV4",
        }
    }

    /// The status-update cadence when nobody configured one: a SEV1 war room reports every
    /// quarter hour (the usual HICS operational-period check-in), a SEV4 twice a shift.
    pub fn default_cadence_minutes(&self) -> u32 {
        match self {
            Severity::Sev1 => 15,
            Severity::Sev2 => 30,
            Severity::Sev3 => 60,
            Severity::Sev4 => 240,
        }
    }

    /// 1 is the most severe: a lower number is more severe.
    pub fn rank(&self) -> u8 {
        match self {
            Severity::Sev1 => 1,
            Severity::Sev2 => 2,
            Severity::Sev3 => 3,
            Severity::Sev4 => 4,
        }
    }

    /// Reads `sev1`, `SEV1`, `1`.
    pub fn parse_user(field: &str, input: &str) -> Result<Severity, ValidationError> {
        let s = input.trim().to_ascii_lowercase();
        let digits = s.strip_prefix("sev").unwrap_or(&s);
        match digits {
            "1" => Ok(Severity::Sev1),
            "2" => Ok(Severity::Sev2),
            "3" => Ok(Severity::Sev3),
            "4" => Ok(Severity::Sev4),
            _ => Err(ValidationError::new(
                field,
                input,
                "severity is one of SEV1 (most severe), SEV2, SEV3, SEV4",
            )),
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_people_type_and_names_bad_input() {
        assert_eq!(Severity::parse_user("s", "SEV1").unwrap(), Severity::Sev1);
        assert_eq!(Severity::parse_user("s", " 3 ").unwrap(), Severity::Sev3);
        assert_eq!(Severity::parse_user("s", "sev4").unwrap(), Severity::Sev4);
        let e = Severity::parse_user("--severity", "sev5").unwrap_err();
        assert_eq!((e.field.as_str(), e.value.as_str()), ("--severity", "sev5"));
    }

    #[test]
    fn more_severe_means_more_frequent_updates() {
        let minutes: Vec<u32> = SEVERITIES.iter().map(Severity::default_cadence_minutes).collect();
        assert!(minutes.windows(2).all(|w| w[0] < w[1]), "{minutes:?}");
        assert_eq!(Severity::Sev1.default_cadence_minutes(), 15);
    }
}
