//! Where the affected individuals are: ISO 3166 jurisdictions and the regions rules count in.

use serde::{Deserialize, Serialize};

use super::SystemCriticality;
use crate::error::ValidationError;

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
}
