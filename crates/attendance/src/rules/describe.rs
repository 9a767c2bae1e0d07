//! Rules in words, for people who set up badges and have never seen the JSON: "Attended
//! “Cataloguing basics (3 March 2026)” for at least 45 minutes".
//!
//! Rules hold ids; the caller says what to call each session and series ([`Names`]), so this
//! stays a pure function (no store, no time zone) and the same sentence appears on every page.

use std::collections::HashMap;

use super::rule::{Rule, SessionFormat, Threshold};

/// What to call the sessions and series a rule names, by id. A session's name usually
/// carries its date, which the caller formats in the issuer's time zone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    /// Session id to its name.
    pub sessions: HashMap<String, String>,
    /// Series id to its name.
    pub series: HashMap<String, String>,
}

/// One rule as a sentence, ending with a full stop, then what roles change ("Only
/// attendance as Presenter counts. Presenter earns 2 × the credits.").
pub fn describe(rule: &Rule, names: &Names) -> String {
    let mut sentence = what(rule, names);
    let terms = rule.roles();
    if let Some(role) = terms.role() {
        sentence.push_str(&format!(" Only those recorded as {role} count."));
    }
    for (role, times) in terms.role_credits() {
        sentence.push_str(&format!(" {role}: {} × the credits.", times.get()));
    }
    sentence
}

/// The rule's condition as a sentence.
fn what(rule: &Rule, names: &Names) -> String {
    match rule {
        Rule::Participation {
            session, threshold, ..
        } => {
            let name = quoted(
                names.sessions.get(session),
                "a session that no longer exists",
            );
            format!("Attended {name}{}.", amount(threshold, " for", " of it"))
        }
        Rule::SeriesCompletion {
            series,
            at_least,
            threshold,
            format,
            ..
        } => {
            let name = quoted(names.series.get(series), "a series that no longer exists");
            let sessions = match format {
                None => "sessions",
                Some(SessionFormat::Online) => "webinars",
                Some(SessionFormat::InPerson) => "in-person sessions",
            };
            let how_many = match at_least.map(|n| n.get()) {
                Some(1) => format!("at least 1 of the {sessions} of {name}"),
                Some(n) => format!("at least {n} of the {sessions} of {name}"),
                None => format!("every one of the {sessions} of {name}"),
            };
            format!(
                "Attended {how_many}{}.",
                amount(threshold, ", each for", " of it")
            )
        }
        Rule::Completion { what, .. } => format!("Completed “{what}”."),
    }
}

/// Several rules (any one of which earns the badge) in words; none says it is awarded by hand.
pub fn describe_all(rules: &[Rule], names: &Names) -> String {
    match rules {
        [] => "No rule: awarded by hand.".to_owned(),
        [one] => describe(one, names),
        many => {
            let sentences: Vec<String> = many.iter().map(|rule| describe(rule, names)).collect();
            format!("Any one of: {}", sentences.join(" Or: "))
        }
    }
}

fn quoted(name: Option<&String>, missing: &str) -> String {
    name.map_or_else(|| missing.to_owned(), |name| format!("“{name}”"))
}

/// " for at least 45 minutes or 75 % of it", or nothing when any attendance counts.
fn amount(threshold: &Threshold, lead: &str, of_it: &str) -> String {
    match (threshold.min_minutes(), threshold.min_percent()) {
        (None, None) => String::new(),
        (Some(minutes), None) => format!("{lead} at least {}", minutes_text(minutes)),
        (None, Some(percent)) => format!("{lead} at least {percent} %{of_it}"),
        (Some(minutes), Some(percent)) => format!(
            "{lead} at least {} or {percent} %{of_it}",
            minutes_text(minutes)
        ),
    }
}

fn minutes_text(minutes: u32) -> String {
    if minutes == 1 {
        "1 minute".to_owned()
    } else {
        format!("{minutes} minutes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names {
            sessions: HashMap::from([(
                "s1".to_owned(),
                "Cataloguing basics (3 March 2026)".to_owned(),
            )]),
            series: HashMap::from([("x".to_owned(), "Metadata month".to_owned())]),
        }
    }

    #[test]
    fn participation_reads_as_a_sentence() {
        let rule = |minutes, percent| Rule::participation("s1", minutes, percent).expect("valid");
        assert_eq!(
            describe(&rule(Some(45), None), &names()),
            "Attended “Cataloguing basics (3 March 2026)” for at least 45 minutes."
        );
        assert_eq!(
            describe(&rule(None, Some(75)), &names()),
            "Attended “Cataloguing basics (3 March 2026)” for at least 75 % of it."
        );
        assert_eq!(
            describe(&rule(Some(45), Some(75)), &names()),
            "Attended “Cataloguing basics (3 March 2026)” for at least 45 minutes or 75 % of it."
        );
        assert_eq!(
            describe(&rule(None, None), &names()),
            "Attended “Cataloguing basics (3 March 2026)”."
        );
    }

    #[test]
    fn series_reads_with_its_count_format_and_threshold() {
        let rule = Rule::series_completion_in(
            "x",
            Some(3),
            Threshold::new(Some(30), None).expect("valid"),
            Some(SessionFormat::Online),
        )
        .expect("valid");
        assert_eq!(
            describe(&rule, &names()),
            "Attended at least 3 of the webinars of “Metadata month”, each for at least 30 minutes."
        );
        let every =
            Rule::series_completion_in("x", None, Threshold::ANY, Some(SessionFormat::InPerson))
                .expect("valid");
        assert_eq!(
            describe(&every, &names()),
            "Attended every one of the in-person sessions of “Metadata month”."
        );
        let any = Rule::series_completion("x", Some(1), Threshold::ANY).expect("valid");
        assert_eq!(
            describe(&any, &names()),
            "Attended at least 1 of the sessions of “Metadata month”."
        );
    }

    #[test]
    fn unknown_names_completion_and_lists() {
        let gone = Rule::participation("s9", Some(1), None).expect("valid");
        assert_eq!(
            describe(&gone, &names()),
            "Attended a session that no longer exists for at least 1 minute."
        );
        let course = Rule::completion("course-101").expect("valid");
        assert_eq!(describe(&course, &names()), "Completed “course-101”.");
        assert_eq!(describe_all(&[], &names()), "No rule: awarded by hand.");
        assert_eq!(
            describe_all(&[course.clone(), gone], &names()),
            "Any one of: Completed “course-101”. Or: Attended a session that no longer exists for at least 1 minute."
        );
        assert_eq!(describe_all(&[course], &names()), "Completed “course-101”.");
    }
}
