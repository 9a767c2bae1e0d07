//! `laurel token create|list|revoke`: bearer tokens for the admin API.
//!
//! These open the same database as `laurel serve` (same `--database-url`, `--data-dir`,
//! `--config` and `LAUREL_*` variables), so they work on a stopped or a running service. A
//! token's secret is printed once, on standard output, when it is created; only its SHA-256 is
//! stored, so a lost token cannot be recovered, only revoked and replaced.

use anyhow::{Context as _, Result, bail};
use chrono::Utc;
use clap::{Args, Subcommand};
use laurel_service::accounts::tokens;
use laurel_store::{ApiToken, Store, StoreError};
use uuid::Uuid;

use super::config::DatabaseArgs;
use super::{UsageError, io};

/// The longest token name accepted.
const MAX_NAME: usize = 100;

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print its secret (shown once: store it now).
    Create(CreateArgs),
    /// List tokens: name, scopes, whether they see recipients' emails, issuers ("all" or ids),
    /// when created, expiring, last used and revoked (never secrets).
    List(ListArgs),
    /// Revoke a token by name or id; it stops working at once.
    Revoke(RevokeArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// A unique name saying who or what uses the token, e.g. "registrar" or "lms-sync".
    #[arg(long)]
    name: String,
    /// What the token may do: admin (everything), issue (award, and read), read (read
    /// only). Repeat the option or separate scopes with commas.
    #[arg(
        long = "scope",
        value_name = "SCOPE",
        required = true,
        value_delimiter = ',',
        value_parser = clap::builder::PossibleValuesParser::new(tokens::SCOPES.iter().copied()),
    )]
    scopes: Vec<String>,
    /// Limit the token to this issuer's achievements, awards, credentials, events, imports,
    /// email settings and keys; everything else is "not found" to it. Repeat for several
    /// issuers. Without it the token reaches every issuer.
    #[arg(long = "issuer", value_name = "ISSUER_ID")]
    issuers: Vec<String>,
    /// Stop the token working after a while (90d, 12h, 2w, 30m) or at a time (RFC 3339, e.g.
    /// 2027-01-31T00:00:00Z). Without it the token works until revoked.
    #[arg(long, value_name = "DURATION_OR_TIME")]
    expires: Option<String>,
    /// Let a read-only token see recipients' email addresses and names (issue and admin
    /// tokens always do).
    #[arg(long)]
    with_emails: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Debug, Args)]
pub struct RevokeArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The token's name or id.
    #[arg(value_name = "NAME_OR_ID")]
    token: String,
}

pub fn run(command: TokenCommand) -> Result<()> {
    let database = match &command {
        TokenCommand::Create(args) => &args.database,
        TokenCommand::List(args) => &args.database,
        TokenCommand::Revoke(args) => &args.database,
    };
    let settings = database.load()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let store = laurel_service::open::open_store(&settings.setup()).await?;
        match command {
            TokenCommand::Create(args) => create(store.as_ref(), args).await,
            TokenCommand::List(_) => list(store.as_ref()).await,
            TokenCommand::Revoke(args) => revoke(store.as_ref(), &args.token).await,
        }
    })
}

async fn create(store: &dyn Store, args: CreateArgs) -> Result<()> {
    let name = args.name.trim().to_string();
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(UsageError(format!(
            "--name must be 1 to {MAX_NAME} printable characters"
        ))
        .into());
    }
    let mut scopes: Vec<String> = Vec::new();
    for scope in args.scopes {
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    let now = Utc::now();
    let expires_at = match &args.expires {
        Some(text) => Some(
            tokens::parse_expiry(text, now)
                .map_err(|problem| UsageError(format!("--expires: {problem}")))?,
        ),
        None => None,
    };
    let mut issuer_ids: Vec<Uuid> = Vec::new();
    for text in &args.issuers {
        let id = Uuid::parse_str(text.trim()).map_err(|_| {
            UsageError(format!(
                "--issuer must be an issuer id (a UUID), got {text:?}"
            ))
        })?;
        if !issuer_ids.contains(&id) {
            issuer_ids.push(id);
        }
    }
    for id in &issuer_ids {
        match store.issuer(*id).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => {
                bail!("--issuer {id}: there is no such issuer; see GET /api/v1/issuers")
            }
            Err(error) => return Err(error).context("cannot read the issuers"),
        }
    }
    let (secret, hash) = tokens::new_token();
    let mut token = ApiToken::new(Uuid::now_v7(), &name, scopes, now);
    token.issuer_ids = issuer_ids;
    token.expires_at = expires_at;
    token.with_emails = args.with_emails;
    match store.create_token(&token, &hash).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => bail!(
            "a token named {name:?} already exists (names stay taken after a token is revoked): choose another name"
        ),
        Err(error) => return Err(error).context("cannot store the token"),
    }
    laurel_service::audit::write(
        store,
        now,
        &laurel_service::audit::Actor::cli(),
        "token.create",
        Some(token.id.to_string()),
        serde_json::json!({
            "name": name,
            "scopes": token.scopes,
            "issuer_ids": token.issuer_ids,
            "expires_at": token.expires_at,
            "with_emails": token.with_emails,
        }),
    )
    .await;
    eprintln!(
        "created token {name:?} ({}) with scope {}{}{}; this is the only time it is shown",
        token.id,
        token.scopes.join(", "),
        if token.issuer_ids.is_empty() {
            String::new()
        } else {
            format!(", limited to {} issuer(s)", token.issuer_ids.len())
        },
        token
            .expires_at
            .map(|at| format!(", expiring {}", at.format("%Y-%m-%dT%H:%M:%SZ")))
            .unwrap_or_default(),
    );
    io::print(&format!("{secret}\n"))
}

async fn list(store: &dyn Store) -> Result<()> {
    let tokens = store.list_tokens().await.context("cannot list tokens")?;
    if tokens.is_empty() {
        eprintln!("no tokens yet: create one with `laurel token create --name NAME --scope admin`");
        return Ok(());
    }
    let time = |at: Option<chrono::DateTime<Utc>>| {
        at.map_or_else(
            || "-".into(),
            |at| at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        )
    };
    let rows: Vec<[String; 9]> = tokens
        .iter()
        .map(|token| {
            let emails = if tokens::shows_recipients(token) {
                "yes"
            } else {
                "no"
            };
            [
                token.name.clone(),
                token.scopes.join(","),
                emails.to_string(),
                if token.issuer_ids.is_empty() {
                    "all".into()
                } else {
                    token
                        .issuer_ids
                        .iter()
                        .map(Uuid::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                },
                time(Some(token.created_at)),
                time(token.expires_at),
                time(token.last_used_at),
                time(token.revoked_at),
                token.id.to_string(),
            ]
        })
        .collect();
    let header = [
        "NAME",
        "SCOPES",
        "EMAILS",
        "ISSUERS",
        "CREATED",
        "EXPIRES",
        "LAST-USED",
        "REVOKED",
        "ID",
    ]
    .map(String::from);
    let mut widths = [0usize; 9];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        text.push_str(line.join("  ").trim_end());
        text.push('\n');
    }
    io::print(&text)
}

async fn revoke(store: &dyn Store, name_or_id: &str) -> Result<()> {
    let tokens = store.list_tokens().await.context("cannot list tokens")?;
    let known = tokens
        .iter()
        .find(|token| token.id.to_string() == name_or_id)
        .or_else(|| tokens.iter().find(|token| token.name == name_or_id));
    if let Some(ApiToken {
        name,
        id,
        revoked_at: Some(at),
        ..
    }) = known
    {
        eprintln!(
            "token {name:?} ({id}) was already revoked on {}",
            at.format("%Y-%m-%dT%H:%M:%SZ")
        );
        return Ok(());
    }
    match store.revoke_token(name_or_id, Utc::now()).await {
        Ok(token) => {
            laurel_service::audit::write(
                store,
                Utc::now(),
                &laurel_service::audit::Actor::cli(),
                "token.revoke",
                Some(token.id.to_string()),
                serde_json::json!({ "name": token.name }),
            )
            .await;
            eprintln!(
                "revoked token {:?} ({}); it no longer authenticates",
                token.name, token.id
            );
            Ok(())
        }
        Err(StoreError::NotFound) => {
            bail!("no token is named {name_or_id:?} or has that id; see `laurel token list`")
        }
        Err(error) => Err(error).context("cannot revoke the token"),
    }
}
