//! `laurel token create|list|revoke`: bearer tokens for the admin API.
//!
//! These open the same database as `laurel serve` (same `--database-url`, `--data-dir`,
//! `--config` and `LAUREL_*` variables), so they work on a stopped or a running service. A
//! token's secret is printed once, on standard output, when it is created; only its SHA-256 is
//! stored, so a lost token cannot be recovered, only revoked and replaced.

use anyhow::{Context as _, Result, bail};
use chrono::Utc;
use clap::{Args, Subcommand};
use laurel_server::auth;
use laurel_server::config::DatabaseArgs;
use laurel_store::{ApiToken, Store, StoreError};
use uuid::Uuid;

use super::{UsageError, io};

/// The longest token name accepted.
const MAX_NAME: usize = 100;

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print its secret (shown once: store it now).
    Create(CreateArgs),
    /// List tokens: name, scopes, when created and revoked (never secrets).
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
        value_parser = clap::builder::PossibleValuesParser::new(auth::SCOPES.iter().copied()),
    )]
    scopes: Vec<String>,
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
        let store = laurel_server::serve::open_store(&settings).await?;
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
    let (secret, hash) = auth::new_token();
    let token = ApiToken {
        id: Uuid::now_v7(),
        name: name.clone(),
        scopes,
        created_at: Utc::now(),
        revoked_at: None,
    };
    match store.create_token(&token, &hash).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => bail!(
            "a token named {name:?} already exists (names stay taken after a token is revoked): choose another name"
        ),
        Err(error) => return Err(error).context("cannot store the token"),
    }
    eprintln!(
        "created token {name:?} ({}) with scope {}; this is the only time it is shown",
        token.id,
        token.scopes.join(", ")
    );
    io::print(&format!("{secret}\n"))
}

async fn list(store: &dyn Store) -> Result<()> {
    let tokens = store.list_tokens().await.context("cannot list tokens")?;
    if tokens.is_empty() {
        eprintln!("no tokens yet: create one with `laurel token create --name NAME --scope admin`");
        return Ok(());
    }
    let rows: Vec<[String; 5]> = tokens
        .iter()
        .map(|token| {
            [
                token.name.clone(),
                token.scopes.join(","),
                token.created_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                token.revoked_at.map_or_else(
                    || "-".into(),
                    |at| at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                ),
                token.id.to_string(),
            ]
        })
        .collect();
    let header = ["NAME", "SCOPES", "CREATED", "REVOKED", "ID"].map(String::from);
    let mut widths = [0usize; 5];
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
