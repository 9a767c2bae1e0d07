//! Cost of Laurel's proofs on a realistic Open Badges 3.0 credential, each beside the raw
//! signature operation it is built on.
//!
//! Run with `cargo bench -p laurel-core --bench proofs`; filter with a substring, e.g.
//! `cargo bench -p laurel-core --bench proofs -- ed25519::verify`.
//!
//! Within each `sign` / `verify` group, `baseline_raw_64B` is the bare signature algorithm on a
//! 64-byte message (the size of the hash data an `eddsa-*-2022` proof signs); every other entry
//! is the full operation on `data/open-badge-credential.json`:
//!
//! - `eddsa_rdfc_2022`, `eddsa_jcs_2022`: [`proof::sign`] / [`proof::verify`] (verify includes
//!   recomputing both canonical forms and hashes);
//! - `vc_jwt_*`: [`jwt::sign`] / [`jwt::decode`] + [`DecodedJwt::verify_signature`] +
//!   [`DecodedJwt::check_claims`].
//!
//! `jsonld_steps::*` splits the RDFC path: `to_rdf` is JSON-LD expansion + RDF conversion
//! alone, `canonicalize` adds the undefined-term check and RDFC-1.0. `eddsa-rdfc-2022` verify
//! runs `canonicalize` twice: once on the proof options, once on the credential.
//!
//! The figures are steady-state ones, as in a long-running issuer or verifier: the vendored
//! oxjsonld keeps processed JSON-LD contexts in a process-wide cache (see `vendor/README.md`),
//! which `main` warms before timing. The first document a process converts with a given chain
//! of contexts still pays for processing them (about 2.5 ms for this credential).
//!
//! To profile one entry: `perf record --call-graph=dwarf <bench binary> --bench
//! 'verify::eddsa_rdfc' --sample-count 3000`, or `valgrind --tool=callgrind` with the same
//! arguments and `--sample-count 200 --sample-size 1`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::LazyLock;

use chrono::DateTime;
use divan::{Bencher, black_box};
use laurel_core::jsonld;
use laurel_core::jwt::{self, DecodedJwt};
use laurel_core::keys::{KeyType, PublicKey, SigningKey};
use laurel_core::proof::{self, Cryptosuite, ProofOptions};
use serde_json::Value;

fn main() {
    // Forces the input check before any timing, and states the input's size once.
    let compact = serde_json::to_string(&*CREDENTIAL).expect("json");
    let canonical = jsonld::canonicalize(&CREDENTIAL).expect("canonicalize");
    eprintln!(
        "input: data/open-badge-credential.json, {} bytes as compact JSON, {} canonical N-Quads",
        compact.len(),
        canonical.nquads.lines().count(),
    );
    divan::main();
}

/// The benchmark input: an OpenBadgeCredential of about 1.5 KB (compact JSON).
static CREDENTIAL: LazyLock<Value> = LazyLock::new(|| {
    let value: Value = serde_json::from_str(include_str!("data/open-badge-credential.json"))
        .expect("benchmark credential is JSON");
    // Refuse an input with undefined terms: they would make the RDFC numbers meaningless.
    let undefined = jsonld::undefined_terms(&value).expect("credential converts to RDF");
    assert!(
        undefined.is_empty(),
        "undefined terms in benchmark input: {undefined:?}"
    );
    value
});

/// A 64-byte message: what a Data Integrity proof signs (two SHA-256 digests).
const MESSAGE: [u8; 64] = [0x5a; 64];

static ED25519: LazyLock<SigningKey> = LazyLock::new(|| SigningKey::from_ed25519_seed(&[7; 32]));
static P256: LazyLock<SigningKey> =
    LazyLock::new(|| SigningKey::generate(KeyType::P256).expect("P-256 key"));
static RSA: LazyLock<SigningKey> =
    LazyLock::new(|| SigningKey::generate(KeyType::Rsa).expect("RSA key"));

fn verification_method(key: &SigningKey) -> String {
    let multikey = key.public_key().to_multikey().expect("Ed25519 multikey");
    format!("did:key:{multikey}#{multikey}")
}

fn options(cryptosuite: Cryptosuite) -> ProofOptions {
    ProofOptions {
        cryptosuite,
        verification_method: verification_method(&ED25519),
        created: DateTime::parse_from_rfc3339("2024-09-01T12:00:00Z")
            .expect("date")
            .to_utc(),
    }
}

fn signed(cryptosuite: Cryptosuite) -> Value {
    proof::sign(&CREDENTIAL, &ED25519, &options(cryptosuite)).expect("sign")
}

fn jwt_of(key: &SigningKey) -> String {
    jwt::sign(
        &CREDENTIAL,
        key,
        Some("https://badges.example.edu/issuers/1#key-1"),
    )
    .expect("jwt")
}

fn bench_raw_sign(bencher: Bencher<'_, '_>, key: &'static LazyLock<SigningKey>) {
    let key = &**key;
    bencher.bench(|| key.sign(black_box(&MESSAGE)).expect("sign"));
}

fn bench_raw_verify(bencher: Bencher<'_, '_>, key: &'static LazyLock<SigningKey>) {
    let public = key.public_key();
    let signature = key.sign(&MESSAGE).expect("sign");
    bencher.bench(|| {
        public
            .verify(black_box(&MESSAGE), black_box(&signature))
            .expect("verify")
    });
}

fn bench_jwt_sign(bencher: Bencher<'_, '_>, key: &'static LazyLock<SigningKey>) {
    let key = &**key;
    let credential = &*CREDENTIAL;
    bencher.bench(|| {
        jwt::sign(
            black_box(credential),
            key,
            Some("https://badges.example.edu/issuers/1#key-1"),
        )
        .expect("jwt")
    });
}

fn bench_jwt_verify(bencher: Bencher<'_, '_>, key: &'static LazyLock<SigningKey>) {
    let public: PublicKey = key.public_key();
    let compact = jwt_of(key);
    bencher.bench(|| {
        let decoded: DecodedJwt = jwt::decode(black_box(&compact)).expect("decode");
        decoded.verify_signature(&public).expect("signature");
        decoded.check_claims().expect("claims");
        decoded
    });
}

fn bench_proof_sign(bencher: Bencher<'_, '_>, cryptosuite: Cryptosuite) {
    let credential = &*CREDENTIAL;
    let options = options(cryptosuite);
    bencher.bench(|| proof::sign(black_box(credential), &ED25519, &options).expect("sign"));
}

fn bench_proof_verify(bencher: Bencher<'_, '_>, cryptosuite: Cryptosuite) {
    let public = ED25519.public_key();
    let signed = signed(cryptosuite);
    bencher.bench(|| {
        let document = black_box(&signed);
        let proofs = proof::proofs_of(document);
        proof::verify(document, proofs[0], &public).expect("verify")
    });
}

mod ed25519 {
    use super::*;

    mod sign {
        use super::*;

        #[divan::bench(name = "baseline_raw_64B")]
        fn raw(bencher: Bencher<'_, '_>) {
            bench_raw_sign(bencher, &ED25519);
        }

        #[divan::bench]
        fn eddsa_rdfc_2022(bencher: Bencher<'_, '_>) {
            bench_proof_sign(bencher, Cryptosuite::EddsaRdfc2022);
        }

        #[divan::bench]
        fn eddsa_jcs_2022(bencher: Bencher<'_, '_>) {
            bench_proof_sign(bencher, Cryptosuite::EddsaJcs2022);
        }

        #[divan::bench(name = "vc_jwt_EdDSA")]
        fn vc_jwt(bencher: Bencher<'_, '_>) {
            bench_jwt_sign(bencher, &ED25519);
        }
    }

    mod verify {
        use super::*;

        #[divan::bench(name = "baseline_raw_64B")]
        fn raw(bencher: Bencher<'_, '_>) {
            bench_raw_verify(bencher, &ED25519);
        }

        #[divan::bench]
        fn eddsa_rdfc_2022(bencher: Bencher<'_, '_>) {
            bench_proof_verify(bencher, Cryptosuite::EddsaRdfc2022);
        }

        #[divan::bench]
        fn eddsa_jcs_2022(bencher: Bencher<'_, '_>) {
            bench_proof_verify(bencher, Cryptosuite::EddsaJcs2022);
        }

        #[divan::bench(name = "vc_jwt_EdDSA")]
        fn vc_jwt(bencher: Bencher<'_, '_>) {
            bench_jwt_verify(bencher, &ED25519);
        }
    }
}

mod es256 {
    use super::*;

    mod sign {
        use super::*;

        #[divan::bench(name = "baseline_raw_64B")]
        fn raw(bencher: Bencher<'_, '_>) {
            bench_raw_sign(bencher, &P256);
        }

        #[divan::bench(name = "vc_jwt_ES256")]
        fn vc_jwt(bencher: Bencher<'_, '_>) {
            bench_jwt_sign(bencher, &P256);
        }
    }

    mod verify {
        use super::*;

        #[divan::bench(name = "baseline_raw_64B")]
        fn raw(bencher: Bencher<'_, '_>) {
            bench_raw_verify(bencher, &P256);
        }

        #[divan::bench(name = "vc_jwt_ES256")]
        fn vc_jwt(bencher: Bencher<'_, '_>) {
            bench_jwt_verify(bencher, &P256);
        }
    }
}

mod rs256 {
    use super::*;

    mod sign {
        use super::*;

        #[divan::bench(name = "baseline_raw_64B")]
        fn raw(bencher: Bencher<'_, '_>) {
            bench_raw_sign(bencher, &RSA);
        }

        #[divan::bench(name = "vc_jwt_RS256")]
        fn vc_jwt(bencher: Bencher<'_, '_>) {
            bench_jwt_sign(bencher, &RSA);
        }
    }

    mod verify {
        use super::*;

        #[divan::bench(name = "baseline_raw_64B")]
        fn raw(bencher: Bencher<'_, '_>) {
            bench_raw_verify(bencher, &RSA);
        }

        #[divan::bench(name = "vc_jwt_RS256")]
        fn vc_jwt(bencher: Bencher<'_, '_>) {
            bench_jwt_verify(bencher, &RSA);
        }
    }
}

/// Where `eddsa-rdfc-2022` time goes: JSON-LD → RDF alone, then the full canonical form.
mod jsonld_steps {
    use super::*;

    /// The proof options an `eddsa-rdfc-2022` verifier canonicalizes (with the document's
    /// `@context`), as the first of its two `canonicalize` calls.
    static PROOF_OPTIONS: LazyLock<Value> = LazyLock::new(|| {
        let signed = signed(Cryptosuite::EddsaRdfc2022);
        let mut options = proof::proofs_of(&signed)[0].clone();
        options.remove("proofValue");
        options.insert("@context".into(), CREDENTIAL["@context"].clone());
        Value::Object(options)
    });

    #[divan::bench]
    fn canonicalize_credential() -> jsonld::Canonical {
        jsonld::canonicalize(black_box(&CREDENTIAL)).expect("canonicalize")
    }

    #[divan::bench]
    fn canonicalize_proof_options() -> jsonld::Canonical {
        jsonld::canonicalize(black_box(&PROOF_OPTIONS)).expect("canonicalize")
    }

    #[divan::bench]
    fn to_rdf_credential() -> usize {
        jsonld::to_rdf(black_box(&CREDENTIAL))
            .expect("to_rdf")
            .len()
    }

    /// JSON-LD processing of the two bundled contexts alone (an empty node).
    #[divan::bench]
    fn to_rdf_contexts_only() -> usize {
        static EMPTY: LazyLock<Value> =
            LazyLock::new(|| serde_json::json!({ "@context": CREDENTIAL["@context"].clone() }));
        jsonld::to_rdf(black_box(&EMPTY)).expect("to_rdf").len()
    }
}
