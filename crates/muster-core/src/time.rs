//! Times: the author's wall clock stored with each entry, event times written in bodies, and
//! formatting for the person reading (always in their zone, with the zone named).

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ValidationError;

/// The author's wall clock when an entry was recorded: the instant, the UTC offset their machine
/// used and the name of its time zone. Kept apart from the HLC (which orders entries) so that a
/// reader sees what the author's clock said.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct WallClock {
    /// Milliseconds since the Unix epoch, UTC.
    pub utc_ms: i64,
    /// Seconds east of UTC in force on the author's machine.
    pub offset_s: i32,
    /// IANA zone name of the author's machine (for example `America/Chicago`), or `UTC`.
    pub zone: String,
}

impl WallClock {
    pub fn new(instant: DateTime<Utc>, zone: &ViewerZone) -> Self {
        let offset_s = zone.offset_at(instant).local_minus_utc();
        Self { utc_ms: instant.timestamp_millis(), offset_s, zone: zone.name() }
    }

    /// Whether this clock reading can be written as RFC 3339 and read back unchanged: years
    /// 0000-9999 and an offset under 24 hours. Entries with other readings are refused.
    pub fn is_representable(&self) -> bool {
        const MIN_MS: i64 = -62_167_219_200_000; // 0000-01-01T00:00:00Z
        const MAX_MS: i64 = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
        let local = self.utc_ms.saturating_add(i64::from(self.offset_s) * 1000);
        (MIN_MS..=MAX_MS).contains(&self.utc_ms)
            && (MIN_MS..=MAX_MS).contains(&local)
            && self.offset_s.abs() < 86_400
    }

    pub fn instant(&self) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp_millis(self.utc_ms).unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// RFC 3339 in the author's offset, millisecond precision: lossless for `utc_ms` and `offset_s`.
    pub fn to_rfc3339(&self) -> String {
        let offset = FixedOffset::east_opt(self.offset_s).unwrap_or_else(utc_offset);
        self.instant().with_timezone(&offset).to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
    }

    pub fn parse(at: &str, zone: &str) -> Result<Self, ValidationError> {
        let parsed = DateTime::parse_from_rfc3339(at)
            .map_err(|e| ValidationError::new("recorded_at", at, format!("not an RFC 3339 time: {e}")))?;
        Ok(Self {
            utc_ms: parsed.timestamp_millis(),
            offset_s: parsed.offset().local_minus_utc(),
            zone: zone.to_string(),
        })
    }
}

fn utc_offset() -> FixedOffset {
    use chrono::Offset;
    Utc.fix()
}

/// JSON form: `{"at": "2026-11-22T02:14:00.000-06:00", "zone": "America/Chicago"}`.
#[derive(Serialize, Deserialize)]
struct WallClockJson {
    at: String,
    zone: String,
}

impl Serialize for WallClock {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        WallClockJson { at: self.to_rfc3339(), zone: self.zone.clone() }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for WallClock {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let json = WallClockJson::deserialize(d)?;
        WallClock::parse(&json.at, &json.zone).map_err(serde::de::Error::custom)
    }
}

/// The zone in which times are shown to the person at this machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewerZone {
    Named(Tz),
    Utc,
}

impl ViewerZone {
    /// Parses an IANA zone name such as `Europe/Berlin` (or `UTC`).
    pub fn from_name(name: &str) -> Result<Self, ValidationError> {
        let trimmed = name.trim().trim_start_matches(':');
        if trimmed.eq_ignore_ascii_case("utc") || trimmed.eq_ignore_ascii_case("etc/utc") {
            return Ok(ViewerZone::Utc);
        }
        trimmed.parse::<Tz>().map(ViewerZone::Named).map_err(|_| {
            ValidationError::new("time zone", name, "not an IANA time zone name such as Europe/Berlin")
        })
    }

    pub fn name(&self) -> String {
        match self {
            ViewerZone::Named(tz) => tz.name().to_string(),
            ViewerZone::Utc => "UTC".to_string(),
        }
    }

    pub fn offset_at(&self, instant: DateTime<Utc>) -> FixedOffset {
        match self {
            ViewerZone::Named(tz) => {
                use chrono::Offset;
                tz.offset_from_utc_datetime(&instant.naive_utc()).fix()
            }
            ViewerZone::Utc => utc_offset(),
        }
    }

    /// `2026-11-22 09:14:03 CST` — the zone's abbreviation at that instant, for tables. The full
    /// zone name is printed once in the header of every listing.
    pub fn format(&self, instant: DateTime<Utc>) -> String {
        match self {
            ViewerZone::Named(tz) => instant.with_timezone(tz).format("%Y-%m-%d %H:%M:%S %Z").to_string(),
            ViewerZone::Utc => instant.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        }
    }

    /// Interprets a time a person typed. Accepts RFC 3339 (`2026-11-22T02:14:00-06:00`), a local
    /// date and time in this zone (`2026-11-22 02:14[:SS]`), or a time of day (`02:14`) meaning
    /// the most recent such time at or before `now`.
    pub fn parse_user_time(
        &self,
        field: &str,
        input: &str,
        now: DateTime<Utc>,
    ) -> Result<DateTime<FixedOffset>, ValidationError> {
        let text = input.trim();
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return Ok(t);
        }
        let hint = "write a time of day (02:14), a date and time (2026-11-22 02:14) or a date, time and UTC offset (2026-11-22T02:14:00-06:00)";
        for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
            if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
                return self.localize(field, input, naive);
            }
        }
        for format in ["%H:%M:%S", "%H:%M"] {
            if let Ok(time) = NaiveTime::parse_from_str(text, format) {
                let today: NaiveDate = now.with_timezone(&self.offset_at(now)).date_naive();
                let candidate = self.localize(field, input, today.and_time(time))?;
                if candidate.with_timezone(&Utc) <= now {
                    return Ok(candidate);
                }
                let yesterday = today
                    .pred_opt()
                    .ok_or_else(|| ValidationError::new(field, input, "date out of range"))?;
                return self.localize(field, input, yesterday.and_time(time));
            }
        }
        Err(ValidationError::new(field, input, format!("cannot read this as a time; {hint}")))
    }

    fn localize(
        &self,
        field: &str,
        input: &str,
        naive: NaiveDateTime,
    ) -> Result<DateTime<FixedOffset>, ValidationError> {
        match self {
            ViewerZone::Utc => Ok(Utc.from_utc_datetime(&naive).fixed_offset()),
            ViewerZone::Named(tz) => match tz.from_local_datetime(&naive) {
                LocalResult::Single(t) => Ok(t.fixed_offset()),
                LocalResult::Ambiguous(_, _) => Err(ValidationError::new(
                    field,
                    input,
                    format!("this local time happens twice in {} (clocks go back); give the UTC offset, e.g. 2026-11-01T01:30:00-05:00", tz.name()),
                )),
                LocalResult::None => Err(ValidationError::new(
                    field,
                    input,
                    format!("this local time does not exist in {} (clocks go forward)", tz.name()),
                )),
            },
        }
    }
}

/// A span for people: "3 days 4 h", "2 h 54 m", "7 min", "40 s" (the two largest units).
pub fn describe_span_ms(ms: u64) -> String {
    let s = ms / 1000;
    let (d, h, m) = (s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} m"),
        (1, h, _) => format!("1 day {h} h"),
        (d, h, _) => format!("{d} days {h} h"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn spans_read_in_their_two_largest_units() {
        assert_eq!(super::describe_span_ms(40_000), "40 s");
        assert_eq!(super::describe_span_ms(7 * 60_000 + 5_000), "7 min");
        assert_eq!(super::describe_span_ms((2 * 60 + 54) * 60_000), "2 h 54 m");
        assert_eq!(super::describe_span_ms(26 * 3_600_000), "1 day 2 h");
        assert_eq!(super::describe_span_ms(100 * 86_400_000 + 3_600_000), "100 days 1 h");
    }

    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn wall_clock_round_trips_through_json() {
        let zone = ViewerZone::from_name("America/Chicago").unwrap();
        let w = WallClock::new(at("2026-11-22T08:14:03.250Z"), &zone);
        assert_eq!(w.offset_s, -6 * 3600);
        let json = serde_json::to_string(&w).unwrap();
        assert_eq!(json, r#"{"at":"2026-11-22T02:14:03.250-06:00","zone":"America/Chicago"}"#);
        assert_eq!(serde_json::from_str::<WallClock>(&json).unwrap(), w);
    }

    #[test]
    fn formats_in_the_viewers_zone_with_its_abbreviation() {
        let zone = ViewerZone::from_name("Europe/Berlin").unwrap();
        assert_eq!(zone.format(at("2026-07-01T12:00:00Z")), "2026-07-01 14:00:00 CEST");
        assert_eq!(zone.format(at("2026-12-01T12:00:00Z")), "2026-12-01 13:00:00 CET");
        assert_eq!(ViewerZone::Utc.format(at("2026-12-01T12:00:00Z")), "2026-12-01 12:00:00 UTC");
    }

    #[test]
    fn parses_user_times_in_the_viewers_zone() {
        let zone = ViewerZone::from_name("America/New_York").unwrap();
        let now = at("2026-11-22T15:00:00Z"); // 10:00 EST
        let t = zone.parse_user_time("--at", "2026-11-22 02:14", now).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-22T02:14:00-05:00");
        // A time of day later than now means yesterday.
        let t = zone.parse_user_time("--at", "23:30", now).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-21T23:30:00-05:00");
        let t = zone.parse_user_time("--at", "09:15", now).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-22T09:15:00-05:00");
        let t = zone.parse_user_time("--at", "2026-11-22T01:00:00Z", now).unwrap();
        assert_eq!(t.with_timezone(&Utc), at("2026-11-22T01:00:00Z"));
    }

    #[test]
    fn rejects_unreadable_and_dst_ambiguous_times_naming_the_field() {
        let zone = ViewerZone::from_name("America/New_York").unwrap();
        let now = at("2026-11-22T15:00:00Z");
        let e = zone.parse_user_time("--at", "yesterday", now).unwrap_err();
        assert_eq!(e.field, "--at");
        assert_eq!(e.value, "yesterday");
        // 2026-11-01 01:30 happens twice in New York.
        let e = zone.parse_user_time("--at", "2026-11-01 01:30", now).unwrap_err();
        assert!(e.reason.contains("twice"), "{e}");
        // 2026-03-08 02:30 does not exist.
        let e = zone.parse_user_time("--at", "2026-03-08 02:30", now).unwrap_err();
        assert!(e.reason.contains("does not exist"), "{e}");
    }

    #[test]
    fn unknown_zone_names_are_refused() {
        assert!(ViewerZone::from_name("Mars/Olympus").is_err());
        assert_eq!(ViewerZone::from_name("UTC").unwrap(), ViewerZone::Utc);
    }
}
