//! Reading SQLite rows into the store's types.
//!
//! Each reader takes the columns its `*_columns!` list (in `shared.rs`) selects. Ids and
//! timestamps are read as [`Id`] and [`Ts`], which know their stored text forms; anything
//! unreadable is [`StoreError::Corrupt`], never a panic.

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use crate::shared::{
    count, db, event_format, import_status, list_from_json, notification_state, purpose, smtp_port,
    smtp_security, status, status_slot,
};
use crate::values::{Id, Ts};
use crate::{
    Achievement, ApiToken, Attendance, Award, Completion, EmailSettings, EmailTemplate, Event,
    IdempotentResponse, ImportJob, Issuer, IssuerKey, Notification, PaperSize, Series, StatusList,
    StoreError, StoreResult,
};

pub(super) fn token(row: &SqliteRow) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: uuid(row, "id")?,
        name: row.try_get("name").map_err(db)?,
        scopes: list_from_json(row.try_get("scopes").map_err(db)?, "api_tokens.scopes")?,
        created_at: time(row, "created_at")?,
        revoked_at: maybe_time(row, "revoked_at")?,
        issuer_ids: id_list(
            row.try_get("issuer_ids").map_err(db)?,
            "api_tokens.issuer_ids",
        )?,
        expires_at: maybe_time(row, "expires_at")?,
        last_used_at: maybe_time(row, "last_used_at")?,
        with_emails: row.try_get("with_emails").map_err(db)?,
    })
}

pub(super) fn issuer(row: &SqliteRow) -> StoreResult<Issuer> {
    Ok(Issuer {
        id: uuid(row, "id")?,
        name: row.try_get("name").map_err(db)?,
        url: row.try_get("url").map_err(db)?,
        email: row.try_get("email").map_err(db)?,
        description: row.try_get("description").map_err(db)?,
        image: row.try_get("image").map_err(db)?,
        jwt_algorithm: row.try_get("jwt_algorithm").map_err(db)?,
        brand_color: row.try_get("brand_color").map_err(db)?,
        show_award_count: row.try_get("show_award_count").map_err(db)?,
        linkedin_organization_id: row.try_get("linkedin_organization_id").map_err(db)?,
        include_recipient_name: row.try_get("include_recipient_name").map_err(db)?,
        paper_size: PaperSize::parse(&row.try_get::<String, _>("paper_size").map_err(db)?)
            .ok_or_else(|| StoreError::Corrupt("issuers.paper_size: not letter or a4".into()))?,
        signatory_name: row.try_get("signatory_name").map_err(db)?,
        signatory_title: row.try_get("signatory_title").map_err(db)?,
        created_at: time(row, "created_at")?,
        updated_at: time(row, "updated_at")?,
    })
}

pub(super) fn key(row: &SqliteRow) -> StoreResult<IssuerKey> {
    Ok(IssuerKey {
        id: uuid(row, "id")?,
        issuer_id: uuid(row, "issuer_id")?,
        purpose: purpose(row.try_get("purpose").map_err(db)?)?,
        algorithm: row.try_get("algorithm").map_err(db)?,
        public_jwk: row.try_get("public_jwk").map_err(db)?,
        sealed_private_key: row.try_get("sealed_private_key").map_err(db)?,
        created_at: time(row, "created_at")?,
        retired_at: maybe_time(row, "retired_at")?,
        compromised_since: maybe_time(row, "compromised_since")?,
    })
}

pub(super) fn achievement(row: &SqliteRow) -> StoreResult<Achievement> {
    Ok(Achievement {
        id: uuid(row, "id")?,
        issuer_id: uuid(row, "issuer_id")?,
        name: row.try_get("name").map_err(db)?,
        description: row.try_get("description").map_err(db)?,
        criteria_narrative: row.try_get("criteria_narrative").map_err(db)?,
        criteria_url: row.try_get("criteria_url").map_err(db)?,
        image: row.try_get("image").map_err(db)?,
        achievement_type: row.try_get("achievement_type").map_err(db)?,
        tags: list_from_json(row.try_get("tags").map_err(db)?, "achievements.tags")?,
        alignment: row.try_get("alignment").map_err(db)?,
        credits_available: row.try_get("credits_available").map_err(db)?,
        valid_for_days: row.try_get("valid_for_days").map_err(db)?,
        award_rules: row.try_get("award_rules").map_err(db)?,
        created_at: time(row, "created_at")?,
        updated_at: time(row, "updated_at")?,
    })
}

pub(super) fn award(row: &SqliteRow) -> StoreResult<Award> {
    Ok(Award {
        id: uuid(row, "id")?,
        achievement_id: uuid(row, "achievement_id")?,
        issuer_id: uuid(row, "issuer_id")?,
        recipient_email: row.try_get("recipient_email").map_err(db)?,
        recipient_name: row.try_get("recipient_name").map_err(db)?,
        issued_at: time(row, "issued_at")?,
        valid_until: maybe_time(row, "valid_until")?,
        credential: row.try_get("credential").map_err(db)?,
        jwt: row.try_get("jwt").map_err(db)?,
        status: status_slot(
            maybe_uuid(row, "status_list_id")?,
            row.try_get("status_index").map_err(db)?,
        )?,
        revoked_at: maybe_time(row, "revoked_at")?,
        revocation_reason: row.try_get("revocation_reason").map_err(db)?,
        suspended_at: maybe_time(row, "suspended_at")?,
        suspension_reason: row.try_get("suspension_reason").map_err(db)?,
        role: row.try_get("role").map_err(db)?,
    })
}

pub(super) fn status_list(row: &SqliteRow) -> StoreResult<StatusList> {
    Ok(StatusList {
        id: uuid(row, "id")?,
        issuer_id: uuid(row, "issuer_id")?,
        purpose: row.try_get("purpose").map_err(db)?,
        size: count(row.try_get("size").map_err(db)?, "status_lists.size")?,
        allocated: count(
            row.try_get("allocated").map_err(db)?,
            "status_lists.allocated",
        )?,
        key: row.try_get("key").map_err(db)?,
        bits: row.try_get("bits").map_err(db)?,
        version: row.try_get("version").map_err(db)?,
        credential: row.try_get("credential").map_err(db)?,
        signed_version: row.try_get("signed_version").map_err(db)?,
        created_at: time(row, "created_at")?,
        updated_at: time(row, "updated_at")?,
    })
}

pub(super) fn idempotent(row: &SqliteRow) -> StoreResult<IdempotentResponse> {
    Ok(IdempotentResponse {
        key: row.try_get("key").map_err(db)?,
        token_id: uuid(row, "token_id")?,
        request_hash: row.try_get("request_hash").map_err(db)?,
        status: status(row.try_get("status").map_err(db)?)?,
        body: row.try_get("body").map_err(db)?,
        created_at: time(row, "created_at")?,
    })
}

pub(super) fn series(row: &SqliteRow) -> StoreResult<Series> {
    Ok(Series {
        id: uuid(row, "id")?,
        issuer_id: uuid(row, "issuer_id")?,
        title: row.try_get("title").map_err(db)?,
        description: row.try_get("description").map_err(db)?,
        created_at: time(row, "created_at")?,
        updated_at: time(row, "updated_at")?,
    })
}

pub(super) fn event(row: &SqliteRow) -> StoreResult<Event> {
    Ok(Event {
        id: uuid(row, "id")?,
        issuer_id: uuid(row, "issuer_id")?,
        series_id: maybe_uuid(row, "series_id")?,
        title: row.try_get("title").map_err(db)?,
        starts_at: time(row, "starts_at")?,
        duration_minutes: count(
            row.try_get("duration_minutes").map_err(db)?,
            "events.duration_minutes",
        )?,
        format: event_format(row.try_get("format").map_err(db)?)?,
        created_at: time(row, "created_at")?,
        updated_at: time(row, "updated_at")?,
    })
}

pub(super) fn attendance(row: &SqliteRow) -> StoreResult<Attendance> {
    Ok(Attendance {
        event_id: uuid(row, "event_id")?,
        recipient_email: row.try_get("recipient_email").map_err(db)?,
        recipient_name: row.try_get("recipient_name").map_err(db)?,
        minutes: count(row.try_get("minutes").map_err(db)?, "attendance.minutes")?,
        first_join: maybe_time(row, "first_join")?,
        last_leave: maybe_time(row, "last_leave")?,
        source: row.try_get("source").map_err(db)?,
        recorded_at: time(row, "recorded_at")?,
        role: row.try_get("role").map_err(db)?,
    })
}

pub(super) fn completion(row: &SqliteRow) -> StoreResult<Completion> {
    Ok(Completion {
        id: uuid(row, "id")?,
        issuer_id: uuid(row, "issuer_id")?,
        what: row.try_get("what").map_err(db)?,
        recipient_email: row.try_get("recipient_email").map_err(db)?,
        recipient_name: row.try_get("recipient_name").map_err(db)?,
        completed_at: time(row, "completed_at")?,
        score: row.try_get("score").map_err(db)?,
        evidence: row.try_get("evidence").map_err(db)?,
        recorded_at: time(row, "recorded_at")?,
        role: row.try_get("role").map_err(db)?,
    })
}

/// An import job without its `result` (see `import_columns!`).
pub(super) fn import_job(row: &SqliteRow) -> StoreResult<ImportJob> {
    Ok(ImportJob {
        id: uuid(row, "id")?,
        event_id: uuid(row, "event_id")?,
        status: import_status(row.try_get("status").map_err(db)?)?,
        dry_run: row.try_get("dry_run").map_err(db)?,
        file_name: row.try_get("file_name").map_err(db)?,
        total_rows: count(
            row.try_get("total_rows").map_err(db)?,
            "import_jobs.total_rows",
        )?,
        processed_rows: count(
            row.try_get("processed_rows").map_err(db)?,
            "import_jobs.processed_rows",
        )?,
        result: None,
        error: row.try_get("error").map_err(db)?,
        created_at: time(row, "created_at")?,
        updated_at: time(row, "updated_at")?,
        finished_at: maybe_time(row, "finished_at")?,
    })
}

pub(super) fn email_settings(row: &SqliteRow) -> StoreResult<EmailSettings> {
    let rate: Option<i64> = row.try_get("rate_per_minute").map_err(db)?;
    Ok(EmailSettings {
        issuer_id: uuid(row, "issuer_id")?,
        host: row.try_get("smtp_host").map_err(db)?,
        port: smtp_port(row.try_get("smtp_port").map_err(db)?)?,
        security: smtp_security(row.try_get("smtp_security").map_err(db)?)?,
        username: row.try_get("smtp_username").map_err(db)?,
        sealed_password: row.try_get("smtp_password").map_err(db)?,
        from_address: row.try_get("from_address").map_err(db)?,
        from_name: row.try_get("from_name").map_err(db)?,
        reply_to: row.try_get("reply_to").map_err(db)?,
        rate_per_minute: rate
            .map(|rate| count(rate, "issuer_email.rate_per_minute"))
            .transpose()?,
        dry_run: row.try_get("dry_run").map_err(db)?,
        updated_at: time(row, "updated_at")?,
    })
}

pub(super) fn email_template(row: &SqliteRow) -> StoreResult<EmailTemplate> {
    Ok(EmailTemplate {
        issuer_id: uuid(row, "issuer_id")?,
        achievement_id: maybe_uuid(row, "achievement_id")?,
        subject: row.try_get("subject").map_err(db)?,
        text_body: row.try_get("text_body").map_err(db)?,
        html_body: row.try_get("html_body").map_err(db)?,
        updated_at: time(row, "updated_at")?,
    })
}

pub(super) fn notification(row: &SqliteRow) -> StoreResult<Notification> {
    Ok(Notification {
        award_id: uuid(row, "award_id")?,
        issuer_id: uuid(row, "issuer_id")?,
        achievement_id: uuid(row, "achievement_id")?,
        state: notification_state(row.try_get("state").map_err(db)?)?,
        attempts: count(
            row.try_get("attempts").map_err(db)?,
            "notifications.attempts",
        )?,
        created_at: time(row, "created_at")?,
        queued_at: time(row, "queued_at")?,
        next_attempt_at: time(row, "next_attempt_at")?,
        claim: maybe_uuid(row, "claim")?,
        claimed_until: maybe_time(row, "claimed_until")?,
        last_attempt_at: maybe_time(row, "last_attempt_at")?,
        sent_at: maybe_time(row, "sent_at")?,
        failed_at: maybe_time(row, "failed_at")?,
        last_error: row.try_get("last_error").map_err(db)?,
        smtp_reply: row.try_get("smtp_reply").map_err(db)?,
        message_id: row.try_get("message_id").map_err(db)?,
        subject: row.try_get("subject").map_err(db)?,
        dry_run: row.try_get("dry_run").map_err(db)?,
    })
}

fn uuid(row: &SqliteRow, column: &str) -> StoreResult<Uuid> {
    Ok(row.try_get::<Id, _>(column).map_err(db)?.0)
}

fn maybe_uuid(row: &SqliteRow, column: &str) -> StoreResult<Option<Uuid>> {
    Ok(row
        .try_get::<Option<Id>, _>(column)
        .map_err(db)?
        .map(Uuid::from))
}

fn time(row: &SqliteRow, column: &str) -> StoreResult<DateTime<Utc>> {
    Ok(row.try_get::<Ts, _>(column).map_err(db)?.0)
}

fn maybe_time(row: &SqliteRow, column: &str) -> StoreResult<Option<DateTime<Utc>>> {
    Ok(row
        .try_get::<Option<Ts>, _>(column)
        .map_err(db)?
        .map(DateTime::from))
}

/// The ids in a JSON list column, each in its stored form.
pub(super) fn id_list(text: &str, column: &str) -> StoreResult<Vec<Uuid>> {
    list_from_json(text, column)?
        .iter()
        .map(|text| {
            Id::parse_stored(text)
                .map(Uuid::from)
                .map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
        })
        .collect()
}
