//! Reading PostgreSQL rows into the store's types.
//!
//! Each reader takes the columns its `*_columns!` list (in `shared.rs`) selects. Ids,
//! timestamps and bytes decode natively; lists are JSON text, as on SQLite. Anything unreadable
//! is [`crate::StoreError::Corrupt`], never a panic.

use sqlx::Row;
use sqlx::postgres::PgRow;

use crate::shared::{
    count, db, event_format, import_status, list_from_json, notification_state, purpose, smtp_port,
    smtp_security, status, status_slot,
};
use crate::{
    Achievement, ApiToken, Attendance, Award, Completion, EmailSettings, EmailTemplate, Event,
    IdempotentResponse, ImportJob, Issuer, IssuerKey, Notification, PaperSize, Series, StatusList,
    StoreError, StoreResult,
};

pub(super) fn token(row: &PgRow) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: row.try_get("id").map_err(db)?,
        name: row.try_get("name").map_err(db)?,
        scopes: list_from_json(row.try_get("scopes").map_err(db)?, "api_tokens.scopes")?,
        created_at: row.try_get("created_at").map_err(db)?,
        revoked_at: row.try_get("revoked_at").map_err(db)?,
        issuer_ids: list_from_json(
            row.try_get("issuer_ids").map_err(db)?,
            "api_tokens.issuer_ids",
        )?
        .iter()
        .map(|text| {
            uuid::Uuid::parse_str(text)
                .map_err(|e| crate::StoreError::Corrupt(format!("api_tokens.issuer_ids: {e}")))
        })
        .collect::<StoreResult<_>>()?,
        expires_at: row.try_get("expires_at").map_err(db)?,
        last_used_at: row.try_get("last_used_at").map_err(db)?,
        with_emails: row.try_get("with_emails").map_err(db)?,
    })
}

pub(super) fn issuer(row: &PgRow) -> StoreResult<Issuer> {
    Ok(Issuer {
        id: row.try_get("id").map_err(db)?,
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
        created_at: row.try_get("created_at").map_err(db)?,
        updated_at: row.try_get("updated_at").map_err(db)?,
    })
}

pub(super) fn key(row: &PgRow) -> StoreResult<IssuerKey> {
    Ok(IssuerKey {
        id: row.try_get("id").map_err(db)?,
        issuer_id: row.try_get("issuer_id").map_err(db)?,
        purpose: purpose(row.try_get("purpose").map_err(db)?)?,
        algorithm: row.try_get("algorithm").map_err(db)?,
        public_jwk: row.try_get("public_jwk").map_err(db)?,
        sealed_private_key: row.try_get("sealed_private_key").map_err(db)?,
        created_at: row.try_get("created_at").map_err(db)?,
        retired_at: row.try_get("retired_at").map_err(db)?,
        compromised_since: row.try_get("compromised_since").map_err(db)?,
    })
}

pub(super) fn achievement(row: &PgRow) -> StoreResult<Achievement> {
    Ok(Achievement {
        id: row.try_get("id").map_err(db)?,
        issuer_id: row.try_get("issuer_id").map_err(db)?,
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
        created_at: row.try_get("created_at").map_err(db)?,
        updated_at: row.try_get("updated_at").map_err(db)?,
    })
}

pub(super) fn award(row: &PgRow) -> StoreResult<Award> {
    Ok(Award {
        id: row.try_get("id").map_err(db)?,
        achievement_id: row.try_get("achievement_id").map_err(db)?,
        issuer_id: row.try_get("issuer_id").map_err(db)?,
        recipient_email: row.try_get("recipient_email").map_err(db)?,
        recipient_name: row.try_get("recipient_name").map_err(db)?,
        issued_at: row.try_get("issued_at").map_err(db)?,
        valid_until: row.try_get("valid_until").map_err(db)?,
        credential: row.try_get("credential").map_err(db)?,
        jwt: row.try_get("jwt").map_err(db)?,
        status: status_slot(
            row.try_get("status_list_id").map_err(db)?,
            row.try_get("status_index").map_err(db)?,
        )?,
        revoked_at: row.try_get("revoked_at").map_err(db)?,
        revocation_reason: row.try_get("revocation_reason").map_err(db)?,
        suspended_at: row.try_get("suspended_at").map_err(db)?,
        suspension_reason: row.try_get("suspension_reason").map_err(db)?,
        role: row.try_get("role").map_err(db)?,
    })
}

pub(super) fn status_list(row: &PgRow) -> StoreResult<StatusList> {
    Ok(StatusList {
        id: row.try_get("id").map_err(db)?,
        issuer_id: row.try_get("issuer_id").map_err(db)?,
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
        created_at: row.try_get("created_at").map_err(db)?,
        updated_at: row.try_get("updated_at").map_err(db)?,
    })
}

pub(super) fn idempotent(row: &PgRow) -> StoreResult<IdempotentResponse> {
    Ok(IdempotentResponse {
        key: row.try_get("key").map_err(db)?,
        token_id: row.try_get("token_id").map_err(db)?,
        request_hash: row.try_get("request_hash").map_err(db)?,
        status: status(i64::from(row.try_get::<i32, _>("status").map_err(db)?))?,
        body: row.try_get("body").map_err(db)?,
        created_at: row.try_get("created_at").map_err(db)?,
    })
}

pub(super) fn series(row: &PgRow) -> StoreResult<Series> {
    Ok(Series {
        id: row.try_get("id").map_err(db)?,
        issuer_id: row.try_get("issuer_id").map_err(db)?,
        title: row.try_get("title").map_err(db)?,
        description: row.try_get("description").map_err(db)?,
        created_at: row.try_get("created_at").map_err(db)?,
        updated_at: row.try_get("updated_at").map_err(db)?,
    })
}

pub(super) fn event(row: &PgRow) -> StoreResult<Event> {
    Ok(Event {
        id: row.try_get("id").map_err(db)?,
        issuer_id: row.try_get("issuer_id").map_err(db)?,
        series_id: row.try_get("series_id").map_err(db)?,
        title: row.try_get("title").map_err(db)?,
        starts_at: row.try_get("starts_at").map_err(db)?,
        duration_minutes: count(
            row.try_get("duration_minutes").map_err(db)?,
            "events.duration_minutes",
        )?,
        format: event_format(row.try_get("format").map_err(db)?)?,
        created_at: row.try_get("created_at").map_err(db)?,
        updated_at: row.try_get("updated_at").map_err(db)?,
    })
}

pub(super) fn attendance(row: &PgRow) -> StoreResult<Attendance> {
    Ok(Attendance {
        event_id: row.try_get("event_id").map_err(db)?,
        recipient_email: row.try_get("recipient_email").map_err(db)?,
        recipient_name: row.try_get("recipient_name").map_err(db)?,
        minutes: count(row.try_get("minutes").map_err(db)?, "attendance.minutes")?,
        first_join: row.try_get("first_join").map_err(db)?,
        last_leave: row.try_get("last_leave").map_err(db)?,
        source: row.try_get("source").map_err(db)?,
        recorded_at: row.try_get("recorded_at").map_err(db)?,
        role: row.try_get("role").map_err(db)?,
    })
}

pub(super) fn completion(row: &PgRow) -> StoreResult<Completion> {
    Ok(Completion {
        id: row.try_get("id").map_err(db)?,
        issuer_id: row.try_get("issuer_id").map_err(db)?,
        what: row.try_get("what").map_err(db)?,
        recipient_email: row.try_get("recipient_email").map_err(db)?,
        recipient_name: row.try_get("recipient_name").map_err(db)?,
        completed_at: row.try_get("completed_at").map_err(db)?,
        score: row.try_get("score").map_err(db)?,
        evidence: row.try_get("evidence").map_err(db)?,
        recorded_at: row.try_get("recorded_at").map_err(db)?,
        role: row.try_get("role").map_err(db)?,
    })
}

/// An import job without its `result` (see `import_columns!`).
pub(super) fn import_job(row: &PgRow) -> StoreResult<ImportJob> {
    Ok(ImportJob {
        id: row.try_get("id").map_err(db)?,
        event_id: row.try_get("event_id").map_err(db)?,
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
        created_at: row.try_get("created_at").map_err(db)?,
        updated_at: row.try_get("updated_at").map_err(db)?,
        finished_at: row.try_get("finished_at").map_err(db)?,
    })
}

pub(super) fn email_settings(row: &PgRow) -> StoreResult<EmailSettings> {
    let rate: Option<i64> = row.try_get("rate_per_minute").map_err(db)?;
    Ok(EmailSettings {
        issuer_id: row.try_get("issuer_id").map_err(db)?,
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
        updated_at: row.try_get("updated_at").map_err(db)?,
    })
}

pub(super) fn email_template(row: &PgRow) -> StoreResult<EmailTemplate> {
    Ok(EmailTemplate {
        issuer_id: row.try_get("issuer_id").map_err(db)?,
        achievement_id: row.try_get("achievement_id").map_err(db)?,
        subject: row.try_get("subject").map_err(db)?,
        text_body: row.try_get("text_body").map_err(db)?,
        html_body: row.try_get("html_body").map_err(db)?,
        updated_at: row.try_get("updated_at").map_err(db)?,
    })
}

pub(super) fn notification(row: &PgRow) -> StoreResult<Notification> {
    Ok(Notification {
        award_id: row.try_get("award_id").map_err(db)?,
        issuer_id: row.try_get("issuer_id").map_err(db)?,
        achievement_id: row.try_get("achievement_id").map_err(db)?,
        state: notification_state(row.try_get("state").map_err(db)?)?,
        attempts: count(
            row.try_get("attempts").map_err(db)?,
            "notifications.attempts",
        )?,
        created_at: row.try_get("created_at").map_err(db)?,
        queued_at: row.try_get("queued_at").map_err(db)?,
        next_attempt_at: row.try_get("next_attempt_at").map_err(db)?,
        claim: row.try_get("claim").map_err(db)?,
        claimed_until: row.try_get("claimed_until").map_err(db)?,
        last_attempt_at: row.try_get("last_attempt_at").map_err(db)?,
        sent_at: row.try_get("sent_at").map_err(db)?,
        failed_at: row.try_get("failed_at").map_err(db)?,
        last_error: row.try_get("last_error").map_err(db)?,
        smtp_reply: row.try_get("smtp_reply").map_err(db)?,
        message_id: row.try_get("message_id").map_err(db)?,
        subject: row.try_get("subject").map_err(db)?,
        dry_run: row.try_get("dry_run").map_err(db)?,
    })
}
