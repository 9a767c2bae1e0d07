//! Reading "time in session" cells.
//!
//! Zoom writes whole minutes ("65"). GoToWebinar has written several shapes over the years
//! depending on report version and locale: "65 minutes", "1 hour 5 minutes", "1 hr 5 min",
//! "1h 5m", and "1:05:00" (h:mm:ss). Spreadsheet round trips add decimals ("64.5"). All of
//! them come back as whole seconds, so that a rejoiner's sessions are summed before rounding.

/// Parses a duration cell into seconds, or returns `None` when it is not a duration we know.
pub fn parse_seconds(cell: &str) -> Option<u64> {
    let cell = cell.trim();
    if cell.is_empty() {
        return None;
    }
    if cell.contains(':') {
        return parse_clock(cell);
    }
    if let Some(minutes) = parse_minutes_number(cell) {
        return Some(minutes);
    }
    parse_units(cell)
}

/// "65" or "64.5": a number of minutes.
fn parse_minutes_number(cell: &str) -> Option<u64> {
    let minutes: f64 = cell.parse().ok()?;
    if !(0.0..=1_000_000.0).contains(&minutes) {
        return None;
    }
    // Bounded above, so the cast cannot truncate.
    Some((minutes * 60.0).round() as u64)
}

/// "1:05:00" (h:mm:ss) or "1:05" (h:mm).
fn parse_clock(cell: &str) -> Option<u64> {
    let parts: Vec<&str> = cell.split(':').map(str::trim).collect();
    let numbers: Option<Vec<u64>> = parts.iter().map(|part| part.parse().ok()).collect();
    match numbers?.as_slice() {
        [hours, minutes, seconds] if *minutes < 60 && *seconds < 60 => {
            Some(hours * 3600 + minutes * 60 + seconds)
        }
        [hours, minutes] if *minutes < 60 => Some(hours * 3600 + minutes * 60),
        _ => None,
    }
}

/// "1 hour 5 minutes", "1 hr 5 min", "1h5m", "45 sec": numbers each followed by a unit.
fn parse_units(cell: &str) -> Option<u64> {
    let lower = cell.to_lowercase();
    let mut rest = lower.as_str();
    let mut total = 0u64;
    let mut seen_any = false;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        if rest.is_empty() {
            break;
        }
        let digits_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits_end == 0 {
            return None;
        }
        let amount: u64 = rest[..digits_end].parse().ok()?;
        rest = rest[digits_end..].trim_start();
        let unit_end = rest
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(rest.len());
        let unit_seconds = match &rest[..unit_end] {
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
            "m" | "min" | "mins" | "minute" | "minutes" => 60,
            "s" | "sec" | "secs" | "second" | "seconds" => 1,
            _ => return None,
        };
        total = total.checked_add(amount.checked_mul(unit_seconds)?)?;
        seen_any = true;
        rest = &rest[unit_end..];
    }
    seen_any.then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shapes_exports_use() {
        assert_eq!(parse_seconds("65"), Some(65 * 60));
        assert_eq!(parse_seconds(" 64.5 "), Some(64 * 60 + 30));
        assert_eq!(parse_seconds("65 minutes"), Some(65 * 60));
        assert_eq!(parse_seconds("1 hr 5 min"), Some(65 * 60));
        assert_eq!(parse_seconds("1 hour 5 minutes"), Some(65 * 60));
        assert_eq!(parse_seconds("1 Hour, 5 Minutes"), Some(65 * 60));
        assert_eq!(parse_seconds("1h5m"), Some(65 * 60));
        assert_eq!(parse_seconds("2 hours"), Some(7200));
        assert_eq!(parse_seconds("1:05:30"), Some(3600 + 5 * 60 + 30));
        assert_eq!(parse_seconds("0:45"), Some(45 * 60));
        assert_eq!(parse_seconds("45 sec"), Some(45));
    }

    #[test]
    fn nonsense_is_refused() {
        for cell in [
            "",
            "  ",
            "-5",
            "abc",
            "5 parsecs",
            "1:75:00",
            "1::2",
            "NaN",
            "minutes",
        ] {
            assert_eq!(parse_seconds(cell), None, "{cell:?}");
        }
    }
}
