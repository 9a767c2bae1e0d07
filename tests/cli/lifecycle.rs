//! End-to-end tests of what comes after issuing, from the command line: `laurel credential
//! revoke|suspend|unsuspend|reissue`, `laurel keys rotate|revoke` and `laurel issuer
//! export-keys`, each run against the data folder of a running `laurel serve`, and checked the
//! way a user would: through the service's public documents (status lists, key documents) and
//! its admin API.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::ffi::OsStr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::util::Run;
use crate::util::service::{Server, on_service, token};
use laurel_core::status::Bitstring;
use serde_json::{Value, json};
use tempfile::TempDir;

/// A running service with an admin token, an issuer and an achievement.
struct Service {
    server: Server,
    data: PathBuf,
    public_url: String,
    admin: String,
    issuer: Value,
    achievement_id: String,
    _dir: TempDir,
}

impl Service {
    fn start() -> Service {
        let dir = TempDir::new().unwrap();
        let data = dir.path().join("laurel-data");
        let server = Server::start(&data);
        let public_url = server.public_url();
        let admin = token(
            &data,
            &[&"create", &"--name", &"admin", &"--scope", &"admin"],
        )
        .success()
        .stdout
        .trim()
        .to_string();
        let (status, issuer) = server.send_json(
            "POST",
            "/api/v1/issuers",
            &admin,
            r#"{"name":"Library Association"}"#,
        );
        assert_eq!(status, 201, "{issuer}");
        let issuer: Value = serde_json::from_str(&issuer).unwrap();
        let (status, achievement) = server.send_json(
            "POST",
            "/api/v1/achievements",
            &admin,
            &json!({"issuer_id": issuer["id"], "name": "Cataloguing webinar",
                    "description": "Attended the webinar.",
                    "criteria_narrative": "Attend the whole webinar."})
            .to_string(),
        );
        assert_eq!(status, 201, "{achievement}");
        let achievement_id = serde_json::from_str::<Value>(&achievement).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        Service {
            server,
            data,
            public_url,
            admin,
            issuer,
            achievement_id,
            _dir: dir,
        }
    }

    /// Runs `laurel ARGS` on this service's data.
    fn laurel(&self, args: &[&dyn AsRef<OsStr>]) -> Run {
        on_service(&self.data, &self.public_url, args)
    }

    fn issuer_id(&self) -> &str {
        self.issuer["id"].as_str().unwrap()
    }

    /// Awards the achievement through the API: the award, with its signed credential.
    fn award(&self, email: &str, name: &str) -> Value {
        let (status, award) = self.server.send_json(
            "POST",
            &format!("/api/v1/achievements/{}/awards", self.achievement_id),
            &self.admin,
            &json!({"email": email, "name": name}).to_string(),
        );
        assert_eq!(status, 201, "{award}");
        serde_json::from_str(&award).unwrap()
    }

    /// `GET /api/v1/awards/{id}`.
    fn admin_view(&self, id: &str) -> Value {
        let (status, award) =
            self.server
                .request("GET", &format!("/api/v1/awards/{id}"), Some(&self.admin));
        assert_eq!(status, 200, "{award}");
        serde_json::from_str(&award).unwrap()
    }

    /// The credential's revocation bit in its status list as the service serves it, and the
    /// list's ETag.
    fn revocation_bit(&self, credential: &Value) -> (bool, String) {
        let (bit, etag, _) = self.status_list(credential);
        (bit, etag)
    }

    /// The ETag of the credential's status list once the service serves it with the bit set:
    /// within the second, since each instance (and a command is another) keeps a signed list
    /// in memory for a second.
    fn wait_for_revocation(&self, credential: &Value) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let (bit, etag) = self.revocation_bit(credential);
            if bit {
                return etag;
            }
            assert!(
                Instant::now() < deadline,
                "the served list never showed the revocation"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The credential's revocation bit, the list's ETag, and the list itself.
    fn status_list(&self, credential: &Value) -> (bool, String, Value) {
        let status = &credential["credentialStatus"];
        assert_eq!(status["statusPurpose"], "revocation", "{credential}");
        let url = status["statusListCredential"].as_str().unwrap();
        assert!(url.starts_with(&self.public_url), "{url}");
        let response = self.server.fetch("GET", url, None);
        assert_eq!(response.status, 200, "{response:#?}");
        let etag = response.header("etag").expect("an ETag").to_string();
        let list = response.json();
        assert_eq!(list["id"], url, "{list}");
        assert!(
            list["proof"].is_object() || list["proof"].is_array(),
            "{list}"
        );
        let bits =
            Bitstring::decode(list["credentialSubject"]["encodedList"].as_str().unwrap()).unwrap();
        let index: usize = status["statusListIndex"].as_str().unwrap().parse().unwrap();
        (bits.get(index).unwrap(), etag, list)
    }

    /// The issuer's public controller document, `/issuers/{id}/keys`.
    fn public_keys(&self) -> Value {
        let response =
            self.server
                .fetch("GET", &format!("/issuers/{}/keys", self.issuer_id()), None);
        assert_eq!(response.status, 200, "{response:#?}");
        response.json()
    }

    fn stop(self) {
        let Service { server, _dir, .. } = self;
        server.terminate();
    }
}

/// The verification method of `key` (its id, the last part of its URL) in a controller
/// document.
fn method<'a>(document: &'a Value, key: &str) -> &'a Value {
    methods(document)
        .iter()
        .find(|method| method["id"].as_str().unwrap().ends_with(&format!("/{key}")))
        .unwrap_or_else(|| panic!("no key {key} in {document:#}"))
}

fn methods(document: &Value) -> &Vec<Value> {
    document["verificationMethod"].as_array().unwrap()
}

fn id_of(award: &Value) -> String {
    award["id"].as_str().unwrap().to_string()
}

#[test]
fn revoke_sets_the_bit_in_the_served_status_list_and_keeps_the_reason() {
    let service = Service::start();
    let award = service.award("reader@example.org", "Ada Reader");
    let other = service.award("other@example.org", "Other Reader");
    let id = id_of(&award);
    let (bit, etag_before) = service.revocation_bit(&award["credential"]);
    assert!(!bit, "a new credential is already revoked");
    assert_eq!(
        award["credential"]["credentialStatus"]["statusListCredential"],
        other["credential"]["credentialStatus"]["statusListCredential"],
        "one issuer, one list"
    );

    let run = service
        .laurel(&[
            &"credential",
            &"revoke",
            &id,
            &"--reason",
            &"Attendance recorded in error",
        ])
        .success();
    assert_eq!(run.stdout, format!("revoked credential {id}\n"), "{run:#?}");

    // The running service serves the list signed again, with the bit set.
    let etag_after = service.wait_for_revocation(&award["credential"]);
    assert_ne!(etag_after, etag_before, "the list's ETag did not change");
    let (other_bit, _) = service.revocation_bit(&other["credential"]);
    assert!(!other_bit, "another credential's bit was set");

    // The reason stays with the issuer.
    let view = service.admin_view(&id);
    assert!(view["revoked_at"].is_string(), "{view}");
    assert_eq!(view["revocation_reason"], "Attendance recorded in error");
    assert_eq!(
        view["status_list_index"].to_string(),
        award["credential"]["credentialStatus"]["statusListIndex"]
            .as_str()
            .unwrap()
    );

    // Again: nothing changes, the first reason is kept, the list is not signed again.
    let again = service
        .laurel(&[
            &"credential",
            &"revoke",
            &id,
            &"--reason",
            &"Another reason",
        ])
        .success();
    assert!(again.stdout.contains("already revoked"), "{again:#?}");
    assert!(again.stdout.contains(&id), "{again:#?}");
    assert_eq!(
        service.admin_view(&id)["revocation_reason"],
        "Attendance recorded in error"
    );
    assert_eq!(service.revocation_bit(&award["credential"]).1, etag_after);

    // Mistakes.
    let other_id = id_of(&other);
    let run = service
        .laurel(&[&"credential", &"revoke", &other_id])
        .failure(2);
    assert!(run.stderr.contains("--reason"), "{run:#?}");
    let run = service
        .laurel(&[&"credential", &"revoke", &other_id, &"--reason", &"  "])
        .failure(2);
    assert!(run.stderr.contains("--reason"), "{run:#?}");
    assert!(!service.revocation_bit(&other["credential"]).0);
    assert!(service.admin_view(&other_id)["revoked_at"].is_null());

    let unknown = uuid::Uuid::new_v4().to_string();
    let run = service
        .laurel(&[&"credential", &"revoke", &unknown, &"--reason", &"x"])
        .failure(1);
    assert!(run.stderr.contains("no credential"), "{run:#?}");
    assert!(run.stderr.contains(&unknown), "{run:#?}");
    let run = service
        .laurel(&[&"credential", &"revoke", &"award-1", &"--reason", &"x"])
        .failure(2);
    assert!(run.stderr.contains("award-1"), "{run:#?}");

    // A revoked credential is not re-issued.
    let run = service.laurel(&[&"credential", &"reissue", &id]).failure(1);
    assert!(run.stderr.contains("revoked"), "{run:#?}");
    service.stop();
}

#[test]
fn suspend_and_unsuspend_round_trip_in_the_admin_api() {
    let service = Service::start();
    let award = service.award("reader@example.org", "Ada Reader");
    let id = id_of(&award);
    let (_, etag) = service.revocation_bit(&award["credential"]);

    let run = service
        .laurel(&[&"credential", &"suspend", &id, &"--reason", &"Under review"])
        .success();
    assert_eq!(
        run.stdout,
        format!("suspended credential {id}\n"),
        "{run:#?}"
    );
    let view = service.admin_view(&id);
    assert!(view["suspended_at"].is_string(), "{view}");
    assert_eq!(view["suspension_reason"], "Under review");
    assert!(view["revoked_at"].is_null(), "{view}");
    // Suspension is kept by the issuer: the public list is untouched.
    assert_eq!(
        service.revocation_bit(&award["credential"]),
        (false, etag.clone())
    );

    let again = service.laurel(&[&"credential", &"suspend", &id]).success();
    assert!(again.stdout.contains("already suspended"), "{again:#?}");
    assert_eq!(service.admin_view(&id)["suspension_reason"], "Under review");

    let run = service
        .laurel(&[&"credential", &"unsuspend", &id])
        .success();
    assert_eq!(
        run.stdout,
        format!("unsuspended credential {id}\n"),
        "{run:#?}"
    );
    let view = service.admin_view(&id);
    assert!(view["suspended_at"].is_null(), "{view}");
    assert!(view["suspension_reason"].is_null(), "{view}");
    let again = service
        .laurel(&[&"credential", &"unsuspend", &id])
        .success();
    assert!(again.stdout.contains("already unsuspended"), "{again:#?}");

    // Without a reason, and then back.
    service.laurel(&[&"credential", &"suspend", &id]).success();
    let view = service.admin_view(&id);
    assert!(view["suspended_at"].is_string(), "{view}");
    assert!(view["suspension_reason"].is_null(), "{view}");
    service
        .laurel(&[&"credential", &"unsuspend", &id])
        .success();

    // Revocation is permanent: a revoked credential cannot be suspended.
    service
        .laurel(&[&"credential", &"revoke", &id, &"--reason", &"Duplicate"])
        .success();
    let run = service
        .laurel(&[&"credential", &"suspend", &id, &"--reason", &"x"])
        .failure(1);
    assert!(run.stderr.contains("is revoked"), "{run:#?}");
    assert!(service.admin_view(&id)["suspended_at"].is_null());

    let unknown = uuid::Uuid::new_v4().to_string();
    let run = service
        .laurel(&[&"credential", &"suspend", &unknown])
        .failure(1);
    assert!(run.stderr.contains("no credential"), "{run:#?}");
    let run = service
        .laurel(&[&"credential", &"unsuspend", &unknown])
        .failure(1);
    assert!(run.stderr.contains("no credential"), "{run:#?}");
    service
        .laurel(&[&"credential", &"unsuspend", &"not-an-id"])
        .failure(2);
    service.stop();
}

#[test]
fn audit_checks_every_stored_credential_against_json_ld_safe_mode() {
    let service = Service::start();
    service.award("reader@example.org", "Ada Reeder");
    service.award("writer@example.org", "Bea Writer");
    let run = service.laurel(&[&"credential", &"audit"]).success();
    assert_eq!(run.stdout, "", "{run:#?}");
    assert!(
        run.stderr
            .contains("2 stored credential(s) checked: all pass"),
        "{run:#?}"
    );
    service.stop();
}

#[test]
fn reissue_keeps_the_id_and_awarded_date_and_records_the_new_name() {
    let service = Service::start();
    let award = service.award("reader@example.org", "Ada Reeder");
    let id = id_of(&award);
    let original = &award["credential"];

    let run = service
        .laurel(&[&"credential", &"reissue", &id, &"--name", &"Ada Reader"])
        .success();
    assert!(run.stderr.contains("re-issued credential"), "{run:#?}");
    let reissued: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(reissued["id"], original["id"]);
    assert_eq!(
        reissued["id"],
        format!("{}/credentials/{id}", service.public_url)
    );
    assert_eq!(reissued["awardedDate"], original["awardedDate"]);
    assert!(reissued["awardedDate"].is_string(), "{reissued}");
    assert_eq!(reissued["credentialStatus"], original["credentialStatus"]);
    assert_eq!(
        reissued["credentialSubject"]["identifier"],
        original["credentialSubject"]["identifier"]
    );
    assert!(
        reissued["validFrom"].as_str().unwrap() > original["validFrom"].as_str().unwrap(),
        "{reissued}"
    );
    assert!(!reissued["proof"].is_null(), "{reissued}");
    // The name is kept by the issuer, never published.
    assert!(!run.stdout.contains("Ada Reader"), "{}", run.stdout);

    let view = service.admin_view(&id);
    assert_eq!(view["recipient_name"], "Ada Reader");
    assert_eq!(view["credential"], reissued);

    // Without --name, or with a blank one, the name stays.
    for extra in [&[][..], &["--name", "   "][..]] {
        let mut args: Vec<&dyn AsRef<OsStr>> = vec![&"credential", &"reissue", &id];
        args.extend(extra.iter().map(|arg| arg as &dyn AsRef<OsStr>));
        let run = service.laurel(&args).success();
        let again: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(again["id"], original["id"]);
        assert_eq!(service.admin_view(&id)["recipient_name"], "Ada Reader");
    }
    // A name or reason longer than the API takes is refused, as the API refuses it.
    let long = "x".repeat(2_000);
    let run = service
        .laurel(&[&"credential", &"reissue", &id, &"--name", &long])
        .failure(2);
    assert!(run.stderr.contains("--name is 2000 bytes"), "{run:#?}");
    assert_eq!(service.admin_view(&id)["recipient_name"], "Ada Reader");
    for command in ["suspend", "revoke"] {
        let run = service
            .laurel(&[&"credential", &command, &id, &"--reason", &long])
            .failure(2);
        assert!(run.stderr.contains("--reason is 2000 bytes"), "{run:#?}");
    }
    let view = service.admin_view(&id);
    assert!(
        view["suspended_at"].is_null() && view["revoked_at"].is_null(),
        "{view}"
    );

    let unknown = uuid::Uuid::new_v4().to_string();
    let run = service
        .laurel(&[&"credential", &"reissue", &unknown])
        .failure(1);
    assert!(run.stderr.contains("no credential"), "{run:#?}");
    service
        .laurel(&[&"credential", &"reissue", &"42"])
        .failure(2);
    service.stop();
}

#[test]
fn keys_rotate_and_revoke_show_in_the_public_controller_document_and_export() {
    let service = Service::start();
    let issuer = service.issuer_id().to_string();
    let before = service.public_keys();
    assert_eq!(methods(&before).len(), 2, "{before:#}");
    let old_di = service.award("reader@example.org", "Ada Reader")["credential"]["proof"][0]
        ["verificationMethod"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    assert!(method(&before, &old_di)["retired"].is_null());

    // Rotate: two new keys, the old ones retired and still published.
    let run = service
        .laurel(&[&"keys", &"rotate", &"--issuer", &issuer])
        .success();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{run:#?}");
    for line in &lines {
        assert!(line.starts_with("new ") && line.contains(" key "), "{line}");
    }
    let new_keys: Vec<String> = lines
        .iter()
        .map(|line| line.split_whitespace().nth(3).unwrap().to_string())
        .collect();
    assert!(lines[0].starts_with("new data_integrity key "), "{run:#?}");
    assert!(lines[1].starts_with("new jwt key "), "{run:#?}");

    let rotated = service.public_keys();
    assert_eq!(methods(&rotated).len(), 4, "{rotated:#}");
    let retired: Vec<&Value> = methods(&rotated)
        .iter()
        .filter(|method| method["retired"].is_string())
        .collect();
    assert_eq!(retired.len(), 2, "{rotated:#}");
    for old in methods(&before) {
        assert!(retired.iter().any(|r| r["id"] == old["id"]), "{rotated:#}");
    }
    for key in &new_keys {
        assert!(method(&rotated, key)["retired"].is_null(), "{rotated:#}");
    }
    // What the running service signs from now on names the new key.
    let signed_after = service.award("later@example.org", "Later Reader");
    let named = signed_after["credential"]["proof"][0]["verificationMethod"]
        .as_str()
        .unwrap();
    assert!(named.ends_with(&format!("/{}", new_keys[0])), "{named}");
    // And so does its status list, signed again.
    let (_, _, list) = service.status_list(&signed_after["credential"]);
    let proofs = match &list["proof"] {
        Value::Array(proofs) => proofs.clone(),
        proof => vec![proof.clone()],
    };
    assert_eq!(proofs.len(), 1, "{list:#}");
    let named = proofs[0]["verificationMethod"].as_str().unwrap();
    assert!(named.ends_with(&format!("/{}", new_keys[0])), "{named}");

    // A compromised key, already retired: published with the time since when.
    let run = service
        .laurel(&[
            &"keys",
            &"revoke",
            &old_di,
            &"--since",
            &"2020-01-01T00:00:00Z",
        ])
        .success();
    assert!(run.stdout.contains(&old_di), "{run:#?}");
    assert!(
        run.stdout.contains("since 2020-01-01T00:00:00Z"),
        "{run:#?}"
    );
    let marked = service.public_keys();
    assert_eq!(methods(&marked).len(), 4, "{marked:#}");
    assert_eq!(method(&marked, &old_di)["revoked"], "2020-01-01T00:00:00Z");
    assert!(method(&marked, &old_di)["retired"].is_string());
    assert_eq!(
        methods(&marked)
            .iter()
            .filter(|method| method.get("revoked").is_some())
            .count(),
        1,
        "{marked:#}"
    );

    // A compromised key still in use is rotated out first.
    let run = service
        .laurel(&[
            &"keys",
            &"revoke",
            &new_keys[1],
            &"--since",
            &"2024-06-01T12:00:00+02:00",
        ])
        .success();
    assert!(run.stdout.contains("new keys"), "{run:#?}");
    let marked = service.public_keys();
    assert_eq!(methods(&marked).len(), 6, "{marked:#}");
    assert_eq!(
        method(&marked, &new_keys[1])["revoked"],
        "2024-06-01T10:00:00Z"
    );
    assert!(method(&marked, &new_keys[1])["retired"].is_string());

    // Mistakes.
    for since in ["yesterday", "2020-01-01", ""] {
        let run = service
            .laurel(&[&"keys", &"revoke", &old_di, &"--since", &since])
            .failure(2);
        assert!(run.stderr.contains("--since"), "{since:?}: {run:#?}");
    }
    service
        .laurel(&[
            &"keys",
            &"revoke",
            &"key-1",
            &"--since",
            &"2020-01-01T00:00:00Z",
        ])
        .failure(2);
    let unknown = uuid::Uuid::new_v4().to_string();
    let run = service
        .laurel(&[
            &"keys",
            &"revoke",
            &unknown,
            &"--since",
            &"2020-01-01T00:00:00Z",
        ])
        .failure(1);
    assert!(run.stderr.contains("no key"), "{run:#?}");
    let run = service
        .laurel(&[&"keys", &"rotate", &"--issuer", &unknown])
        .failure(1);
    assert!(run.stderr.contains("no issuer"), "{run:#?}");
    service
        .laurel(&[&"keys", &"rotate", &"--issuer", &"library"])
        .failure(2);
    assert_eq!(service.public_keys(), marked, "a mistake changed the keys");

    // export-keys: the same key history as the public document, for offline verification.
    let run = service
        .laurel(&[&"issuer", &"export-keys", &issuer])
        .success();
    let exported: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(exported["id"], service.issuer["public_id"]);
    assert_eq!(
        exported["id"],
        format!("{}/issuers/{issuer}", service.public_url)
    );
    assert_eq!(exported["verificationMethod"], marked["verificationMethod"]);
    assert_eq!(exported, marked);

    let run = service
        .laurel(&[&"issuer", &"export-keys", &unknown])
        .failure(1);
    assert!(run.stderr.contains("no issuer"), "{run:#?}");
    service
        .laurel(&[&"issuer", &"export-keys", &"library"])
        .failure(2);
    service.stop();
}
