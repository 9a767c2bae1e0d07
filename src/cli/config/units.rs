//! Sizes (`4MiB`) and durations (`30s`) as flags, variables and the file give them: shared by
//! clap's value parsers and the file's string values, so each unit means the same everywhere.

use std::time::Duration;

/// Parses a size: bytes (`1048576`) or a number with a unit (`512KiB`, `4MiB`, `1MB`, `2k`).
pub fn parse_size(text: &str) -> Result<usize, String> {
    let (text, number, unit) = number_and_unit(text, "a size such as 4MiB or 1048576")?;
    let multiplier: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "kib" => 1024,
        "m" | "mb" => 1000 * 1000,
        "mib" => 1024 * 1024,
        "g" | "gb" => 1000 * 1000 * 1000,
        "gib" => 1024 * 1024 * 1024,
        other => return Err(format!("unknown size unit {other:?} in {text:?}")),
    };
    number
        .checked_mul(multiplier)
        .and_then(|bytes| usize::try_from(bytes).ok())
        .ok_or_else(|| format!("{text:?} is too large"))
}

/// Parses a duration: seconds (`30`) or a number with a unit (`500ms`, `30s`, `2m`, `1h`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let (text, number, unit) = number_and_unit(text, "a duration such as 30s or 500ms")?;
    match unit {
        "ms" => Ok(Duration::from_millis(number)),
        "" | "s" => Ok(Duration::from_secs(number)),
        "m" | "min" => Ok(Duration::from_secs(number.saturating_mul(60))),
        "h" => Ok(Duration::from_secs(number.saturating_mul(3600))),
        other => Err(format!("unknown duration unit {other:?} in {text:?}")),
    }
}

/// Splits `12unit` into the trimmed text, the whole number and the trimmed unit.
fn number_and_unit<'a>(text: &'a str, expected: &str) -> Result<(&'a str, u64, &'a str), String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number = number
        .parse()
        .map_err(|_| format!("{text:?} is not {expected}"))?;
    Ok((text, number, unit.trim()))
}
