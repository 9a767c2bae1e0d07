//! End-to-end tests of the `laurel` binary: keys, signing, baking and extraction.
//!
//! Every signed output is checked with `laurel-core` itself (Data Integrity `verify`, VC-JWT
//! `decode` + `verify_signature` + `check_claims`), so these tests pin what the commands write,
//! not just that they exit 0.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use crate::util::service::{Server, clean_command, on_service, send_json, token};
use crate::util::{data, laurel, laurel_with_stdin, sample_credential};
use laurel_core::bake::{self, BadgeVersion, ImageFormat};
use laurel_core::jwt::{self, KeyReference};
use laurel_core::keys::{KeyType, PublicKey, SigningKey};
use laurel_core::proof::{self, Cryptosuite};
use serde_json::{Value, json};
use tempfile::TempDir;

const KEY_TYPES: [(&str, KeyType); 3] = [
    ("ed25519", KeyType::Ed25519),
    ("p256", KeyType::P256),
    ("rsa", KeyType::Rsa),
];

/// Generates a key of `key_type` in `dir` with the CLI, returning its path and the key.
fn generate_key(dir: &Path, key_type: &str) -> (PathBuf, SigningKey) {
    let path = dir.join(format!("{key_type}.pem"));
    laurel(str_args(&[
        &"keys",
        &"generate",
        &"--type",
        &key_type,
        &"--out",
        &path,
    ]))
    .success();
    let key = SigningKey::from_pkcs8_pem(&fs::read_to_string(&path).unwrap()).unwrap();
    (path, key)
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn str_args(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<std::ffi::OsString> {
    args.iter().map(|arg| arg.as_ref().to_os_string()).collect()
}

fn write_json(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
    path
}

// ---------------------------------------------------------------------------------------------
// keys
// ---------------------------------------------------------------------------------------------

#[test]
fn generate_writes_an_owner_only_pkcs8_key_of_each_type() {
    let dir = TempDir::new().unwrap();
    for (name, key_type) in KEY_TYPES {
        let path = dir.path().join(format!("{name}.pem"));
        let run = laurel(str_args(&[
            &"keys",
            &"generate",
            &"--type",
            &name,
            &"--out",
            &path,
        ]))
        .success();

        assert_eq!(mode(&path), 0o600, "{name} key file mode");
        let pem = fs::read_to_string(&path).unwrap();
        assert!(
            pem.starts_with("-----BEGIN PRIVATE KEY-----\n"),
            "{pem:.40}"
        );
        let key = SigningKey::from_pkcs8_pem(&pem).unwrap();
        assert_eq!(key.key_type(), key_type);
        let public = key.public_key();

        // The summary names the public key, never the private one.
        assert!(run.stdout.contains(name), "{run:#?}");
        assert!(run.stdout.contains(&public.jwk_thumbprint()), "{run:#?}");
        if key_type == KeyType::Ed25519 {
            assert!(
                run.stdout.contains(&public.to_multikey().unwrap()),
                "{run:#?}"
            );
            assert!(
                run.stdout.contains(&public.to_did_key().unwrap()),
                "{run:#?}"
            );
        }
        for output in [&run.stdout, &run.stderr] {
            assert!(!output.contains("PRIVATE KEY"), "{run:#?}");
            for line in pem.lines().filter(|line| !line.starts_with("-----")) {
                assert!(!output.contains(line), "key material printed: {run:#?}");
            }
        }
    }
}

#[test]
fn generate_refuses_to_overwrite_without_force() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("issuer.pem");
    let generate = |force: bool| {
        let mut args = str_args(&[&"keys", &"generate", &"--type", &"ed25519", &"--out", &path]);
        if force {
            args.push("--force".into());
        }
        laurel(args)
    };
    generate(false).success();
    let first = fs::read(&path).unwrap();

    let refused = generate(false).failure(1);
    assert!(refused.stderr.contains("already exists"), "{refused:#?}");
    assert!(refused.stderr.contains("--force"), "{refused:#?}");
    assert_eq!(
        fs::read(&path).unwrap(),
        first,
        "the existing key was changed"
    );

    generate(true).success();
    assert_ne!(
        fs::read(&path).unwrap(),
        first,
        "--force did not replace the key"
    );
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn force_over_a_world_readable_file_leaves_an_owner_only_key() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("issuer.pem");
    fs::write(&path, "old").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    laurel(str_args(&[
        &"keys",
        &"generate",
        &"--type",
        &"p256",
        &"--out",
        &path,
        &"--force",
    ]))
    .success();
    assert_eq!(mode(&path), 0o600);
    let key = SigningKey::from_pkcs8_pem(&fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(key.key_type(), KeyType::P256);
    // No temporary files are left next to it.
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["issuer.pem"]);
}

#[test]
fn keys_public_prints_each_format() {
    let dir = TempDir::new().unwrap();
    let (ed_path, ed) = generate_key(dir.path(), "ed25519");
    let public = ed.public_key();
    let public_of = |path: &Path, format: &str| {
        laurel(str_args(&[&"keys", &"public", &path, &"--format", &format]))
    };

    let jwk: Value = serde_json::from_str(&public_of(&ed_path, "jwk").success().stdout).unwrap();
    assert_eq!(jwk, public.to_jwk());
    assert_eq!(PublicKey::from_jwk(&jwk).unwrap(), public);

    let multikey = public_of(&ed_path, "multikey").success().stdout;
    assert!(multikey.starts_with("z6Mk"), "{multikey}");
    assert_eq!(multikey.trim_end(), public.to_multikey().unwrap());

    let did = public_of(&ed_path, "did").success().stdout;
    assert!(did.starts_with("did:key:z6Mk"), "{did}");
    assert_eq!(did.trim_end(), public.to_did_key().unwrap());
    assert_eq!(PublicKey::from_did_key(did.trim_end()).unwrap(), public);

    let jwks: Value = serde_json::from_str(&public_of(&ed_path, "jwks").success().stdout).unwrap();
    assert_eq!(jwks["keys"][0]["kid"], json!(public.jwk_thumbprint()));
    assert_eq!(jwks["keys"][0]["x"], public.to_jwk()["x"]);

    let document: Value =
        serde_json::from_str(&public_of(&ed_path, "did-document").success().stdout).unwrap();
    let method_id = public.to_did_key_verification_method().unwrap();
    assert_eq!(document["id"], json!(public.to_did_key().unwrap()));
    assert_eq!(document["verificationMethod"][0]["id"], json!(method_id));
    assert_eq!(document["verificationMethod"][0]["type"], json!("Multikey"));
    assert_eq!(
        document["verificationMethod"][0]["publicKeyMultibase"],
        json!(public.to_multikey().unwrap())
    );
    assert_eq!(document["assertionMethod"], json!([method_id]));

    for name in ["p256", "rsa"] {
        let (path, key) = generate_key(dir.path(), name);
        let jwk: Value = serde_json::from_str(&public_of(&path, "jwk").success().stdout).unwrap();
        assert_eq!(jwk, key.public_key().to_jwk());
        assert!(jwk.get("d").is_none(), "private member in {jwk}");
        for format in ["did", "multikey", "did-document"] {
            let run = public_of(&path, format).failure(1);
            assert!(run.stderr.contains("Ed25519"), "{format}: {run:#?}");
            assert!(run.stderr.contains(name), "{format}: {run:#?}");
        }
    }
}

#[test]
fn keys_public_rejects_a_file_that_is_not_a_key_without_echoing_it() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("not-a-key.pem");
    fs::write(
        &path,
        "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LXNlY3JldA==\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let run = laurel(str_args(&[&"keys", &"public", &path])).failure(1);
    assert!(!run.stderr.contains("c2VjcmV0"), "{run:#?}");
    assert!(run.stderr.contains("not-a-key.pem"), "{run:#?}");
}

// ---------------------------------------------------------------------------------------------
// sign
// ---------------------------------------------------------------------------------------------

fn sign(key: &Path, proof: &str, extra: &[&str], input: &Path) -> crate::util::Run {
    let mut args = str_args(&[&"sign", &"--key", &key, &"--proof", &proof]);
    args.extend(extra.iter().map(Into::into));
    args.push(input.into());
    laurel(args)
}

/// The credential without its proof.
fn unsecured(signed: &Value) -> Value {
    let mut credential = signed.clone();
    credential.as_object_mut().unwrap().remove("proof");
    credential
}

#[test]
fn the_sample_credential_passes_the_checks_and_has_non_ascii_text() {
    let credential = sample_credential();
    let violations = laurel_core::schema::Schema::AchievementCredential.validate(&credential);
    assert_eq!(violations, vec![]);
    assert_eq!(
        laurel_core::jsonld::undefined_terms(&credential).unwrap(),
        Vec::<String>::new()
    );
    let text = credential.to_string();
    for sample in ["é", "月桂樹", "🏅", "®"] {
        assert!(text.contains(sample), "{sample}");
    }
}

#[test]
fn data_integrity_proofs_verify_with_the_did_key() {
    let dir = TempDir::new().unwrap();
    let (key_path, key) = generate_key(dir.path(), "ed25519");
    let input = data("credentials/unsigned-basic.json");
    for (name, suite) in [
        ("eddsa-rdfc-2022", Cryptosuite::EddsaRdfc2022),
        ("eddsa-jcs-2022", Cryptosuite::EddsaJcs2022),
    ] {
        let run = sign(
            &key_path,
            name,
            &["--created", "2026-03-14T10:26:53+01:00"],
            &input,
        )
        .success();
        let signed: Value = serde_json::from_str(&run.stdout).unwrap();
        assert!(
            run.stdout.contains("月桂樹"),
            "non-ASCII text is written as UTF-8"
        );
        assert_eq!(
            unsecured(&signed),
            sample_credential(),
            "{name} changed the credential"
        );

        let proofs = proof::proofs_of(&signed);
        assert_eq!(proofs.len(), 1);
        let the_proof = proofs[0];
        assert_eq!(the_proof["cryptosuite"], json!(name));
        assert_eq!(the_proof["created"], json!("2026-03-14T09:26:53Z"));
        let method = key.public_key().to_did_key_verification_method().unwrap();
        assert!(method.starts_with("did:key:z6Mk"));
        assert_eq!(the_proof["verificationMethod"], json!(method));

        let named = PublicKey::from_did_key(&method).unwrap();
        let prepared = proof::verify(&signed, the_proof, &named).unwrap();
        assert_eq!(prepared.cryptosuite, suite);

        // Tampering with the non-ASCII text breaks the signature.
        let mut tampered = signed.clone();
        tampered["credentialSubject"]["achievement"]["name"] = json!("Travail d'équipe 🤝");
        assert!(proof::verify(&tampered, proof::proofs_of(&tampered)[0], &named).is_err());
    }
}

#[test]
fn created_defaults_to_now_to_the_second() {
    let dir = TempDir::new().unwrap();
    let (key_path, key) = generate_key(dir.path(), "ed25519");
    let before = chrono::Utc::now().timestamp();
    let run = sign(
        &key_path,
        "eddsa-rdfc-2022",
        &[],
        &data("credentials/unsigned-basic.json"),
    )
    .success();
    let after = chrono::Utc::now().timestamp();
    let signed: Value = serde_json::from_str(&run.stdout).unwrap();
    let the_proof = proof::proofs_of(&signed)[0];
    let created = the_proof["created"].as_str().unwrap();
    assert!(
        created.ends_with('Z') && !created.contains('.'),
        "{created}"
    );
    let created = chrono::DateTime::parse_from_rfc3339(created)
        .unwrap()
        .timestamp();
    assert!(
        (before..=after).contains(&created),
        "{created} not in {before}..={after}"
    );
    proof::verify(&signed, the_proof, &key.public_key()).unwrap();
}

#[test]
fn an_explicit_verification_method_is_used() {
    let dir = TempDir::new().unwrap();
    let (key_path, key) = generate_key(dir.path(), "ed25519");
    let method = "https://badges.example.org/issuers/1#key-1";
    let run = sign(
        &key_path,
        "eddsa-rdfc-2022",
        &["--verification-method", method],
        &data("credentials/unsigned-basic.json"),
    )
    .success();
    let signed: Value = serde_json::from_str(&run.stdout).unwrap();
    let the_proof = proof::proofs_of(&signed)[0];
    assert_eq!(the_proof["verificationMethod"], json!(method));
    proof::verify(&signed, the_proof, &key.public_key()).unwrap();

    // A did:key of another key is refused: verifiers would resolve the wrong key.
    let stranger = SigningKey::from_ed25519_seed(&[7; 32]).public_key();
    let wrong = stranger.to_did_key_verification_method().unwrap();
    let run = sign(
        &key_path,
        "eddsa-rdfc-2022",
        &["--verification-method", &wrong],
        &data("credentials/unsigned-basic.json"),
    )
    .failure(1);
    assert!(run.stderr.contains("different key"), "{run:#?}");

    let run = sign(
        &key_path,
        "eddsa-rdfc-2022",
        &["--verification-method", "key 1"],
        &data("credentials/unsigned-basic.json"),
    )
    .failure(1);
    assert!(run.stderr.contains("absolute URI"), "{run:#?}");
}

#[test]
fn vc_jwt_with_each_key_type_carries_the_jwk_and_verifies() {
    let dir = TempDir::new().unwrap();
    for (name, key_type) in KEY_TYPES {
        let (key_path, key) = generate_key(dir.path(), name);
        let run = sign(
            &key_path,
            "vc-jwt",
            &[],
            &data("credentials/unsigned-basic.json"),
        )
        .success();
        let compact = run.stdout.strip_suffix('\n').expect("one line");
        assert!(!compact.contains(['\n', ' ']), "{compact}");
        assert!(jwt::looks_like_jws(compact));

        let decoded = jwt::decode(compact).unwrap();
        assert_eq!(decoded.alg, key_type);
        assert_eq!(decoded.key, KeyReference::Jwk(key.public_key()));
        decoded.verify_signature(&key.public_key()).unwrap();
        decoded.check_claims().unwrap();
        assert_eq!(decoded.credential, sample_credential());
        assert_eq!(
            decoded.payload["iss"],
            json!("https://badges.example.org/issuers/1")
        );
    }
}

#[test]
fn vc_jwt_with_a_verification_method_names_it_as_kid() {
    let dir = TempDir::new().unwrap();
    let (key_path, key) = generate_key(dir.path(), "p256");
    let kid = "https://badges.example.org/issuers/1#key-es256";
    let run = sign(
        &key_path,
        "vc-jwt",
        &["--verification-method", kid],
        &data("credentials/unsigned-basic.json"),
    )
    .success();
    let decoded = jwt::decode(run.stdout.trim_end()).unwrap();
    assert_eq!(decoded.key, KeyReference::Kid(kid.into()));
    decoded.verify_signature(&key.public_key()).unwrap();
    decoded.check_claims().unwrap();
}

#[test]
fn sign_reads_standard_input() {
    let dir = TempDir::new().unwrap();
    let (key_path, key) = generate_key(dir.path(), "ed25519");
    let input = fs::read(data("credentials/unsigned-basic.json")).unwrap();
    let run = laurel_with_stdin(
        str_args(&[
            &"sign",
            &"--key",
            &key_path,
            &"--proof",
            &"eddsa-jcs-2022",
            &"-",
        ]),
        &input,
    )
    .success();
    let signed: Value = serde_json::from_str(&run.stdout).unwrap();
    proof::verify(&signed, proof::proofs_of(&signed)[0], &key.public_key()).unwrap();
}

#[test]
fn sign_refuses_an_undefined_term_naming_it() {
    let dir = TempDir::new().unwrap();
    let (key_path, _) = generate_key(dir.path(), "ed25519");
    let mut credential = sample_credential();
    credential["credentialSubject"]["favouriteColour"] = json!("vert émeraude");
    let input = write_json(dir.path(), "undefined-term.json", &credential);
    for proof in ["eddsa-rdfc-2022", "eddsa-jcs-2022", "vc-jwt"] {
        let run = sign(&key_path, proof, &[], &input).failure(1);
        assert!(
            run.stderr.contains("\"favouriteColour\""),
            "{proof}: {run:#?}"
        );
        assert!(run.stderr.contains("not defined"), "{proof}: {run:#?}");
    }
}

#[test]
fn sign_refuses_a_schema_violation_naming_the_field() {
    let dir = TempDir::new().unwrap();
    let (key_path, _) = generate_key(dir.path(), "ed25519");
    let mut credential = sample_credential();
    credential["credentialSubject"]["achievement"]
        .as_object_mut()
        .unwrap()
        .remove("name");
    let input = write_json(dir.path(), "no-name.json", &credential);
    for proof in ["eddsa-rdfc-2022", "vc-jwt"] {
        let run = sign(&key_path, proof, &[], &input).failure(1);
        assert!(run.stderr.contains("AchievementCredential"), "{run:#?}");
        assert!(
            run.stderr.contains("/credentialSubject/achievement"),
            "{run:#?}"
        );
        assert!(run.stderr.contains("\"name\""), "{run:#?}");
    }
}

#[test]
fn sign_checks_endorsements_against_the_endorsement_schema() {
    let dir = TempDir::new().unwrap();
    let (key_path, key) = generate_key(dir.path(), "ed25519");
    let mut endorsement = json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ],
        "id": "urn:uuid:0b9c0b4a-1d4b-4c57-9a55-2f7a1c3c8e11",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": "Recommandation de l'Académie",
        "issuer": {
            "id": "https://badges.example.org/issuers/1",
            "type": ["Profile"],
            "name": "Académie Laurel®"
        },
        "validFrom": "2026-03-14T09:26:53Z",
        "credentialSubject": {
            "id": "https://badges.example.org/achievements/teamwork",
            "type": ["EndorsementSubject"],
            "endorsementComment": "Excellent programme 👏"
        }
    });
    let input = write_json(dir.path(), "endorsement.json", &endorsement);
    let run = sign(&key_path, "eddsa-rdfc-2022", &[], &input).success();
    let signed: Value = serde_json::from_str(&run.stdout).unwrap();
    proof::verify(&signed, proof::proofs_of(&signed)[0], &key.public_key()).unwrap();

    endorsement["credentialSubject"]
        .as_object_mut()
        .unwrap()
        .remove("id");
    let input = write_json(dir.path(), "endorsement-no-subject-id.json", &endorsement);
    let run = sign(&key_path, "eddsa-rdfc-2022", &[], &input).failure(1);
    assert!(run.stderr.contains("EndorsementCredential"), "{run:#?}");
    assert!(run.stderr.contains("/credentialSubject"), "{run:#?}");
}

#[test]
fn data_integrity_needs_an_ed25519_key() {
    let dir = TempDir::new().unwrap();
    for name in ["p256", "rsa"] {
        let (key_path, _) = generate_key(dir.path(), name);
        for proof in ["eddsa-rdfc-2022", "eddsa-jcs-2022"] {
            let run = sign(
                &key_path,
                proof,
                &[],
                &data("credentials/unsigned-basic.json"),
            )
            .failure(1);
            assert!(run.stderr.contains("Ed25519"), "{run:#?}");
            assert!(run.stderr.contains("vc-jwt"), "{run:#?}");
        }
    }
}

#[test]
fn sign_usage_errors_exit_with_2() {
    let dir = TempDir::new().unwrap();
    let (key_path, _) = generate_key(dir.path(), "ed25519");
    let input = data("credentials/unsigned-basic.json");
    // --created only applies to Data Integrity proofs.
    let run = sign(
        &key_path,
        "vc-jwt",
        &["--created", "2026-01-01T00:00:00Z"],
        &input,
    )
    .failure(2);
    assert!(run.stderr.contains("--created"), "{run:#?}");
    // Not a date.
    sign(
        &key_path,
        "eddsa-rdfc-2022",
        &["--created", "yesterday"],
        &input,
    )
    .failure(2);
    // Unknown proof.
    sign(&key_path, "ed25519signature2020", &[], &input).failure(2);
}

#[test]
fn sign_reports_unreadable_input() {
    let dir = TempDir::new().unwrap();
    let (key_path, _) = generate_key(dir.path(), "ed25519");
    let run = sign(
        &key_path,
        "eddsa-rdfc-2022",
        &[],
        &dir.path().join("missing.json"),
    )
    .failure(1);
    assert!(run.stderr.contains("missing.json"), "{run:#?}");

    let not_json = dir.path().join("not.json");
    fs::write(&not_json, "{\"@context\": [").unwrap();
    let run = sign(&key_path, "eddsa-rdfc-2022", &[], &not_json).failure(1);
    assert!(run.stderr.contains("not valid JSON"), "{run:#?}");
}

// ---------------------------------------------------------------------------------------------
// bake and extract
// ---------------------------------------------------------------------------------------------

fn bake(image: &Path, credential: &Path, out: &Path) -> crate::util::Run {
    laurel(str_args(&[
        &"bake",
        &"--image",
        &image,
        &"--credential",
        &credential,
        &"--out",
        &out,
    ]))
}

#[test]
fn bake_embeds_signed_credentials_in_png_and_svg() {
    let dir = TempDir::new().unwrap();
    let (key_path, key) = generate_key(dir.path(), "ed25519");
    let input = data("credentials/unsigned-basic.json");

    let signed_json = dir.path().join("signed.json");
    fs::write(
        &signed_json,
        sign(&key_path, "eddsa-rdfc-2022", &[], &input)
            .success()
            .stdout,
    )
    .unwrap();
    let signed_jwt = dir.path().join("signed.jwt");
    fs::write(
        &signed_jwt,
        sign(&key_path, "vc-jwt", &[], &input).success().stdout,
    )
    .unwrap();

    for (image, format) in [
        (
            "../vectors/1edtech-dc-public-validator/inspector-vc/src/test/resources/ob30/simple-json.png",
            ImageFormat::Png,
        ),
        (
            "../vectors/1edtech-dc-public-validator/inspector-vc/src/test/resources/ob30/simple-json.svg",
            ImageFormat::Svg,
        ),
    ] {
        for credential in [&signed_json, &signed_jwt] {
            let out = dir
                .path()
                .join(format!("baked.{}", format.to_string().to_lowercase()));
            bake(&data(image), credential, &out).success();

            let baked = fs::read(&out).unwrap();
            let extracted = bake::extract(&baked).unwrap();
            assert_eq!(extracted.format, format);
            assert_eq!(extracted.version, BadgeVersion::Ob3);
            let expected = fs::read_to_string(credential).unwrap();
            assert_eq!(
                extracted.payload,
                expected.trim(),
                "{image} {}",
                credential.display()
            );

            // The baked credential still verifies.
            if extracted.payload.starts_with('{') {
                let document: Value = serde_json::from_str(&extracted.payload).unwrap();
                proof::verify(&document, proof::proofs_of(&document)[0], &key.public_key())
                    .unwrap();
            } else {
                let decoded = jwt::decode(&extracted.payload).unwrap();
                decoded.verify_signature(&key.public_key()).unwrap();
            }

            // `laurel extract` prints the same payload.
            let run = laurel(str_args(&[&"extract", &out])).success();
            assert_eq!(run.stdout.trim_end(), extracted.payload);
        }
    }
}

/// Signs the sample credential as a VC-JWT into `dir/signed.jwt`.
fn signed_jwt_file(dir: &Path, key_path: &Path) -> PathBuf {
    let jwt = dir.join("signed.jwt");
    let run = sign(
        key_path,
        "vc-jwt",
        &[],
        &data("credentials/unsigned-basic.json"),
    )
    .success();
    fs::write(&jwt, run.stdout).unwrap();
    jwt
}

#[test]
fn bake_can_rewrite_the_image_in_place() {
    let dir = TempDir::new().unwrap();
    let (key_path, _) = generate_key(dir.path(), "rsa");
    let jwt = signed_jwt_file(dir.path(), &key_path);
    let image = dir.path().join("badge.svg");
    fs::copy(data("../vectors/1edtech-dc-public-validator/inspector-vc/src/test/resources/ob30/simple-json.svg"), &image).unwrap();
    bake(&image, &jwt, &image).success();
    let extracted = bake::extract(&fs::read(&image).unwrap()).unwrap();
    assert_eq!(extracted.payload, fs::read_to_string(&jwt).unwrap().trim());
}

#[test]
fn bake_refuses_a_credential_that_is_neither_json_nor_jws() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out.png");
    for (name, contents) in [
        ("text.txt", "just some text"),
        ("array.json", "[1, 2, 3]"),
        ("broken.json", "{\"id\": "),
        ("two-parts.jwt", "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0"),
    ] {
        let credential = dir.path().join(name);
        fs::write(&credential, contents).unwrap();
        let run = bake(&data("../vectors/1edtech-dc-public-validator/inspector-vc/src/test/resources/ob30/simple-json.png"), &credential, &out).failure(1);
        assert!(run.stderr.contains(name), "{run:#?}");
        assert!(!out.exists(), "{name}: wrote {}", out.display());
    }
}

#[test]
fn bake_refuses_an_image_that_is_not_png_or_svg() {
    let dir = TempDir::new().unwrap();
    let (key_path, _) = generate_key(dir.path(), "ed25519");
    let jwt = signed_jwt_file(dir.path(), &key_path);
    let image = dir.path().join("badge.gif");
    fs::write(&image, b"GIF89a\x01\x00\x01\x00").unwrap();
    let out = dir.path().join("out.gif");
    let run = bake(&image, &jwt, &out).failure(1);
    assert!(run.stderr.contains("PNG or SVG"), "{run:#?}");
    assert!(!out.exists());
}

#[test]
fn extract_reports_an_image_without_a_credential() {
    let dir = TempDir::new().unwrap();
    let svg = dir.path().join("plain.svg");
    fs::write(
        &svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><circle r=\"1\"/></svg>",
    )
    .unwrap();
    let run = laurel(str_args(&[&"extract", &svg])).failure(1);
    assert!(run.stderr.contains("no baked"), "{run:#?}");
}

// ---------------------------------------------------------------------------------------------
// serve and token
// ---------------------------------------------------------------------------------------------

#[test]
fn serve_creates_its_data_folder_serves_and_stops_on_sigterm() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("laurel-data");
    let server = Server::start(&data);

    assert_eq!(mode(&data), 0o700, "data folder mode");
    assert!(data.join("laurel.db").is_file());
    let secret = data.join("secret.key");
    assert_eq!(mode(&secret), 0o600, "secret.key mode");
    assert_eq!(fs::read_to_string(&secret).unwrap().trim().len(), 43);

    assert_eq!(server.request("GET", "/healthz", None), (200, "ok".into()));
    assert_eq!(server.request("GET", "/readyz", None).0, 200);
    let (status, metrics) = server.request("GET", "/metrics", None);
    assert_eq!(status, 200);
    assert!(metrics.contains("laurel_http_requests_total"), "{metrics}");

    // A token made with the CLI while the service runs works at once, and stops when revoked.
    let created = token(&data, &[&"create", &"--name", &"ci", &"--scope", &"read"]).success();
    let secret_token = created.stdout.trim().to_string();
    assert_eq!(
        server
            .request("GET", "/api/v1/issuers", Some(&secret_token))
            .0,
        200
    );
    token(&data, &[&"revoke", &"ci"]).success();
    assert_eq!(
        server
            .request("GET", "/api/v1/issuers", Some(&secret_token))
            .0,
        401
    );

    let log = server.terminate();
    assert!(log.contains("\"stopped\""), "{log}");
    assert!(
        !log.contains(fs::read_to_string(&secret).unwrap().trim()),
        "the key was logged"
    );

    // A second start reuses the same key.
    let before = fs::read_to_string(&secret).unwrap();
    let server = Server::start(&data);
    server.terminate();
    assert_eq!(fs::read_to_string(&secret).unwrap(), before);
}

#[test]
fn serve_keeps_its_files_owner_only_and_warns_when_they_are_not() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("laurel-data");
    let server = Server::start(&data);
    let log = server.terminate();
    assert!(
        !log.contains("chmod"),
        "no warning for owner-only files: {log}"
    );
    for (path, expected) in [
        (data.clone(), 0o700),
        (data.join("secret.key"), 0o600),
        (data.join("laurel.db"), 0o600),
    ] {
        assert_eq!(mode(&path), expected, "{}", path.display());
    }

    // Opened up by hand (or restored from a careless backup): each is named, with the fix.
    for (path, opened) in [
        (data.clone(), 0o755),
        (data.join("secret.key"), 0o644),
        (data.join("laurel.db"), 0o640),
    ] {
        fs::set_permissions(&path, fs::Permissions::from_mode(opened)).unwrap();
    }
    let server = Server::start(&data);
    let log = server.terminate();
    for fix in [
        format!("chmod 700 {}", data.display()),
        format!("chmod 600 {}", data.join("secret.key").display()),
        format!("chmod 600 {}", data.join("laurel.db").display()),
    ] {
        assert!(
            log.lines()
                .any(|line| line.contains("\"WARN\"") && line.contains(&fix)),
            "no warning with {fix:?}: {log}"
        );
    }
}

#[test]
fn metrics_listen_serves_metrics_apart_from_the_public_address() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("laurel-data");
    let mut server = Server::start_with(&data, &["--metrics-listen", "127.0.0.1:0"]);
    let metrics_address = server.listening["metrics_address"]
        .as_str()
        .unwrap_or_else(|| panic!("no metrics_address: {}", server.listening))
        .to_string();
    assert_ne!(metrics_address, server.address);
    assert_eq!(server.request("GET", "/healthz", None).0, 200);
    let (status, body) = server.request("GET", "/metrics", None);
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("--metrics-listen"), "{body}");

    // The same process, asked at its metrics address.
    server.address = metrics_address;
    let apart = server;
    let response = apart.fetch("GET", "/metrics", None);
    assert_eq!(response.status, 200, "{}", response.body);
    assert!(
        response
            .body
            .contains(r#"laurel_http_requests_total{method="GET",route="/healthz",status="200"}"#),
        "{}",
        response.body
    );
    assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(apart.fetch("GET", "/healthz", None).status, 404);
    apart.terminate();
}

#[test]
fn serve_refuses_unknown_keys_in_its_config_file() {
    let dir = TempDir::new().unwrap();
    let config = dir.path().join("laurel.toml");
    fs::write(
        &config,
        "listen = \"127.0.0.1:0\"\npubilc_url = \"https://x.example\"\n",
    )
    .unwrap();
    let output = clean_command(&[&"serve", &"--config", &config])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("pubilc_url"), "{stderr}");
}

#[test]
fn tokens_are_created_once_listed_without_secrets_and_revoked() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("laurel-data");
    let created = token(
        &data,
        &[
            &"create",
            &"--name",
            &"registrar",
            &"--scope",
            &"issue,read",
            &"--scope",
            &"read",
        ],
    )
    .success();
    let secret = created.stdout.trim();
    assert!(secret.starts_with("laurel_"), "{created:#?}");
    assert_eq!(created.stdout.lines().count(), 1);
    assert!(created.stderr.contains("only time"), "{created:#?}");
    assert!(!created.stderr.contains(secret));

    token(
        &data,
        &[&"create", &"--name", &"auditor", &"--scope", &"read"],
    )
    .success();
    let duplicate = token(
        &data,
        &[&"create", &"--name", &"registrar", &"--scope", &"read"],
    )
    .failure(1);
    assert!(
        duplicate.stderr.contains("already exists"),
        "{duplicate:#?}"
    );
    let bad_scope = token(
        &data,
        &[&"create", &"--name", &"x", &"--scope", &"superuser"],
    );
    assert_eq!(bad_scope.code, Some(2), "{bad_scope:#?}");
    assert!(
        bad_scope.stderr.contains("admin, issue, read"),
        "{bad_scope:#?}"
    );

    let list = token(&data, &[&"list"]).success();
    assert!(list.stdout.starts_with("NAME"), "{list:#?}");
    let registrar = list
        .stdout
        .lines()
        .find(|l| l.starts_with("registrar"))
        .unwrap();
    assert!(registrar.contains("issue,read"), "{registrar}");
    assert!(!list.stdout.contains(secret), "a secret was listed");
    assert!(!list.stdout.contains("laurel_"), "a secret was listed");

    let id = registrar.split_whitespace().last().unwrap().to_string();
    token(&data, &[&"revoke", &id]).success();
    let again = token(&data, &[&"revoke", &"registrar"]).success();
    assert!(again.stderr.contains("already revoked"), "{again:#?}");
    let list = token(&data, &[&"list"]).success();
    let registrar = list
        .stdout
        .lines()
        .find(|l| l.starts_with("registrar"))
        .unwrap();
    assert_eq!(
        registrar.split_whitespace().nth(7).map(|d| d.len()),
        Some(20),
        "{registrar}"
    );
    let auditor = list
        .stdout
        .lines()
        .find(|l| l.starts_with("auditor"))
        .unwrap();
    assert_eq!(auditor.split_whitespace().nth(7), Some("-"), "{auditor}");

    let unknown = token(&data, &[&"revoke", &"nobody"]).failure(1);
    assert!(unknown.stderr.contains("nobody"), "{unknown:#?}");
}

/// A service killed (SIGKILL) while it mints batches leaves only whole awards: every stored row
/// has its signed credential and JWT, and retrying the same batches after a restart completes
/// them, finding exactly the rows stored before the kill and minting none twice. Its log names
/// every request's id and holds no secret.
#[test]
fn a_killed_server_leaves_only_whole_awards_and_a_retry_completes_them() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("laurel-data");
    let admin = token(
        &data,
        &[&"create", &"--name", &"staff", &"--scope", &"admin"],
    )
    .success()
    .stdout
    .trim()
    .to_string();
    let server = Server::start(&data);
    let (status, issuer) = server.send_json(
        "POST",
        "/api/v1/issuers",
        &admin,
        r#"{"name":"Library Association"}"#,
    );
    assert_eq!(status, 201, "{issuer}");
    let issuer: Value = serde_json::from_str(&issuer).unwrap();
    let achievement = format!(
        r#"{{"issuer_id":"{}","name":"Webinar","description":"Attended.","criteria_narrative":"Attend."}}"#,
        issuer["id"].as_str().unwrap()
    );
    let (status, achievement) =
        server.send_json("POST", "/api/v1/achievements", &admin, &achievement);
    assert_eq!(status, 201, "{achievement}");
    let achievement: Value = serde_json::from_str(&achievement).unwrap();
    let awards_path = format!(
        "/api/v1/achievements/{}/awards",
        achievement["id"].as_str().unwrap()
    );
    let batches: Vec<String> = (0..40)
        .map(|batch| {
            let rows: Vec<String> = (0..50)
                .map(|row| format!(r#"{{"email":"reader{batch}-{row}@example.org"}}"#))
                .collect();
            format!(r#"{{"awards":[{}]}}"#, rows.join(","))
        })
        .collect();

    // Send batches one after another and kill the service while they are being minted.
    let address = server.address.clone();
    let sender = {
        let (batches, path, admin) = (batches.clone(), awards_path.clone(), admin.clone());
        std::thread::spawn(move || {
            for batch in &batches {
                if send_json(&address, "POST", &path, &admin, batch).0 != 200 {
                    break;
                }
            }
        })
    };
    // Kill once some batches are stored, so the kill lands while later ones are in flight.
    let count_path = format!(
        "/api/v1/awards?achievement={}&limit=1",
        achievement["id"].as_str().unwrap()
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let (_, counted) = server.request("GET", &count_path, Some(&admin));
        let total = serde_json::from_str::<Value>(&counted).unwrap()["total"]
            .as_u64()
            .unwrap();
        if total >= 300 || std::time::Instant::now() > deadline {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let mut server = server;
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    sender.join().unwrap();
    let first_url = server.public_url();
    drop(server);

    // Another port, the same public URL: the one its credentials were signed with.
    let server = Server::start_with(&data, &["--public-url", first_url.as_str()]);
    let (status, listed) = server.request(
        "GET",
        &format!(
            "/api/v1/awards?achievement={}&limit=1000",
            achievement["id"].as_str().unwrap()
        ),
        Some(&admin),
    );
    assert_eq!(status, 200, "{listed}");
    let listed: Value = serde_json::from_str(&listed).unwrap();
    let before_kill = listed["total"].as_u64().unwrap();
    eprintln!("{before_kill} awards were stored before the kill");
    for award in listed["awards"].as_array().unwrap() {
        let id = award["id"].as_str().unwrap();
        let (status, full) = server.request("GET", &format!("/api/v1/awards/{id}"), Some(&admin));
        assert_eq!(status, 200, "{full}");
        let full: Value = serde_json::from_str(&full).unwrap();
        let credential_id = full["credential"]["id"].as_str().unwrap();
        assert!(
            credential_id.ends_with(&format!("/credentials/{id}")),
            "{full}"
        );
        assert!(
            full["credential"]["proof"][0]["proofValue"].is_string(),
            "{full}"
        );
        assert_eq!(
            full["jwt"].as_str().unwrap().split('.').count(),
            3,
            "{full}"
        );
    }

    let (mut created, mut existing) = (0, 0);
    for batch in &batches {
        let (status, body) = server.send_json("POST", &awards_path, &admin, batch);
        assert_eq!(status, 200, "{body}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["failed"], 0, "{body}");
        created += body["created"].as_u64().unwrap();
        existing += body["existing"].as_u64().unwrap();
    }
    assert_eq!(existing, before_kill, "rows stored before the kill");
    assert!(
        existing < 2000,
        "the kill came after the last batch: nothing was tested"
    );
    assert_eq!(created + existing, 2000);

    // The log of all that names each request and holds no secret: no private key, no
    // key-encryption key, no token, no recipient email.
    let log = server.terminate();
    let kek = fs::read_to_string(data.join("secret.key")).unwrap();
    for secret in ["PRIVATE KEY", kek.trim(), admin.as_str(), "@example.org"] {
        assert!(!log.contains(secret), "the log holds {secret:?}");
    }
    let responses: Vec<Value> = log
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|entry| entry["message"] == "response")
        .collect();
    assert!(responses.len() > 40, "{log}");
    for entry in &responses {
        assert!(
            entry["request_id"].is_string() || entry["span"]["request_id"].is_string(),
            "{entry}"
        );
    }
}

#[test]
fn help_never_prints_a_database_password_from_the_environment() {
    for command in [&["serve", "--help"][..], &["token", "list", "--help"][..]] {
        let output = clean_command(
            &command
                .iter()
                .map(|a| a as &dyn AsRef<std::ffi::OsStr>)
                .collect::<Vec<_>>(),
        )
        .env(
            "LAUREL_DATABASE_URL",
            "postgres://laurel:s3cret@db.example.org/laurel",
        )
        .output()
        .unwrap();
        let help = String::from_utf8(output.stdout).unwrap();
        assert!(help.contains("LAUREL_DATABASE_URL"), "{help}");
        assert!(!help.contains("s3cret"), "{help}");
    }
}

/// Runs `laurel import attendance …` against the database in `data_dir`, for a service whose
/// public URL is `public_url`.
fn import(
    data_dir: &Path,
    public_url: &str,
    args: &[&dyn AsRef<std::ffi::OsStr>],
) -> crate::util::Run {
    let mut all: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"import", &"attendance"];
    all.extend_from_slice(args);
    on_service(data_dir, public_url, &all)
}

#[test]
fn import_attendance_records_awards_and_reports_each_line() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("laurel-data");
    let server = Server::start(&data);
    let public_url = format!("http://{}", server.address);
    let admin = token(
        &data,
        &[&"create", &"--name", &"admin", &"--scope", &"admin"],
    )
    .success()
    .stdout
    .trim()
    .to_string();
    let (_, issuer) = server.send_json(
        "POST",
        "/api/v1/issuers",
        &admin,
        r#"{"name":"Library Association"}"#,
    );
    let issuer: Value = serde_json::from_str(&issuer).unwrap();
    let (status, event) = server.send_json(
        "POST",
        "/api/v1/events",
        &admin,
        &json!({"issuer_id": issuer["id"], "title": "Open Data for Community Health",
                "starts_at": "2024-03-14T10:00:00Z", "duration_minutes": 64})
        .to_string(),
    );
    assert_eq!(status, 201, "{event}");
    let event: Value = serde_json::from_str(&event).unwrap();
    let event_id = event["id"].as_str().unwrap().to_string();
    let (status, achievement) = server.send_json(
        "POST",
        "/api/v1/achievements",
        &admin,
        &json!({"issuer_id": issuer["id"], "name": "Open data webinar", "description": "Attended.",
                "criteria_narrative": "Attend 40 minutes.",
                "award_rules": [{"kind": "participation", "session": event_id, "min_minutes": 40}]})
        .to_string(),
    );
    assert_eq!(status, 201, "{achievement}");
    let report = crate::util::data("attendance/zoom_webinar.csv");

    // A dry run: what would happen, nothing recorded. One line is rejected: exit 3.
    let dry = import(
        &data,
        &public_url,
        &[&"--event", &event_id, &"--dry-run", &report],
    );
    assert_eq!(dry.code, Some(3), "{dry:#?}");
    assert!(
        dry.stdout
            .contains("line 13: recorded amara.okafor@example.org"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains("line 17: merged into line 13"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains("line 18: rejected no email address"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout
            .contains("would award \"Open data webinar\" to 4"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stderr.contains("1 line(s) of the report were rejected"),
        "{}",
        dry.stderr
    );
    // Not a terminal: plain progress lines.
    assert!(dry.stderr.contains("recording: 4/4"), "{}", dry.stderr);
    let awards_path = format!(
        "/api/v1/awards?achievement={}",
        achievement_id(&achievement)
    );
    let (_, page) = server.send_json("GET", &awards_path, &admin, "");
    assert_eq!(serde_json::from_str::<Value>(&page).unwrap()["total"], 0);

    let real = import(&data, &public_url, &[&"--event", &event_id, &report]);
    assert_eq!(real.code, Some(3), "{real:#?}");
    assert!(real.stdout.contains("4 recorded"), "{}", real.stdout);
    assert!(
        real.stdout.contains("awarded \"Open data webinar\" to 4"),
        "{}",
        real.stdout
    );
    assert!(real.stderr.contains("awarding: 4/4"), "{}", real.stderr);
    let (_, page) = server.send_json("GET", &awards_path, &admin, "");
    let page: Value = serde_json::from_str(&page).unwrap();
    assert_eq!(page["total"], 4);
    // Credentials minted by the command carry the service's public URL.
    assert!(
        page["awards"][0]["credential_url"]
            .as_str()
            .unwrap()
            .starts_with(&public_url),
        "{page}"
    );

    // Again, as JSON: everyone a duplicate, nothing minted; the API lists all three jobs.
    let again = import(
        &data,
        &public_url,
        &[&"--event", &event_id, &"--json", &report],
    );
    let result: Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(result["summary"]["duplicate"], 4, "{result}");
    assert_eq!(result["awards"][0]["created"], 0);
    let (_, jobs) = server.send_json("GET", "/api/v1/imports", &admin, "");
    assert_eq!(
        serde_json::from_str::<Value>(&jobs).unwrap()["imports"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // Mistakes: a malformed id is a usage error (2), an unknown event or an unreadable
    // report a failure (1), with nothing printed on standard output.
    import(&data, &public_url, &[&"--event", &"webinar-1", &report]).failure(2);
    let unknown = uuid::Uuid::nil().to_string();
    let run = import(&data, &public_url, &[&"--event", &unknown, &report]).failure(1);
    assert!(run.stderr.contains("no event with id"), "{}", run.stderr);
    let no_header = crate::util::data("attendance/no_header.csv");
    let run = import(&data, &public_url, &[&"--event", &event_id, &no_header]).failure(1);
    assert!(run.stderr.contains("cannot be read"), "{}", run.stderr);
    server.terminate();
}

fn achievement_id(body: &str) -> String {
    serde_json::from_str::<Value>(body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn user_create_makes_a_console_account_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let created = crate::util::laurel_with_stdin(
        ["user", "create", "--admin", "Ada", "--data-dir", data],
        b"correct horse battery staple\n",
    )
    .success();
    assert!(
        created.stderr.contains("created admin \"ada\""),
        "{}",
        created.stderr
    );
    let again = crate::util::laurel_with_stdin(
        ["user", "create", "ada", "--data-dir", data],
        b"another long password\n",
    )
    .failure(1);
    assert!(again.stderr.contains("taken"), "{}", again.stderr);
    let short =
        crate::util::laurel_with_stdin(["user", "create", "bob", "--data-dir", data], b"short\n")
            .failure(2);
    assert!(short.stderr.contains("at least 12"), "{}", short.stderr);
    let manager = crate::util::laurel_with_stdin(
        [
            "user",
            "create",
            "bob",
            "--role",
            "manager",
            "--data-dir",
            data,
        ],
        b"correct horse battery staple\n",
    )
    .failure(2);
    assert!(manager.stderr.contains("--issuer"), "{}", manager.stderr);
}

#[test]
fn serve_refuses_another_public_url_once_it_has_signed_unless_told_to_move() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("laurel-data");
    let server = Server::start(&data);
    let first_url = server.public_url();
    let admin = token(&data, &[&"create", &"--name", &"ci", &"--scope", &"admin"]).success();
    let (status, body) = server.send_json(
        "POST",
        "/api/v1/issuers",
        admin.stdout.trim(),
        r#"{"name": "Example Library"}"#,
    );
    assert_eq!(status, 201, "{body}");
    let log = server.terminate();
    // Plain http on a loopback address: said at every start.
    assert!(log.contains("uses plain http"), "{log}");
    assert!(log.contains("this computer's own address"), "{log}");

    // Port 0 again gives another port, so another public URL: refused, saying how to go on.
    let refused = clean_command(&[
        &"serve",
        &"--listen",
        &"127.0.0.1:0",
        &"--data-dir",
        &data,
        &"--public-url",
        &"https://badges.example.org",
    ])
    .stdin(std::process::Stdio::null())
    .output()
    .unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains(&first_url), "{stderr}");
    assert!(stderr.contains("--change-public-url"), "{stderr}");

    // The recorded one starts; so does a new one with --change-public-url, which is then kept.
    let server = Server::start_with(&data, &["--public-url", first_url.as_str()]);
    server.terminate();
    let server = Server::start_with(
        &data,
        &[
            "--public-url",
            "https://badges.example.org",
            "--change-public-url",
        ],
    );
    assert_eq!(server.listening["public_url"], "https://badges.example.org");
    let log = server.terminate();
    assert!(!log.contains("uses plain http"), "{log}");
    let again = Server::start_with(&data, &["--public-url", "https://badges.example.org"]);
    again.terminate();
    // The move is in the audit log, once.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let moves: Vec<laurel_store::AuditEntry> = runtime.block_on(async {
        let store = laurel_store::connect(&format!("sqlite://{}/laurel.db", data.display()))
            .await
            .unwrap();
        let (entries, _) = store.list_audit(100, 0).await.unwrap();
        entries
            .into_iter()
            .filter(|e| e.action == "public_url.change")
            .collect()
    });
    assert_eq!(moves.len(), 1, "{moves:?}");
    assert!(moves[0].detail.contains(&first_url), "{}", moves[0].detail);
}

/// Runs `laurel` with `args`, `input` on standard input and LAUREL_USER_PASSWORD set or not.
fn laurel_with_password(args: &[&str], input: &[u8], env: Option<&str>) -> crate::util::Run {
    use std::io::Write as _;
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_laurel"));
    command.args(args).env_remove("LAUREL_USER_PASSWORD");
    if let Some(password) = env {
        command.env("LAUREL_USER_PASSWORD", password);
    }
    let mut child = command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let output = child.wait_with_output().unwrap();
    crate::util::Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// The stored account, read behind the command line's back.
fn stored_user(data: &str, name: &str) -> laurel_store::User {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = laurel_store::connect(&format!("sqlite://{data}/laurel.db"))
            .await
            .unwrap();
        store.user_by_name(name).await.unwrap().unwrap()
    })
}

#[test]
fn user_password_disable_enable_and_list() {
    use laurel_service::accounts::password;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    laurel_with_password(
        &["user", "create", "--admin", "ada", "--data-dir", data],
        b"",
        Some("correct horse battery staple"),
    )
    .success();
    let repeated = laurel_with_password(
        &["user", "create", "bob", "--data-dir", data],
        b"xxxxxxxxxxxxxxxxxxxx\n",
        None,
    )
    .failure(2);
    assert!(repeated.stderr.contains("repeated"), "{}", repeated.stderr);

    // A reset from standard input, then from the variable; weak ones are refused.
    let weak = laurel_with_password(
        &["user", "password", "ada", "--data-dir", data],
        b"short\n",
        None,
    )
    .failure(2);
    assert!(weak.stderr.contains("at least 12"), "{}", weak.stderr);
    let before = stored_user(data, "ada");
    assert!(password::verify(
        "correct horse battery staple",
        &before.password_hash
    ));
    laurel_with_password(
        &["user", "password", "Ada", "--data-dir", data],
        b"a brand new passphrase\n",
        None,
    )
    .success();
    let after = stored_user(data, "ada");
    assert!(password::verify(
        "a brand new passphrase",
        &after.password_hash
    ));
    assert!(!password::verify(
        "correct horse battery staple",
        &after.password_hash
    ));
    laurel_with_password(
        &["user", "password", "ada", "--data-dir", data],
        b"ignored when the variable is set\n",
        Some("from the environment"),
    )
    .success();
    assert!(password::verify(
        "from the environment",
        &stored_user(data, "ada").password_hash
    ));

    for command in ["password", "disable", "enable"] {
        let unknown = laurel_with_password(
            &["user", command, "nobody", "--data-dir", data],
            b"a long enough password\n",
            None,
        )
        .failure(1);
        assert!(
            unknown.stderr.contains("there is no account \"nobody\""),
            "{command}: {}",
            unknown.stderr
        );
    }

    let disabled =
        laurel_with_password(&["user", "disable", "ada", "--data-dir", data], b"", None).success();
    assert!(
        disabled.stderr.contains("disabled \"ada\""),
        "{}",
        disabled.stderr
    );
    assert!(stored_user(data, "ada").disabled_at.is_some());
    let listed = laurel_with_password(&["user", "list", "--data-dir", data], b"", None).success();
    let lines: Vec<&str> = listed.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", listed.stdout);
    for column in ["USERNAME", "ROLE", "ISSUERS", "DISABLED", "FAILED SIGN-INS"] {
        assert!(lines[0].contains(column), "{}", lines[0]);
    }
    let row: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(row[..3], ["ada", "admin", "-"]);
    assert!(row[3].starts_with("20"), "a date: {}", lines[1]);
    assert_eq!(row[4], "0");
    laurel_with_password(&["user", "enable", "ada", "--data-dir", data], b"", None).success();
    assert_eq!(stored_user(data, "ada").disabled_at, None);
    let listed = laurel_with_password(&["user", "list", "--data-dir", data], b"", None).success();
    assert!(
        listed
            .stdout
            .lines()
            .nth(1)
            .unwrap()
            .split_whitespace()
            .nth(3)
            == Some("no"),
        "{}",
        listed.stdout
    );
    // Every change is in the audit log, as the command line's, never with a password.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let entries = runtime.block_on(async {
        let store = laurel_store::connect(&format!("sqlite://{data}/laurel.db"))
            .await
            .unwrap();
        store.list_audit(100, 0).await.unwrap().0
    });
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    for action in [
        "user.create",
        "user.password",
        "user.disable",
        "user.enable",
    ] {
        assert!(actions.contains(&action), "{action} missing: {actions:?}");
    }
    assert!(
        entries
            .iter()
            .all(|e| e.via == "cli" && e.username.starts_with("cli:"))
    );
    assert!(
        entries
            .iter()
            .all(|e| !e.detail.contains("correct horse battery staple")),
        "{entries:?}"
    );
}
