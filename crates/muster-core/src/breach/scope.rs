//! Where the affected individuals are: ISO 3166 jurisdictions and the regions rules count in.

use serde::{Deserialize, Serialize};

use super::SystemCriticality;
use crate::error::ValidationError;

/// A jurisdiction: an ISO 3166-1 alpha-2 country (`DE`) or ISO 3166-2 subdivision (`US-CA`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Jurisdiction(String);

/// Places ISO 3166 names twice: an ISO 3166-1 country code that ISO 3166-2:US also lists as a
/// subdivision of the United States (`PR` and `US-PR` are both Puerto Rico).
const US_AREAS_WITH_COUNTRY_CODES: [(&str, &str); 6] =
    [("AS", "US-AS"), ("GU", "US-GU"), ("MP", "US-MP"), ("PR", "US-PR"), ("UM", "US-UM"), ("VI", "US-VI")];

/// The one spelling of the place `code` names: the ISO 3166-2:US subdivision for an area that
/// also has a country code, so that Puerto Rico counts within `US` and as a US subdivision
/// however it was entered. Other codes name themselves.
fn place_of(code: &str) -> Option<&'static str> {
    US_AREAS_WITH_COUNTRY_CODES.iter().find(|(country, _)| *country == code).map(|(_, sub)| *sub)
}

/// Whether the place `place` (as [`Jurisdiction::place`] gives it) lies in `region`: a country
/// (`US` holds `US-CA` and `US-PR`), a subdivision or its country code (only itself), or a group
/// (`EU`, `EEA`).
pub fn place_within(place: &str, region: &str) -> bool {
    let country = place.split('-').next().unwrap_or(place);
    match region {
        "EU" => EU_MEMBERS.split_whitespace().any(|c| c == country),
        "EEA" => EU_MEMBERS.split_whitespace().any(|c| c == country) || ["IS", "LI", "NO"].contains(&country),
        _ => {
            let region = place_of(region).unwrap_or(region);
            if region.contains('-') {
                place == region
            } else {
                country == region
            }
        }
    }
}

impl Jurisdiction {
    /// A jurisdiction as a person typed it: checked, upper-cased, and stored in the spelling
    /// that names its place ([`Jurisdiction::place`]): `pr` is stored as `US-PR`.
    pub fn parse(field: &str, input: &str) -> Result<Jurisdiction, ValidationError> {
        let j = Jurisdiction::decode(field, input)?;
        Ok(match place_of(j.as_str()) {
            Some(place) => Jurisdiction(place.to_string()),
            None => j,
        })
    }

    /// A jurisdiction as an entry stores it, checked but kept in the spelling it was signed
    /// with (an entry written before the spellings were unified may say `PR`).
    fn decode(field: &str, input: &str) -> Result<Jurisdiction, ValidationError> {
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

    /// The place this code names, in one spelling whichever was entered: `US-PR` for `PR` and
    /// `US-PR` alike; any other code as it is. Counting goes by place, so that two spellings of
    /// one place are neither missed nor counted twice.
    pub fn place(&self) -> &str {
        place_of(&self.0).unwrap_or(&self.0)
    }

    /// The country of the place (`US` for `US-CA` and for `PR`).
    pub fn country(&self) -> &str {
        let place = self.place();
        place.split('-').next().unwrap_or(place)
    }

    pub fn is_subdivision(&self) -> bool {
        self.place().contains('-')
    }

    /// Whether this jurisdiction lies in `region`: a country (`US` holds `US-CA`), a subdivision
    /// (only itself), or a group (`EU`, `EEA`).
    pub fn within(&self, region: &str) -> bool {
        place_within(self.place(), region)
    }
}

impl TryFrom<String> for Jurisdiction {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        // Decoding keeps the stored spelling: the entry's signed text is not rewritten.
        Jurisdiction::decode("jurisdiction", &s).map_err(|e| e.to_string())
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
    matches!(region, "EU" | "EEA") || Jurisdiction::decode("region", region).is_ok_and(|j| j.0 == region)
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

    #[test]
    fn us_areas_with_a_country_code_are_one_place_however_spelled() {
        for (country, subdivision) in US_AREAS_WITH_COUNTRY_CODES {
            // Typed either way (any case), stored as the subdivision.
            for typed in [country.to_string(), subdivision.to_string(), country.to_ascii_lowercase()] {
                let j = Jurisdiction::parse("affected", &typed).unwrap();
                assert_eq!(j.as_str(), subdivision, "{typed}");
            }
            // Decoded as stored, counted as the subdivision.
            let stored: Jurisdiction = serde_json::from_str(&format!("\"{country}\"")).unwrap();
            assert_eq!(stored.as_str(), country);
            assert_eq!(serde_json::to_string(&stored).unwrap(), format!("\"{country}\""));
            assert_eq!(
                (stored.place(), stored.country(), stored.is_subdivision()),
                (subdivision, "US", true)
            );
            assert!(stored.within("US") && stored.within(subdivision) && stored.within(country));
            assert!(!stored.within("EU") && !stored.within("US-CA"));
        }
        // Codes of other places name themselves.
        let de = Jurisdiction::parse("affected", "de").unwrap();
        assert_eq!((de.as_str(), de.place(), de.country()), ("DE", "DE", "DE"));
        let ca = Jurisdiction::parse("affected", "US-CA").unwrap();
        assert!(!ca.within("PR"));
    }
}
