//! The store suite: every case runs on SQLite and on PostgreSQL.
//!
//! Both backends promise the same behaviour, so one set of cases (in `cases/`) checks them,
//! each run as `sqlite::<case>` and `postgres::<case>`. SQLite cases use a fresh file in a
//! temporary folder. PostgreSQL cases create a database of their own on the server
//! `LAUREL_TEST_POSTGRES_URL` names and drop it afterwards; with the variable unset they return
//! at once (so `cargo test` needs nothing but Rust), and with it set they fail, never skip,
//! when PostgreSQL cannot be reached.
//!
//! Run only the PostgreSQL half with `cargo test -p laurel-store --test suite postgres`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cases;
mod support;

/// Declares, for each case, one test per backend.
macro_rules! on_both_backends {
    ($($module:ident :: $case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let db = crate::support::TestDb::sqlite();
                    crate::cases::$module::$case(&db).await;
                }
            )*
        }

        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let Some(db) = crate::support::TestDb::postgres().await else { return };
                    crate::cases::$module::$case(&db).await;
                }
            )*
        }
    };
}

on_both_backends! {
    service::settings_round_trip,
    service::token_round_trip,
    service::token_name_conflict,
    service::revoked_token_is_not_found_by_secret,
    service::limited_token_round_trip,
    service::touching_a_token_only_moves_forward,
    audit::audit_filters_match_on_both_backends,
    service::image_round_trip,
    service::idempotency_insert_if_absent,
    catalog::issuer_round_trip,
    catalog::create_issuer_is_one_transaction,
    catalog::achievement_round_trip,
    catalog::not_found_is_mapped,
    categories::categories_round_trip,
    awards::award_round_trip,
    awards::batch_with_duplicates,
    awards::failed_batch_stores_nothing,
    awards::awards_for_many_emails,
    awards::list_awards_filters_and_pages,
    awards::search_by_part_of_email_or_name,
    activity::series_round_trip,
    activity::event_round_trip,
    activity::activity_not_found_is_mapped,
    activity::attendance_merges,
    activity::attendance_roles,
    activity::attendance_of_one_recipient,
    activity::attendance_outcomes_against_stored_rows,
    activity::completions_insert_if_absent,
    activity::import_jobs_round_trip,
    activity::award_rules_round_trip,
    sessions::create_events_is_all_or_none,
    sessions::issuer_time_zone_round_trip,
    imports::import_quota_counts_one_issuers_unfinished_imports,
    imports::concurrent_imports_respect_the_quota,
    imports::old_import_results_are_shortened,
    status::allocation_spans_lists,
    status::revoke_sets_bits,
    status::suspend_round_trip,
    status::status_credential_keeps_newest,
    status::replace_credential_round_trip,
    status::rotate_keys_retires_previous,
    status::compromise_key_marks,
    concurrency::exactly_once_across_instances,
    concurrency::concurrent_writers_all_succeed,
    concurrency::setting_init_race,
    concurrency::migrations_run_twice,
    concurrency::simultaneous_first_start,
    concurrency::bulk_import_throughput,
    concurrency::concurrent_attendance_keeps_max_minutes,
    concurrency::concurrent_completions_exactly_once,
    concurrency::bulk_attendance_throughput,
    concurrency::concurrent_allocation_never_repeats,
    concurrency::concurrent_revocations_keep_every_bit,
    concurrency::bulk_revoke_throughput,
    wallet::claim_links_round_trip,
    wallet::claim_links_in_one_call,
    wallet::redeeming_a_link_is_once_and_whole,
    wallet::concurrent_redemptions_one_wins,
    wallet::expired_exchanges_are_deleted_and_open_ones_kept,
    oid4vci::offers_trade_code_for_token_once,
    oid4vci::nonces_are_used_once_and_expire,
    oid4vci::redeeming_an_offer_is_once_and_whole,
    oid4vci::expired_offers_and_nonces_are_deleted_and_live_ones_kept,
    pathways::pathways_round_trip,
    pathways::invitations_are_recorded_once_and_delivered,
    pathways::invitations_share_the_issuers_rate_limit,
    transcript_links::transcript_links_round_trip,
    pathways::concurrent_invitations_record_once,
    email::settings_and_templates_round_trip,
    email::awards_fill_the_outbox,
    email::claim_and_finish,
    email::rate_limit_caps_claims,
    email::queue_and_resend,
    email::concurrent_claims_never_overlap,
    email::claims_share_the_batch_between_issuers,
    console::users_sessions_and_audit_round_trip,
    sign_in::attempts_are_counted_before_the_check,
    sign_in::concurrent_attempts_are_each_counted,
    sign_in::a_new_password_ends_the_other_sessions,
    endorsements::endorsements_round_trip,
    endorsements::endorsement_of_missing_subject_is_not_found,
}

/// `sqlite::memory:` works, for experiments: one connection that stays open.
#[tokio::test]
async fn sqlite_in_memory() {
    let store = laurel_store::connect("sqlite::memory:").await.unwrap();
    let (_, achievement) = support::issuer_with_achievement(&*store).await;
    let x = support::award(&achievement, "ada@example.org");
    store.insert_awards(vec![x.clone()], false).await.unwrap();
    assert_eq!(store.award(x.id).await.unwrap(), x);
}

/// A URL that is neither SQLite nor PostgreSQL is a configuration error that hides passwords.
#[tokio::test]
async fn unknown_scheme_is_config_error() {
    let err = laurel_store::connect("mysql://root:hunter2@db/laurel")
        .await
        .err()
        .unwrap();
    assert!(
        matches!(err, laurel_store::StoreError::Config(_)),
        "{err:?}"
    );
    assert!(!err.to_string().contains("hunter2"), "{err}");
}
