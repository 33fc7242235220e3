//! ICS/HICS positions of the incident management team.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ValidationError;

/// A position on the incident management team. Known positions have stable slugs (the form
/// stored in entries); a custom position is stored as `custom:<name>`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Position {
    IncidentCommander,
    DeputyIncidentCommander,
    Scribe,
    TechnicalLead,
    ClinicalLiaison,
    LegalLiaison,
    PrivacyOfficer,
    CommunicationsOfficer,
    BiomedicalEngineering,
    Custom(String),
}

/// Known positions, in the order rosters list them (command first, as on a HICS 203).
pub const KNOWN_POSITIONS: [Position; 9] = [
    Position::IncidentCommander,
    Position::DeputyIncidentCommander,
    Position::Scribe,
    Position::TechnicalLead,
    Position::ClinicalLiaison,
    Position::LegalLiaison,
    Position::PrivacyOfficer,
    Position::CommunicationsOfficer,
    Position::BiomedicalEngineering,
];

const CUSTOM_PREFIX: &str = "custom:";
const MAX_CUSTOM_NAME: usize = 60;

impl Position {
    pub fn slug(&self) -> String {
        match self {
            Position::IncidentCommander => "incident-commander".into(),
            Position::DeputyIncidentCommander => "deputy-incident-commander".into(),
            Position::Scribe => "scribe".into(),
            Position::TechnicalLead => "technical-lead".into(),
            Position::ClinicalLiaison => "clinical-liaison".into(),
            Position::LegalLiaison => "legal-liaison".into(),
            Position::PrivacyOfficer => "privacy-officer".into(),
            Position::CommunicationsOfficer => "communications-officer".into(),
            Position::BiomedicalEngineering => "biomedical-engineering".into(),
            Position::Custom(name) => format!("{CUSTOM_PREFIX}{name}"),
        }
    }

    pub fn title(&self) -> String {
        match self {
            Position::IncidentCommander => "Incident Commander".into(),
            Position::DeputyIncidentCommander => "Deputy Incident Commander".into(),
            Position::Scribe => "Scribe".into(),
            Position::TechnicalLead => "Technical Lead".into(),
            Position::ClinicalLiaison => "Clinical Liaison".into(),
            Position::LegalLiaison => "Legal Liaison".into(),
            Position::PrivacyOfficer => "Privacy Officer".into(),
            Position::CommunicationsOfficer => "Communications Officer".into(),
            Position::BiomedicalEngineering => "Biomedical Engineering".into(),
            Position::Custom(name) => name.clone(),
        }
    }

    fn rank(&self) -> usize {
        KNOWN_POSITIONS.iter().position(|p| p == self).unwrap_or(KNOWN_POSITIONS.len())
    }

    /// Reads a position as people type it: a slug, a title in any case, a short alias (`ic`,
    /// `dic`) or `custom:<name>`. Unknown names are refused rather than silently made custom, so
    /// a typo does not create a new position.
    pub fn parse_user(field: &str, input: &str) -> Result<Self, ValidationError> {
        let text = input.trim();
        if let Some(name) = strip_prefix_ignore_case(text, CUSTOM_PREFIX) {
            return Self::custom(field, input, name);
        }
        let key: String =
            text.chars().map(|c| if c == ' ' || c == '_' { '-' } else { c.to_ascii_lowercase() }).collect();
        let known = match key.as_str() {
            "incident-commander" | "ic" | "commander" => Position::IncidentCommander,
            "deputy-incident-commander" | "deputy-ic" | "dic" | "deputy" => Position::DeputyIncidentCommander,
            "scribe" | "documentation-unit" => Position::Scribe,
            "technical-lead" | "tech-lead" => Position::TechnicalLead,
            "clinical-liaison" => Position::ClinicalLiaison,
            "legal-liaison" | "legal" => Position::LegalLiaison,
            "privacy-officer" | "privacy" => Position::PrivacyOfficer,
            "communications-officer" | "comms-officer" | "pio" | "public-information-officer" => {
                Position::CommunicationsOfficer
            }
            "biomedical-engineering" | "biomed" => Position::BiomedicalEngineering,
            _ => {
                let known: Vec<String> = KNOWN_POSITIONS.iter().map(|p| p.slug()).collect();
                return Err(ValidationError::new(
                    field,
                    input,
                    format!(
                        "unknown position; use one of {} or custom:<name> for a position of your own",
                        known.join(", ")
                    ),
                ));
            }
        };
        Ok(known)
    }

    fn custom(field: &str, input: &str, name: &str) -> Result<Self, ValidationError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ValidationError::new(field, input, "a custom position needs a name after custom:"));
        }
        if name.chars().count() > MAX_CUSTOM_NAME {
            return Err(ValidationError::new(
                field,
                input,
                format!("a custom position name is at most {MAX_CUSTOM_NAME} characters"),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(ValidationError::new(field, input, "control characters are not allowed"));
        }
        // A custom name that spells a known position is that position: one register, not two.
        if let Ok(known) = Self::parse_user(field, name) {
            return Ok(known);
        }
        Ok(Position::Custom(name.to_string()))
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

impl Ord for Position {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.rank(), self.slug()).cmp(&(other.rank(), other.slug()))
    }
}

impl PartialOrd for Position {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.title())
    }
}

impl FromStr for Position {
    type Err = ValidationError;
    /// Parses the stored slug form exactly (entries never hold aliases).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(name) = s.strip_prefix(CUSTOM_PREFIX) {
            return Self::custom("position", s, name);
        }
        KNOWN_POSITIONS
            .iter()
            .find(|p| p.slug() == s)
            .cloned()
            .ok_or_else(|| ValidationError::new("position", s, "not a known position slug"))
    }
}

impl Serialize for Position {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.slug())
    }
}

impl<'de> Deserialize<'de> for Position {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip_for_every_known_position() {
        for p in KNOWN_POSITIONS {
            assert_eq!(p.slug().parse::<Position>().unwrap(), p);
            assert_eq!(Position::parse_user("position", &p.title()).unwrap(), p);
        }
    }

    #[test]
    fn aliases_and_custom_positions() {
        assert_eq!(Position::parse_user("p", "IC").unwrap(), Position::IncidentCommander);
        assert_eq!(Position::parse_user("p", "deputy ic").unwrap(), Position::DeputyIncidentCommander);
        assert_eq!(
            Position::parse_user("p", "custom:Safety Officer").unwrap(),
            Position::Custom("Safety Officer".into())
        );
        // A custom name that is really a known position maps to it.
        assert_eq!(Position::parse_user("p", "custom:Scribe").unwrap(), Position::Scribe);
    }

    #[test]
    fn typos_are_refused_with_the_list_of_positions() {
        let e = Position::parse_user("POSITION", "incident-comander").unwrap_err();
        assert_eq!(e.field, "POSITION");
        assert!(e.reason.contains("incident-commander"));
        assert!(Position::parse_user("p", "custom:").is_err());
    }

    #[test]
    fn rosters_list_command_first() {
        let mut v = [
            Position::Custom("Zeta".into()),
            Position::Scribe,
            Position::IncidentCommander,
            Position::Custom("Alpha".into()),
        ];
        v.sort();
        assert_eq!(v[0], Position::IncidentCommander);
        assert_eq!(v[1], Position::Scribe);
        assert_eq!(v[2], Position::Custom("Alpha".into()));
    }
}
