//! `laurel-verify`: check Open Badges 3.0 credentials offline.
//!
//! Exit codes: 0 every input valid; 1 some input invalid; 2 none invalid but some could not be
//! checked (unreadable input, a key or status list not available offline).

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use chrono::{DateTime, Utc};
use clap::Parser;
use laurel_verify::{KeyStore, Options, Report, TrustList, Verdict, Verifier};
use rayon::prelude::*;
use serde_json::Value;

/// Verify Open Badges 3.0 credentials: JSON, VC-JWT, or baked PNG/SVG badges.
///
/// Checks, in order: parse, context and type, JSON Schema, proof, status, validity dates,
/// recipient, endorsements. Nothing touches the network unless --online is given.
///
/// Exit status: 0 all valid, 1 at least one invalid, 2 at least one could not be checked
/// (and none invalid).
#[derive(Parser, Debug)]
#[command(name = "laurel-verify", version)]
struct Cli {
    /// Print one JSON object per input instead of text.
    #[arg(long)]
    json: bool,
    /// A key document to trust for key resolution: JWK, JWKS, Multikey, controller or DID
    /// document (did:web documents too). Repeatable. A key marked `revoked` (compromised) is
    /// not trusted for proofs made at or after that time.
    #[arg(long = "keys", value_name = "FILE")]
    keys: Vec<PathBuf>,
    /// A trust list: {"issuers": [{"id", "name", "keys": [...]}]}. Issuers using a trusted
    /// issuer's id or name with another key are reported as impersonated (invalid).
    #[arg(long, value_name = "FILE")]
    trust: Option<PathBuf>,
    /// A status list credential (BitstringStatusListCredential or 1EdTech revocation list)
    /// to check status against offline. Repeatable.
    #[arg(long = "status-list", value_name = "FILE")]
    status_lists: Vec<PathBuf>,
    /// Check validity at this time (RFC 3339) instead of now.
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    /// Check that the credential was issued to this email address.
    #[arg(long, value_name = "EMAIL")]
    recipient: Option<String>,
    /// Allow fetching did:web documents, HTTPS key documents and status lists: HTTPS only,
    /// public addresses only, 10 s and 1 MiB per document, at most 5 redirects.
    #[arg(long)]
    online: bool,
    /// With --online, also fetch from loopback and private addresses (and plain HTTP from
    /// loopback); for testing.
    #[arg(long, requires = "online")]
    allow_local: bool,
    /// Credentials to check: files, folders (every file inside), or - for standard input.
    #[arg(value_name = "FILE", required = true)]
    inputs: Vec<String>,
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("laurel-verify: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<u8> {
    let cli = Cli::parse();
    let verifier = Verifier::new(options(&cli)?);
    let mut worst = Verdict::Valid;
    let mut stdout = std::io::stdout().lock();
    // Every input's files in one list, so the cores share them whether they were named one
    // by one (`laurel-verify *.json`, as a shell passes them) or as a folder: taken input by
    // input, 300 files named one by one ran on one core.
    let mut files = Vec::new();
    for input in &cli.inputs {
        if input == "-" {
            files.push(None);
        } else {
            files.extend(expand(Path::new(input))?);
        }
    }
    // Chunks keep memory flat over a large folder while every core works on each chunk;
    // reports print in input order. The chunks are of equal size (300 files: two of 150, not
    // 256 and 44), so no core waits long at the end of one.
    let chunks = files.len().div_ceil(CHUNK).max(1);
    for chunk in files.chunks(files.len().div_ceil(chunks).max(1)) {
        let reports: Vec<(String, Report)> = chunk
            .par_iter()
            .map(|file| check(&verifier, file.as_deref()))
            .collect();
        for (name, report) in reports {
            worst = worse(worst, report.verdict);
            let text = if cli.json {
                let mut value = serde_json::to_value(&report)?;
                value["input"] = Value::String(name);
                format!("{value}\n")
            } else {
                report.to_text(&name)
            };
            if let Err(error) = stdout.write_all(text.as_bytes()) {
                // A closed pipe (`| head`) is not an error of ours.
                if error.kind() == std::io::ErrorKind::BrokenPipe {
                    return Ok(worst.exit_code());
                }
                return Err(error.into());
            }
        }
    }
    Ok(worst.exit_code())
}

/// The most files checked before their reports are printed.
const CHUNK: usize = 1024;

fn worse(a: Verdict, b: Verdict) -> Verdict {
    match (a, b) {
        (Verdict::Invalid, _) | (_, Verdict::Invalid) => Verdict::Invalid,
        (Verdict::CouldNotCheck, _) | (_, Verdict::CouldNotCheck) => Verdict::CouldNotCheck,
        _ => Verdict::Valid,
    }
}

fn check(verifier: &Verifier, file: Option<&Path>) -> (String, Report) {
    let (name, bytes) = match file {
        None => {
            let mut bytes = Vec::new();
            let limit = laurel_verify::input::MAX_INPUT_BYTES as u64 + 1;
            let read = std::io::stdin().take(limit).read_to_end(&mut bytes);
            ("-".to_string(), read.map(|_| bytes))
        }
        Some(path) => (path.display().to_string(), read_limited(path)),
    };
    match bytes {
        Ok(bytes) => (name, verifier.verify_bytes(&bytes)),
        Err(error) => (name, Report::unreadable(format!("cannot read: {error}"))),
    }
}

fn read_limited(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(laurel_verify::input::MAX_INPUT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// A file, or every file in a folder (recursively, sorted).
fn expand(path: &Path) -> Result<Vec<Option<PathBuf>>> {
    if !path.is_dir() {
        return Ok(vec![Some(path.to_path_buf())]);
    }
    let mut files = Vec::new();
    let mut pending = vec![path.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files.into_iter().map(Some).collect())
}

fn read_json(path: &Path) -> Result<Value> {
    let bytes = read_limited(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("{} is not JSON", path.display()))
}

fn options(cli: &Cli) -> Result<Options> {
    let now: DateTime<Utc> = match &cli.at {
        Some(text) => DateTime::parse_from_rfc3339(text)
            .with_context(|| format!("--at {text:?} is not an RFC 3339 date-time"))?
            .to_utc(),
        None => Utc::now(),
    };
    let mut options = Options::offline(now);
    let mut keys = KeyStore::default();
    for path in &cli.keys {
        let document = match read_json(path) {
            Ok(document) => document,
            // A bare Multikey or did:key in a text file.
            Err(_) => Value::String(std::fs::read_to_string(path)?.trim().to_string()),
        };
        let document = match document {
            Value::String(text) if text.starts_with("did:key:") => serde_json::json!({
                "id": text, "publicKeyMultibase": text.trim_start_matches("did:key:")
            }),
            Value::String(text) => serde_json::json!({ "publicKeyMultibase": text }),
            other => other,
        };
        keys.add_document(&document, &path.display().to_string())
            .map_err(anyhow::Error::msg)?;
    }
    options.keys = keys;
    if let Some(path) = &cli.trust {
        options.trust = Some(
            TrustList::from_json(&read_json(path)?)
                .map(|list| list.with_label(format!("the trust list {}", path.display())))
                .map_err(|error| anyhow::anyhow!("{}: {error}", path.display()))?,
        );
    }
    for path in &cli.status_lists {
        options.status_lists.push(read_json(path)?);
    }
    options.recipient = cli.recipient.clone();
    if cli.online {
        #[cfg(feature = "online")]
        {
            options.fetcher = Some(Box::new(
                laurel_verify::fetch::HttpFetcher::new(laurel_verify::fetch::FetchPolicy {
                    allow_local: cli.allow_local,
                    ..Default::default()
                })
                .map_err(anyhow::Error::msg)?,
            ));
        }
        #[cfg(not(feature = "online"))]
        anyhow::bail!("this laurel-verify was built without the `online` feature");
    }
    Ok(options)
}
