//! [`PathwayStore`](crate::PathwayStore) for both backends, written once.
//!
//! The statements are the same on SQLite and PostgreSQL but for how a list of ids travels
//! (one JSON array: `json_each` on SQLite, `json_array_elements_text` on PostgreSQL), so one
//! macro expands the implementation in each backend's module with that fragment. Claiming is a
//! conditional update per row ("still due?"), which both databases settle row by row: two
//! workers never both claim one invitation. Invitations count in their issuer's
//! emails-per-minute window, the one award emails count in (`issuer_window`), so a pathway
//! completed by a whole cohort at once does not flood the issuer's mail server.

/// Implements `PathwayStore` for `$store` (database `$db`), reading through `self.$reader`;
/// `$ids` is the SQL of a subquery over the JSON array bound as `$1`; `$lock` what locks an
/// issuer's email settings row for a claim (PostgreSQL: `for update skip locked`; SQLite's
/// write transaction already excludes every other writer).
macro_rules! pathway_store {
    ($store:ty, $db:ty, $reader:ident, $row:ty, $ids:literal, $lock:literal) => {
        use chrono::{DateTime, Utc};
        use sqlx::Row;
        use uuid::Uuid;

        use crate::shared::{count, db, notification_state};
        use crate::values::{Id, Ts};
        use crate::{
            Invitation, InvitationDelivery, Pathway, PathwayOutcome, StoreError, StoreResult,
        };

        const PATHWAY_COLUMNS: &str = "achievement_id, issuer_id, rule, outcome,
            invitation_subject, invitation_body, updated_at";
        const INVITATION_COLUMNS: &str = "achievement_id, issuer_id, recipient_email,
            recipient_name, created_at, state, attempts, next_attempt_at, claim, claimed_until,
            sent_at, last_error, message_id, subject, dry_run";

        fn ids_json(ids: &[Uuid]) -> String {
            let ids: Vec<String> = ids.iter().map(|id| Id(*id).to_string()).collect();
            crate::shared::list_to_json(&ids)
        }

        fn pathway(row: &$row, requires: Vec<Uuid>) -> StoreResult<Pathway> {
            let outcome: String = row.try_get("outcome").map_err(db)?;
            Ok(Pathway {
                achievement_id: row.try_get::<Id, _>("achievement_id").map_err(db)?.0,
                issuer_id: row.try_get::<Id, _>("issuer_id").map_err(db)?.0,
                rule: row.try_get("rule").map_err(db)?,
                requires,
                outcome: PathwayOutcome::parse(&outcome)
                    .ok_or_else(|| StoreError::Corrupt(format!("pathway outcome {outcome:?}")))?,
                invitation_subject: row.try_get("invitation_subject").map_err(db)?,
                invitation_body: row.try_get("invitation_body").map_err(db)?,
                updated_at: row.try_get::<Ts, _>("updated_at").map_err(db)?.0,
            })
        }

        fn invitation(row: &$row) -> StoreResult<Invitation> {
            let time = |name: &str| -> StoreResult<Option<DateTime<Utc>>> {
                Ok(row.try_get::<Option<Ts>, _>(name).map_err(db)?.map(|t| t.0))
            };
            let state: String = row.try_get("state").map_err(db)?;
            Ok(Invitation {
                achievement_id: row.try_get::<Id, _>("achievement_id").map_err(db)?.0,
                issuer_id: row.try_get::<Id, _>("issuer_id").map_err(db)?.0,
                recipient_email: row.try_get("recipient_email").map_err(db)?,
                recipient_name: row.try_get("recipient_name").map_err(db)?,
                created_at: row.try_get::<Ts, _>("created_at").map_err(db)?.0,
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

        /// An issuer's emails-per-minute window as a claim finds it (see `rate_budget`).
        pub(super) struct Window {
            issuer: Id,
            /// Whether the issuer has a limit (else the window is not kept).
            rated: bool,
            /// Emails that may still be claimed in the window.
            pub(super) budget: u32,
            start: DateTime<Utc>,
            count: u32,
        }

        /// The issuer's window now, its settings row locked until the transaction ends;
        /// `None` when another claimer holds that lock (PostgreSQL: it is claiming for this
        /// issuer now, so this claim moves on). An issuer without email settings has no limit
        /// (its emails fail for want of settings, sending nothing).
        pub(super) async fn issuer_window(
            tx: &mut sqlx::Transaction<'static, $db>,
            issuer: Id,
            now: DateTime<Utc>,
        ) -> StoreResult<Option<Window>> {
            let sql = concat!(
                "select rate_per_minute, window_started_at, window_count from issuer_email
                 where issuer_id = $1",
                $lock
            );
            let row = sqlx::query(sql)
                .bind(issuer)
                .fetch_optional(&mut **tx)
                .await
                .map_err(db)?;
            let (rate, started, window_count) = match row {
                Some(row) => {
                    let rate: Option<i64> = row.try_get("rate_per_minute").map_err(db)?;
                    let rate = rate
                        .map(|rate| count(rate, "issuer_email.rate_per_minute"))
                        .transpose()?;
                    let started: Option<Ts> = row.try_get("window_started_at").map_err(db)?;
                    let window_count = count(
                        row.try_get("window_count").map_err(db)?,
                        "issuer_email.window_count",
                    )?;
                    (rate, started.map(|t| t.0), window_count)
                }
                None => {
                    let exists: Option<Id> = sqlx::query_scalar(
                        "select issuer_id from issuer_email where issuer_id = $1",
                    )
                    .bind(issuer)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(db)?;
                    if exists.is_some() {
                        return Ok(None);
                    }
                    (None, None, 0)
                }
            };
            let (budget, start, count) =
                crate::shared::rate_budget(rate, started, window_count, now);
            Ok(Some(Window {
                issuer,
                rated: rate.is_some(),
                budget,
                start,
                count,
            }))
        }

        /// Counts `taken` emails in the issuer's window.
        pub(super) async fn spend(
            tx: &mut sqlx::Transaction<'static, $db>,
            window: &Window,
            taken: u32,
        ) -> StoreResult<()> {
            if !window.rated {
                return Ok(());
            }
            sqlx::query(
                "update issuer_email set window_started_at = $2, window_count = $3
                 where issuer_id = $1",
            )
            .bind(window.issuer)
            .bind(Ts(window.start))
            .bind(i64::from(window.count.saturating_add(taken)))
            .execute(&mut **tx)
            .await
            .map_err(db)?;
            Ok(())
        }

        impl $store {
            /// Pathways read by `sql` (binding `bind` as `$1` when given), with their
            /// requirement rows.
            async fn read_pathways(
                &self,
                sql: &str,
                bind: Option<String>,
            ) -> StoreResult<Vec<Pathway>> {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()));
                if let Some(bind) = bind {
                    query = query.bind(bind);
                }
                let rows = query.fetch_all(&self.$reader).await.map_err(db)?;
                let mut pathways = Vec::with_capacity(rows.len());
                for row in &rows {
                    let id: Id = row.try_get("achievement_id").map_err(db)?;
                    let required = sqlx::query(
                        "select required_id from pathway_requirements where pathway_id = $1
                         order by required_id",
                    )
                    .bind(id)
                    .fetch_all(&self.$reader)
                    .await
                    .map_err(db)?;
                    let requires = required
                        .iter()
                        .map(|r| r.try_get::<Id, _>("required_id").map(|id| id.0))
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(db)?;
                    pathways.push(pathway(row, requires)?);
                }
                Ok(pathways)
            }
        }

        #[async_trait::async_trait]
        impl crate::PathwayStore for $store {
            async fn set_pathway(&self, p: &Pathway) -> StoreResult<()> {
                let mut tx = self.write().await?;
                sqlx::query(
                    "insert into pathways (achievement_id, issuer_id, rule, outcome,
                         invitation_subject, invitation_body, updated_at)
                     values ($1, $2, $3, $4, $5, $6, $7)
                     on conflict (achievement_id) do update set rule = excluded.rule,
                         outcome = excluded.outcome,
                         invitation_subject = excluded.invitation_subject,
                         invitation_body = excluded.invitation_body,
                         updated_at = excluded.updated_at",
                )
                .bind(Id(p.achievement_id))
                .bind(Id(p.issuer_id))
                .bind(&p.rule)
                .bind(p.outcome.as_str())
                .bind(&p.invitation_subject)
                .bind(&p.invitation_body)
                .bind(Ts(p.updated_at))
                .execute(&mut *tx)
                .await
                .map_err(db)?;
                sqlx::query("delete from pathway_requirements where pathway_id = $1")
                    .bind(Id(p.achievement_id))
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                for required in &p.requires {
                    sqlx::query(
                        "insert into pathway_requirements (pathway_id, required_id)
                         values ($1, $2) on conflict do nothing",
                    )
                    .bind(Id(p.achievement_id))
                    .bind(Id(*required))
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                }
                tx.commit().await.map_err(db)
            }

            async fn delete_pathway(&self, achievement_id: Uuid) -> StoreResult<bool> {
                let mut tx = self.write().await?;
                sqlx::query("delete from pathway_requirements where pathway_id = $1")
                    .bind(Id(achievement_id))
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                let done = sqlx::query("delete from pathways where achievement_id = $1")
                    .bind(Id(achievement_id))
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                tx.commit().await.map_err(db)?;
                Ok(done.rows_affected() > 0)
            }

            async fn pathway(&self, achievement_id: Uuid) -> StoreResult<Option<Pathway>> {
                let found = self
                    .read_pathways(
                        &format!(
                            "select {PATHWAY_COLUMNS} from pathways where achievement_id in {}",
                            $ids
                        ),
                        Some(ids_json(&[achievement_id])),
                    )
                    .await?;
                Ok(found.into_iter().next())
            }

            async fn pathways(&self, issuer_id: Option<Uuid>) -> StoreResult<Vec<Pathway>> {
                match issuer_id {
                    Some(issuer_id) => {
                        self.read_pathways(
                            &format!(
                                "select {PATHWAY_COLUMNS} from pathways
                                 where issuer_id in {} order by achievement_id",
                                $ids
                            ),
                            Some(ids_json(&[issuer_id])),
                        )
                        .await
                    }
                    None => {
                        self.read_pathways(
                            &format!(
                                "select {PATHWAY_COLUMNS} from pathways order by achievement_id"
                            ),
                            None,
                        )
                        .await
                    }
                }
            }

            async fn pathways_requiring(
                &self,
                achievement_ids: &[Uuid],
            ) -> StoreResult<Vec<Pathway>> {
                if achievement_ids.is_empty() {
                    return Ok(Vec::new());
                }
                self.read_pathways(
                    &format!(
                        "select {PATHWAY_COLUMNS} from pathways where achievement_id in
                             (select pathway_id from pathway_requirements
                              where required_id in {})
                         order by achievement_id",
                        $ids
                    ),
                    Some(ids_json(achievement_ids)),
                )
                .await
            }

            async fn record_invitation(&self, i: &Invitation) -> StoreResult<bool> {
                let mut tx = self.write().await?;
                let sql = format!(
                    "insert into pathway_invitations ({INVITATION_COLUMNS})
                     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
                     on conflict (achievement_id, recipient_email) do nothing"
                );
                let done = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(Id(i.achievement_id))
                    .bind(Id(i.issuer_id))
                    .bind(&i.recipient_email)
                    .bind(&i.recipient_name)
                    .bind(Ts(i.created_at))
                    .bind(i.state.as_str())
                    .bind(i64::from(i.attempts))
                    .bind(Ts(i.next_attempt_at))
                    .bind(i.claim.map(Id))
                    .bind(i.claimed_until.map(Ts))
                    .bind(i.sent_at.map(Ts))
                    .bind(&i.last_error)
                    .bind(&i.message_id)
                    .bind(&i.subject)
                    .bind(i.dry_run)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                tx.commit().await.map_err(db)?;
                Ok(done.rows_affected() == 1)
            }

            async fn invitations(&self, achievement_id: Uuid) -> StoreResult<Vec<Invitation>> {
                let sql = format!(
                    "select {INVITATION_COLUMNS} from pathway_invitations
                     where achievement_id = $1 order by created_at, recipient_email"
                );
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(Id(achievement_id))
                    .fetch_all(&self.$reader)
                    .await
                    .map_err(db)?;
                rows.iter().map(invitation).collect()
            }

            async fn claim_invitations(
                &self,
                claim: Uuid,
                now: DateTime<Utc>,
                lease_until: DateTime<Utc>,
                limit: u32,
            ) -> StoreResult<Vec<Invitation>> {
                let due = "((state = 'queued' and next_attempt_at <= $1)
                    or (state = 'sending' and claimed_until <= $1))";
                let mut tx = self.write().await?;
                // As for award emails: oldest work first, each issuer a share of the batch,
                // and no more than the issuer's emails-per-minute window has left (the window
                // award emails count in too).
                let sql = format!(
                    "select issuer_id from pathway_invitations where {due}
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
                        "select achievement_id, recipient_email from pathway_invitations
                         where issuer_id = $2 and {due}
                         order by next_attempt_at, achievement_id, recipient_email limit $3"
                    );
                    let candidates = sqlx::query(sqlx::AssertSqlSafe(sql))
                        .bind(Ts(now))
                        .bind(issuer)
                        .bind(i64::from(take))
                        .fetch_all(&mut *tx)
                        .await
                        .map_err(db)?;
                    let mut taken = 0u32;
                    for row in &candidates {
                        let achievement: Id = row.try_get("achievement_id").map_err(db)?;
                        let email: String = row.try_get("recipient_email").map_err(db)?;
                        // Still due? Another worker may have claimed it since it was read.
                        let sql = format!(
                            "update pathway_invitations set state = 'sending', claim = $2,
                                 claimed_until = $3, attempts = attempts + 1
                             where achievement_id = $4 and recipient_email = $5 and {due}"
                        );
                        let done = sqlx::query(sqlx::AssertSqlSafe(sql))
                            .bind(Ts(now))
                            .bind(Id(claim))
                            .bind(Ts(lease_until))
                            .bind(achievement)
                            .bind(&email)
                            .execute(&mut *tx)
                            .await
                            .map_err(db)?;
                        if done.rows_affected() == 1 {
                            claimed.push((achievement, email));
                            taken += 1;
                        }
                    }
                    spend(&mut tx, &window, taken).await?;
                }
                let mut invitations = Vec::with_capacity(claimed.len());
                for (achievement, email) in claimed {
                    let sql = format!(
                        "select {INVITATION_COLUMNS} from pathway_invitations
                         where achievement_id = $1 and recipient_email = $2"
                    );
                    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                        .bind(achievement)
                        .bind(&email)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(db)?;
                    invitations.push(invitation(&row)?);
                }
                tx.commit().await.map_err(db)?;
                Ok(invitations)
            }

            async fn finish_invitations(
                &self,
                deliveries: &[InvitationDelivery],
            ) -> StoreResult<()> {
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
                        "update pathway_invitations set state = $1,
                             next_attempt_at = coalesce($2, next_attempt_at),
                             sent_at = $3, last_error = $4,
                             message_id = coalesce($5, message_id),
                             subject = coalesce($6, subject), dry_run = $7,
                             claim = null, claimed_until = null
                         where achievement_id = $8 and recipient_email = $9 and claim = $10",
                    )
                    .bind(state)
                    .bind(next)
                    .bind(sent_at)
                    .bind(error)
                    .bind(message_id)
                    .bind(subject)
                    .bind(dry_run)
                    .bind(Id(d.achievement_id))
                    .bind(&d.recipient_email)
                    .bind(Id(d.claim))
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                }
                tx.commit().await.map_err(db)
            }
        }
    };
}

pub(crate) use pathway_store;
