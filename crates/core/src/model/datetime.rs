//! `DateTimeZ`: an RFC 3339 timestamp that must carry a timezone and keeps its original text.
//!
//! Open Badges 3.0 types `validFrom`, `validUntil`, `awardedDate` and the VCDM 1.1 dates as
//! `DateTimeZ` (a date-time with a trailing timezone). We keep the exact text we parsed instead
//! of a re-formatted `chrono` value because the text is what was signed:
//! `2022-11-10T07:38:00-08:00` and `2022-11-10T15:38:00Z` are the same instant but different
//! bytes, and re-formatting a parsed credential would break its proof (and the exact round
//! trip the verifier relies on). The parsed instant is kept next to the text so comparisons
//! never re-parse.
//!
//! Values we create ourselves (from a [`DateTime<Utc>`]) are always written in UTC with `Z`
//! and without fractional seconds unless they are nonzero, which is the form the 1EdTech
//! validator and most wallets expect.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, FixedOffset, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a string or instant is not a valid [`DateTimeZ`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateTimeError {
    /// The text is not an RFC 3339 date-time with a timezone (`Z` or `±hh:mm`).
    #[error(
        "invalid DateTimeZ {text:?}: expected an RFC 3339 date-time with a timezone \
         such as 2024-01-31T12:00:00Z ({reason})"
    )]
    Invalid {
        /// The rejected text.
        text: String,
        /// What the parser complained about.
        reason: String,
    },
    /// The instant's year is outside 0000–9999, which RFC 3339 cannot express.
    #[error("year {0} cannot be written as an RFC 3339 date-time (0000-9999 only)")]
    YearOutOfRange(i32),
}

/// An RFC 3339 date-time with a required timezone, keeping the exact text it was parsed from.
///
/// Equality compares the text (two spellings of the same instant are *not* equal, because they
/// sign differently); compare [`DateTimeZ::to_utc`] values for instants.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DateTimeZ {
    text: String,
    instant: DateTime<FixedOffset>,
}

impl DateTimeZ {
    /// Parses and validates `text`, keeping it verbatim.
    ///
    /// Accepts what RFC 3339 §5.6 accepts (`T` or `t` separator, `Z`/`z` or a numeric offset,
    /// any number of fractional digits); rejects a missing timezone and the space separator.
    pub fn parse(text: &str) -> Result<Self, DateTimeError> {
        let invalid = |reason: String| DateTimeError::Invalid {
            text: text.to_owned(),
            reason,
        };
        // chrono also accepts a space between date and time (RFC 3339's "readability" note);
        // JSON Schema `date-time` and xsd:dateTime do not, so neither do we.
        if !matches!(text.as_bytes().get(10), Some(b'T' | b't')) {
            return Err(invalid("date and time must be separated by 'T'".to_owned()));
        }
        let instant = DateTime::parse_from_rfc3339(text).map_err(|e| invalid(e.to_string()))?;
        Ok(Self {
            text: text.to_owned(),
            instant,
        })
    }

    /// Formats a UTC instant as `YYYY-MM-DDTHH:MM:SSZ`, adding only the fractional digits that
    /// are nonzero (milli-, micro- or nanoseconds).
    pub fn from_utc(instant: DateTime<Utc>) -> Result<Self, DateTimeError> {
        let year = instant.year();
        if !(0..=9999).contains(&year) {
            return Err(DateTimeError::YearOutOfRange(year));
        }
        Ok(Self {
            text: instant.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            instant: instant.fixed_offset(),
        })
    }

    /// The original text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The instant in UTC.
    pub fn to_utc(&self) -> DateTime<Utc> {
        self.instant.to_utc()
    }

    /// The instant with the offset it was written with.
    pub fn to_fixed_offset(&self) -> DateTime<FixedOffset> {
        self.instant
    }
}

impl TryFrom<DateTime<Utc>> for DateTimeZ {
    type Error = DateTimeError;

    fn try_from(instant: DateTime<Utc>) -> Result<Self, Self::Error> {
        Self::from_utc(instant)
    }
}

impl FromStr for DateTimeZ {
    type Err = DateTimeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for DateTimeZ {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for DateTimeZ {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for DateTimeZ {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn keeps_text_and_converts_to_utc() {
        let d = DateTimeZ::parse("2022-11-10T07:38:00-08:00").expect("valid");
        assert_eq!(d.as_str(), "2022-11-10T07:38:00-08:00");
        assert_eq!(
            d.to_utc(),
            Utc.with_ymd_and_hms(2022, 11, 10, 15, 38, 0)
                .single()
                .expect("valid")
        );
        let json = serde_json::to_string(&d).expect("serializes");
        assert_eq!(json, "\"2022-11-10T07:38:00-08:00\"");
        let back: DateTimeZ = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, d);
    }

    #[test]
    fn rejects_missing_timezone_and_garbage() {
        for bad in [
            "2022-11-10T07:38:00",
            "2022-11-10 07:38:00Z",
            "2022-11-10",
            "yesterday",
            "2022-13-10T07:38:00Z",
            "",
        ] {
            assert!(DateTimeZ::parse(bad).is_err(), "{bad} should be rejected");
            assert!(serde_json::from_value::<DateTimeZ>(bad.into()).is_err());
        }
    }

    #[test]
    fn from_utc_uses_z_and_drops_zero_fraction() {
        let t = Utc
            .with_ymd_and_hms(2024, 2, 29, 8, 5, 9)
            .single()
            .expect("valid");
        assert_eq!(
            DateTimeZ::from_utc(t).expect("in range").as_str(),
            "2024-02-29T08:05:09Z"
        );
        let ms = t + chrono::Duration::milliseconds(120);
        assert_eq!(
            DateTimeZ::from_utc(ms).expect("in range").as_str(),
            "2024-02-29T08:05:09.120Z"
        );
        let far = Utc
            .with_ymd_and_hms(10000, 1, 1, 0, 0, 0)
            .single()
            .expect("valid");
        assert_eq!(
            DateTimeZ::from_utc(far),
            Err(DateTimeError::YearOutOfRange(10000))
        );
    }
}
