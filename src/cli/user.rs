//! `laurel user create`: staff accounts for the web console (`/console`).
//!
//! The password is read from `LAUREL_USER_PASSWORD` if set, else from the first line of
//! standard input (so it never appears in the process list or shell history), and stored only
//! as an argon2id hash.

use std::io::BufRead as _;

use anyhow::{Context as _, Result, bail};
use chrono::Utc;
use clap::{Args, Subcommand, ValueEnum};
use laurel_server::config::DatabaseArgs;
use laurel_server::console;
use laurel_store::{Role, StoreError};
use uuid::Uuid;

use super::UsageError;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a console account; the password is read from LAUREL_USER_PASSWORD or the first
    /// line of standard input.
    Create(CreateArgs),
}

/// A console role.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum RoleArg {
    /// Everything, including users, tokens and the audit log.
    Admin,
    /// The achievements, events and awards of the issuers given with --issuer.
    Manager,
    /// Read only.
    Viewer,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The username (letters, digits, '.', '_', '-', '@'; stored lowercased).
    #[arg(value_name = "USERNAME")]
    username: String,
    /// Make an administrator (the same as --role admin): the first account should be one.
    #[arg(long, conflicts_with = "role")]
    admin: bool,
    /// What the account may do [default: viewer].
    #[arg(long, value_enum)]
    role: Option<RoleArg>,
    /// An issuer a manager manages (repeat for several).
    #[arg(long = "issuer", value_name = "ISSUER_ID")]
    issuers: Vec<Uuid>,
}

pub fn run(command: UserCommand) -> Result<()> {
    let UserCommand::Create(args) = command;
    let role = match (args.admin, args.role) {
        (true, _) | (false, Some(RoleArg::Admin)) => Role::Admin,
        (false, Some(RoleArg::Manager)) => Role::Manager,
        (false, Some(RoleArg::Viewer)) | (false, None) => Role::Viewer,
    };
    if role == Role::Manager && args.issuers.is_empty() {
        return Err(UsageError("a manager needs at least one --issuer ISSUER_ID".into()).into());
    }
    if role != Role::Manager && !args.issuers.is_empty() {
        return Err(UsageError("--issuer is only for --role manager".into()).into());
    }
    let password = match std::env::var("LAUREL_USER_PASSWORD") {
        Ok(password) if !password.is_empty() => password,
        _ => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("cannot read the password from standard input")?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    let user = console::new_user(&args.username, &password, role, args.issuers, Utc::now())
        .map_err(UsageError)?;
    let settings = args.database.load()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let store = laurel_server::serve::open_store(&settings).await?;
        for issuer in &user.issuer_ids {
            match store.issuer(*issuer).await {
                Ok(_) => {}
                Err(StoreError::NotFound) => bail!("there is no issuer {issuer}"),
                Err(error) => return Err(error).context("cannot read the issuer"),
            }
        }
        match store.create_user(&user).await {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => bail!("the username {:?} is taken", user.username),
            Err(error) => return Err(error).context("cannot store the account"),
        }
        eprintln!(
            "created {} {:?}: sign in at /console/sign-in",
            user.role.as_str(),
            user.username
        );
        Ok(())
    })
}
