//! A transcript's period: whole days, `from` to `until` inclusive, read in each credential's
//! issuer's time zone (a session on 31 December in Chicago belongs to that year even though it
//! ended on 1 January in UTC).

use chrono::{Datelike, NaiveDate};

/// The longest period one transcript covers, in years (certification cycles run up to five).
pub const MAX_YEARS: i32 = 10;

/// Days `from` to `until`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// The first day.
    pub from: NaiveDate,
    /// The last day.
    pub until: NaiveDate,
}

impl Default for Period {
    fn default() -> Self {
        Period {
            from: NaiveDate::MIN,
            until: NaiveDate::MAX,
        }
    }
}

impl Period {
    /// The calendar year `year`; `None` outside chrono's range.
    pub fn year(year: i32) -> Option<Period> {
        Some(Period {
            from: NaiveDate::from_ymd_opt(year, 1, 1)?,
            until: NaiveDate::from_ymd_opt(year, 12, 31)?,
        })
    }

    /// Whether `day` is in the period.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.until
    }

    /// The period from the words of a form or query: `from` and `until` as `2026-01-01`, or
    /// either as a year (`2026`: from 1 January, until 31 December). With one missing, the
    /// other's calendar year; with both missing, `today`'s. An error in plain words for a date
    /// that is not one, an `until` before `from`, or more than [`MAX_YEARS`] years.
    pub fn parse(
        from: Option<&str>,
        until: Option<&str>,
        today: NaiveDate,
    ) -> Result<Period, String> {
        let from = from.map(str::trim).filter(|t| !t.is_empty());
        let until = until.map(str::trim).filter(|t| !t.is_empty());
        let day = |text: &str, name: &str, start: bool| -> Result<NaiveDate, String> {
            if text.len() == 4
                && let Ok(year) = text.parse::<i32>()
                && let Some(period) = Period::year(year)
            {
                return Ok(if start { period.from } else { period.until });
            }
            NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
                format!(
                    "{name} “{text}” is not a date such as 2026-01-31 (or a year such as 2026)."
                )
            })
        };
        let (from, until) = match (from, until) {
            (None, None) => {
                let year = Period::year(today.year()).ok_or("today is out of range")?;
                (year.from, year.until)
            }
            (Some(from), None) => {
                let from = day(from, "from", true)?;
                let year = Period::year(from.year()).ok_or("from is out of range")?;
                (from, year.until)
            }
            (None, Some(until)) => {
                let until = day(until, "until", false)?;
                let year = Period::year(until.year()).ok_or("until is out of range")?;
                (year.from, until)
            }
            (Some(from), Some(until)) => (day(from, "from", true)?, day(until, "until", false)?),
        };
        if until < from {
            return Err(format!(
                "until ({until}) is before from ({from}): the period must end on or after its first day."
            ));
        }
        if until.year() - from.year() > MAX_YEARS {
            return Err(format!(
                "{from} to {until} is longer than {MAX_YEARS} years; ask for a shorter period."
            ));
        }
        Ok(Period { from, until })
    }

    /// For people: "2026" for a calendar year, else "1 March 2026 – 28 February 2027".
    pub fn describe(&self) -> String {
        if self.from.year() == self.until.year()
            && (self.from.month(), self.from.day()) == (1, 1)
            && (self.until.month(), self.until.day()) == (12, 31)
        {
            return self.from.year().to_string();
        }
        format!(
            "{} – {}",
            self.from.format("%-d %B %Y"),
            self.until.format("%-d %B %Y")
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods_are_read_from_words() {
        let today = d("2026-06-15");
        assert_eq!(
            Period::parse(None, None, today).unwrap(),
            Period::year(2026).unwrap()
        );
        assert_eq!(
            Period::parse(Some("2025"), None, today).unwrap(),
            Period::year(2025).unwrap()
        );
        assert_eq!(
            Period::parse(Some("2024-03-01"), Some("2025-02-28"), today).unwrap(),
            Period {
                from: d("2024-03-01"),
                until: d("2025-02-28")
            }
        );
        assert_eq!(
            Period::parse(Some("2024"), Some("2025"), today).unwrap(),
            Period {
                from: d("2024-01-01"),
                until: d("2025-12-31")
            }
        );
        assert!(
            Period::parse(Some("2025-02-30"), None, today)
                .unwrap_err()
                .contains("not a date")
        );
        assert!(
            Period::parse(Some("2025-03-01"), Some("2025-02-01"), today)
                .unwrap_err()
                .contains("before")
        );
        assert!(
            Period::parse(Some("2000"), Some("2020"), today)
                .unwrap_err()
                .contains("10 years")
        );
        assert_eq!(Period::year(2026).unwrap().describe(), "2026");
        assert_eq!(
            Period {
                from: d("2024-03-01"),
                until: d("2025-02-28")
            }
            .describe(),
            "1 March 2024 – 28 February 2025"
        );
        assert!(Period::year(2026).unwrap().contains(d("2026-12-31")));
        assert!(!Period::year(2026).unwrap().contains(d("2027-01-01")));
    }
}
