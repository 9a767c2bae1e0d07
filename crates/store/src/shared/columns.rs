//! The column lists each table is read with, shared by both backends' queries.

/// The columns of `api_tokens` a token is read from.
macro_rules! token_columns {
    () => {
        "id, name, scopes, created_at, revoked_at, issuer_ids, expires_at, last_used_at, with_emails"
    };
}

/// The columns of `issuers`.
macro_rules! issuer_columns {
    () => {
        "id, name, url, email, description, image, jwt_algorithm, brand_color, show_award_count, \
         linkedin_organization_id, include_recipient_name, created_at, updated_at, paper_size, \
         signatory_name, signatory_title"
    };
}

/// The columns of `issuer_keys`.
macro_rules! key_columns {
    () => {
        "id, issuer_id, purpose, algorithm, public_jwk, sealed_private_key, created_at, \
         retired_at, compromised_since"
    };
}

/// The columns of `achievements`.
macro_rules! achievement_columns {
    () => {
        "id, issuer_id, name, description, criteria_narrative, criteria_url, image, \
         achievement_type, tags, alignment, credits_available, valid_for_days, award_rules, \
         created_at, updated_at"
    };
}

/// The columns of `awards`.
macro_rules! award_columns {
    () => {
        "id, achievement_id, issuer_id, recipient_email, recipient_name, issued_at, valid_until, \
         credential, jwt, status_list_id, status_index, revoked_at, revocation_reason, \
         suspended_at, suspension_reason, role"
    };
}

/// The columns of `status_lists`.
macro_rules! status_list_columns {
    () => {
        "id, issuer_id, purpose, size, allocated, key, bits, version, credential, \
         signed_version, created_at, updated_at"
    };
}

/// The columns of `idempotency`.
macro_rules! idempotent_columns {
    () => {
        "key, token_id, request_hash, status, body, created_at"
    };
}

/// The columns of `series`.
macro_rules! series_columns {
    () => {
        "id, issuer_id, title, description, created_at, updated_at"
    };
}

/// The columns of `events`.
macro_rules! event_columns {
    () => {
        "id, issuer_id, series_id, title, starts_at, duration_minutes, format, created_at, \
         updated_at"
    };
}

/// The columns of `attendance`.
macro_rules! attendance_columns {
    () => {
        "event_id, recipient_email, recipient_name, minutes, first_join, last_leave, source, \
         recorded_at, role"
    };
}

/// The columns of `completions`.
macro_rules! completion_columns {
    () => {
        "id, issuer_id, what, recipient_email, recipient_name, completed_at, score, evidence, \
         recorded_at, role"
    };
}

/// The columns of `import_jobs`, all but `result`, which can be large: listings leave it out
/// and reading one job adds it.
macro_rules! import_columns {
    () => {
        "id, event_id, status, dry_run, file_name, total_rows, processed_rows, error, \
         created_at, updated_at, finished_at"
    };
}

/// The columns of `issuer_email`.
macro_rules! email_settings_columns {
    () => {
        "issuer_id, smtp_host, smtp_port, smtp_security, smtp_username, smtp_password, \
         from_address, from_name, reply_to, rate_per_minute, dry_run, updated_at"
    };
}

/// The columns of `email_templates`.
macro_rules! email_template_columns {
    () => {
        "issuer_id, achievement_id, subject, text_body, html_body, updated_at"
    };
}

/// The columns of `notifications`.
macro_rules! notification_columns {
    () => {
        "award_id, issuer_id, achievement_id, state, attempts, created_at, queued_at, \
         next_attempt_at, claim, claimed_until, last_attempt_at, sent_at, failed_at, \
         last_error, smtp_reply, message_id, subject, dry_run"
    };
}

pub(crate) use {email_settings_columns, email_template_columns, notification_columns};

pub(crate) use {
    achievement_columns, attendance_columns, award_columns, completion_columns, event_columns,
    idempotent_columns, import_columns, issuer_columns, key_columns, series_columns,
    status_list_columns, token_columns,
};
