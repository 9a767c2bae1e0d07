//! `laurel credential …`, `laurel keys rotate|revoke` and `laurel issuer export-keys`: taking
//! credentials back, re-issuing them, and managing an issuer's keys, from the command line.
//!
//! They run the service's own code against its database (see [`super::service`]), so a status
//! list changed here is signed again and served as such at once by a running service.

use anyhow::{Result, bail};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use laurel_service::documents::keys::controller_document;
use laurel_service::fields::{self, MAX_NAME};
use laurel_service::lifecycle::{self, MAX_REASON};
use laurel_store::{Award, StatusChange, StoreError};
use uuid::Uuid;

use super::service::{self, ServiceArgs};
use super::{UsageError, io};

#[derive(Debug, Subcommand)]
pub enum CredentialCommand {
    /// Revoke a credential, for good: its bit is set in its issuer's status list, which is
    /// signed again at once. The reason stays with the issuer.
    Revoke(ReasonArgs),
    /// Suspend a credential (reversible; recorded by the issuer, not in the status list).
    Suspend(ReasonArgs),
    /// Lift a suspension.
    Unsuspend(IdArgs),
    /// Issue a credential again: same id and awarded date, the issuer's and achievement's
    /// current descriptions, signed now with the current keys.
    Reissue(ReissueArgs),
    /// Make a personal wallet link for a credential and print it (for handing to its recipient
    /// by hand; the award email carries one of its own). It works once, for one wallet.
    ClaimLink(IdArgs),
    /// List stored credentials that fail JSON-LD safe mode (content their signature never
    /// covered, such as an evidence id that is not an IRI), with the path and reason: fix the
    /// award's data and re-issue each one.
    Audit(AuditArgs),
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    service: ServiceArgs,
}

#[derive(Debug, Args)]
pub struct IdArgs {
    #[command(flatten)]
    service: ServiceArgs,
    /// The credential's id (its award id, the last part of its URL).
    #[arg(value_name = "ID")]
    id: String,
}

#[derive(Debug, Args)]
pub struct ReasonArgs {
    #[command(flatten)]
    target: IdArgs,
    /// Why (kept by the issuer, shown on the credential's page, never published in the list).
    #[arg(long)]
    reason: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReissueArgs {
    #[command(flatten)]
    target: IdArgs,
    /// A corrected recipient name (kept by the issuer).
    #[arg(long)]
    name: Option<String>,
}

pub fn run_credential(command: CredentialCommand) -> Result<()> {
    match command {
        CredentialCommand::Revoke(args) => {
            let id = parse_id(&args.target.id, "credential")?;
            let Some(reason) = text("--reason", args.reason.as_deref(), MAX_REASON)? else {
                return Err(UsageError("revoking needs --reason TEXT".into()).into());
            };
            let change = args.target.service.run(|state| async move {
                let mut changes = lifecycle::revoke(&state, &[id], &reason)
                    .await
                    .map_err(service::api)?;
                if matches!(changes.last(), Some(StatusChange::Changed(_))) {
                    let detail = serde_json::json!({ "reason": reason });
                    service::audit(
                        state.store.as_ref(),
                        "credential.revoke",
                        Some(id.to_string()),
                        detail,
                    )
                    .await;
                }
                changes
                    .pop()
                    .ok_or_else(|| anyhow::anyhow!("no outcome for one revocation"))
            })?;
            report(change, "revoked")
        }
        CredentialCommand::Suspend(args) => {
            let id = parse_id(&args.target.id, "credential")?;
            let reason = text("--reason", args.reason.as_deref(), MAX_REASON)?;
            let change = args.target.service.run(|state| async move {
                let change = lifecycle::suspend(&state, id, reason.as_deref())
                    .await
                    .map_err(service::api)?;
                if matches!(change, StatusChange::Changed(_)) {
                    let detail = serde_json::json!({ "reason": reason });
                    service::audit(
                        state.store.as_ref(),
                        "credential.suspend",
                        Some(id.to_string()),
                        detail,
                    )
                    .await;
                }
                Ok(change)
            })?;
            report(change, "suspended")
        }
        CredentialCommand::ClaimLink(args) => {
            let id = parse_id(&args.id, "credential")?;
            let link = args.service.run(|state| async move {
                let link = laurel_service::wallet::claims::issue_claim(&state, id)
                    .await
                    .map_err(service::api)?;
                service::audit(
                    state.store.as_ref(),
                    "credential.claim_link",
                    Some(id.to_string()),
                    serde_json::json!({}),
                )
                .await;
                Ok(link)
            })?;
            io::print(&format!("{}\n", link.url))
        }
        CredentialCommand::Unsuspend(args) => {
            let id = parse_id(&args.id, "credential")?;
            let change = args.service.run(|state| async move {
                let change = lifecycle::unsuspend(&state, id)
                    .await
                    .map_err(service::api)?;
                if matches!(change, StatusChange::Changed(_)) {
                    service::audit(
                        state.store.as_ref(),
                        "credential.unsuspend",
                        Some(id.to_string()),
                        serde_json::json!({}),
                    )
                    .await;
                }
                Ok(change)
            })?;
            report(change, "unsuspended")
        }
        CredentialCommand::Reissue(args) => {
            let id = parse_id(&args.target.id, "credential")?;
            let name = text("--name", args.name.as_deref(), MAX_NAME)?;
            let award = args.target.service.run(|state| async move {
                let award = lifecycle::reissue(&state, id, name)
                    .await
                    .map_err(service::api)?;
                service::audit(
                    state.store.as_ref(),
                    "credential.reissue",
                    Some(id.to_string()),
                    serde_json::json!({}),
                )
                .await;
                Ok(award)
            })?;
            eprintln!(
                "re-issued credential {} (valid from {})",
                award.id,
                award.issued_at.format("%Y-%m-%dT%H:%M:%SZ")
            );
            io::print(&format!("{}\n", award.credential))
        }
        CredentialCommand::Audit(args) => {
            let (checked, found) = args
                .service
                .run(|state| async move { audit(&state).await.map_err(service::api) })?;
            let mut text = String::new();
            for (id, problem) in &found {
                text.push_str(&format!("{id}\t{problem}\n"));
            }
            io::print(&text)?;
            if found.is_empty() {
                eprintln!("{checked} stored credential(s) checked: all pass JSON-LD safe mode");
            } else {
                eprintln!(
                    "{} of {checked} stored credential(s) fail JSON-LD safe mode: correct each award's data and run `laurel credential reissue ID`",
                    found.len()
                );
            }
            Ok(())
        }
    }
}

/// Every stored credential that fails JSON-LD safe mode, with why, and how many were checked.
async fn audit(
    service: &laurel_service::Service,
) -> Result<(u64, Vec<(Uuid, String)>), laurel_service::ServiceError> {
    const PAGE: u32 = 500;
    let mut found = Vec::new();
    let mut checked = 0;
    let mut offset = 0;
    loop {
        let filter = laurel_store::AwardFilter {
            limit: PAGE,
            offset,
            ..Default::default()
        };
        let (awards, _) = service.store.list_awards(&filter).await?;
        for award in &awards {
            checked += 1;
            let problem = match serde_json::from_str::<serde_json::Value>(&award.credential) {
                Ok(mut credential) => {
                    if let Some(map) = credential.as_object_mut() {
                        map.remove("proof");
                    }
                    laurel_core::jsonld::check_safe(&credential)
                        .err()
                        .map(|error| error.to_string())
                }
                Err(error) => Some(format!("the stored credential is not JSON: {error}")),
            };
            if let Some(problem) = problem {
                found.push((award.id, problem));
            }
        }
        if awards.len() < PAGE as usize {
            return Ok((checked, found));
        }
        offset += PAGE;
    }
}

fn report(change: StatusChange, done: &str) -> Result<()> {
    let (award, changed): (Award, bool) = match change {
        StatusChange::Changed(award) => (award, true),
        StatusChange::Unchanged(award) => (award, false),
        StatusChange::Missing(id) => bail!("no credential with id {id}"),
    };
    if changed {
        io::print(&format!("{done} credential {}\n", award.id))
    } else {
        io::print(&format!("credential {} was already {done}\n", award.id))
    }
}

/// `laurel keys rotate` and `laurel keys revoke`.
#[derive(Debug, Args)]
pub struct RotateArgs {
    #[command(flatten)]
    service: ServiceArgs,
    /// The issuer whose keys to rotate.
    #[arg(long, value_name = "ID")]
    issuer: String,
}

#[derive(Debug, Args)]
pub struct CompromisedArgs {
    #[command(flatten)]
    service: ServiceArgs,
    /// The key's id (the last part of its URL, as `laurel issuer export-keys` lists).
    #[arg(value_name = "KEY")]
    key: String,
    /// Since when the key is not to be trusted (RFC 3339, e.g. 2026-03-01T00:00:00Z).
    /// Proofs it made from then on fail verification; earlier ones stay valid.
    #[arg(long, value_name = "TIME")]
    since: String,
}

pub fn rotate(args: RotateArgs) -> Result<()> {
    let issuer = parse_id(&args.issuer, "issuer")?;
    let keys = args.service.run(|state| async move {
        let keys = lifecycle::rotate_keys(&state, issuer)
            .await
            .map_err(service::api)?;
        let detail =
            serde_json::json!({ "key_ids": keys.iter().map(|k| k.id).collect::<Vec<_>>() });
        service::audit(
            state.store.as_ref(),
            "issuer.rotate_keys",
            Some(issuer.to_string()),
            detail,
        )
        .await;
        Ok(keys)
    })?;
    let mut text = String::new();
    for key in keys {
        text.push_str(&format!(
            "new {} key {} ({})\n",
            key.purpose.as_str(),
            key.id,
            key.algorithm
        ));
    }
    eprintln!(
        "the previous keys are retired and stay published, so what they signed still verifies"
    );
    io::print(&text)
}

pub fn compromised(args: CompromisedArgs) -> Result<()> {
    let key = parse_id(&args.key, "key")?;
    let since: DateTime<Utc> = DateTime::parse_from_rfc3339(args.since.trim())
        .map(|time| time.with_timezone(&Utc))
        .map_err(|_| {
            UsageError(format!(
                "--since must be an RFC 3339 time such as 2026-03-01T00:00:00Z, got {:?}",
                args.since
            ))
        })?;
    let marked = args.service.run(|state| async move {
        let marked = lifecycle::compromise_key(&state, key, since)
            .await
            .map_err(service::api)?;
        let detail = serde_json::json!({ "since": since, "issuer_id": marked.issuer_id });
        service::audit(
            state.store.as_ref(),
            "key.compromise",
            Some(key.to_string()),
            detail,
        )
        .await;
        Ok(marked)
    })?;
    io::print(&format!(
        "key {} is marked compromised since {}; proofs it made from then on fail verification{}\n",
        marked.id,
        since.format("%Y-%m-%dT%H:%M:%SZ"),
        if marked.retired_at.is_some() {
            " (the issuer signs with new keys)"
        } else {
            ""
        }
    ))
}

#[derive(Debug, Subcommand)]
pub enum IssuerCommand {
    /// Print the issuer's key history as a controller document (every key, retired and
    /// compromised ones marked), for `laurel-verify --keys FILE` to verify offline.
    ExportKeys(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    service: ServiceArgs,
    /// The issuer's id.
    #[arg(value_name = "ID")]
    issuer: String,
}

pub fn run_issuer(command: IssuerCommand) -> Result<()> {
    let IssuerCommand::ExportKeys(args) = command;
    let issuer = parse_id(&args.issuer, "issuer")?;
    let document = args.service.run(|state| async move {
        match state.store.issuer(issuer).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => bail!("no issuer with id {issuer}"),
            Err(error) => return Err(error.into()),
        }
        let keys = state.store.issuer_keys(issuer).await?;
        controller_document(&state.urls, issuer, &keys).map_err(service::api)
    })?;
    io::print(&format!("{document:#}\n"))
}

/// An optional text checked as the API checks it: trimmed, blank meaning absent, and no
/// longer than `max` bytes (a usage error otherwise).
fn text(option: &str, value: Option<&str>, max: usize) -> Result<Option<String>> {
    fields::optional(option, value, max).map_err(|error| UsageError(error.to_string()).into())
}

fn parse_id(text: &str, what: &str) -> Result<Uuid> {
    Uuid::parse_str(text.trim())
        .map_err(|_| UsageError(format!("the {what} id must be a UUID, got {text:?}")).into())
}
