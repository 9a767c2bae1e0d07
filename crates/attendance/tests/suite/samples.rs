//! Parses every sample export under `tests/data/attendance/` and checks what a person
//! running an import would check: who was counted, for how long, and why rows were not.

use std::path::PathBuf;

use laurel_attendance::{
    Attendee, Column, ColumnMapping, Encoding, Format, LineOutcome, Report, ReportError, parse,
    parse_with_mapping,
};

fn sample(name: &str) -> Vec<u8> {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "..",
        "tests",
        "data",
        "attendance",
        name,
    ]
    .iter()
    .collect();
    std::fs::read(&path).unwrap_or_else(|err| panic!("reading {}: {err}", path.display()))
}

fn parse_sample(name: &str) -> Report {
    parse(&sample(name)).unwrap_or_else(|err| panic!("{name}: {err}"))
}

fn attendee<'a>(report: &'a Report, email: &str) -> &'a Attendee {
    report
        .attendees
        .iter()
        .find(|attendee| attendee.email == email)
        .unwrap_or_else(|| panic!("no attendee {email} in {:#?}", report.attendees))
}

fn outcome(report: &Report, line: usize) -> &LineOutcome {
    &report
        .lines
        .iter()
        .find(|result| result.line == line)
        .unwrap_or_else(|| panic!("no result for line {line} in {:#?}", report.lines))
        .outcome
}

fn rejection(report: &Report, line: usize) -> &str {
    match outcome(report, line) {
        LineOutcome::Rejected { reason } => reason,
        other => panic!("line {line}: expected a rejection, got {other:?}"),
    }
}

fn at(text: &str) -> chrono::NaiveDateTime {
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").expect("test timestamp")
}

#[test]
fn zoom_report_skips_preamble_hosts_and_panelists() {
    let report = parse_sample("zoom_webinar.csv");
    assert_eq!(report.format, Format::Zoom);
    assert_eq!(report.encoding, Encoding::Utf8);
    assert_eq!(report.header_line, 12);
    let emails: Vec<&str> = report.attendees.iter().map(|a| a.email.as_str()).collect();
    assert_eq!(
        emails,
        [
            "amara.okafor@example.org",
            "erik.lindqvist@example.se",
            "dj.jones@example.com",
            "zoe.kowalski@example.pl"
        ]
    );
    assert_eq!(report.lines.len(), 8, "one result per attendee-section row");
}

#[test]
fn zoom_rejoiner_with_email_in_other_case_is_one_attendee() {
    let report = parse_sample("zoom_webinar.csv");
    let amara = attendee(&report, "amara.okafor@example.org");
    assert_eq!(amara.minutes, 32 + 27 + 3);
    assert_eq!(amara.lines, [13, 17, 20]);
    assert_eq!(amara.first_join, Some(at("2024-03-14 10:00:03")));
    assert_eq!(amara.last_leave, Some(at("2024-03-14 11:02:30")));
    assert_eq!(amara.name.as_deref(), Some("Amara Okafor"));
    assert_eq!(outcome(&report, 13), &LineOutcome::Recorded);
    assert_eq!(outcome(&report, 17), &LineOutcome::Merged { into_line: 13 });
    assert_eq!(outcome(&report, 20), &LineOutcome::Merged { into_line: 13 });
}

#[test]
fn zoom_attended_no_is_skipped_and_guest_without_email_rejected() {
    let report = parse_sample("zoom_webinar.csv");
    match outcome(&report, 16) {
        LineOutcome::Skipped { reason } => assert!(reason.contains("Attended: No"), "{reason}"),
        other => panic!("line 16: {other:?}"),
    }
    assert_eq!(rejection(&report, 18), "no email address");
    assert!(
        report
            .attendees
            .iter()
            .all(|a| a.email != "marco.bellini@example.it")
    );
    assert_eq!(
        attendee(&report, "zoe.kowalski@example.pl").name.as_deref(),
        Some("Zoë Kowalski")
    );
    assert_eq!(attendee(&report, "erik.lindqvist@example.se").minutes, 61);
}

#[test]
fn gotowebinar_report_with_bom_and_worded_durations() {
    let report = parse_sample("gotowebinar.csv");
    assert_eq!(report.format, Format::GoToWebinar);
    assert_eq!(report.encoding, Encoding::Utf8WithBom);
    assert_eq!(report.header_line, 7);
    assert_eq!(report.attendees.len(), 5);
    assert_eq!(attendee(&report, "leila.haddad@example.org").minutes, 71);
    assert_eq!(attendee(&report, "kenji.nakamura@example.jp").minutes, 45);
    assert_eq!(attendee(&report, "siobhan.oneill@example.ie").minutes, 52);
    assert_eq!(attendee(&report, "alex.smith@example.com").minutes, 65);

    let joerg = attendee(&report, "joerg.mueller@example.de");
    assert_eq!(joerg.minutes, 60);
    assert_eq!(joerg.name.as_deref(), Some("Jörg Müller"));
    assert_eq!(joerg.first_join, Some(at("2024-03-14 14:00:00")));
    assert_eq!(joerg.last_leave, Some(at("2024-03-14 15:11:00")));
    assert_eq!(outcome(&report, 11), &LineOutcome::Merged { into_line: 10 });
    assert!(matches!(outcome(&report, 13), LineOutcome::Skipped { .. }));
}

#[test]
fn plain_format_with_quoted_comma_and_rejoiner() {
    let report = parse_sample("plain.csv");
    assert_eq!(report.format, Format::Plain);
    assert_eq!(report.attendees.len(), 3);
    assert_eq!(attendee(&report, "jane.doe@example.org").minutes, 60);
    assert_eq!(attendee(&report, "sam.lee@example.org").name, None);
    let rivera = attendee(&report, "rivera@example.org");
    assert_eq!(rivera.name.as_deref(), Some("Rivera, Luis"));
    assert_eq!(rivera.minutes, 63, "62.5 minutes round half up");
    assert_eq!(outcome(&report, 5), &LineOutcome::Merged { into_line: 2 });
}

#[test]
fn windows_1252_names_are_decoded() {
    let bytes = sample("plain_windows1252.csv");
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the sample must really be Windows-1252"
    );
    let report = parse(&bytes).expect("parses");
    assert_eq!(report.encoding, Encoding::Windows1252);
    let names: Vec<&str> = report
        .attendees
        .iter()
        .filter_map(|a| a.name.as_deref())
        .collect();
    assert_eq!(names, ["Zoë Kowalski", "Anna Müller", "Conor O’Brien"]);
}

#[test]
fn broken_rows_are_rejected_with_line_and_reason() {
    let report = parse_sample("broken_rows.csv");
    assert_eq!(report.format, Format::Plain);
    assert!(rejection(&report, 3).contains("\"not-an-email\" is not an email address"));
    assert!(rejection(&report, 4).contains("no time in session"));
    assert!(rejection(&report, 5).contains("has 2 values but the header has 3"));
    assert!(rejection(&report, 6).contains("has 4 values but the header has 3"));
    assert_eq!(rejection(&report, 7), "no email address");
    assert!(rejection(&report, 8).contains("\"about an hour\" is not a duration"));
    assert!(rejection(&report, 11).contains("not an email address"));
    assert_eq!(outcome(&report, 10), &LineOutcome::Merged { into_line: 2 });
    assert!(
        report.lines.iter().all(|result| result.line != 9),
        "blank line 9 has no result"
    );

    // The bad rows did not stop the good ones.
    assert_eq!(report.attendees.len(), 1);
    assert_eq!(report.attendees[0].minutes, 45);
}

#[test]
fn empty_file_is_an_error() {
    assert_eq!(parse(&sample("empty.csv")), Err(ReportError::Empty));
    assert_eq!(parse(b"\xEF\xBB\xBF \r\n"), Err(ReportError::Empty));
}

#[test]
fn unknown_header_names_what_was_found_and_expected() {
    let err = parse(&sample("no_header.csv")).expect_err("no header");
    assert_eq!(
        err,
        ReportError::NoHeader {
            line: Some(2),
            found: vec!["question".into(), "answer".into(), "submitted".into()],
        }
    );
    let message = err.to_string();
    for expected in [
        "Time in Session (minutes)",
        "Email Address",
        "email,name,minutes",
        "\"question\"",
    ] {
        assert!(message.contains(expected), "{message}");
    }
}

#[test]
fn explicit_mapping_reads_an_unknown_export() {
    let file = "Kursbericht\nTeilnehmer,E-Mail,Dauer,Status\n\
                Zoë K,ZOE@example.org,1 Std,ok\n\
                Zoë K,zoe@example.org,0:30:00,ok\n\
                Max,max@example.org,20,ok\n";
    let mut mapping = ColumnMapping::new("e-mail");
    mapping.name = Some(Column::Named("Teilnehmer".into()));
    mapping.minutes = Some(Column::Index(2));
    let report = parse_with_mapping(file.as_bytes(), &mapping).expect("parses");
    assert_eq!(report.format, Format::Mapped);
    assert_eq!(report.header_line, 2);
    assert!(rejection(&report, 3).contains("\"1 Std\" is not a duration"));
    assert_eq!(attendee(&report, "zoe@example.org").minutes, 30);
    assert_eq!(attendee(&report, "max@example.org").minutes, 20);

    let err =
        parse_with_mapping(file.as_bytes(), &ColumnMapping::new("Email")).expect_err("no column");
    assert!(err.to_string().contains("no column \"Email\""), "{err}");
    assert!(err.to_string().contains("\"E-Mail\""), "{err}");
}

#[test]
fn ten_thousand_rows() {
    let mut file = String::from("email,name,minutes\n");
    for row in 0..10_000 {
        let person = row % 5_000;
        let email = if row < 5_000 {
            format!("person{person}@example.org")
        } else {
            format!("Person{person}@Example.org")
        };
        file.push_str(&format!(
            "{email},\"Person {person}, Tester\",{}\n",
            20 + row % 3
        ));
    }
    let report = parse(file.as_bytes()).expect("parses");
    assert_eq!(report.lines.len(), 10_000);
    assert_eq!(report.attendees.len(), 5_000);
    assert!(
        report
            .lines
            .iter()
            .all(|result| !matches!(result.outcome, LineOutcome::Rejected { .. }))
    );
    // Row 0 (20 min) and row 5000 (20 + 5000 % 3 = 22 min) are the same person.
    assert_eq!(attendee(&report, "person0@example.org").minutes, 42);
    assert_eq!(attendee(&report, "person0@example.org").lines, [2, 5_002]);
}
