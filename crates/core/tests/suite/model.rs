//! Tests of `laurel_core::model` against published credentials and of the shapes we emit.

use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use laurel_core::model::{
    Achievement, AchievementResult, AchievementSubject, BitstringStatusListEntry, BuildError,
    Credential, CredentialSchema, CredentialStatus, Criteria, EndorsementCredential,
    EndorsementSubject, Evidence, IdentityObject, Image, OneOrMany, OpenBadgeCredential, Profile,
    ProfileRef, Proof, RefreshService, RevocationListStatus, vocab,
};
use serde_json::{Value, json};

/// A published credential from `tests/vectors/` (sources in its README), named by a prefix for
/// its collection: `1edtech-` (1EdTech's validator test resources), `dcc-` (DCC's
/// vc-test-fixtures, v2 Data Integrity did:key), or the OB spec's `ob-spec-signed-credential`.
///
/// What they exercise: `1edtech-simple*` (`AchievementCredential` alias, `-08:00` offset, OB
/// context 3.0.2); `1edtech-complete` (every OB class, nested endorsements, 1EdTech schema,
/// status and refresh types, integer `creditsEarned`); `1edtech-endorsement-valid` (an
/// EndorsementCredential); `1edtech-credential-status-revoked` and `*_v1` (VCDM 1.1,
/// `issuanceDate`, string `type`s, single-object `proof`, Ed25519Signature2020); `dcc-*`
/// (single-object `proof` and `identifier`, BitstringStatusListEntry, JsonSchema, a rich issuer,
/// an unlisted `achievementType`); `dcc-…-minimal` (a plain VC that must not parse as an OB).
fn fixture(name: &str) -> Value {
    let vectors = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors");
    let path = if let Some(file) = name.strip_prefix("1edtech-") {
        vectors
            .join("1edtech-dc-public-validator/inspector-vc/src/test/resources/ob30")
            .join(file)
    } else if let Some(file) = name.strip_prefix("dcc-") {
        vectors
            .join("dcc-vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof/didKey")
            .join(file)
    } else if name == "ob-spec-signed-credential.json" {
        vectors.join("1edtech-openbadges-specification/ob_v3p0/impl/linked-data-proof-ob/signed-credential.json")
    } else {
        panic!("no fixture collection for {name}")
    };
    let text = std::fs::read_to_string(&path).expect("fixture exists");
    serde_json::from_str(&text).expect("fixture is JSON")
}

fn parse_ob(name: &str) -> OpenBadgeCredential {
    serde_json::from_value(fixture(name)).expect("parses as OpenBadgeCredential")
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
        .single()
        .expect("valid date")
}

/// Every JSON path holding `null` or `[]`.
fn nulls_and_empty_arrays(v: &Value, path: &str, out: &mut Vec<String>) {
    match v {
        Value::Null => out.push(path.to_owned()),
        Value::Array(items) if items.is_empty() => out.push(path.to_owned()),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                nulls_and_empty_arrays(item, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                nulls_and_empty_arrays(item, &format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}

/// Adds an unknown property to every object in `v`.
fn add_unknown_everywhere(v: &mut Value, depth: usize) {
    match v {
        Value::Object(map) => {
            for item in map.values_mut() {
                add_unknown_everywhere(item, depth + 1);
            }
            map.insert(
                format!("urn:example:unknown{depth}"),
                json!({"nested": [1, 2.5, null, "x"], "n": -3}),
            );
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| add_unknown_everywhere(item, depth + 1)),
        _ => {}
    }
}

const OB_FIXTURES: &[&str] = &[
    "1edtech-simple.json",
    "1edtech-complete.json",
    "1edtech-simple-did-key-method.json",
    "1edtech-credential-status-revoked.json",
    "1edtech-simple_v1.json",
    "1edtech-complete_v1.json",
    "1edtech-simple-context-version.json",
    "ob-spec-signed-credential.json",
    "dcc-legacyRegistry-noStatus-noExpiry-OBSpecExample.json",
    "dcc-legacyRegistry-noStatus-noExpiry-identityHash.json",
    "dcc-legacyRegistry-noStatus-notExpired-withSchema.json",
    "dcc-legacyRegistry-noStatus-noExpiry-achievementTypeExample.json",
    "dcc-noRegistry-revokedStatus-noExpiry.json",
    "dcc-oidf-noStatus-notExpired-complexIssuer.json",
    "dcc-twoOIDF-revoked-notExpired-badSchema.json",
];

mod model_round_trip {
    use super::*;

    #[test]
    fn open_badge_fixtures_round_trip_exactly() {
        for name in OB_FIXTURES {
            let v = fixture(name);
            let cred: OpenBadgeCredential = serde_json::from_value(v.clone())
                .unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
            assert!(cred.is_open_badge(), "{name}");
            assert_eq!(serde_json::to_value(&cred).expect("ser"), v, "{name}");
        }
    }

    #[test]
    fn endorsement_fixture_round_trips_as_endorsement() {
        let v = fixture("1edtech-endorsement-valid.json");
        let cred: EndorsementCredential = serde_json::from_value(v.clone()).expect("parses");
        assert!(cred.is_endorsement() && !cred.is_open_badge());
        assert_eq!(
            cred.credential_subject.endorsement_comment.as_deref(),
            Some("1EdTech University is in good standing")
        );
        assert_eq!(serde_json::to_value(&cred).expect("ser"), v);
    }

    #[test]
    fn unknown_properties_survive_at_every_level() {
        for name in [
            "1edtech-complete.json",
            "1edtech-credential-status-revoked.json",
            "dcc-noRegistry-revokedStatus-noExpiry.json",
            "dcc-oidf-noStatus-notExpired-complexIssuer.json",
        ] {
            let mut v = fixture(name);
            add_unknown_everywhere(&mut v, 0);
            let cred: OpenBadgeCredential = serde_json::from_value(v.clone())
                .unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
            assert_eq!(serde_json::to_value(&cred).expect("ser"), v, "{name}");
        }
    }

    #[test]
    fn a_plain_vc_is_not_an_open_badge() {
        let err = serde_json::from_value::<OpenBadgeCredential>(fixture(
            "dcc-legacyRegistry-noStatus-noExpiry-minimal.json",
        ))
        .expect_err("subject has no type and no achievement");
        assert!(err.to_string().contains("missing field"), "{err}");
    }
}

mod model_accept {
    use super::*;

    #[test]
    fn vcdm_1_1_credential() {
        let cred = parse_ob("1edtech-credential-status-revoked.json");
        assert!(cred.is_vcdm_v1());
        assert!(cred.has_type(vocab::ACHIEVEMENT_CREDENTIAL));
        assert_eq!(cred.ob_context(), Some(vocab::OB_CONTEXT_3_0_1));
        assert!(cred.valid_from.is_none());
        assert_eq!(cred.valid_from(), Some(utc(2023, 5, 23, 1, 10, 41)));
        assert_eq!(cred.valid_until(), None);
        assert_eq!(
            cred.awarded_date.as_ref().map(|d| d.as_str()),
            Some("2023-05-22T10:21:00Z")
        );
        assert_eq!(
            cred.issuer_id(),
            "did:web:dc.1edtech.org:wellspring2022:wellspring-portal:org:da1e96e9-afcc-4eed-b9a2-2ddf7353214c"
        );
        assert!(cred.credential_subject.r#type.is_one());
        assert!(cred.proof.is_one());
        assert_eq!(cred.proof.len(), 1);
        assert_eq!(cred.proof.as_slice()[0].r#type, "Ed25519Signature2020");
        assert!(matches!(
            cred.credential_status,
            Some(CredentialStatus::RevocationList(_))
        ));
        assert!(cred.uses_one_edtech_types());
    }

    #[test]
    fn vcdm_1_1_expiration_and_context_3_0_0() {
        let cred = parse_ob("1edtech-simple_v1.json");
        assert_eq!(cred.ob_context(), Some(vocab::OB_CONTEXT_3_0_0));
        assert_eq!(cred.valid_from(), Some(utc(2010, 1, 1, 0, 0, 0)));
        let complete = parse_ob("1edtech-complete_v1.json");
        let endorsement = complete
            .credential_subject
            .achievement
            .endorsement
            .first()
            .expect("has endorsements");
        assert_eq!(endorsement.valid_until(), Some(utc(2020, 1, 1, 0, 0, 0)));
    }

    #[test]
    fn offsets_issuer_forms_and_status() {
        let cred = parse_ob("1edtech-simple-did-key-method.json");
        assert_eq!(cred.valid_from(), Some(utc(2022, 11, 10, 15, 38, 0)));
        assert!(cred.has_type(vocab::ACHIEVEMENT_CREDENTIAL));

        let mut v = fixture("1edtech-simple.json");
        v["issuer"] = json!("https://example.com/issuers/876543");
        let bare: OpenBadgeCredential = serde_json::from_value(v.clone()).expect("bare issuer");
        assert!(matches!(bare.issuer, ProfileRef::Uri(_)));
        assert_eq!(bare.issuer_id(), "https://example.com/issuers/876543");
        assert_eq!(serde_json::to_value(&bare).expect("ser"), v);

        let revoked = parse_ob("dcc-noRegistry-revokedStatus-noExpiry.json");
        let Some(CredentialStatus::BitstringStatusList(entry)) = &revoked.credential_status else {
            panic!("expected a BitstringStatusListEntry");
        };
        assert_eq!(entry.status_purpose, "revocation");
        assert_eq!(entry.index(), Some(8));
        assert!(!revoked.uses_one_edtech_types());

        let hashed = parse_ob("dcc-legacyRegistry-noStatus-noExpiry-identityHash.json");
        let identifier = &hashed.credential_subject.identifier;
        assert!(identifier.is_one());
        assert!(
            identifier
                .first()
                .expect("one")
                .matches("name", "Parker Pearl")
        );
    }

    #[test]
    fn complete_fixture_fields_are_typed() {
        let cred = parse_ob("1edtech-complete.json");
        let subject = &cred.credential_subject;
        assert_eq!(
            subject.credits_earned.as_ref().and_then(|n| n.as_f64()),
            Some(42.0)
        );
        assert_eq!(subject.result.len(), 3);
        assert_eq!(
            subject.result.as_slice()[2].status.as_deref(),
            Some("Completed")
        );
        let achievement = &subject.achievement;
        assert_eq!(achievement.achievement_type.as_deref(), Some("Degree"));
        assert_eq!(achievement.alignment.len(), 2);
        assert_eq!(achievement.tag.as_slice(), ["research", "computer science"]);
        assert_eq!(achievement.result_description.len(), 3);
        let creator = achievement.creator.as_ref().expect("creator");
        assert_eq!(creator.endorsement.len(), 2);
        assert_eq!(
            creator.parent_org.as_ref().map(|p| p.id.as_str()),
            Some("did:example:123456789")
        );
        assert_eq!(cred.evidence.len(), 2);
        assert_eq!(cred.valid_until(), Some(utc(2030, 1, 1, 0, 0, 0)));
        assert!(cred.uses_one_edtech_types());
        let proof = cred.proof.first().expect("proof");
        assert_eq!(proof.cryptosuite.as_deref(), Some(vocab::EDDSA_RDFC_2022));
        assert_eq!(
            proof.proof_purpose.as_deref(),
            Some(vocab::ASSERTION_METHOD)
        );
    }

    #[test]
    fn invalid_dates_are_rejected_with_the_field_text() {
        let mut v = fixture("1edtech-simple.json");
        v["validFrom"] = json!("2010-01-01T00:00:00");
        let err = serde_json::from_value::<OpenBadgeCredential>(v).expect_err("no timezone");
        assert!(err.to_string().contains("2010-01-01T00:00:00"), "{err}");
    }

    #[test]
    fn ensure_contexts_reorders_and_is_idempotent() {
        let mut cred = parse_ob("1edtech-simple.json");
        cred.context = OneOrMany::Many(vec![
            "https://example.org/extra.jsonld".into(),
            vocab::OB_CONTEXT_3_0_2.into(),
        ]);
        cred.refresh_service = Some(RefreshService::one_edtech("https://example.org/refresh"));
        cred.ensure_contexts();
        let once = cred.clone();
        cred.ensure_contexts();
        assert_eq!(cred, once);
        assert_eq!(
            serde_json::to_value(&cred.context).expect("ser"),
            json!([
                vocab::VC_CONTEXT_V2,
                vocab::OB_CONTEXT_3_0_2,
                vocab::OB_EXTENSIONS_CONTEXT,
                "https://example.org/extra.jsonld"
            ])
        );
    }
}

mod model_emit {
    use super::*;

    fn issuer() -> Profile {
        Profile::new("https://badges.example.edu/issuers/1", "Example University")
    }

    fn achievement() -> Achievement {
        Achievement::new(
            "https://badges.example.edu/achievements/rust-101",
            "Rust 101",
            "Completed the Rust 101 workshop.",
            Criteria::narrative("Attend all sessions and submit the final project."),
        )
    }

    fn minimal() -> OpenBadgeCredential {
        let subject = AchievementSubject::with_identifier(
            IdentityObject::hashed_email("a@example.com", "Kosher"),
            achievement(),
        );
        OpenBadgeCredential::new(
            "urn:uuid:3f8a1c52-7a52-4d1c-9d4e-0c0e3f1d2a11",
            issuer(),
            utc(2025, 3, 1, 12, 0, 0),
            subject,
        )
        .expect("valid")
    }

    #[test]
    fn minimal_credential_has_the_exact_emitted_shape() {
        let v = serde_json::to_value(minimal()).expect("ser");
        assert_eq!(
            v,
            json!({
                "@context": [
                    "https://www.w3.org/ns/credentials/v2",
                    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
                ],
                "id": "urn:uuid:3f8a1c52-7a52-4d1c-9d4e-0c0e3f1d2a11",
                "type": ["VerifiableCredential", "OpenBadgeCredential"],
                "issuer": {
                    "id": "https://badges.example.edu/issuers/1",
                    "type": ["Profile"],
                    "name": "Example University"
                },
                "validFrom": "2025-03-01T12:00:00Z",
                "credentialSubject": {
                    "type": ["AchievementSubject"],
                    "identifier": [{
                        "type": "IdentityObject",
                        "hashed": true,
                        "identityHash": "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399",
                        "identityType": "emailAddress",
                        "salt": "Kosher"
                    }],
                    "achievement": {
                        "id": "https://badges.example.edu/achievements/rust-101",
                        "type": ["Achievement"],
                        "criteria": {"narrative": "Attend all sessions and submit the final project."},
                        "description": "Completed the Rust 101 workshop.",
                        "name": "Rust 101"
                    }
                }
            })
        );
        let back: OpenBadgeCredential = serde_json::from_value(v.clone()).expect("parses back");
        assert_eq!(back, minimal());
        assert!(back.is_open_badge());
    }

    #[test]
    fn full_credential_uses_arrays_and_never_null_or_empty() {
        let mut subject = AchievementSubject::with_id("did:example:learner", achievement());
        subject
            .result
            .push(AchievementResult::with_status("Completed"));
        subject
            .identifier
            .push(IdentityObject::hashed_email("x@example.com", "s"));
        let mut cred = Credential::builder(
            "https://badges.example.edu/credentials/42",
            issuer(),
            utc(2025, 3, 1, 12, 0, 0) + chrono::Duration::milliseconds(250),
            subject,
        )
        .name("Rust 101")
        .description("Awarded for Rust 101")
        .image(Image::new("https://badges.example.edu/rust.png").with_caption("Rust 101"))
        .valid_until(utc(2030, 1, 1, 0, 0, 0))
        .awarded_date(utc(2025, 2, 28, 0, 0, 0))
        .evidence(Evidence {
            id: Some("https://example.edu/project".into()),
            ..Evidence::new()
        })
        .credential_schema(CredentialSchema::achievement_credential())
        .credential_status(BitstringStatusListEntry::new(
            "revocation",
            "https://badges.example.edu/status/1",
            94567,
        ))
        .build()
        .expect("valid");
        let created =
            laurel_core::model::DateTimeZ::from_utc(utc(2025, 3, 1, 12, 0, 1)).expect("in range");
        cred.proof.push(Proof {
            proof_value: Some("z3xyz".into()),
            ..Proof::data_integrity(
                vocab::EDDSA_RDFC_2022,
                created,
                "https://badges.example.edu/issuers/1#key-1",
            )
        });

        let v = serde_json::to_value(&cred).expect("ser");
        let mut bad = Vec::new();
        nulls_and_empty_arrays(&v, "$", &mut bad);
        assert!(bad.is_empty(), "null or [] at {bad:?}");
        for key in ["type", "proof", "credentialSchema", "evidence", "@context"] {
            assert!(v[key].is_array(), "{key} must be an array");
        }
        assert!(v["credentialSubject"]["type"].is_array());
        assert!(v["credentialSubject"]["result"][0]["type"].is_array());
        assert!(v["credentialSubject"]["achievement"]["type"].is_array());
        assert!(v["evidence"][0]["type"].is_array());
        assert_eq!(v["issuer"]["type"], json!(["Profile"]));
        assert_eq!(v["image"]["type"], json!("Image"));
        assert_eq!(v["validFrom"], json!("2025-03-01T12:00:00.250Z"));
        assert_eq!(v["validUntil"], json!("2030-01-01T00:00:00Z"));
        assert_eq!(v["awardedDate"], json!("2025-02-28T00:00:00Z"));
        assert_eq!(v["proof"][0]["type"], json!("DataIntegrityProof"));
        assert_eq!(v["proof"][0]["created"], json!("2025-03-01T12:00:01Z"));
        assert_eq!(v["credentialStatus"]["statusListIndex"], json!("94567"));
        assert_eq!(
            v["credentialStatus"]["type"],
            json!("BitstringStatusListEntry")
        );
        // The 1EdTech schema validator type needs the extensions context.
        assert_eq!(
            v["@context"],
            json!([
                vocab::VC_CONTEXT_V2,
                vocab::OB_CONTEXT,
                vocab::OB_EXTENSIONS_CONTEXT
            ])
        );
        assert!(v.get("issuanceDate").is_none());
        let back: OpenBadgeCredential = serde_json::from_value(v).expect("parses back");
        assert_eq!(back, cred);
    }

    #[test]
    fn extensions_context_only_for_1edtech_types() {
        let with_status = |status: CredentialStatus| {
            let subject = AchievementSubject::with_id("did:example:learner", achievement());
            Credential::builder("urn:uuid:1", issuer(), utc(2025, 1, 1, 0, 0, 0), subject)
                .credential_status(status)
                .build()
                .expect("valid")
        };
        let bitstring =
            with_status(BitstringStatusListEntry::new("revocation", "https://x/status", 7).into());
        assert_eq!(
            bitstring.context_uris().collect::<Vec<_>>(),
            [vocab::VC_CONTEXT_V2, vocab::OB_CONTEXT]
        );
        let revocation_list = with_status(
            RevocationListStatus {
                id: "https://x/revocations".into(),
                extra: Default::default(),
            }
            .into(),
        );
        assert_eq!(
            revocation_list.context_uris().collect::<Vec<_>>(),
            [
                vocab::VC_CONTEXT_V2,
                vocab::OB_CONTEXT,
                vocab::OB_EXTENSIONS_CONTEXT
            ]
        );
    }

    #[test]
    fn endorsement_builder() {
        let subject = EndorsementSubject::new(
            "https://badges.example.edu/issuers/1",
            Some("In good standing".into()),
        );
        let missing_name = EndorsementCredential::builder(
            "urn:uuid:2",
            issuer(),
            utc(2025, 1, 1, 0, 0, 0),
            subject.clone(),
        )
        .build();
        assert_eq!(
            missing_name,
            Err(BuildError::MissingName(vocab::ENDORSEMENT_CREDENTIAL))
        );
        let endorsement = EndorsementCredential::builder(
            "urn:uuid:2",
            issuer(),
            utc(2025, 1, 1, 0, 0, 0),
            subject,
        )
        .name("Endorsement")
        .build()
        .expect("valid");
        let v = serde_json::to_value(&endorsement).expect("ser");
        assert_eq!(
            v["type"],
            json!(["VerifiableCredential", "EndorsementCredential"])
        );
        assert_eq!(
            v["credentialSubject"]["type"],
            json!(["EndorsementSubject"])
        );
    }

    #[test]
    fn build_errors() {
        let subject = || AchievementSubject::with_id("did:example:learner", achievement());
        let start = utc(2025, 1, 1, 0, 0, 0);
        assert!(matches!(
            OpenBadgeCredential::new("not a uri", issuer(), start, subject()),
            Err(BuildError::NotAUri { field: "id", .. })
        ));
        assert!(matches!(
            OpenBadgeCredential::new("urn:x", Profile::new("example.edu", "X"), start, subject()),
            Err(BuildError::NotAUri {
                field: "issuer.id",
                ..
            })
        ));
        let mut anonymous = subject();
        anonymous.id = None;
        assert_eq!(
            OpenBadgeCredential::new("urn:x", issuer(), start, anonymous),
            Err(BuildError::NoSubjectIdentity)
        );
        assert!(matches!(
            Credential::builder("urn:x", issuer(), start, subject())
                .valid_until(start)
                .build(),
            Err(BuildError::ValidityWindow { .. })
        ));
        assert!(matches!(
            OpenBadgeCredential::new("urn:x", issuer(), utc(10000, 1, 1, 0, 0, 0), subject()),
            Err(BuildError::Date(_))
        ));
    }
}
