//! Editing a session settles its award rules again: newly qualifying people are awarded
//! through the one award path, nobody loses a badge, and those already awarded who would not
//! qualify under the new details are counted.

use laurel_service::activity::rules::{self, Scope};
use laurel_service::activity::sessions;
use laurel_store::{Achievement, Attendance, Event, EventFormat, Series};
use serde_json::json;
use uuid::Uuid;

use super::{Setup, now, setup};

async fn badge(setup: &Setup, name: &str, rules: serde_json::Value) -> Achievement {
    let achievement = Achievement {
        id: Uuid::now_v7(),
        name: name.into(),
        award_rules: rules.to_string(),
        ..setup.achievement.clone()
    };
    setup
        .service
        .store
        .create_achievement(&achievement)
        .await
        .unwrap();
    achievement
}

async fn session(setup: &Setup, minutes: u32, series_id: Option<Uuid>) -> Event {
    let event = Event {
        id: Uuid::now_v7(),
        issuer_id: setup.achievement.issuer_id,
        series_id,
        title: "Cataloguing webinar".into(),
        starts_at: now(),
        duration_minutes: minutes,
        format: EventFormat::Online,
        created_at: now(),
        updated_at: now(),
    };
    setup.service.store.create_event(&event).await.unwrap();
    event
}

async fn attended(setup: &Setup, event: &Event, who: &[(&str, u32)]) {
    let records: Vec<Attendance> = who
        .iter()
        .map(|(email, minutes)| Attendance {
            event_id: event.id,
            recipient_email: (*email).into(),
            recipient_name: None,
            minutes: *minutes,
            first_join: None,
            last_leave: None,
            source: "api".into(),
            recorded_at: now(),
            role: None,
        })
        .collect();
    setup
        .service
        .store
        .record_attendance(&records)
        .await
        .unwrap();
    let plans = rules::plan(&setup.service, &Scope::Event(event.clone()), &[])
        .await
        .unwrap();
    rules::mint(&setup.service, plans).await.unwrap();
}

async fn holders(setup: &Setup, achievement: &Achievement) -> Vec<String> {
    let emails: Vec<String> = ["a@example.org", "b@example.org", "c@example.org"]
        .iter()
        .map(|e| e.to_string())
        .collect();
    let mut held: Vec<String> = setup
        .service
        .store
        .awards_for(achievement.id, &emails)
        .await
        .unwrap()
        .into_iter()
        .filter(|award| award.revoked_at.is_none())
        .map(|award| award.recipient_email)
        .collect();
    held.sort();
    held
}

#[tokio::test]
async fn a_longer_or_shorter_session_awards_the_newly_qualified_and_revokes_nobody() {
    let setup = setup().await;
    let event = session(&setup, 60, None).await;
    let badge = badge(
        &setup,
        "Attended",
        json!([{ "kind": "participation", "session": event.id.to_string(), "min_percent": 75 }]),
    )
    .await;
    attended(
        &setup,
        &event,
        &[
            ("a@example.org", 50),
            ("b@example.org", 40),
            ("c@example.org", 30),
        ],
    )
    .await;
    assert_eq!(holders(&setup, &badge).await, ["a@example.org"]);

    // 50 minutes long: b's 40 is 80 %, now enough.
    let shorter = Event {
        duration_minutes: 50,
        ..event.clone()
    };
    let edited = sessions::edit(&setup.service, &event, shorter.clone())
        .await
        .unwrap();
    assert!(edited.evaluated);
    assert_eq!(edited.awarded(), 1);
    assert_eq!(edited.kept, 0);
    assert_eq!(
        edited.changes["duration_minutes"],
        json!({ "from": 60, "to": 50 })
    );
    assert_eq!(
        holders(&setup, &badge).await,
        ["a@example.org", "b@example.org"]
    );

    // 90 minutes long: neither a nor b would qualify; both keep their badges.
    let longer = Event {
        duration_minutes: 90,
        ..shorter.clone()
    };
    let edited = sessions::edit(&setup.service, &shorter, longer.clone())
        .await
        .unwrap();
    assert_eq!(edited.awarded(), 0);
    assert_eq!(edited.kept, 2);
    assert_eq!(
        holders(&setup, &badge).await,
        ["a@example.org", "b@example.org"]
    );
    assert_eq!(setup.service.store.event(event.id).await.unwrap(), longer);

    // A new title changes nobody's qualification: the rules are not evaluated.
    let renamed = Event {
        title: "Cataloguing, part one".into(),
        ..longer.clone()
    };
    let edited = sessions::edit(&setup.service, &longer, renamed)
        .await
        .unwrap();
    assert!(!edited.evaluated);
    assert_eq!(edited.kept, 0);
    assert_eq!(
        edited.changes.keys().collect::<Vec<_>>(),
        ["title"],
        "only what changed is listed"
    );
}

#[tokio::test]
async fn moving_a_session_into_and_out_of_a_series_settles_both() {
    let setup = setup().await;
    let series = Series {
        id: Uuid::now_v7(),
        issuer_id: setup.achievement.issuer_id,
        title: "Cataloguing".into(),
        description: None,
        created_at: now(),
        updated_at: now(),
    };
    setup.service.store.create_series(&series).await.unwrap();
    let badge = badge(
        &setup,
        "Series",
        json!([{ "kind": "series_completion", "series": series.id.to_string(), "at_least": 1, "min_minutes": 10 }]),
    )
    .await;
    let event = session(&setup, 60, None).await;
    attended(
        &setup,
        &event,
        &[
            ("a@example.org", 50),
            ("b@example.org", 40),
            ("c@example.org", 5),
        ],
    )
    .await;
    assert!(holders(&setup, &badge).await.is_empty());

    let joined = Event {
        series_id: Some(series.id),
        ..event.clone()
    };
    let edited = sessions::edit(&setup.service, &event, joined.clone())
        .await
        .unwrap();
    assert_eq!(edited.awarded(), 2);
    assert_eq!(
        holders(&setup, &badge).await,
        ["a@example.org", "b@example.org"]
    );

    // Leaving the series: nobody would complete it now, nobody loses the badge.
    let left = Event {
        series_id: None,
        ..joined.clone()
    };
    let edited = sessions::edit(&setup.service, &joined, left).await.unwrap();
    assert_eq!(edited.awarded(), 0);
    assert_eq!(edited.kept, 2);
    assert_eq!(
        holders(&setup, &badge).await,
        ["a@example.org", "b@example.org"]
    );
}
