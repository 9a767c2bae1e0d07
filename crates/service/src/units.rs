//! Credits as people read them: "1 hour", "1.5 hours", "2 hours", never "1.5 h" or
//! "hours: 1.5". One formatter, used wherever credits are shown to a person (the credential,
//! achievement and verify pages, the console, the certificate), so they all say it alike.
//!
//! Open Badges' `creditsAvailable` and `creditsEarned` are bare numbers; Laurel's are
//! continuing-education hours, as the console's badge form says.

/// A number of credits as written: at most two decimals, no trailing zeros (`1.5`, `2`,
/// `0.25`). Also what CSV reports carry, where the column header names the unit.
pub fn credits_number(credits: f64) -> String {
    let text = format!("{credits:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    // -0.001 rounds to "-0.00", which trims to "-0".
    if text == "-0" { "0" } else { text }.to_string()
}

/// Credits in words: "1 hour", "1.5 hours", "2 hours", "0 hours".
pub fn hours_in_words(credits: f64) -> String {
    let number = credits_number(credits);
    let unit = if number == "1" { "hour" } else { "hours" };
    format!("{number} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_said_in_words_singular_only_for_one() {
        assert_eq!(hours_in_words(1.0), "1 hour");
        assert_eq!(hours_in_words(1.5), "1.5 hours");
        assert_eq!(hours_in_words(2.0), "2 hours");
        assert_eq!(hours_in_words(0.0), "0 hours");
        assert_eq!(hours_in_words(0.25), "0.25 hours");
        assert_eq!(hours_in_words(1.004), "1 hour");
        assert_eq!(hours_in_words(12.50), "12.5 hours");
    }

    #[test]
    fn numbers_have_no_needless_zeros() {
        assert_eq!(credits_number(3.0), "3");
        assert_eq!(credits_number(1.5), "1.5");
        assert_eq!(credits_number(2.333), "2.33");
        assert_eq!(credits_number(-0.001), "0");
    }
}
