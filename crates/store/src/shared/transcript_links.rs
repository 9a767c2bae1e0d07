//! [`TranscriptLinkStore`](crate::TranscriptLinkStore) for both backends, written once (the
//! statements are the same on SQLite and PostgreSQL). Claiming is a conditional update per row
//! ("still due?"), within the issuer's emails-per-minute window that award emails and
//! invitations count in too (the window's helpers are the pathway store's).

/// Implements `TranscriptLinkStore` for `$store`, reading through `self.$reader`.
macro_rules! transcript_link_store {
    ($store:ty, $reader:ident, $row:ty) => {
        use chrono::{DateTime, Utc};
        use sqlx::Row;
        use uuid::Uuid;

        use super::pathway_store::{issuer_window, spend};
        use crate::shared::{count, db, notification_state};
        use crate::values::{Id, Ts};
        use crate::{StoreResult, TranscriptLink, TranscriptLinkDelivery};

        const COLUMNS: &str = "id, issuer_id, recipient_email, created_at, expires_at, state,
            attempts, next_attempt_at, claim, claimed_until, sent_at, last_error, message_id,
            subject, dry_run";

        /// Due rows (`$1`: now): queued and due, or claimed under a lapsed lease.
        const DUE: &str = "((state = 'queued' and next_attempt_at <= $1)
            or (state = 'sending' and claimed_until <= $1))";

        fn link(row: &$row) -> StoreResult<TranscriptLink> {
            let time = |name: &str| -> StoreResult<Option<DateTime<Utc>>> {
                Ok(row.try_get::<Option<Ts>, _>(name).map_err(db)?.map(|t| t.0))
            };
            let state: String = row.try_get("state").map_err(db)?;
            Ok(TranscriptLink {
                id: row.try_get::<Id, _>("id").map_err(db)?.0,
                issuer_id: row.try_get::<Id, _>("issuer_id").map_err(db)?.0,
                recipient_email: row.try_get("recipient_email").map_err(db)?,
                created_at: row.try_get::<Ts, _>("created_at").map_err(db)?.0,
                expires_at: row.try_get::<Ts, _>("expires_at").map_err(db)?.0,
                state: notification_state(&state)?,
                attempts: count(row.try_get("attempts").map_err(db)?, "attempts")?,
                next_attempt_at: row.try_get::<Ts, _>("next_attempt_at").map_err(db)?.0,
                claim: row
                    .try_get::<Option<Id>, _>("claim")
                    .map_err(db)?
                    .map(|c| c.0),
                claimed_until: time("claimed_until")?,
                sent_at: time("sent_at")?,
                last_error: row.try_get("last_error").map_err(db)?,
                message_id: row.try_get("message_id").map_err(db)?,
                subject: row.try_get("subject").map_err(db)?,
                dry_run: row.try_get("dry_run").map_err(db)?,
            })
        }

        #[async_trait::async_trait]
        impl crate::TranscriptLinkStore for $store {
            async fn record_transcript_link(&self, l: &TranscriptLink) -> StoreResult<()> {
                let mut tx = self.write().await?;
                let sql = format!(
                    "insert into transcript_links ({COLUMNS})
                     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(Id(l.id))
                    .bind(Id(l.issuer_id))
                    .bind(&l.recipient_email)
                    .bind(Ts(l.created_at))
                    .bind(Ts(l.expires_at))
                    .bind(l.state.as_str())
                    .bind(i64::from(l.attempts))
                    .bind(Ts(l.next_attempt_at))
                    .bind(l.claim.map(Id))
                    .bind(l.claimed_until.map(Ts))
                    .bind(l.sent_at.map(Ts))
                    .bind(&l.last_error)
                    .bind(&l.message_id)
                    .bind(&l.subject)
                    .bind(l.dry_run)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                tx.commit().await.map_err(db)
            }

            async fn transcript_link(&self, id: Uuid) -> StoreResult<Option<TranscriptLink>> {
                let sql = format!("select {COLUMNS} from transcript_links where id = $1");
                let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(Id(id))
                    .fetch_optional(&self.$reader)
                    .await
                    .map_err(db)?;
                row.as_ref().map(link).transpose()
            }

            async fn claim_transcript_links(
                &self,
                claim: Uuid,
                now: DateTime<Utc>,
                lease_until: DateTime<Utc>,
                limit: u32,
            ) -> StoreResult<Vec<TranscriptLink>> {
                let mut tx = self.write().await?;
                let sql = format!(
                    "select issuer_id from transcript_links where {DUE}
                     group by issuer_id order by min(next_attempt_at), issuer_id"
                );
                let issuers: Vec<Id> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                    .bind(Ts(now))
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(db)?;
                let share = limit.div_ceil(u32::try_from(issuers.len()).unwrap_or(u32::MAX).max(1));
                let mut claimed = Vec::new();
                for issuer in issuers {
                    let left =
                        limit.saturating_sub(u32::try_from(claimed.len()).unwrap_or(u32::MAX));
                    if left == 0 {
                        break;
                    }
                    let Some(window) = issuer_window(&mut tx, issuer, now).await? else {
                        continue;
                    };
                    let take = window.budget.min(left).min(share);
                    if take == 0 {
                        continue;
                    }
                    let sql = format!(
                        "select id from transcript_links where issuer_id = $2 and {DUE}
                         order by next_attempt_at, id limit $3"
                    );
                    let candidates: Vec<Id> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                        .bind(Ts(now))
                        .bind(issuer)
                        .bind(i64::from(take))
                        .fetch_all(&mut *tx)
                        .await
                        .map_err(db)?;
                    let mut taken = 0u32;
                    for id in candidates {
                        // Still due? Another worker may have claimed it since it was read.
                        let sql = format!(
                            "update transcript_links set state = 'sending', claim = $2,
                                 claimed_until = $3, attempts = attempts + 1
                             where id = $4 and {DUE} returning {COLUMNS}"
                        );
                        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                            .bind(Ts(now))
                            .bind(Id(claim))
                            .bind(Ts(lease_until))
                            .bind(id)
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(db)?;
                        if let Some(row) = row {
                            claimed.push(link(&row)?);
                            taken += 1;
                        }
                    }
                    spend(&mut tx, &window, taken).await?;
                }
                tx.commit().await.map_err(db)?;
                Ok(claimed)
            }

            async fn finish_transcript_links(
                &self,
                deliveries: &[TranscriptLinkDelivery],
            ) -> StoreResult<()> {
                if deliveries.is_empty() {
                    return Ok(());
                }
                let mut tx = self.write().await?;
                for d in deliveries {
                    let c = d.outcome.columns();
                    let (state, next, sent_at) = (
                        c.state,
                        c.next_attempt_at.map(Ts),
                        c.sent.then_some(Ts(d.at)),
                    );
                    let (error, message_id, subject, dry_run) =
                        (c.error, c.message_id, c.subject, c.dry_run);
                    sqlx::query(
                        "update transcript_links set state = $1,
                             next_attempt_at = coalesce($2, next_attempt_at),
                             sent_at = $3, last_error = $4,
                             message_id = coalesce($5, message_id),
                             subject = coalesce($6, subject), dry_run = $7,
                             claim = null, claimed_until = null
                         where id = $8 and claim = $9",
                    )
                    .bind(state)
                    .bind(next)
                    .bind(sent_at)
                    .bind(error)
                    .bind(message_id)
                    .bind(subject)
                    .bind(dry_run)
                    .bind(Id(d.id))
                    .bind(Id(d.claim))
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                }
                tx.commit().await.map_err(db)
            }

            async fn delete_expired_transcript_links(
                &self,
                before: DateTime<Utc>,
            ) -> StoreResult<u64> {
                let mut tx = self.write().await?;
                let done = sqlx::query("delete from transcript_links where expires_at < $1")
                    .bind(Ts(before))
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                tx.commit().await.map_err(db)?;
                Ok(done.rows_affected())
            }
        }
    };
}

pub(crate) use transcript_link_store;
