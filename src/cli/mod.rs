//! The `laurel` command line: argument parsing, dispatch and error reporting.
//!
//! Every command returns an [`anyhow::Result`]; [`main`] prints an error as `error: <message>`
//! on standard error and exits with status 1, 2 for a [`UsageError`] (clap itself also exits
//! with 2 for a malformed command line), or 3 when `laurel import` finished but rejected some
//! lines of its file. Results go to standard output; notes and warnings go to
//! standard error, so output can be piped or redirected safely.

mod bake;
mod config;
mod import;
mod io;
mod keys;
mod lifecycle;
mod logging;
mod serve;
mod service;
mod sign;
mod token;
mod user;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Open Badges 3.0 issuer: makes keys, signs credentials, bakes them into badge images, and
/// runs the issuer service.
#[derive(Debug, Parser)]
#[command(name = "laurel", version, propagate_version = true)]
#[command(after_help = "A typical run:\n  \
    laurel keys generate --type ed25519 --out issuer.pem\n  \
    laurel sign --key issuer.pem --proof eddsa-rdfc-2022 badge.json > signed.json\n  \
    laurel bake --image badge.png --credential signed.json --out baked.png\n\n\
    Or run the service:\n  \
    laurel token create --name admin --scope admin\n  \
    laurel serve --public-url https://badges.example.org")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate signing keys and print their public halves; rotate an issuer's keys, or mark
    /// one compromised.
    Keys {
        #[command(subcommand)]
        command: keys::KeysCommand,
    },
    /// Sign an unsigned Open Badges 3.0 credential (Data Integrity proof or VC-JWT).
    Sign(sign::SignArgs),
    /// Bake a signed credential into a PNG or SVG badge image.
    Bake(bake::BakeArgs),
    /// Print the credential baked into a PNG or SVG badge image.
    Extract(bake::ExtractArgs),
    /// Run the issuer service: admin API, public documents and keys, health and metrics.
    ///
    /// With no options it listens on 127.0.0.1:8080 and keeps everything in ./laurel-data
    /// (an SQLite database and the generated secret.key), created on first start. Every
    /// option can also be set with a LAUREL_* variable or in a TOML file (--config).
    Serve(serve::ServeArgs),
    /// Import attendance reports: record who attended and award achievements by rule.
    Import {
        #[command(subcommand)]
        command: import::ImportCommand,
    },
    /// Revoke, suspend, unsuspend or re-issue a credential the service issued.
    Credential {
        #[command(subcommand)]
        command: lifecycle::CredentialCommand,
    },
    /// An issuer's key history, for offline verifiers.
    Issuer {
        #[command(subcommand)]
        command: lifecycle::IssuerCommand,
    },
    /// Create, list and revoke bearer tokens for the admin API.
    Token {
        #[command(subcommand)]
        command: token::TokenCommand,
    },
    /// Create, list, disable and enable accounts for the web console (/console), and set
    /// their passwords.
    User {
        #[command(subcommand)]
        command: user::UserCommand,
    },
}

/// A mistake in how the command was invoked that clap cannot see (for example two options that
/// do not fit together); exits with status 2 like clap's own usage errors.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Parses the command line, runs the command and turns its outcome into an exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            if error.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(2)
            } else if error.downcast_ref::<import::LinesRejected>().is_some() {
                ExitCode::from(3)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Keys { command } => keys::run(command),
        Command::Sign(args) => sign::run(args),
        Command::Bake(args) => bake::run_bake(args),
        Command::Extract(args) => bake::run_extract(args),
        Command::Serve(args) => serve::run(args),
        Command::Token { command } => token::run(command),
        Command::User { command } => user::run(command),
        Command::Import { command } => import::run(command),
        Command::Credential { command } => lifecycle::run_credential(command),
        Command::Issuer { command } => lifecycle::run_issuer(command),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::Cli;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
