//! Pathways through the service: evaluated after every award, on SQLite and PostgreSQL.
//!
//! Every case runs on a SQLite file and, when `LAUREL_TEST_POSTGRES_URL` is set, on a
//! PostgreSQL database of its own (failing, never skipping, when it is set but unreachable).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use laurel_service::keys::{self, JwtAlgorithm};
use laurel_service::mint::{self, Outcome, Recipient};
use laurel_service::pathways::{self, Group, OutcomeName, PathwayInput, Step};
use laurel_service::{FixedClock, Service, ServiceError, Urls, Vault, lifecycle};
use laurel_store::{
    Achievement, AwardFilter, EmailSettings, Issuer, NotificationState, ScratchDatabase,
    SmtpSecurity,
};
use uuid::Uuid;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T09:00:00Z")
        .unwrap()
        .to_utc()
}

/// One test's database: a SQLite file, or a PostgreSQL database dropped afterwards.
enum Db {
    Sqlite(tempfile::TempDir),
    Postgres(ScratchDatabase),
}

impl Db {
    fn url(&self) -> String {
        match self {
            Db::Sqlite(dir) => format!("sqlite://{}", dir.path().join("laurel.db").display()),
            Db::Postgres(db) => db.url().to_string(),
        }
    }
}

/// The databases to run on: SQLite always, PostgreSQL when configured.
async fn databases() -> Vec<Db> {
    let mut dbs = vec![Db::Sqlite(tempfile::tempdir().unwrap())];
    if let Some(server) = std::env::var("LAUREL_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        let db = ScratchDatabase::create(&server, "laurel_paths")
            .await
            .expect("LAUREL_TEST_POSTGRES_URL is set but PostgreSQL cannot be reached");
        dbs.push(Db::Postgres(db));
    }
    dbs
}

struct Setup {
    service: Arc<Service>,
    issuer: Issuer,
    badges: HashMap<&'static str, Achievement>,
    _db: Db,
}

impl Setup {
    fn id(&self, name: &str) -> Uuid {
        self.badges[name].id
    }

    async fn award(&self, name: &str, email: &str) -> Outcome {
        let mut outcomes = mint::award(&self.service, self.id(name), vec![Ok(person(email))], true)
            .await
            .unwrap();
        outcomes.remove(0)
    }

    /// The valid and revoked awards of `name`, by recipient.
    async fn holders(&self, name: &str) -> Vec<String> {
        let filter = AwardFilter {
            achievement_id: Some(self.id(name)),
            limit: 1000,
            ..AwardFilter::default()
        };
        let mut emails: Vec<String> = self
            .service
            .store
            .list_awards(&filter)
            .await
            .unwrap()
            .0
            .into_iter()
            .map(|a| a.recipient_email)
            .collect();
        emails.sort();
        emails
    }

    async fn save(&self, target: &str, outcome: OutcomeName, rule: Group) -> Result<(), String> {
        let input = PathwayInput {
            outcome,
            rule,
            invitation_subject: None,
            invitation_body: None,
        };
        pathways::save(&self.service, self.id(target), &input)
            .await
            .map(|_| ())
            .map_err(|e| match e {
                ServiceError::Invalid(message) => message,
                other => panic!("not a refusal: {other:?}"),
            })
    }

    fn all(&self, names: &[&str]) -> Group {
        Group {
            title: None,
            at_least: None,
            steps: names.iter().map(|n| Step::badge(self.id(n))).collect(),
        }
    }

    fn at_least(&self, n: u32, names: &[&str]) -> Group {
        Group {
            at_least: Some(n),
            ..self.all(names)
        }
    }
}

fn person(email: &str) -> Recipient {
    Recipient {
        email: email.into(),
        name: Some("Ada Lovelace".into()),
        include_name: None,
        narrative: None,
        evidence: vec![],
        activity_start_date: None,
        activity_end_date: None,
        result: None,
        credits_earned: None,
        role: None,
        awarded_date: None,
    }
}

const BADGES: [&str; 12] = [
    "A", "B", "C", "D", "E", "Cert", "Level 2", "X", "W1", "W2", "W3", "Workshop",
];

async fn setup(db: Db) -> Setup {
    let store = laurel_store::connect(&db.url()).await.unwrap();
    let (vault, _) = Vault::generate().unwrap();
    vault.check(store.as_ref()).await.unwrap();
    let service = Service::new(
        store,
        Urls::new("https://badges.example.org"),
        vault,
        Arc::new(FixedClock(now())),
    );
    let issuer = issuer("Library Association");
    keys::create_issuer(&service, &issuer, JwtAlgorithm::Es256)
        .await
        .unwrap();
    let mut badges = HashMap::new();
    for name in BADGES {
        let achievement = achievement(issuer.id, name);
        service
            .store
            .create_achievement(&achievement)
            .await
            .unwrap();
        badges.insert(name, achievement);
    }
    Setup {
        service: Arc::new(service),
        issuer,
        badges,
        _db: db,
    }
}

fn issuer(name: &str) -> Issuer {
    Issuer {
        id: Uuid::new_v4(),
        name: name.into(),
        url: Some("https://library.example.org".into()),
        email: None,
        description: None,
        image: None,
        jwt_algorithm: "ES256".into(),
        brand_color: None,
        show_award_count: false,
        linkedin_organization_id: None,
        include_recipient_name: true,
        paper_size: laurel_store::PaperSize::Letter,
        signatory_name: None,
        signatory_title: None,
        created_at: now(),
        updated_at: now(),
    }
}

fn achievement(issuer_id: Uuid, name: &str) -> Achievement {
    Achievement {
        id: Uuid::new_v4(),
        issuer_id,
        name: name.into(),
        description: format!("The {name} badge."),
        criteria_narrative: Some("Do the work.".into()),
        criteria_url: None,
        image: None,
        achievement_type: None,
        tags: vec![],
        alignment: "[]".into(),
        credits_available: None,
        valid_for_days: None,
        award_rules: "[]".into(),
        created_at: now(),
        updated_at: now(),
    }
}

/// "All of", "at least N of" and a nested group; then a pathway badge completing another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_of_at_least_nested_and_cascade() {
    for db in databases().await {
        let s = setup(db).await;
        // Cert: A and B, and at least 2 of C, D, E.
        let mut rule = s.all(&["A", "B"]);
        let mut electives = s.at_least(2, &["C", "D", "E"]);
        electives.title = Some("Electives".into());
        rule.steps.push(Step::group(electives));
        s.save("Cert", OutcomeName::Award, rule).await.unwrap();
        // Level 2: Cert and X.
        s.save("Level 2", OutcomeName::Award, s.all(&["Cert", "X"]))
            .await
            .unwrap();

        let ada = "ada@example.org";
        s.award("X", ada).await;
        for badge in ["A", "B", "C"] {
            s.award(badge, ada).await;
            assert!(s.holders("Cert").await.is_empty(), "not yet, after {badge}");
        }
        // The second elective completes the nested group, so Cert, so Level 2.
        s.award("E", ada).await;
        assert_eq!(s.holders("Cert").await, vec![ada]);
        assert_eq!(s.holders("Level 2").await, vec![ada]);
        // The pathway badge names what completed it.
        let cert = s
            .service
            .store
            .awards_for(s.id("Cert"), &[ada.to_string()])
            .await
            .unwrap()
            .remove(0);
        assert!(
            cert.credential.contains("Pathway step"),
            "{}",
            cert.credential
        );
        assert!(cert.credential.contains("Earned by completing a pathway"));
        assert_eq!(cert.recipient_name.as_deref(), Some("Ada Lovelace"));

        // Someone with A, B and one elective has nothing; "all of" needs all.
        let bob = "bob@example.org";
        for badge in ["A", "B", "D"] {
            s.award(badge, bob).await;
        }
        assert_eq!(s.holders("Cert").await, vec![ada]);
        // A revoked badge does not count toward a pathway.
        let c = s.award("C", "carol@example.org").await;
        let Outcome::Created(c) = c else { panic!() };
        lifecycle::revoke(&s.service, &[c.id], "in error")
            .await
            .unwrap();
        for badge in ["A", "B", "D"] {
            s.award(badge, "carol@example.org").await;
        }
        assert_eq!(s.holders("Cert").await, vec![ada]);
        // The pairs a Comprehensive Learner Record states as associations.
        let links = pathways::links(&s.service, s.issuer.id).await.unwrap();
        let mut pairs: Vec<(Uuid, Uuid)> = links.iter().map(|l| (l.pathway, l.required)).collect();
        pairs.sort();
        let mut expected: Vec<(Uuid, Uuid)> = ["A", "B", "C", "D", "E"]
            .iter()
            .map(|b| (s.id("Cert"), s.id(b)))
            .chain(["Cert", "X"].iter().map(|b| (s.id("Level 2"), s.id(b))))
            .collect();
        expected.sort();
        assert_eq!(pairs, expected);
        // Awarding again (an existing award) evaluates nothing new and breaks nothing.
        assert!(matches!(s.award("E", ada).await, Outcome::Existing(_)));
        assert_eq!(s.holders("Level 2").await, vec![ada]);
    }
}

/// Pathways that would go round in a circle, numbers beyond the list, other issuers' badges
/// and empty groups are refused, each in words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_pathways_are_refused() {
    for db in databases().await {
        let s = setup(db).await;
        s.save("Cert", OutcomeName::Award, s.all(&["A", "B"]))
            .await
            .unwrap();
        s.save("Level 2", OutcomeName::Award, s.all(&["Cert"]))
            .await
            .unwrap();
        let circle = s
            .save("A", OutcomeName::Award, s.all(&["Level 2"]))
            .await
            .unwrap_err();
        assert!(circle.contains("circle"), "{circle}");
        assert!(
            circle.contains("\"A\" cannot require \"Level 2\""),
            "{circle}"
        );
        assert!(s.service.store.pathway(s.id("A")).await.unwrap().is_none());

        let too_many = s
            .save("Cert", OutcomeName::Award, s.at_least(4, &["A", "B", "C"]))
            .await
            .unwrap_err();
        assert!(too_many.contains("at least 4 of 3"), "{too_many}");
        let empty = s
            .save("Cert", OutcomeName::Award, s.all(&[]))
            .await
            .unwrap_err();
        assert!(empty.contains("pick at least one badge"), "{empty}");

        let other = issuer("Another Library");
        keys::create_issuer(&s.service, &other, JwtAlgorithm::Es256)
            .await
            .unwrap();
        let theirs = achievement(other.id, "Their badge");
        s.service.store.create_achievement(&theirs).await.unwrap();
        let mut rule = s.all(&["A"]);
        rule.steps.push(Step::badge(theirs.id));
        let foreign = s.save("Cert", OutcomeName::Award, rule).await.unwrap_err();
        assert!(foreign.contains("another issuer's badge"), "{foreign}");
        // The stored pathway is untouched by the refusals.
        let stored = pathways::get(&s.service, s.id("Cert"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.summary, "all of: \"A\" and \"B\"");
        assert_eq!(s.issuer.name, "Library Association");
    }
}

/// Two awards completing one pathway at the same moment: one pathway badge.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_awards_give_one_pathway_badge() {
    for db in databases().await {
        let s = setup(db).await;
        s.save("Cert", OutcomeName::Award, s.all(&["A", "B"]))
            .await
            .unwrap();
        let people: Vec<String> = (0..6).map(|i| format!("p{i}@example.org")).collect();
        let mut tasks = Vec::new();
        for email in &people {
            for badge in ["A", "B"] {
                let service = s.service.clone();
                let id = s.id(badge);
                let email = email.clone();
                tasks.push(tokio::spawn(async move {
                    mint::award(&service, id, vec![Ok(person(&email))], false)
                        .await
                        .unwrap()
                }));
            }
        }
        for task in tasks {
            assert!(matches!(task.await.unwrap()[0], Outcome::Created(_)));
        }
        let mut expected = people.clone();
        expected.sort();
        assert_eq!(s.holders("Cert").await, expected);
        let filter = AwardFilter {
            achievement_id: Some(s.id("Cert")),
            limit: 0,
            ..AwardFilter::default()
        };
        assert_eq!(s.service.store.list_awards(&filter).await.unwrap().1, 6);
    }
}

/// Revoking a required badge flags the pathway badge for staff; it is not revoked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_a_step_flags_the_pathway_badge() {
    for db in databases().await {
        let s = setup(db).await;
        s.save("Cert", OutcomeName::Award, s.all(&["A", "B"]))
            .await
            .unwrap();
        let ada = "ada@example.org";
        let Outcome::Created(a) = s.award("A", ada).await else {
            panic!()
        };
        s.award("B", ada).await;
        let cert = s
            .service
            .store
            .awards_for(s.id("Cert"), &[ada.to_string()])
            .await
            .unwrap()
            .remove(0);
        assert!(
            pathways::warnings(&s.service, &[s.issuer.id])
                .await
                .unwrap()
                .is_empty()
        );
        lifecycle::revoke(&s.service, &[a.id], "in error")
            .await
            .unwrap();
        let cert_now = s.service.store.award(cert.id).await.unwrap();
        assert!(cert_now.revoked_at.is_none(), "never revoked silently");
        let flagged = pathways::warnings(&s.service, &[s.issuer.id])
            .await
            .unwrap();
        assert_eq!(flagged.len(), 1);
        assert_eq!(flagged[0].award_id, cert.id);
        assert_eq!(
            flagged[0].reasons,
            vec!["\"A\" was revoked on 1 March 2026"]
        );
        let one = pathways::unmet_for_award(&s.service, &cert_now)
            .await
            .unwrap();
        assert_eq!(one.unwrap().award_id, cert.id);

        // A suspended step does not count; lifting the suspension completes the pathway.
        let bob = "bob@example.org";
        let Outcome::Created(b) = s.award("B", bob).await else {
            panic!()
        };
        lifecycle::suspend(&s.service, b.id, Some("checking"))
            .await
            .unwrap();
        s.award("A", bob).await;
        assert_eq!(s.holders("Cert").await, vec![ada]);
        lifecycle::unsuspend(&s.service, b.id).await.unwrap();
        assert_eq!(s.holders("Cert").await, vec![ada, bob]);
    }
}

/// An invitation pathway sends its email once per recipient, however often it completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitation_is_sent_exactly_once() {
    for db in databases().await {
        let s = setup(db).await;
        s.service
            .store
            .set_email_settings(&EmailSettings {
                issuer_id: s.issuer.id,
                host: "smtp.example.org".into(),
                port: 587,
                security: SmtpSecurity::Starttls,
                username: None,
                sealed_password: None,
                from_address: "badges@example.org".into(),
                from_name: None,
                reply_to: None,
                rate_per_minute: None,
                dry_run: true,
                updated_at: now(),
            })
            .await
            .unwrap();
        let input = PathwayInput {
            outcome: OutcomeName::Invite,
            rule: s.all(&["W1", "W2", "W3"]),
            invitation_subject: Some("Join us at {{badge_name}}, {{recipient_name}}".into()),
            invitation_body: Some("You finished the webinars. See {{credential_url}}".into()),
        };
        pathways::save(&s.service, s.id("Workshop"), &input)
            .await
            .unwrap();
        // A template with a typo is refused beside the invitation.
        let typo = PathwayInput {
            invitation_body: Some("{{badge_nmae}}".into()),
            ..input.clone()
        };
        let refused = pathways::save(&s.service, s.id("Workshop"), &typo)
            .await
            .unwrap_err();
        assert!(refused.to_string().contains("badge_nmae"), "{refused}");

        // An invitation is no badge: no association for a learner record.
        assert!(
            pathways::links(&s.service, s.issuer.id)
                .await
                .unwrap()
                .is_empty()
        );
        let ada = "ada@example.org";
        for badge in ["W1", "W2"] {
            s.award(badge, ada).await;
        }
        assert!(
            s.service
                .store
                .invitations(s.id("Workshop"))
                .await
                .unwrap()
                .is_empty()
        );
        s.award("W3", ada).await;
        // Invited, not awarded.
        assert!(s.holders("Workshop").await.is_empty());
        let sent = laurel_service::email::worker::drain(&s.service)
            .await
            .unwrap();
        assert!(sent.sent >= 1, "{sent:?}");
        // Completing it again (a re-evaluation for everyone) sends nothing more.
        assert_eq!(
            pathways::evaluate_all(&s.service, s.id("Workshop"))
                .await
                .unwrap(),
            0
        );
        laurel_service::email::worker::drain(&s.service)
            .await
            .unwrap();
        let invitations = s.service.store.invitations(s.id("Workshop")).await.unwrap();
        assert_eq!(invitations.len(), 1);
        assert_eq!(invitations[0].state, NotificationState::Sent);
        assert_eq!(invitations[0].attempts, 1);
        assert_eq!(
            invitations[0].subject.as_deref(),
            Some("Join us at Workshop, Ada Lovelace")
        );
    }
}

/// Invitations keep the issuer's emails-per-minute limit, counted with its award emails: a
/// whole cohort completing a pathway at once is invited a few a minute.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_keep_the_issuers_emails_per_minute() {
    for db in databases().await {
        let s = setup(db).await;
        s.service
            .store
            .set_email_settings(&EmailSettings {
                issuer_id: s.issuer.id,
                host: "smtp.example.org".into(),
                port: 587,
                security: SmtpSecurity::Starttls,
                username: None,
                sealed_password: None,
                from_address: "badges@example.org".into(),
                from_name: None,
                reply_to: None,
                rate_per_minute: Some(2),
                dry_run: true,
                updated_at: now(),
            })
            .await
            .unwrap();
        let input = PathwayInput {
            outcome: OutcomeName::Invite,
            rule: s.all(&["W1"]),
            invitation_subject: None,
            invitation_body: None,
        };
        pathways::save(&s.service, s.id("Workshop"), &input)
            .await
            .unwrap();
        // Five people complete it at once (their badges' own emails not sent).
        let cohort: Vec<_> = (0..5)
            .map(|n| Ok(person(&format!("p{n}@example.org"))))
            .collect();
        mint::award(&s.service, s.id("W1"), cohort, false)
            .await
            .unwrap();
        let sent = |service: &Service| {
            let service = service.store.clone();
            let workshop = s.id("Workshop");
            async move {
                service
                    .invitations(workshop)
                    .await
                    .unwrap()
                    .iter()
                    .filter(|i| i.state == NotificationState::Sent)
                    .count()
            }
        };
        let tally = laurel_service::email::worker::drain(&s.service)
            .await
            .unwrap();
        assert_eq!(tally.sent, 2, "{tally:?}");
        assert_eq!(sent(&s.service).await, 2);
        // A minute later, two more; the rest the minute after.
        for (seconds, total) in [(60, 4), (120, 5)] {
            let (vault, _) = Vault::generate().unwrap();
            let later = Arc::new(Service::new(
                s.service.store.clone(),
                Urls::new("https://badges.example.org"),
                vault,
                Arc::new(FixedClock(now() + chrono::Duration::seconds(seconds))),
            ));
            laurel_service::email::worker::drain(&later).await.unwrap();
            assert_eq!(sent(&later).await, total);
        }
    }
}

/// Progress is shown for the award a progress token was made for, and for nothing else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_needs_the_recipients_token() {
    for db in databases().await {
        let s = setup(db).await;
        s.save("Cert", OutcomeName::Award, s.all(&["A", "B", "C"]))
            .await
            .unwrap();
        let ada = "ada@example.org";
        let Outcome::Created(a) = s.award("A", ada).await else {
            panic!()
        };
        s.award("B", ada).await;
        let token = pathways::progress_token(&s.service, a.id).await.unwrap();
        let (email, progress) = pathways::progress_for_token(&s.service, s.id("Cert"), &token)
            .await
            .unwrap();
        assert_eq!(email, ada);
        assert_eq!(progress.in_words(), "2 of 3 done");
        assert!(!progress.complete);
        assert!(progress.steps[0].done && progress.steps[1].done && !progress.steps[2].done);

        // Tampered, made up, an award id without the key's MAC, a moved expiry, or the old
        // never-expiring form: refused alike.
        let (id, rest) = token.split_once('.').unwrap();
        let (seconds, mac) = rest.split_once('.').unwrap();
        let later: i64 = seconds.parse::<i64>().unwrap() + 86_400 * 365;
        let mut other_mac = mac.to_string();
        let last = other_mac.pop().unwrap();
        other_mac.push(if last == 'A' { 'B' } else { 'A' });
        let Outcome::Created(bob) = s.award("A", "bob@example.org").await else {
            panic!()
        };
        for forged in [
            format!("{id}.{seconds}.{other_mac}"),
            format!("{}.{seconds}.{mac}", bob.id.simple()),
            format!("{id}.{later}.{mac}"),
            format!("{id}.{mac}"),
            bob.id.to_string(),
            String::new(),
        ] {
            let refused = pathways::progress_for_token(&s.service, s.id("Cert"), &forged).await;
            assert!(
                matches!(refused, Err(ServiceError::NotFound(_))),
                "{forged}: {refused:?}"
            );
        }
        // No pathway on that badge: nothing to show.
        assert!(
            pathways::progress_for_token(&s.service, s.id("X"), &token)
                .await
                .is_err()
        );
    }
}

/// A progress link works for PROGRESS_LINK_DAYS, then says it has expired; the claim page's
/// next visit makes a fresh one that works again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_links_expire() {
    for db in databases().await {
        let s = setup(db).await;
        s.save("Cert", OutcomeName::Award, s.all(&["A", "B"]))
            .await
            .unwrap();
        let Outcome::Created(a) = s.award("A", "ada@example.org").await else {
            panic!()
        };
        let token = pathways::progress_token(&s.service, a.id).await.unwrap();
        // The same database (and so the same key), seen at another time.
        let at = |days: i64| {
            let (vault, _) = Vault::generate().unwrap();
            Service::new(
                s.service.store.clone(),
                Urls::new("https://badges.example.org"),
                vault,
                Arc::new(FixedClock(now() + chrono::Duration::days(days))),
            )
        };
        let almost = at(pathways::PROGRESS_LINK_DAYS - 1);
        let (_, progress) = pathways::progress_for_token(&almost, s.id("Cert"), &token)
            .await
            .unwrap();
        assert_eq!(progress.in_words(), "1 of 2 done");
        let after = at(pathways::PROGRESS_LINK_DAYS);
        match pathways::progress_for_token(&after, s.id("Cert"), &token).await {
            Err(ServiceError::NotFound(message)) => {
                assert!(message.contains("expired"), "{message}");
                assert!(message.contains("claim link"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        let fresh = pathways::progress_token(&after, a.id).await.unwrap();
        assert!(
            pathways::progress_for_token(&after, s.id("Cert"), &fresh)
                .await
                .is_ok()
        );
    }
}
