//! `laurel user create|password|disable|enable|list`: staff accounts for the web console
//! (`/console`).
//!
//! A password is read from `LAUREL_USER_PASSWORD` if set; else, at a terminal, from a prompt
//! that does not echo, typed twice; else from the first line of standard input. So it never
//! appears in the process list or shell history. It must pass the console's rule (12
//! characters or more, not one character repeated) and is stored only as an argon2id hash.
//! Setting a password also clears the account's failed sign-ins and ends its sessions;
//! disabling an account ends its sessions too.

use std::io::{BufRead as _, IsTerminal as _};

use anyhow::{Context as _, Result, bail};
use chrono::Utc;
use clap::{Args, Subcommand, ValueEnum};
use laurel_service::accounts;
use laurel_store::{Role, Store, StoreError, User};
use uuid::Uuid;

use super::UsageError;
use super::config::DatabaseArgs;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a console account; the password is read from LAUREL_USER_PASSWORD or the first
    /// line of standard input.
    Create(CreateArgs),
    /// Set a new password for an account (a reset): read from LAUREL_USER_PASSWORD, a prompt
    /// at a terminal, or the first line of standard input. Clears its failed sign-ins and ends
    /// its sessions.
    Password(NameArgs),
    /// Disable an account: it can no longer sign in, and its sessions end at once.
    Disable(NameArgs),
    /// Enable a disabled account again.
    Enable(NameArgs),
    /// List the accounts: username, role, issuers, disabled, failed sign-ins in a row.
    List(ListArgs),
}

#[derive(Debug, Args)]
pub struct NameArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The account's username.
    #[arg(value_name = "USERNAME")]
    username: String,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    database: DatabaseArgs,
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
    let database = match &command {
        UserCommand::Create(args) => &args.database,
        UserCommand::Password(args) | UserCommand::Disable(args) | UserCommand::Enable(args) => {
            &args.database
        }
        UserCommand::List(args) => &args.database,
    };
    // Checked before the database is opened or a password asked for.
    let settings = database.load()?;
    let task = match command {
        UserCommand::Create(args) => Task::Create(new_account(args)?),
        UserCommand::Password(args) => Task::Password(args.username),
        UserCommand::Disable(args) => Task::Disable(args.username),
        UserCommand::Enable(args) => Task::Enable(args.username),
        UserCommand::List(_) => Task::List,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let store = laurel_service::open::open_store(&settings.setup()).await?;
        let store = store.as_ref();
        match task {
            Task::Create(user) => create_user(store, user).await,
            Task::Password(username) => set_password(store, &username).await,
            Task::Disable(username) => set_disabled(store, &username, true).await,
            Task::Enable(username) => set_disabled(store, &username, false).await,
            Task::List => list(store).await,
        }
    })
}

/// What to do once the store is open.
enum Task {
    Create(User),
    Password(String),
    Disable(String),
    Enable(String),
    List,
}

/// The account `laurel user create` makes, checked and hashed.
fn new_account(args: CreateArgs) -> Result<User> {
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
    // The username first, so a mistake there is told before a password is asked for.
    accounts::check_username(&args.username).map_err(UsageError)?;
    let password = new_password()?;
    Ok(
        accounts::new_user(&args.username, &password, role, args.issuers, Utc::now())
            .map_err(UsageError)?,
    )
}

/// A new password: `LAUREL_USER_PASSWORD`, else a prompt (twice, no echo) at a terminal, else
/// the first line of standard input; refused unless it passes the console's rule.
fn new_password() -> Result<String> {
    let password = match std::env::var("LAUREL_USER_PASSWORD") {
        Ok(password) if !password.is_empty() => password,
        _ if std::io::stdin().is_terminal() => {
            let first = rpassword::prompt_password("New password (12 characters or more): ")
                .context("cannot read the password from the terminal")?;
            accounts::password::check_strength(&first).map_err(UsageError)?;
            let again = rpassword::prompt_password("The same password again: ")
                .context("cannot read the password from the terminal")?;
            if again != first {
                return Err(
                    UsageError("the two passwords differ; nothing was changed".into()).into(),
                );
            }
            first
        }
        _ => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("cannot read the password from standard input")?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    accounts::password::check_strength(&password).map_err(UsageError)?;
    Ok(password)
}

async fn create_user(store: &dyn Store, user: User) -> Result<()> {
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
    let detail = serde_json::json!({
        "username": user.username,
        "role": user.role.as_str(),
        "issuers": user.issuer_ids,
    });
    super::service::audit(store, "user.create", Some(user.id.to_string()), detail).await;
    eprintln!(
        "created {} {:?}: sign in at /console/sign-in",
        user.role.as_str(),
        user.username
    );
    Ok(())
}

/// The account named `username`, or an error saying there is none.
async fn account(store: &dyn Store, username: &str) -> Result<User> {
    let name = username.trim().to_lowercase();
    store
        .user_by_name(&name)
        .await
        .context("cannot read the account")?
        .with_context(|| {
            format!("there is no account {name:?}; `laurel user list` shows the accounts")
        })
}

async fn set_password(store: &dyn Store, username: &str) -> Result<()> {
    // The account first, so nobody types a password for a name that does not exist.
    let user = account(store, username).await?;
    let password = new_password()?;
    let hash = accounts::password::hash(&password).context("cannot hash the password")?;
    store
        .set_password(user.id, &hash, None)
        .await
        .context("cannot store the password")?;
    // Never the password itself: only that it changed.
    let detail = serde_json::json!({ "username": user.username });
    super::service::audit(store, "user.password", Some(user.id.to_string()), detail).await;
    eprintln!(
        "set a new password for {:?}; its failed sign-ins are cleared and its sessions ended",
        user.username
    );
    Ok(())
}

async fn set_disabled(store: &dyn Store, username: &str, disable: bool) -> Result<()> {
    let user = account(store, username).await?;
    match (disable, user.disabled_at) {
        (true, Some(_)) => eprintln!("{:?} is already disabled", user.username),
        (false, None) => eprintln!("{:?} is already enabled", user.username),
        (true, None) => {
            store
                .set_user_disabled(user.id, Some(Utc::now()))
                .await
                .context("cannot disable the account")?;
            let detail = serde_json::json!({ "username": user.username });
            super::service::audit(store, "user.disable", Some(user.id.to_string()), detail).await;
            eprintln!(
                "disabled {:?}: it can no longer sign in, and its sessions ended",
                user.username
            );
        }
        (false, Some(_)) => {
            store
                .set_user_disabled(user.id, None)
                .await
                .context("cannot enable the account")?;
            let detail = serde_json::json!({ "username": user.username });
            super::service::audit(store, "user.enable", Some(user.id.to_string()), detail).await;
            eprintln!("enabled {:?}: it can sign in again", user.username);
        }
    }
    Ok(())
}

async fn list(store: &dyn Store) -> Result<()> {
    let users = store
        .list_users()
        .await
        .context("cannot list the accounts")?;
    if users.is_empty() {
        eprintln!("no accounts yet: create one with `laurel user create --admin NAME`");
        return Ok(());
    }
    let now = Utc::now();
    let rows: Vec<[String; 5]> = users
        .iter()
        .map(|user| {
            let issuers: Vec<String> = user.issuer_ids.iter().map(Uuid::to_string).collect();
            let mut failed = user.failed_sign_ins.to_string();
            if let Some(until) = user.locked_until.filter(|until| *until > now) {
                failed.push_str(&format!(
                    " (waits until {})",
                    until.format("%Y-%m-%dT%H:%M:%SZ")
                ));
            }
            [
                user.username.clone(),
                user.role.as_str().to_string(),
                if issuers.is_empty() {
                    "-".into()
                } else {
                    issuers.join(",")
                },
                user.disabled_at.map_or_else(
                    || "no".into(),
                    |at| at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                ),
                failed,
            ]
        })
        .collect();
    let header = ["USERNAME", "ROLE", "ISSUERS", "DISABLED", "FAILED SIGN-INS"].map(String::from);
    super::io::print(&table(&header, &rows))
}

/// Rows as columns padded to their widest cell.
fn table<const N: usize>(header: &[String; N], rows: &[[String; N]]) -> String {
    let mut widths = [0usize; N];
    for row in std::iter::once(header).chain(rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for row in std::iter::once(header).chain(rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        text.push_str(line.join("  ").trim_end());
        text.push('\n');
    }
    text
}
