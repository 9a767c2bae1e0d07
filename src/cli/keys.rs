//! `laurel keys`: generate key files and print their public halves (`rotate` and `revoke`, on
//! the service's issuer keys, live in [`super::lifecycle`]).

use std::fmt::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use laurel_core::keys::{KeyType, PublicKey, SigningKey, Zeroizing};
use serde_json::{Value, json};

use super::io;

/// The largest key file we read; PKCS#8 PEM keys are a few kilobytes at most.
const MAX_KEY_FILE_BYTES: usize = 64 * 1024;

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Generate a new private key and write it to a PKCS#8 PEM file only you can read.
    ///
    /// The file is created with mode 0600 and an existing file is never overwritten unless
    /// --force is given. The public key summary (type, Multikey and did:key for Ed25519, JWK
    /// thumbprint) is printed to standard output; the private key never is.
    Generate(GenerateArgs),
    /// Print the public half of a private key file.
    Public(PublicArgs),
    /// Give an issuer of the service new keys; the old ones are retired and stay published,
    /// so credentials they signed keep verifying, offline and online.
    Rotate(super::lifecycle::RotateArgs),
    /// Mark a service key compromised since a time: proofs it made from then on fail
    /// verification. A key still in use is rotated out first.
    Revoke(super::lifecycle::CompromisedArgs),
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The kind of key: ed25519 signs Data Integrity proofs (eddsa-rdfc-2022, eddsa-jcs-2022)
    /// and EdDSA VC-JWTs; p256 (ES256) and rsa (RS256, 2048 bits) sign VC-JWTs only.
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    key_type: KeyTypeArg,
    /// Where to write the private key (PKCS#8 PEM, mode 0600).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Replace FILE if it already exists (the old key is lost).
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Args)]
pub struct PublicArgs {
    /// The private key file (PKCS#8 PEM, as written by `laurel keys generate`).
    #[arg(value_name = "FILE")]
    key: PathBuf,
    /// What to print: jwk (the public JWK), jwks (a JWK Set with kid = JWK thumbprint),
    /// multikey (z6Mk…, Ed25519 only), did (did:key:z6Mk…, Ed25519 only) or did-document (the
    /// did:key's DID document with a Multikey verification method, Ed25519 only).
    #[arg(long, value_enum, value_name = "FORMAT", default_value = "jwk")]
    format: PublicFormat,
}

/// Key types, as written on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum KeyTypeArg {
    /// Ed25519 (EdDSA).
    Ed25519,
    /// ECDSA P-256 with SHA-256 (ES256).
    #[value(alias = "p-256", alias = "es256")]
    P256,
    /// RSA 2048 with PKCS#1 v1.5 and SHA-256 (RS256).
    #[value(alias = "rs256")]
    Rsa,
}

impl From<KeyTypeArg> for KeyType {
    fn from(arg: KeyTypeArg) -> Self {
        match arg {
            KeyTypeArg::Ed25519 => KeyType::Ed25519,
            KeyTypeArg::P256 => KeyType::P256,
            KeyTypeArg::Rsa => KeyType::Rsa,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PublicFormat {
    /// The public JWK (RFC 7517).
    Jwk,
    /// A JWK Set holding the public JWK, with kid (the RFC 7638 thumbprint), alg and use.
    Jwks,
    /// The Multikey publicKeyMultibase (z6Mk…); Ed25519 only.
    Multikey,
    /// The did:key DID (did:key:z6Mk…); Ed25519 only.
    Did,
    /// The did:key DID document, with a Multikey verification method; Ed25519 only.
    DidDocument,
}

pub fn run(command: KeysCommand) -> Result<()> {
    match command {
        KeysCommand::Generate(args) => generate(args),
        KeysCommand::Public(args) => public(args),
        KeysCommand::Rotate(args) => super::lifecycle::rotate(args),
        KeysCommand::Revoke(args) => super::lifecycle::compromised(args),
    }
}

fn generate(args: GenerateArgs) -> Result<()> {
    let key_type = KeyType::from(args.key_type);
    let key = SigningKey::generate(key_type)?;
    let pem = key.to_pkcs8_pem();
    io::write_private(&args.out, pem.as_bytes(), args.force)?;
    eprintln!(
        "wrote a new {} private key to {} (mode 0600)",
        key_type.name(),
        args.out.display()
    );
    io::print(&summary(&key.public_key()))
}

/// `name: value` lines describing a public key.
pub fn summary(public: &PublicKey) -> String {
    let mut text = String::new();
    let mut line = |name: &str, value: &str| {
        let _ = writeln!(text, "{name:<16}{value}");
    };
    line("type:", public.key_type().name());
    line("algorithm:", public.key_type().jws_alg());
    if let (Some(multikey), Some(did)) = (public.to_multikey(), public.to_did_key()) {
        line("multikey:", &multikey);
        line("did:", &did);
        if let Some(method) = public.to_did_key_verification_method() {
            line("key id:", &method);
        }
    }
    line("jwk thumbprint:", &public.jwk_thumbprint());
    text
}

fn public(args: PublicArgs) -> Result<()> {
    let key = load_signing_key(&args.key)?;
    let public = key.public_key();
    let text = match args.format {
        PublicFormat::Jwk => pretty(&public.to_jwk())?,
        PublicFormat::Jwks => {
            let mut jwk = public.to_jwk();
            if let Value::Object(members) = &mut jwk {
                members.insert("kid".into(), public.jwk_thumbprint().into());
                members.insert("alg".into(), public.key_type().jws_alg().into());
                members.insert("use".into(), "sig".into());
            }
            pretty(&json!({ "keys": [jwk] }))?
        }
        PublicFormat::Multikey => format!("{}\n", ed25519_only(&public, "multikey")?),
        PublicFormat::Did => format!("did:key:{}\n", ed25519_only(&public, "did")?),
        PublicFormat::DidDocument => {
            let multikey = ed25519_only(&public, "did-document")?;
            pretty(&did_key_document(&multikey))?
        }
    };
    io::print(&text)
}

/// The Multikey of an Ed25519 key, or an error naming the format that needs one.
fn ed25519_only(public: &PublicKey, format: &str) -> Result<String> {
    match public.to_multikey() {
        Some(multikey) => Ok(multikey),
        None => bail!(
            "--format {format} needs an Ed25519 key, but this is a {} key; \
             use --format jwk or jwks for P-256 and RSA keys",
            public.key_type().name()
        ),
    }
}

/// The DID document of `did:key:<multikey>`, as the did:key method resolves it.
fn did_key_document(multikey: &str) -> Value {
    let did = format!("did:key:{multikey}");
    let method = format!("{did}#{multikey}");
    json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [{
            "id": method,
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": multikey,
        }],
        "authentication": [method],
        "assertionMethod": [method],
        "capabilityInvocation": [method],
        "capabilityDelegation": [method],
    })
}

fn pretty(value: &Value) -> Result<String> {
    Ok(format!("{}\n", serde_json::to_string_pretty(value)?))
}

/// Reads a PKCS#8 PEM private key file, warning when other users can read it. Errors name the
/// file but never echo its contents.
pub fn load_signing_key(path: &Path) -> Result<SigningKey> {
    let name = path.display();
    if io::is_stdin(path) {
        bail!("the key must be a file, not standard input");
    }
    let bytes = Zeroizing::new(io::read_limited(path, MAX_KEY_FILE_BYTES, "key file")?);
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| anyhow::anyhow!("{name} is not a PEM key file (it is not text)"))?;
    let key = SigningKey::from_pkcs8_pem(text)
        .with_context(|| format!("cannot read the private key in {name}"))?;
    if let Ok(metadata) = std::fs::metadata(path) {
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            eprintln!(
                "warning: the private key {name} can be read by other users (mode {mode:04o}); \
                 restrict it with: chmod 600 {name}"
            );
        }
    }
    Ok(key)
}
