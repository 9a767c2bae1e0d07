//! Endorsements: signed here for a hosted endorser, imported (verified) from one elsewhere,
//! refused when tampered with or about something else, and embedded in the credentials issued
//! afterwards, which still verify (and report each endorsement apart from the verdict).

use chrono::Duration;
use laurel_core::keys::SigningKey;
use laurel_core::model::{CredentialSchema, EndorsementCredential, EndorsementSubject, Profile};
use laurel_core::proof::{self, Cryptosuite, ProofOptions};
use laurel_core::schema::Schema;
use laurel_service::documents;
use laurel_service::endorsements::{self, Endorsed};
use laurel_service::keys::{self, JwtAlgorithm};
use laurel_service::mint::Outcome;
use laurel_service::{Service, ServiceError};
use laurel_store::{EndorsementOrigin, Issuer};
use laurel_verify::{KeySource, KeyStore, Options, Report, Verdict, Verifier};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Setup, award_one, now, setup};

/// Stores a second issuer, the endorsing state library, with its keys.
async fn state_library(service: &Service) -> Issuer {
    let issuer = Issuer {
        id: Uuid::new_v4(),
        name: "Nebraska Library Commission".into(),
        url: Some("https://nlc.nebraska.gov".into()),
        email: None,
        description: None,
        image: None,
        jwt_algorithm: "EdDSA".into(),
        brand_color: None,
        show_award_count: false,
        linkedin_organization_id: None,
        include_recipient_name: true,
        paper_size: laurel_store::PaperSize::Letter,
        signatory_name: None,
        signatory_title: None,
        created_at: now(),
        updated_at: now(),
    };
    keys::create_issuer(service, &issuer, JwtAlgorithm::EdDsa)
        .await
        .unwrap();
    issuer
}

/// A verifier that knows this service's issuers' keys and status lists as they are now (as the
/// service's own verify page does), checking at `now` + 1 minute.
async fn verifier(service: &Service) -> Verifier {
    let mut store = KeyStore::default();
    for issuer in service.store.list_issuers().await.unwrap() {
        let found = service.store.issuer_keys(issuer.id).await.unwrap();
        let document =
            documents::keys::controller_document(&service.urls, issuer.id, &found).unwrap();
        store
            .add_with_source(&document, &KeySource::Listed("this site".into()))
            .unwrap();
    }
    let mut options = Options::offline(now() + Duration::minutes(1));
    options.keys = store;
    for list in service.store.status_lists(None).await.unwrap() {
        let (_, signed) = laurel_service::status::signed(service, list.id)
            .await
            .unwrap();
        options
            .status_lists
            .push(serde_json::from_str(&signed).unwrap());
    }
    Verifier::new(options)
}

fn verify(verifier: &Verifier, document: &Value) -> Report {
    verifier.verify_bytes(document.to_string().as_bytes())
}

/// An endorsement of `subject` signed elsewhere by a did:key endorser (seed `seed`).
fn did_key_endorsement(seed: u8, subject: &str, comment: &str) -> Value {
    let key = SigningKey::from_ed25519_seed(&[seed; 32]);
    let did = key.public_key().to_did_key().unwrap();
    let method = key.public_key().to_did_key_verification_method().unwrap();
    let credential = EndorsementCredential::builder(
        format!("urn:uuid:{}", Uuid::new_v4()),
        Profile::new(did, "State Library of Indiana"),
        now() - Duration::days(1),
        EndorsementSubject::new(subject, Some(comment.to_string())),
    )
    .name("Indiana State Library endorses this badge")
    .credential_schema(CredentialSchema::endorsement_credential())
    .build()
    .unwrap();
    let unsigned = serde_json::to_value(&credential).unwrap();
    assert!(Schema::EndorsementCredential.validate(&unsigned).is_empty());
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        verification_method: method,
        created: now() - Duration::days(1),
    };
    proof::sign(&unsigned, &key, &options).unwrap()
}

fn invalid(error: ServiceError) -> String {
    match error {
        ServiceError::Invalid(message) => message,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn a_hosted_endorser_signs_and_credentials_issued_afterwards_embed_it() {
    let setup: Setup = setup().await;
    let service = &setup.service;
    let library = state_library(service).await;
    let achievement_url = service.urls.achievement(setup.achievement.id);
    let before = match award_one(&setup, "before@example.org").await {
        Outcome::Created(award) => award,
        other => panic!("{other:?}"),
    };

    let endorsement = endorsements::sign(
        service,
        Endorsed::Achievement(setup.achievement.id),
        library.id,
        "Counts toward Nebraska CE renewal.",
    )
    .await
    .unwrap();
    assert_eq!(endorsement.origin, EndorsementOrigin::Signed);
    assert_eq!(endorsement.endorser_issuer_id, Some(library.id));
    assert_eq!(endorsement.endorser_name, "Nebraska Library Commission");
    let signed: Value = serde_json::from_str(&endorsement.credential).unwrap();
    assert_eq!(
        signed["type"],
        json!(["VerifiableCredential", "EndorsementCredential"])
    );
    assert_eq!(signed["id"], service.urls.endorsement(endorsement.id));
    assert_eq!(signed["issuer"]["id"], service.urls.issuer(library.id));
    assert_eq!(signed["credentialSubject"]["id"], achievement_url);
    assert_eq!(
        signed["credentialSubject"]["type"],
        json!(["EndorsementSubject"])
    );
    assert_eq!(
        signed["credentialSubject"]["endorsementComment"],
        "Counts toward Nebraska CE renewal."
    );
    assert!(Schema::EndorsementCredential.validate(&signed).is_empty());

    // Laurel's own verifier: the endorsement verifies with the endorser's key.
    let verifier = verifier(service).await;
    let report = verify(&verifier, &signed);
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
    assert_eq!(
        report.issuer.as_ref().unwrap().name.as_deref(),
        Some("Nebraska Library Commission")
    );

    // An endorsement of the issuer as well.
    let of_issuer = endorsements::sign(
        service,
        Endorsed::Issuer(setup.achievement.issuer_id),
        library.id,
        "A trusted CE provider.",
    )
    .await
    .unwrap();

    // A credential issued now embeds both; its own proof covers them, and it verifies.
    let after = match award_one(&setup, "after@example.org").await {
        Outcome::Created(award) => award,
        other => panic!("{other:?}"),
    };
    let credential: Value = serde_json::from_str(&after.credential).unwrap();
    assert_eq!(
        credential["credentialSubject"]["achievement"]["endorsement"],
        json!([signed])
    );
    assert_eq!(
        credential["issuer"]["endorsement"],
        json!([serde_json::from_str::<Value>(&of_issuer.credential).unwrap()])
    );
    assert!(
        Schema::AchievementCredential
            .validate(&credential)
            .is_empty()
    );
    let report = verify(&verifier, &credential);
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
    assert_eq!(report.endorsements.len(), 2, "{report:#?}");
    for found in &report.endorsements {
        assert_eq!(found.verdict, Verdict::Valid, "{found:#?}");
        assert_eq!(
            found.endorser_name.as_deref(),
            Some("Nebraska Library Commission")
        );
    }
    let places: Vec<&str> = report.endorsements.iter().map(|e| e.attached_to).collect();
    assert!(places.contains(&"achievement") && places.contains(&"issuer"));
    // The VC-JWT carries the same credential.
    let decoded = laurel_core::jwt::decode(&after.jwt).unwrap();
    assert_eq!(decoded.credential, credential);
    // Changing the embedded endorsement breaks the credential's own proof.
    let mut tampered = credential.clone();
    tampered["credentialSubject"]["achievement"]["endorsement"][0]["credentialSubject"]["endorsementComment"] =
        json!("Counts double.");
    assert_eq!(verify(&verifier, &tampered).verdict, Verdict::Invalid);

    // The credential issued before is unchanged.
    let stored = service.store.award(before.id).await.unwrap();
    assert_eq!(stored.credential, before.credential);
    assert!(!stored.credential.contains("endorsement"));

    // Withdrawn: later credentials no longer embed it.
    endorsements::withdraw(service, endorsement.id)
        .await
        .unwrap();
    let later = match award_one(&setup, "later@example.org").await {
        Outcome::Created(award) => award,
        other => panic!("{other:?}"),
    };
    let credential: Value = serde_json::from_str(&later.credential).unwrap();
    assert!(
        credential["credentialSubject"]["achievement"]
            .get("endorsement")
            .is_none()
    );
    assert!(credential["issuer"].get("endorsement").is_some());
}

#[tokio::test]
async fn signing_is_refused_for_oneself_without_a_comment_or_for_no_issuer() {
    let setup = setup().await;
    let service = &setup.service;
    let library = state_library(service).await;
    let endorsed = Endorsed::Achievement(setup.achievement.id);
    let own = invalid(
        endorsements::sign(service, endorsed, setup.achievement.issuer_id, "Great")
            .await
            .unwrap_err(),
    );
    assert!(own.contains("cannot endorse itself"), "{own}");
    let blank = invalid(
        endorsements::sign(service, endorsed, library.id, "  ")
            .await
            .unwrap_err(),
    );
    assert!(blank.starts_with("comment"), "{blank}");
    assert!(matches!(
        endorsements::sign(service, endorsed, Uuid::new_v4(), "Great").await,
        Err(ServiceError::NotFound(_))
    ));
    assert!(matches!(
        endorsements::sign(
            service,
            Endorsed::Achievement(Uuid::new_v4()),
            library.id,
            "Great"
        )
        .await,
        Err(ServiceError::NotFound(_))
    ));
    assert!(
        endorsements::list(service, endorsed)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn an_endorsement_signed_elsewhere_is_verified_on_import() {
    let setup = setup().await;
    let service = &setup.service;
    let verifier = verifier(service).await;
    let endorsed = Endorsed::Achievement(setup.achievement.id);
    let achievement_url = service.urls.achievement(setup.achievement.id);
    let genuine = did_key_endorsement(7, &achievement_url, "Approved for Indiana LEU credit.");

    // Tampered: the comment changed after signing.
    let mut tampered = genuine.clone();
    tampered["credentialSubject"]["endorsementComment"] = json!("Approved for double credit.");
    let report = verify(&verifier, &tampered);
    assert_eq!(report.verdict, Verdict::Invalid);
    let refused = invalid(
        endorsements::import(service, endorsed, &tampered, &report)
            .await
            .unwrap_err(),
    );
    assert!(refused.contains("does not verify"), "{refused}");

    // Genuine, but for something else (the issuer, not this badge).
    let elsewhere = did_key_endorsement(
        7,
        &service.urls.issuer(setup.achievement.issuer_id),
        "A good provider.",
    );
    let report = verify(&verifier, &elsewhere);
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
    let refused = invalid(
        endorsements::import(service, endorsed, &elsewhere, &report)
            .await
            .unwrap_err(),
    );
    assert!(refused.contains("not Cataloguing Basics"), "{refused}");

    // Not an endorsement at all.
    let mut other = genuine.clone();
    other["type"] = json!(["VerifiableCredential", "OpenBadgeCredential"]);
    let refused = invalid(
        endorsements::import(service, endorsed, &other, &verify(&verifier, &other))
            .await
            .unwrap_err(),
    );
    assert!(refused.contains("not an endorsement"), "{refused}");
    assert!(
        endorsements::list(service, endorsed)
            .await
            .unwrap()
            .is_empty()
    );

    // Genuine: recorded, with the endorser's name and comment read from it.
    let report = verify(&verifier, &genuine);
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
    let stored = endorsements::import(service, endorsed, &genuine, &report)
        .await
        .unwrap();
    assert_eq!(stored.origin, EndorsementOrigin::Imported);
    assert_eq!(stored.endorser_name, "State Library of Indiana");
    assert!(stored.endorser_id.starts_with("did:key:z6Mk"));
    assert_eq!(stored.endorser_issuer_id, None);
    assert_eq!(
        stored.comment.as_deref(),
        Some("Approved for Indiana LEU credit.")
    );
    assert_eq!(
        serde_json::from_str::<Value>(&stored.credential).unwrap(),
        genuine
    );
    // Twice: refused.
    assert!(matches!(
        endorsements::import(service, endorsed, &genuine, &report).await,
        Err(ServiceError::Conflict(_))
    ));

    // Embedded, exactly as the endorser signed it, and verified inside the credential.
    let award = match award_one(&setup, "ada@example.org").await {
        Outcome::Created(award) => award,
        other => panic!("{other:?}"),
    };
    let credential: Value = serde_json::from_str(&award.credential).unwrap();
    assert_eq!(
        credential["credentialSubject"]["achievement"]["endorsement"],
        json!([genuine])
    );
    let verifier = self::verifier(service).await;
    let report = verify(&verifier, &credential);
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
    assert_eq!(report.endorsements.len(), 1);
    assert_eq!(report.endorsements[0].verdict, Verdict::Valid);
    assert_eq!(
        report.endorsements[0].endorser_name.as_deref(),
        Some("State Library of Indiana")
    );
}

#[tokio::test]
async fn imports_are_refused_in_plain_words() {
    let setup = setup().await;
    let service = &setup.service;
    assert!(matches!(
        endorsements::parse_import("eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2ln"),
        Err(ServiceError::Unsupported(message)) if message.contains("VC-JWT")
    ));
    assert!(matches!(
        endorsements::parse_import("not json"),
        Err(ServiceError::Unreadable(_))
    ));
    assert!(matches!(
        endorsements::parse_import(" "),
        Err(ServiceError::Invalid(_))
    ));
    let big = format!(
        "{{\"x\":\"{}\"}}",
        "a".repeat(endorsements::MAX_IMPORT_BYTES)
    );
    assert!(matches!(
        endorsements::parse_import(&big),
        Err(ServiceError::Invalid(message)) if message.contains("KiB")
    ));

    // The issuer endorsing its own badge, through an import: refused.
    let library = state_library(service).await;
    let own = endorsements::sign(
        service,
        Endorsed::Achievement(setup.achievement.id),
        library.id,
        "Fine",
    )
    .await
    .unwrap();
    let credential: Value = serde_json::from_str(&own.credential).unwrap();
    let verifier = verifier(service).await;
    let report = verify(&verifier, &credential);
    assert_eq!(report.verdict, Verdict::Valid);
    // Recorded for the library's own achievement, it would be self-endorsement; here it is
    // simply a second copy of what is stored.
    assert!(matches!(
        endorsements::import(
            service,
            Endorsed::Achievement(setup.achievement.id),
            &credential,
            &report
        )
        .await,
        Err(ServiceError::Conflict(_))
    ));
}
