//! Email on PostgreSQL: settings, templates and the outbox.
//!
//! Several instances claim from one outbox. Claiming locks the rows it takes with `FOR UPDATE
//! SKIP LOCKED`, so a concurrent claimer passes over them instead of waiting or taking them
//! too, and locks the issuer's settings row the same way while it counts the issuer's rate
//! window: an issuer being claimed for by one instance is skipped by the others until it
//! commits, and the window count stays exact.

use chrono::{DateTime, Utc};
use sqlx::{Postgres, QueryBuilder, Row};
use uuid::Uuid;

use super::PostgresStore;
use super::rows::{email_settings, email_template, notification};
use crate::shared::{
    count, db, email_settings_columns, email_template_columns, notification_columns, rate_budget,
};
use crate::values::Ts;
use crate::{
    Delivery, EmailSettings, EmailTemplate, Notification, NotificationFilter, Requeued, Resend,
    StoreError, StoreResult,
};

/// The rows a worker may claim (`$1`: now): queued and due, or claimed under a lapsed lease.
macro_rules! due {
    () => {
        "((state = 'queued' and next_attempt_at <= $1) \
          or (state = 'sending' and claimed_until <= $1))"
    };
}

/// Queues an achievement's notifications again (`$1`: the achievement, `$2`: now); the
/// condition choosing which follows.
macro_rules! requeue {
    () => {
        "update notifications set state = 'queued', attempts = 0, queued_at = $2, \
             next_attempt_at = $2, claim = null, claimed_until = null, sent_at = null, \
             failed_at = null, last_error = null, smtp_reply = null, message_id = null, dry_run = false \
         where achievement_id = $1 \
           and not exists (select 1 from awards a where a.id = notifications.award_id \
                           and a.revoked_at is not null) and "
    }
}

/// Queues a notification for each of `award_ids` created in this transaction whose issuer has
/// email settings: the outbox half of `insert_awards`.
pub(super) async fn enqueue_new(
    tx: &mut sqlx::Transaction<'static, Postgres>,
    award_ids: &[Uuid],
    at: DateTime<Utc>,
) -> StoreResult<()> {
    if award_ids.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "insert into notifications (award_id, issuer_id, achievement_id, state, attempts,
             created_at, queued_at, next_attempt_at)
         select a.id, a.issuer_id, a.achievement_id, 'queued', 0, $2, $2, $2
         from awards a
         where a.id = any($1)
           and exists (select 1 from issuer_email e where e.issuer_id = a.issuer_id)",
    )
    .bind(award_ids)
    .bind(Ts(at))
    .execute(&mut **tx)
    .await
    .map_err(db)?;
    Ok(())
}

pub(super) async fn settings(
    store: &PostgresStore,
    issuer_id: Uuid,
) -> StoreResult<Option<EmailSettings>> {
    let sql = concat!(
        "select ",
        email_settings_columns!(),
        " from issuer_email where issuer_id = $1"
    );
    let row = sqlx::query(sql)
        .bind(issuer_id)
        .fetch_optional(&store.pool)
        .await
        .map_err(db)?;
    row.as_ref().map(email_settings).transpose()
}

pub(super) async fn set_settings(store: &PostgresStore, s: &EmailSettings) -> StoreResult<()> {
    let mut tx = store.write().await?;
    let issuer: Option<Uuid> = sqlx::query_scalar("select id from issuers where id = $1")
        .bind(s.issuer_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
    if issuer.is_none() {
        return Err(StoreError::NotFound);
    }
    sqlx::query(
        "insert into issuer_email (issuer_id, smtp_host, smtp_port, smtp_security, smtp_username,
             smtp_password, from_address, from_name, reply_to, rate_per_minute, dry_run,
             updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         on conflict (issuer_id) do update set smtp_host = excluded.smtp_host,
             smtp_port = excluded.smtp_port, smtp_security = excluded.smtp_security,
             smtp_username = excluded.smtp_username, smtp_password = excluded.smtp_password,
             from_address = excluded.from_address, from_name = excluded.from_name,
             reply_to = excluded.reply_to, rate_per_minute = excluded.rate_per_minute,
             dry_run = excluded.dry_run, updated_at = excluded.updated_at",
    )
    .bind(s.issuer_id)
    .bind(&s.host)
    .bind(i64::from(s.port))
    .bind(s.security.as_str())
    .bind(&s.username)
    .bind(&s.sealed_password)
    .bind(&s.from_address)
    .bind(&s.from_name)
    .bind(&s.reply_to)
    .bind(s.rate_per_minute.map(i64::from))
    .bind(s.dry_run)
    .bind(Ts(s.updated_at))
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)
}

pub(super) async fn delete_settings(store: &PostgresStore, issuer_id: Uuid) -> StoreResult<bool> {
    let mut tx = store.write().await?;
    let done = sqlx::query("delete from issuer_email where issuer_id = $1")
        .bind(issuer_id)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn template(
    store: &PostgresStore,
    owner_id: Uuid,
) -> StoreResult<Option<EmailTemplate>> {
    let sql = concat!(
        "select ",
        email_template_columns!(),
        " from email_templates where owner_id = $1"
    );
    let row = sqlx::query(sql)
        .bind(owner_id)
        .fetch_optional(&store.pool)
        .await
        .map_err(db)?;
    row.as_ref().map(email_template).transpose()
}

pub(super) async fn set_template(store: &PostgresStore, t: &EmailTemplate) -> StoreResult<()> {
    let mut tx = store.write().await?;
    let owner: Option<Uuid> = match t.achievement_id {
        Some(achievement_id) => {
            sqlx::query_scalar("select id from achievements where id = $1 and issuer_id = $2")
                .bind(achievement_id)
                .bind(t.issuer_id)
                .fetch_optional(&mut *tx)
                .await
        }
        None => {
            sqlx::query_scalar("select id from issuers where id = $1")
                .bind(t.issuer_id)
                .fetch_optional(&mut *tx)
                .await
        }
    }
    .map_err(db)?;
    if owner.is_none() {
        return Err(StoreError::NotFound);
    }
    sqlx::query(
        "insert into email_templates (owner_id, issuer_id, achievement_id, subject, text_body,
             html_body, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (owner_id) do update set subject = excluded.subject,
             text_body = excluded.text_body, html_body = excluded.html_body,
             updated_at = excluded.updated_at",
    )
    .bind(t.owner_id())
    .bind(t.issuer_id)
    .bind(t.achievement_id)
    .bind(&t.subject)
    .bind(&t.text_body)
    .bind(&t.html_body)
    .bind(Ts(t.updated_at))
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)
}

pub(super) async fn delete_template(store: &PostgresStore, owner_id: Uuid) -> StoreResult<bool> {
    let mut tx = store.write().await?;
    let done = sqlx::query("delete from email_templates where owner_id = $1")
        .bind(owner_id)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn one(
    store: &PostgresStore,
    award_id: Uuid,
) -> StoreResult<Option<Notification>> {
    let sql = concat!(
        "select ",
        notification_columns!(),
        " from notifications where award_id = $1"
    );
    let row = sqlx::query(sql)
        .bind(award_id)
        .fetch_optional(&store.pool)
        .await
        .map_err(db)?;
    row.as_ref().map(notification).transpose()
}

pub(super) async fn list(
    store: &PostgresStore,
    filter: &NotificationFilter,
) -> StoreResult<(Vec<Notification>, u64)> {
    let mut total = QueryBuilder::<Postgres>::new("select count(*) from notifications");
    push_filter(&mut total, filter);
    let total: i64 = total
        .build_query_scalar()
        .fetch_one(&store.pool)
        .await
        .map_err(db)?;
    let mut page = QueryBuilder::<Postgres>::new(concat!(
        "select ",
        notification_columns!(),
        " from notifications"
    ));
    push_filter(&mut page, filter);
    page.push(" order by queued_at desc, award_id limit ")
        .push_bind(i64::from(filter.limit))
        .push(" offset ")
        .push_bind(i64::from(filter.offset));
    let rows = page.build().fetch_all(&store.pool).await.map_err(db)?;
    let rows = rows.iter().map(notification).collect::<StoreResult<_>>()?;
    // A count is never negative.
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

fn push_filter(query: &mut QueryBuilder<Postgres>, filter: &NotificationFilter) {
    let mut and = " where ";
    if let Some(issuer_id) = filter.issuer_id {
        query.push(and).push("issuer_id = ").push_bind(issuer_id);
        and = " and ";
    }
    if !filter.issuer_ids.is_empty() {
        query
            .push(and)
            .push("issuer_id = any(")
            .push_bind(filter.issuer_ids.clone())
            .push(")");
        and = " and ";
    }
    if let Some(achievement_id) = filter.achievement_id {
        query
            .push(and)
            .push("achievement_id = ")
            .push_bind(achievement_id);
        and = " and ";
    }
    if let Some(state) = filter.state {
        query.push(and).push("state = ").push_bind(state.as_str());
    }
}

pub(super) async fn queue(
    store: &PostgresStore,
    award_ids: &[Uuid],
    at: DateTime<Utc>,
) -> StoreResult<Vec<Requeued>> {
    let select = concat!(
        "select ",
        notification_columns!(),
        " from notifications where award_id = $1"
    );
    let mut tx = store.write().await?;
    let mut results = Vec::with_capacity(award_ids.len());
    for &award_id in award_ids {
        let inserted = sqlx::query(
            "insert into notifications (award_id, issuer_id, achievement_id, state, attempts,
                 created_at, queued_at, next_attempt_at)
             select id, issuer_id, achievement_id, 'queued', 0, $2, $2, $2
             from awards where id = $1
             on conflict (award_id) do update set state = 'queued', attempts = 0,
                 queued_at = excluded.queued_at, next_attempt_at = excluded.next_attempt_at,
                 claim = null, claimed_until = null, sent_at = null, failed_at = null,
                 last_error = null, smtp_reply = null, message_id = null, dry_run = false
             where notifications.state in ('sent', 'failed')",
        )
        .bind(award_id)
        .bind(Ts(at))
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected();
        let row = sqlx::query(select)
            .bind(award_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        results.push(match (row, inserted) {
            (None, _) => Requeued::Missing,
            (Some(row), 1) => Requeued::Queued(notification(&row)?),
            (Some(row), _) => Requeued::Unchanged(notification(&row)?),
        });
    }
    tx.commit().await.map_err(db)?;
    Ok(results)
}

pub(super) async fn resend(
    store: &PostgresStore,
    achievement_id: Uuid,
    which: &[Resend],
    at: DateTime<Utc>,
) -> StoreResult<u64> {
    let mut tx = store.write().await?;
    let mut queued = 0;
    for kind in which {
        let sql = match kind {
            Resend::Failed => concat!(requeue!(), "state = 'failed'"),
            Resend::DryRun => concat!(requeue!(), "state = 'sent' and dry_run = true"),
            Resend::Unsent => {
                "insert into notifications (award_id, issuer_id, achievement_id, state, attempts,
                     created_at, queued_at, next_attempt_at)
                 select a.id, a.issuer_id, a.achievement_id, 'queued', 0, $2, $2, $2
                 from awards a
                 where a.achievement_id = $1 and a.revoked_at is null
                   and not exists (select 1 from notifications n where n.award_id = a.id)"
            }
        };
        queued += sqlx::query(sql)
            .bind(achievement_id)
            .bind(Ts(at))
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
    }
    tx.commit().await.map_err(db)?;
    Ok(queued)
}

pub(super) async fn claim(
    store: &PostgresStore,
    claim: Uuid,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u32,
) -> StoreResult<Vec<Notification>> {
    let mut tx = store.write().await?;
    // Oldest work first, and each issuer a share of the batch, so one issuer's backlog never
    // holds up another's emails.
    let issuers: Vec<Uuid> = sqlx::query_scalar(concat!(
        "select issuer_id from notifications where ",
        due!(),
        " group by issuer_id order by min(next_attempt_at), issuer_id"
    ))
    .bind(Ts(now))
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    let share = limit.div_ceil(u32::try_from(issuers.len()).unwrap_or(u32::MAX).max(1));
    let mut claimed = Vec::new();
    for issuer_id in issuers {
        let left = limit.saturating_sub(u32::try_from(claimed.len()).unwrap_or(u32::MAX));
        if left == 0 {
            break;
        }
        // The settings row is locked while this issuer's window is counted; another
        // instance holding it is claiming for this issuer now, so this one moves on.
        let settings = sqlx::query(
            "select rate_per_minute, window_started_at, window_count from issuer_email
             where issuer_id = $1 for update skip locked",
        )
        .bind(issuer_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let (rate, started, window_count) = match settings {
            Some(row) => {
                let rate: Option<i64> = row.try_get("rate_per_minute").map_err(db)?;
                let rate = rate
                    .map(|rate| count(rate, "issuer_email.rate_per_minute"))
                    .transpose()?;
                let started: Option<DateTime<Utc>> =
                    row.try_get("window_started_at").map_err(db)?;
                let window_count = count(
                    row.try_get("window_count").map_err(db)?,
                    "issuer_email.window_count",
                )?;
                (rate, started, window_count)
            }
            None => {
                let exists: Option<Uuid> =
                    sqlx::query_scalar("select issuer_id from issuer_email where issuer_id = $1")
                        .bind(issuer_id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db)?;
                if exists.is_some() {
                    continue;
                }
                (None, None, 0)
            }
        };
        let (budget, window_start, window_count) = rate_budget(rate, started, window_count, now);
        let take = budget.min(left).min(share);
        if take == 0 {
            continue;
        }
        let sql = concat!(
            "update notifications set state = 'sending', attempts = attempts + 1, claim = $2,
                 claimed_until = $3, last_attempt_at = $1
             where award_id in (select award_id from notifications where issuer_id = $4 and ",
            due!(),
            " order by next_attempt_at, award_id limit $5
                 for update skip locked) returning ",
            notification_columns!()
        );
        let rows = sqlx::query(sql)
            .bind(Ts(now))
            .bind(claim)
            .bind(Ts(lease_until))
            .bind(issuer_id)
            .bind(i64::from(take))
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
        if rate.is_some() {
            let taken = u32::try_from(rows.len()).unwrap_or(u32::MAX);
            sqlx::query(
                "update issuer_email set window_started_at = $2, window_count = $3
                 where issuer_id = $1",
            )
            .bind(issuer_id)
            .bind(Ts(window_start))
            .bind(i64::from(window_count.saturating_add(taken)))
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        for row in &rows {
            claimed.push(notification(row)?);
        }
    }
    tx.commit().await.map_err(db)?;
    claimed.sort_by_key(|n| (n.next_attempt_at, n.award_id));
    Ok(claimed)
}

pub(super) async fn finish(store: &PostgresStore, deliveries: &[Delivery]) -> StoreResult<()> {
    if deliveries.is_empty() {
        return Ok(());
    }
    // One statement for the whole batch, the outcomes as one array per column: a row per
    // delivery was a round trip per email. Each outcome sets what its own statement did:
    // sent (when, Message-ID, subject, reply, dry run; no error), queued again (when next,
    // the error, the reply, the Message-ID if one was made), failed (when, error, reply).
    let sql = "update notifications as n set
             state = u.state,
             sent_at = case when u.state = 'sent' then u.at else n.sent_at end,
             failed_at = case when u.state = 'failed' then u.at else n.failed_at end,
             next_attempt_at = case when u.state = 'queued' then u.next_at
                 else n.next_attempt_at end,
             claim = null, claimed_until = null,
             message_id = case when u.state = 'failed' then n.message_id
                 else coalesce(u.message_id, n.message_id) end,
             subject = case when u.state = 'sent' then u.subject else n.subject end,
             smtp_reply = u.reply,
             dry_run = case when u.state = 'sent' then u.dry_run else n.dry_run end,
             last_error = u.error
         from unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::timestamptz[],
                 $6::text[], $7::text[], $8::text[], $9::bool[], $10::text[])
             as u (award_id, claim, state, at, next_at, message_id, subject, reply, dry_run,
                 error)
         where n.award_id = u.award_id and n.claim = u.claim and n.state = 'sending'";
    let mut award_ids = Vec::with_capacity(deliveries.len());
    let mut claims = Vec::with_capacity(deliveries.len());
    let mut states = Vec::with_capacity(deliveries.len());
    let mut ats = Vec::with_capacity(deliveries.len());
    let mut next_ats: Vec<Option<Ts>> = Vec::with_capacity(deliveries.len());
    let mut message_ids: Vec<Option<&str>> = Vec::with_capacity(deliveries.len());
    let mut subjects: Vec<Option<&str>> = Vec::with_capacity(deliveries.len());
    let mut replies: Vec<Option<&str>> = Vec::with_capacity(deliveries.len());
    let mut dry_runs = Vec::with_capacity(deliveries.len());
    let mut errors: Vec<Option<&str>> = Vec::with_capacity(deliveries.len());
    for d in deliveries {
        award_ids.push(d.award_id);
        claims.push(d.claim);
        ats.push(Ts(d.at));
        let c = d.outcome.columns();
        states.push(c.state);
        next_ats.push(c.next_attempt_at.map(Ts));
        message_ids.push(c.message_id);
        subjects.push(c.subject);
        replies.push(c.reply);
        dry_runs.push(c.dry_run);
        errors.push(c.error);
    }
    // One statement is atomic by itself: no transaction around it.
    sqlx::query(sql)
        .bind(&award_ids)
        .bind(&claims)
        .bind(&states)
        .bind(&ats)
        .bind(&next_ats)
        .bind(&message_ids)
        .bind(&subjects)
        .bind(&replies)
        .bind(&dry_runs)
        .bind(&errors)
        .execute(&store.pool)
        .await
        .map_err(db)?;
    Ok(())
}
