//! Award rules as programme staff use them: "attend the webinar", "view all three webinars
//! and you are invited to the workshop", "complete the course", including what happens
//! when records arrive late and when the same facts are evaluated again.

use std::collections::HashSet;

use chrono::{DateTime, TimeZone, Utc};
use laurel_attendance::rules::{
    AttendanceRecord, Completed, CompletionRecord, Facts, Qualified, Rule, RuleError, Session,
    SessionFormat, Threshold, evaluate, pending,
};

fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, minute, 0)
        .single()
        .expect("valid time")
}

/// A 60-minute webinar in the "intro" series on March `day`, 10:00.
fn webinar(id: &str, day: u32) -> Session {
    Session {
        id: id.to_owned(),
        title: format!("Introduction, part {id}"),
        start: at(day, 10, 0),
        duration_minutes: 60,
        series: Some("intro".to_owned()),
        format: Some(SessionFormat::Online),
    }
}

fn attended(email: &str, session: &str, minutes: u32) -> AttendanceRecord {
    AttendanceRecord {
        email: email.to_owned(),
        session: session.to_owned(),
        minutes,
        join: None,
        leave: None,
        role: None,
    }
}

fn emails(qualified: &[Qualified]) -> Vec<&str> {
    qualified.iter().map(|q| q.email.as_str()).collect()
}

/// Three webinars; ann saw all three, bob two, cat all three but one only briefly.
fn three_webinars() -> Facts {
    Facts {
        sessions: vec![webinar("w1", 3), webinar("w2", 10), webinar("w3", 17)],
        attendance: vec![
            attended("ann@example.org", "w1", 60),
            attended("ann@example.org", "w2", 55),
            attended("ann@example.org", "w3", 50),
            attended("bob@example.org", "w1", 60),
            attended("bob@example.org", "w3", 60),
            attended("cat@example.org", "w1", 60),
            attended("cat@example.org", "w2", 10),
            attended("cat@example.org", "w3", 60),
        ],
        completions: Vec::new(),
    }
}

#[test]
fn participation_by_minutes_counts_exactly_the_minimum() {
    let facts = Facts {
        sessions: vec![webinar("w1", 3)],
        attendance: vec![
            attended("exact@example.org", "w1", 45),
            attended("short@example.org", "w1", 44),
            attended("long@example.org", "w1", 60),
        ],
        completions: Vec::new(),
    };
    let rule = Rule::participation("w1", Some(45), None).expect("valid");
    assert_eq!(
        emails(&evaluate(&rule, &facts)),
        ["exact@example.org", "long@example.org"]
    );
}

#[test]
fn participation_by_percent_of_the_planned_duration() {
    let facts = Facts {
        sessions: vec![webinar("w1", 3)],
        attendance: vec![
            attended("exact@example.org", "w1", 45),
            attended("short@example.org", "w1", 44),
        ],
        completions: Vec::new(),
    };
    let rule = Rule::participation("w1", None, Some(75)).expect("valid");
    assert_eq!(emails(&evaluate(&rule, &facts)), ["exact@example.org"]);
}

#[test]
fn participation_with_minutes_or_percent_takes_either() {
    let facts = Facts {
        sessions: vec![webinar("w1", 3)],
        attendance: vec![
            attended("minutes@example.org", "w1", 30),
            attended("neither@example.org", "w1", 29),
        ],
        completions: Vec::new(),
    };
    // 30 minutes, or 90 % (54 minutes).
    let rule = Rule::participation("w1", Some(30), Some(90)).expect("valid");
    assert_eq!(emails(&evaluate(&rule, &facts)), ["minutes@example.org"]);
}

#[test]
fn participation_without_threshold_counts_any_attendance() {
    let facts = Facts {
        sessions: vec![webinar("w1", 3)],
        attendance: vec![attended("brief@example.org", "w1", 1)],
        completions: Vec::new(),
    };
    let rule = Rule::participation("w1", None, None).expect("valid");
    assert_eq!(emails(&evaluate(&rule, &facts)), ["brief@example.org"]);
}

#[test]
fn rejoiner_minutes_are_summed_across_records() {
    let facts = Facts {
        sessions: vec![webinar("w1", 3)],
        attendance: vec![
            attended("rejoin@example.org", "w1", 25),
            attended("other@example.org", "w1", 25),
            attended("rejoin@example.org", "w1", 25),
        ],
        completions: Vec::new(),
    };
    let rule = Rule::participation("w1", Some(45), None).expect("valid");
    assert_eq!(emails(&evaluate(&rule, &facts)), ["rejoin@example.org"]);
}

#[test]
fn case_variant_emails_are_one_person() {
    let facts = Facts {
        sessions: vec![webinar("w1", 3)],
        attendance: vec![
            attended("Dana.Smith@Example.org", "w1", 30),
            attended("dana.smith@example.org ", "w1", 30),
        ],
        completions: Vec::new(),
    };
    let rule = Rule::participation("w1", Some(60), None).expect("valid");
    assert_eq!(emails(&evaluate(&rule, &facts)), ["dana.smith@example.org"]);
}

#[test]
fn series_all_three_webinars_requires_all_three() {
    let rule = Rule::series_completion("intro", None, Threshold::ANY).expect("valid");
    let qualified = evaluate(&rule, &three_webinars());
    // Bob saw two of three; cat's brief visit counts with no threshold.
    assert_eq!(emails(&qualified), ["ann@example.org", "cat@example.org"]);
    assert_eq!(qualified[0].sessions, ["w1", "w2", "w3"]);
    assert_eq!(qualified[0].result, Some(Completed { score: None }));
}

#[test]
fn series_threshold_applies_to_each_session() {
    let threshold = Threshold::new(None, Some(50)).expect("valid");
    let rule = Rule::series_completion("intro", None, threshold).expect("valid");
    // Cat's 10 minutes in w2 are under half of it, so she has two of three.
    assert_eq!(
        emails(&evaluate(&rule, &three_webinars())),
        ["ann@example.org"]
    );
}

#[test]
fn series_at_least_two_of_three() {
    let threshold = Threshold::new(None, Some(50)).expect("valid");
    let rule = Rule::series_completion("intro", Some(2), threshold).expect("valid");
    let qualified = evaluate(&rule, &three_webinars());
    assert_eq!(
        emails(&qualified),
        ["ann@example.org", "bob@example.org", "cat@example.org"]
    );
    // The evidence names the sessions that counted, not the ones merely visited.
    assert_eq!(qualified[2].sessions, ["w1", "w3"]);
}

#[test]
fn series_with_fewer_sessions_than_at_least_qualifies_nobody() {
    let rule = Rule::series_completion("intro", Some(4), Threshold::ANY).expect("valid");
    assert!(evaluate(&rule, &three_webinars()).is_empty());
}

#[test]
fn activity_dates_span_joins_and_leaves_or_session_times() {
    let facts = Facts {
        sessions: vec![webinar("w1", 3), webinar("w2", 10)],
        attendance: vec![
            // Joined late to w1, twice.
            AttendanceRecord {
                join: Some(at(3, 10, 20)),
                leave: Some(at(3, 10, 40)),
                ..attended("ann@example.org", "w1", 20)
            },
            AttendanceRecord {
                join: Some(at(3, 10, 5)),
                leave: Some(at(3, 10, 15)),
                ..attended("ann@example.org", "w1", 10)
            },
            // No times known for w2: its planned end is used.
            attended("ann@example.org", "w2", 60),
        ],
        completions: Vec::new(),
    };
    let rule = Rule::series_completion("intro", None, Threshold::ANY).expect("valid");
    let qualified = evaluate(&rule, &facts);
    assert_eq!(qualified.len(), 1);
    assert_eq!(qualified[0].activity_start, at(3, 10, 5));
    assert_eq!(qualified[0].activity_end, at(10, 11, 0));

    let rule = Rule::participation("w2", None, None).expect("valid");
    let qualified = evaluate(&rule, &facts);
    assert_eq!(
        (qualified[0].activity_start, qualified[0].activity_end),
        (at(10, 10, 0), at(10, 11, 0))
    );
}

#[test]
fn completion_rule_carries_the_result() {
    let facts = Facts {
        completions: vec![
            CompletionRecord {
                email: "Eve@Example.org".to_owned(),
                what: "course-101".to_owned(),
                date: at(20, 16, 0),
                score: Some("87".to_owned()),
                evidence: Some("https://lms.example.org/eve/101".to_owned()),
                role: Some("Mentor".to_owned()),
            },
            CompletionRecord {
                email: "fay@example.org".to_owned(),
                what: "course-202".to_owned(),
                date: at(21, 9, 0),
                score: None,
                evidence: None,
                role: None,
            },
        ],
        ..Facts::default()
    };
    let qualified = evaluate(&Rule::completion("course-101").expect("valid"), &facts);
    assert_eq!(
        qualified,
        [Qualified {
            email: "eve@example.org".to_owned(),
            activity_start: at(20, 16, 0),
            activity_end: at(20, 16, 0),
            earned: at(20, 16, 0),
            sessions: Vec::new(),
            result: Some(Completed {
                score: Some("87".to_owned())
            }),
            evidence: vec!["https://lms.example.org/eve/101".to_owned()],
            role: Some("Mentor".to_owned()),
        }]
    );
}

#[test]
fn invalid_rules_are_rejected_with_clear_messages() {
    let message = |result: Result<Rule, RuleError>| result.expect_err("invalid").to_string();
    assert_eq!(
        message(Rule::participation("w1", None, Some(0))),
        "a minimum percentage must be between 1 and 100, not 0; leave it out to count any attendance"
    );
    assert!(message(Rule::participation("w1", None, Some(120))).contains("not 120"));
    assert!(message(Rule::participation("w1", Some(0), None)).contains("0 minutes"));
    assert!(
        message(Rule::series_completion("intro", Some(0), Threshold::ANY))
            .contains("at least 1 session")
    );
    assert!(message(Rule::participation("", None, None)).contains("no session"));
    assert!(message(Rule::series_completion("", None, Threshold::ANY)).contains("no series"));
}

#[test]
fn output_is_ordered_by_email_whatever_the_record_order() {
    let mut facts = three_webinars();
    let rule = Rule::series_completion("intro", Some(1), Threshold::ANY).expect("valid");
    let forward = evaluate(&rule, &facts);
    facts.attendance.reverse();
    facts.sessions.reverse();
    assert_eq!(evaluate(&rule, &facts), forward);
    assert_eq!(
        emails(&forward),
        ["ann@example.org", "bob@example.org", "cat@example.org"]
    );
}

#[test]
fn a_late_session_changes_who_has_completed_the_series() {
    let rule = Rule::series_completion("intro", None, Threshold::ANY).expect("valid");
    let mut facts = three_webinars();
    let before = evaluate(&rule, &facts);
    assert_eq!(emails(&before), ["ann@example.org", "cat@example.org"]);
    assert_eq!(evaluate(&rule, &facts), before, "same facts, same answer");

    // A fourth webinar is added to the series: "all sessions" now includes it.
    facts.sessions.push(webinar("w4", 24));
    facts.attendance.push(attended("cat@example.org", "w4", 60));
    let after = evaluate(&rule, &facts);
    assert_eq!(emails(&after), ["cat@example.org"]);
    assert_eq!(after[0].sessions, ["w1", "w2", "w3", "w4"]);
    assert_eq!(after[0].activity_end, at(24, 11, 0));

    // Ann catches up on the recording of w4 later; re-evaluating picks her up again.
    facts.attendance.push(attended("ANN@example.org", "w4", 60));
    assert_eq!(
        emails(&evaluate(&rule, &facts)),
        ["ann@example.org", "cat@example.org"]
    );
}

#[test]
fn pending_leaves_out_those_already_awarded() {
    let rule = Rule::series_completion("intro", Some(2), Threshold::ANY).expect("valid");
    let facts = three_webinars();
    let awarded: HashSet<String> = ["Ann@Example.org".to_owned()].into();
    assert_eq!(
        emails(&pending(&rule, &facts, &awarded)),
        ["bob@example.org", "cat@example.org"]
    );
    let everyone: HashSet<String> = evaluate(&rule, &facts)
        .into_iter()
        .map(|qualified| qualified.email)
        .collect();
    assert!(pending(&rule, &facts, &everyone).is_empty());
}

#[test]
fn rules_round_trip_through_json() {
    let rules = [
        Rule::participation("w1", Some(45), Some(75)).expect("valid"),
        Rule::series_completion("intro", Some(2), Threshold::ANY).expect("valid"),
        Rule::completion("course-101").expect("valid"),
    ];
    for rule in rules {
        let json = serde_json::to_string(&rule).expect("serializes");
        let back: Rule = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, rule, "{json}");
    }
    let err =
        serde_json::from_str::<Rule>(r#"{"kind":"participation","session":"w1","min_percent":0}"#)
            .expect_err("0 %");
    assert!(err.to_string().contains("between 1 and 100"), "{err}");
}

#[test]
fn series_format_filter_counts_only_sessions_held_that_way() {
    // Three webinars and one workshop in the series; dan came to the workshop and one webinar.
    let mut facts = three_webinars();
    facts.sessions.push(Session {
        format: Some(SessionFormat::InPerson),
        ..webinar("room", 24)
    });
    facts
        .attendance
        .push(attended("dan@example.org", "room", 120));
    facts.attendance.push(attended("dan@example.org", "w1", 60));

    let webinars = Rule::series_completion_in(
        "intro",
        Some(2),
        Threshold::ANY,
        Some(SessionFormat::Online),
    )
    .expect("valid");
    // Dan's workshop does not count towards two webinars.
    assert_eq!(
        emails(&evaluate(&webinars, &facts)),
        ["ann@example.org", "bob@example.org", "cat@example.org"]
    );
    let any = Rule::series_completion("intro", Some(2), Threshold::ANY).expect("valid");
    assert!(emails(&evaluate(&any, &facts)).contains(&"dan@example.org"));
    // "Every in-person session": the one workshop.
    let workshops =
        Rule::series_completion_in("intro", None, Threshold::ANY, Some(SessionFormat::InPerson))
            .expect("valid");
    let qualified = evaluate(&workshops, &facts);
    assert_eq!(emails(&qualified), ["dan@example.org"]);
    assert_eq!(qualified[0].sessions, ["room"]);
    // A session of unknown format counts only when any format does.
    facts.sessions[0].format = None;
    let qualified = evaluate(&webinars, &facts);
    assert_eq!(
        emails(&qualified),
        ["ann@example.org", "cat@example.org"],
        "bob has only w3 left"
    );
}

#[test]
fn earned_is_when_the_rule_was_first_met() {
    let facts = three_webinars();
    let two = Rule::series_completion("intro", Some(2), Threshold::ANY).expect("valid");
    let qualified = evaluate(&two, &facts);
    // Ann met "two of three" when w2 ended (March 10, 11:00), though she attended w3 too.
    assert_eq!(qualified[0].email, "ann@example.org");
    assert_eq!(qualified[0].earned, at(10, 11, 0));
    assert_eq!(qualified[0].activity_end, at(17, 11, 0));
    // Bob's second session was w3.
    assert_eq!(qualified[1].earned, at(17, 11, 0));
    let one = Rule::participation("w1", None, None).expect("valid");
    assert_eq!(evaluate(&one, &facts)[0].earned, at(3, 11, 0));
}

#[test]
fn a_rule_may_count_only_one_role_and_says_the_role_each_earned_with() {
    let as_role = |email: &str, session: &str, role: Option<&str>| AttendanceRecord {
        role: role.map(str::to_owned),
        ..attended(email, session, 60)
    };
    let facts = Facts {
        sessions: vec![webinar("1", 2), webinar("2", 9), webinar("3", 16)],
        attendance: vec![
            // Pat presented one webinar and attended the other two.
            as_role("pat@example.org", "1", Some("presenter")),
            as_role("pat@example.org", "2", Some("Participant")),
            as_role("pat@example.org", "3", Some("participant")),
            // Lee presented two.
            as_role("lee@example.org", "1", Some("Presenter")),
            as_role("lee@example.org", "2", Some("PRESENTER")),
            as_role("lee@example.org", "3", None),
        ],
        completions: Vec::new(),
    };
    let series = Rule::series_completion("intro", Some(3), Threshold::ANY).expect("valid");
    let roles: Vec<(String, Option<String>)> = evaluate(&series, &facts)
        .into_iter()
        .map(|q| (q.email, q.role))
        .collect();
    assert_eq!(
        roles,
        [
            ("lee@example.org".to_owned(), Some("Presenter".to_owned())),
            ("pat@example.org".to_owned(), Some("Participant".to_owned())),
        ],
        "the role in most of the sessions counted"
    );

    let terms = laurel_attendance::rules::RoleTerms::new(
        Some("Presenter"),
        &std::collections::BTreeMap::new(),
    )
    .expect("valid");
    let presented_two = Rule::series_completion("intro", Some(2), Threshold::ANY)
        .expect("valid")
        .with_roles(terms.clone());
    let qualified = evaluate(&presented_two, &facts);
    assert_eq!(
        qualified
            .iter()
            .map(|q| q.email.as_str())
            .collect::<Vec<_>>(),
        ["lee@example.org"],
        "only the sessions presented count"
    );
    assert_eq!(qualified[0].sessions, ["1", "2"]);
    let presented_one = Rule::participation("1", None, None)
        .expect("valid")
        .with_roles(terms);
    assert_eq!(evaluate(&presented_one, &facts).len(), 2);

    // Stored and read back with its role terms.
    let text = serde_json::to_string(&presented_two).expect("serializes");
    assert!(text.contains(r#""role":"Presenter""#), "{text}");
    assert_eq!(
        serde_json::from_str::<Rule>(&text).expect("reads"),
        presented_two
    );
    let error = serde_json::from_str::<Rule>(
        r#"{"kind":"completion","what":"x","role_credits":{"Mentor":0}}"#,
    )
    .expect_err("zero times");
    assert!(error.to_string().contains("from 0.01 to 5"), "{error}");
}
