//! `laurel sign`: check an unsigned credential, then secure it with a Data Integrity proof or as
//! a VC-JWT.

use std::path::PathBuf;

use anyhow::{Context as _, Result, bail};
use chrono::{DateTime, Utc};
use clap::{Args, ValueEnum};
use laurel_core::keys::{KeyType, PublicKey, SigningKey};
use laurel_core::proof::{Cryptosuite, ProofOptions};
use laurel_core::schema::Schema;
use laurel_core::{jsonld, jwt, proof};
use serde_json::Value;

use super::{UsageError, io, keys};

/// The largest credential we read (the same bound baking applies).
const MAX_CREDENTIAL_BYTES: usize = laurel_core::bake::MAX_IMAGE_BYTES;

#[derive(Debug, Args)]
#[command(
    after_help = "Before signing, the credential is checked against the Open Badges 3.0 \
    JSON Schema (AchievementCredential, or EndorsementCredential when its type says so) and \
    for terms its JSON-LD @context does not define. A credential that fails either check is \
    refused with exit status 1 and a list of the fields at fault; nothing is printed to \
    standard output."
)]
pub struct SignArgs {
    /// The private key file (PKCS#8 PEM, as written by `laurel keys generate`).
    #[arg(long, value_name = "KEYFILE")]
    key: PathBuf,
    /// How to secure the credential: eddsa-rdfc-2022 (Data Integrity, RDF canonicalization;
    /// the Open Badges default) or eddsa-jcs-2022 (Data Integrity, JSON canonicalization), both
    /// with an Ed25519 key; or vc-jwt (a compact JWS: EdDSA, ES256 or RS256 by key type).
    #[arg(long, value_enum, value_name = "PROOF")]
    proof: ProofArg,
    /// The URI that resolves to the public key, e.g. https://badges.example.org/issuers/1#key-1.
    /// Data Integrity proofs default to the Ed25519 key's did:key (did:key:z6Mk…#z6Mk…); a
    /// VC-JWT names it in its `kid` header, and without this option carries the public key
    /// itself in a `jwk` header.
    #[arg(long, value_name = "URI")]
    verification_method: Option<String>,
    /// The proof's `created` time (RFC 3339, e.g. 2026-01-31T12:00:00Z), written in UTC to the
    /// second. Defaults to now. Data Integrity proofs only.
    #[arg(long, value_name = "RFC3339", value_parser = parse_created)]
    created: Option<DateTime<Utc>>,
    /// The unsigned credential (JSON); `-` reads it from standard input.
    #[arg(value_name = "IN.json")]
    input: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ProofArg {
    /// DataIntegrityProof with eddsa-rdfc-2022 (Ed25519 key).
    #[value(name = "eddsa-rdfc-2022")]
    EddsaRdfc2022,
    /// DataIntegrityProof with eddsa-jcs-2022 (Ed25519 key).
    #[value(name = "eddsa-jcs-2022")]
    EddsaJcs2022,
    /// A VC-JWT (compact JWS), signed with any key type.
    #[value(name = "vc-jwt")]
    VcJwt,
}

impl ProofArg {
    fn name(self) -> &'static str {
        match self {
            ProofArg::EddsaRdfc2022 => "eddsa-rdfc-2022",
            ProofArg::EddsaJcs2022 => "eddsa-jcs-2022",
            ProofArg::VcJwt => "vc-jwt",
        }
    }

    fn cryptosuite(self) -> Option<Cryptosuite> {
        match self {
            ProofArg::EddsaRdfc2022 => Some(Cryptosuite::EddsaRdfc2022),
            ProofArg::EddsaJcs2022 => Some(Cryptosuite::EddsaJcs2022),
            ProofArg::VcJwt => None,
        }
    }
}

fn parse_created(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.to_utc())
        .map_err(|error| {
            format!("not an RFC 3339 date-time such as 2026-01-31T12:00:00Z ({error})")
        })
}

pub fn run(args: SignArgs) -> Result<()> {
    if args.proof == ProofArg::VcJwt && args.created.is_some() {
        return Err(UsageError(
            "--created sets a Data Integrity proof's time and cannot be used with --proof vc-jwt \
             (a VC-JWT's nbf comes from the credential's validFrom)"
                .into(),
        )
        .into());
    }
    let key = keys::load_signing_key(&args.key)?;
    if args.proof.cryptosuite().is_some() && key.key_type() != KeyType::Ed25519 {
        bail!(
            "--proof {} needs an Ed25519 key, but {} holds a {} key; \
             sign with --proof vc-jwt instead, or use an Ed25519 key",
            args.proof.name(),
            args.key.display(),
            key.key_type().name()
        );
    }
    if let Some(method) = &args.verification_method {
        check_verification_method(method, &key)?;
    }

    let text = io::read_text(&args.input, MAX_CREDENTIAL_BYTES, "credential")?;
    let input = io::display(&args.input);
    let credential: Value = serde_json::from_str(&text)
        .with_context(|| format!("the credential {input} is not valid JSON"))?;
    if !credential.is_object() {
        bail!("the credential {input} must be a JSON object");
    }
    check_credential(&credential)?;

    let output = match args.proof.cryptosuite() {
        Some(cryptosuite) => {
            let verification_method = match args.verification_method {
                Some(method) => method,
                None => key
                    .public_key()
                    .to_did_key_verification_method()
                    .context("an Ed25519 key has a did:key")?,
            };
            let options = ProofOptions {
                cryptosuite,
                verification_method,
                created: args.created.unwrap_or_else(Utc::now),
            };
            let signed =
                proof::sign(&credential, &key, &options).context("cannot sign the credential")?;
            format!("{}\n", serde_json::to_string_pretty(&signed)?)
        }
        None => {
            if credential.get("proof").is_some() {
                bail!(
                    "the credential already has an embedded proof; a VC-JWT secures an \
                     unsigned credential, so remove the proof first"
                );
            }
            let compact = jwt::sign(&credential, &key, args.verification_method.as_deref())
                .context("cannot sign the credential as a VC-JWT")?;
            format!("{compact}\n")
        }
    };
    io::print(&output)
}

/// A verification method must be an absolute URI; a did:key must name this very key.
fn check_verification_method(method: &str, key: &SigningKey) -> Result<()> {
    let scheme = method.split_once(':').map(|(scheme, _)| scheme);
    let valid_scheme = scheme.is_some_and(|scheme| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    if !valid_scheme || method.chars().any(|c| c.is_whitespace() || c.is_control()) {
        bail!(
            "--verification-method {method:?} is not an absolute URI \
             (e.g. https://badges.example.org/issuers/1#key-1 or did:key:z6Mk…#z6Mk…)"
        );
    }
    if method.starts_with("did:key:") {
        let named = PublicKey::from_did_key(method)
            .with_context(|| format!("--verification-method {method} is not a valid did:key"))?;
        if named != key.public_key() {
            bail!(
                "--verification-method {method} names a different key than the one in --key; \
                 verifiers would reject the signature"
            );
        }
    }
    Ok(())
}

/// Refuses a credential that breaks the Open Badges 3.0 schema, fails JSON-LD safe mode or
/// uses undefined JSON-LD terms, listing every problem (whatever the proof: a VC-JWT's
/// credential is JSON-LD to its readers too).
fn check_credential(credential: &Value) -> Result<()> {
    let is_endorsement = match credential.get("type") {
        Some(Value::Array(types)) => types.iter().any(|t| t == "EndorsementCredential"),
        Some(single) => single == "EndorsementCredential",
        None => false,
    };
    let (schema, schema_name) = if is_endorsement {
        (Schema::EndorsementCredential, "EndorsementCredential")
    } else {
        (Schema::AchievementCredential, "AchievementCredential")
    };
    let mut problems: Vec<String> = schema
        .validate(credential)
        .iter()
        .map(|violation| format!("schema: {violation}"))
        .collect();
    match jsonld::undefined_terms(credential) {
        Ok(terms) => problems.extend(terms.iter().map(|term| {
            format!(
                "JSON-LD: {term:?} is not defined by the credential's @context, so a signature \
                 would not cover it; remove it or add a context that defines it"
            )
        })),
        Err(error) => problems.push(format!("JSON-LD: {error}")),
    }
    if problems.is_empty() {
        return Ok(());
    }
    bail!(
        "refusing to sign: the credential is not a valid Open Badges 3.0 {schema_name} \
         ({} problem{}):\n  - {}",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" },
        problems.join("\n  - ")
    )
}
