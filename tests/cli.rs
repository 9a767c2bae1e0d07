//! End-to-end tests of the `laurel` binary: keys, signing, baking and extraction.
//!
//! Every signed output is checked with `laurel-core` itself (Data Integrity `verify`, VC-JWT
//! `decode` + `verify_signature` + `check_claims`), so these tests pin what the commands write,
//! not just that they exit 0.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use laurel_core::bake::{self, BadgeVersion, ImageFormat};
use laurel_core::jwt::{self, KeyReference};
use laurel_core::keys::{KeyType, PublicKey, SigningKey};
use laurel_core::proof::{self, Cryptosuite};
use serde_json::{Value, json};
use tempfile::TempDir;
use util::{data, laurel, laurel_with_stdin, sample_credential};

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

fn sign(key: &Path, proof: &str, extra: &[&str], input: &Path) -> util::Run {
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

fn bake(image: &Path, credential: &Path, out: &Path) -> util::Run {
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
        ("images/simple-json.png", ImageFormat::Png),
        ("images/simple-json.svg", ImageFormat::Svg),
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
    fs::copy(data("images/simple-json.svg"), &image).unwrap();
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
        let run = bake(&data("images/simple-json.png"), &credential, &out).failure(1);
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
