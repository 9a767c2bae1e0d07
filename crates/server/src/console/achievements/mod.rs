//! `/console/achievements`: badges, created and edited with a preview of the credential each
//! will mint (the same check the admin API makes: criteria given, the 1EdTech schema passed),
//! who earns them (a rule built from menus, shown back in words), validity, and the CE
//! category transcripts count them toward (a menu of the issuer's own list).
//!
//! Administrators change every achievement, issuer managers their issuers'; viewers read.
//! "Preview" shows the credential for what was typed and who its rule would award now,
//! without saving anything; a form with mistakes shows all of them and stores nothing.

mod duplicate;
mod form;
mod view;

pub use duplicate::duplicate;

use std::collections::HashMap;

use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use laurel_attendance::rules::{Names, Rule, describe_all};
use laurel_service::activity::rule_builder::{self, Menus};
use laurel_service::activity::rules::rules_of;
use laurel_store::{Achievement, Issuer};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::images::ImageControl;
use super::layout::{self, FieldError, Layout};
use super::session::Staff;
use super::{audit_log, csrf_rejected};
use crate::{AppState, HttpError};
pub use form::AchievementForm;
use laurel_service::catalog::preview_credential;
use laurel_service::transcript::categories;
use view::{BadgeEditor, BadgePage, BadgeRow, BadgesPage, CredentialPreview, Preview, WouldView};

/// What the badge page's address may say: that a change was just saved.
#[derive(Debug, Default, Deserialize)]
pub struct Shown {
    #[serde(default)]
    saved: Option<String>,
}

/// `GET /console/achievements`.
pub async fn list(State(state): State<AppState>, staff: Staff) -> Response {
    render_list(
        &state,
        &staff,
        &AchievementForm::default(),
        &[],
        Preview::default(),
    )
    .await
}

async fn render_list(
    state: &AppState,
    staff: &Staff,
    form: &AchievementForm,
    errors: &[FieldError],
    preview: Preview,
) -> Response {
    let (achievements, issuers) = match (
        state.store.list_achievements(None).await,
        state.store.list_issuers().await,
    ) {
        (Ok(a), Ok(i)) => (a, i),
        (Err(e), _) | (_, Err(e)) => return layout::error(&e.into()),
    };
    let seen: Vec<&Issuer> = issuers.iter().filter(|i| staff.may_see(i.id)).collect();
    let menus = match menus_of(state, &seen).await {
        Ok(menus) => menus,
        Err(error) => return layout::error(&error),
    };
    let names = names_of(&menus);
    let issuer_names: HashMap<Uuid, &str> =
        issuers.iter().map(|i| (i.id, i.name.as_str())).collect();
    let rows = achievements
        .iter()
        .filter(|a| staff.may_see(a.issuer_id))
        .map(|a| BadgeRow {
            id: a.id,
            name: a.name.clone(),
            issuer: issuer_names
                .get(&a.issuer_id)
                .copied()
                .unwrap_or("")
                .to_string(),
            public: state.urls.achievement(a.id),
            rule: sentence(a, &names),
        })
        .collect();
    let mine: Vec<&Issuer> = issuers
        .iter()
        .filter(|i| staff.may_change_issuer(i.id))
        .collect();
    let my_menus: Vec<(&Issuer, Menus)> = menus
        .into_iter()
        .filter(|(issuer, _)| staff.may_change_issuer(issuer.id))
        .collect();
    let lists = match category_lists(state, &mine).await {
        Ok(lists) => lists,
        Err(error) => return layout::error(&error),
    };
    let editor = (!mine.is_empty()).then(|| {
        BadgeEditor::new(
            "/console/achievements".into(),
            form,
            errors,
            Some(&mine),
            &my_menus,
            None,
            &lists,
        )
    });
    layout::respond(
        status_of(errors),
        &BadgesPage {
            layout: Layout::new("Badges", Some(staff)),
            rows,
            editor,
            preview,
        },
    )
}

/// `POST /console/achievements`: previews or creates a badge.
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<AchievementForm>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    let issuer = match Uuid::parse_str(form.issuer.trim()) {
        Ok(issuer_id) if !staff.may_change_issuer(issuer_id) => {
            return layout::not_allowed(
                &staff,
                "Your account may not change this issuer's badges.",
            );
        }
        Ok(issuer_id) => state.store.issuer(issuer_id).await.ok(),
        Err(_) => None,
    };
    let Some(issuer) = issuer else {
        let errors = [("issuer", "Choose an issuer.".to_string())];
        let preview = Preview {
            mistakes: Preview::mistakes(&errors),
            ..Preview::default()
        };
        return render_list(&state, &staff, &form, &errors, preview).await;
    };
    let menus = match rule_builder::menus(&state, issuer.id).await {
        Ok(menus) => menus,
        Err(error) => return layout::error(&error.into()),
    };
    let now = state.clock.now();
    let mut achievement = Achievement {
        id: Uuid::now_v7(),
        issuer_id: issuer.id,
        name: String::new(),
        description: String::new(),
        criteria_narrative: None,
        criteria_url: None,
        image: None,
        achievement_type: None,
        tags: Vec::new(),
        alignment: "[]".into(),
        credits_available: None,
        valid_for_days: None,
        award_rules: "[]".into(),
        created_at: now,
        updated_at: now,
    };
    let (errors, preview, category) =
        check(&state, &issuer, &menus, &form, None, &mut achievement).await;
    if !errors.is_empty() || form.action == "preview" {
        return render_list(&state, &staff, &form, &errors, preview).await;
    }
    if let Err(error) = state.store.create_achievement(&achievement).await {
        return layout::error(&error.into());
    }
    let category = category.flatten();
    if category.is_some()
        && let Err(error) =
            categories::store_for_achievement(&state.service, achievement.id, category.as_deref())
                .await
    {
        return layout::error(&error.into());
    }
    audit_log(
        &state,
        Some(&staff.user),
        &staff.user.username,
        "achievement.create",
        Some(achievement.id.to_string()),
        json!({
            "name": achievement.name,
            "award_rules": rules_of(&achievement).ok(),
            "category": category,
        }),
    )
    .await;
    Redirect::to(&format!("/console/achievements/{}", achievement.id)).into_response()
}

/// Checks the form against `achievement` (changed in place): every mistake, the preview
/// to show (the mistakes listed, who its rule would award now, the credential it mints), and
/// the CE category to store (`None`: the form did not say; `Some(None)`: no category).
async fn check(
    state: &AppState,
    issuer: &Issuer,
    menus: &Menus,
    form: &AchievementForm,
    current: Option<&[Rule]>,
    achievement: &mut Achievement,
) -> (Vec<FieldError>, Preview, Option<Option<String>>) {
    let checked = form.apply(menus, current, achievement);
    let mut errors = checked.errors;
    let category = match &form.category {
        None => None,
        Some(wanted) => {
            match categories::resolve(&state.service, issuer.id, Some(wanted.as_str())).await {
                Ok(chosen) => Some(chosen),
                Err(laurel_service::ServiceError::Invalid(message)) => {
                    errors.push(("category", message));
                    None
                }
                Err(error) => {
                    tracing::warn!(%error, "the issuer's categories could not be read");
                    errors.push((
                        "category",
                        "The categories could not be read just now; try again.".into(),
                    ));
                    None
                }
            }
        }
    };
    let mut preview = Preview::default();
    if checked.rules_understood {
        let names = names_of(&[(issuer, menus.clone())]);
        preview.rule = Some(sentence(achievement, &names));
        match rule_builder::would_award(state, achievement).await {
            Ok(would) => preview.would = Some(WouldView::of(would)),
            Err(error) => tracing::warn!(%error, "who would be awarded could not be evaluated"),
        }
    }
    if errors.is_empty() {
        match preview_credential(state, issuer, achievement) {
            Ok(document) => preview.credential = Some(CredentialPreview::of(&document)),
            Err(error) => errors.push((
                "criteria_narrative",
                format!("The badge cannot be awarded as it stands: {error}"),
            )),
        }
    }
    preview.mistakes = Preview::mistakes(&errors);
    (errors, preview, category)
}

/// `GET /console/achievements/{id}`.
pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(shown): Query<Shown>,
) -> Response {
    let (achievement, issuer) = match load(&state, &id).await {
        Ok(found) => found,
        Err(error) => return layout::error(&error),
    };
    if !staff.may_see(achievement.issuer_id) {
        return layout::not_allowed(&staff, "Your account may not change this issuer's badges.");
    }
    let menus = match rule_builder::menus(&state, issuer.id).await {
        Ok(menus) => menus,
        Err(error) => return layout::error(&error.into()),
    };
    let rules = rules_of(&achievement).unwrap_or_default();
    let category = match categories::of_achievement(&state.service, achievement.id).await {
        Ok(category) => category,
        Err(error) => return layout::error(&error.into()),
    };
    let form = AchievementForm::from_achievement(&achievement, &rules, category);
    let names = names_of(&[(&issuer, menus.clone())]);
    let mut preview = Preview {
        rule: Some(sentence(&achievement, &names)),
        credential: preview_credential(&state, &issuer, &achievement)
            .ok()
            .map(|document| CredentialPreview::of(&document)),
        ..Preview::default()
    };
    if !rules.is_empty() {
        match rule_builder::would_award(&state, &achievement).await {
            Ok(would) => preview.would = Some(WouldView::of(would)),
            Err(error) => tracing::warn!(%error, "who would be awarded could not be evaluated"),
        }
    }
    let notice = shown
        .saved
        .is_some()
        .then_some("Saved. Credentials already issued are unchanged.");
    render_one(
        &state,
        &staff,
        &achievement,
        (&issuer, menus),
        &form,
        &[],
        preview,
        notice,
    )
    .await
}

/// `POST /console/achievements/{id}`: previews or saves changes.
pub async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<AchievementForm>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    let (achievement, issuer) = match load(&state, &id).await {
        Ok(found) => found,
        Err(error) => return layout::error(&error),
    };
    if !staff.may_change_issuer(achievement.issuer_id) {
        return layout::not_allowed(&staff, "Your account may not change this issuer's badges.");
    }
    let menus = match rule_builder::menus(&state, issuer.id).await {
        Ok(menus) => menus,
        Err(error) => return layout::error(&error.into()),
    };
    let current = rules_of(&achievement).unwrap_or_default();
    let mut changed = achievement.clone();
    let (errors, preview, category) =
        check(&state, &issuer, &menus, &form, Some(&current), &mut changed).await;
    if !errors.is_empty() || form.action == "preview" {
        return render_one(
            &state,
            &staff,
            &achievement,
            (&issuer, menus),
            &form,
            &errors,
            preview,
            errors
                .is_empty()
                .then_some("Preview only: nothing was saved."),
        )
        .await;
    }
    changed.updated_at = state.clock.now();
    if let Err(error) = state.store.update_achievement(&changed).await {
        return layout::error(&error.into());
    }
    if let Some(chosen) = &category
        && let Err(error) =
            categories::store_for_achievement(&state.service, changed.id, chosen.as_deref()).await
    {
        return layout::error(&error.into());
    }
    let mut detail = json!({ "name": changed.name, "award_rules": rules_of(&changed).ok() });
    if let Some(chosen) = &category {
        detail["category"] = json!(chosen);
    }
    audit_log(
        &state,
        Some(&staff.user),
        &staff.user.username,
        "achievement.update",
        Some(changed.id.to_string()),
        detail,
    )
    .await;
    Redirect::to(&format!("/console/achievements/{}?saved=1", changed.id)).into_response()
}

async fn load(state: &AppState, id: &str) -> Result<(Achievement, Issuer), HttpError> {
    let id = Uuid::parse_str(id).map_err(|_| HttpError::NotFound("no such badge".into()))?;
    let achievement = state
        .store
        .achievement(id)
        .await
        .map_err(|e| crate::error::not_found_in(e, "achievement", id))?;
    let issuer = state.store.issuer(achievement.issuer_id).await?;
    Ok((achievement, issuer))
}

#[allow(clippy::too_many_arguments)] // One page's parts, each computed by its caller.
async fn render_one(
    state: &AppState,
    staff: &Staff,
    achievement: &Achievement,
    (issuer, menus): (&Issuer, Menus),
    form: &AchievementForm,
    errors: &[FieldError],
    preview: Preview,
    notice: Option<&str>,
) -> Response {
    let may_change = staff.may_change_issuer(achievement.issuer_id);
    let menus = [(issuer, menus)];
    let names = names_of(&menus);
    let saved_rules = rules_of(achievement).unwrap_or_default();
    let keep = (saved_rules.len() > 1).then(|| describe_all(&saved_rules, &names));
    let lists = if may_change {
        match category_lists(state, &[issuer]).await {
            Ok(lists) => lists,
            Err(error) => return layout::error(&error),
        }
    } else {
        Vec::new()
    };
    let page = BadgePage {
        layout: Layout::new(achievement.name.clone(), Some(staff)),
        notice,
        public: state.urls.achievement(achievement.id),
        rule: sentence(achievement, &names),
        image: may_change.then(|| {
            ImageControl::new(
                state,
                format!("/console/achievements/{}/image", achievement.id),
                achievement.image.as_deref(),
                format!("/api/v1/achievements/{}/image", achievement.id),
            )
        }),
        editor: may_change.then(|| {
            BadgeEditor::new(
                format!("/console/achievements/{}", achievement.id),
                form,
                errors,
                None,
                &menus,
                keep,
                &lists,
            )
        }),
        preview,
        duplicate: may_change.then_some(achievement.id),
    };
    layout::respond(status_of(errors), &page)
}

fn status_of(errors: &[FieldError]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    }
}

/// The CE categories of each issuer given, for the badge form's category menu.
async fn category_lists<'a>(
    state: &AppState,
    issuers: &[&'a Issuer],
) -> Result<Vec<(&'a Issuer, Vec<String>)>, HttpError> {
    let mut all = Vec::with_capacity(issuers.len());
    for issuer in issuers {
        all.push((*issuer, state.store.ce_categories(issuer.id).await?));
    }
    Ok(all)
}

/// The menus of each issuer given.
async fn menus_of<'a>(
    state: &AppState,
    issuers: &[&'a Issuer],
) -> Result<Vec<(&'a Issuer, Menus)>, HttpError> {
    let mut all = Vec::with_capacity(issuers.len());
    for issuer in issuers {
        all.push((*issuer, rule_builder::menus(state, issuer.id).await?));
    }
    Ok(all)
}

/// What to call every session and series of the menus in sentences.
fn names_of(menus: &[(&Issuer, Menus)]) -> Names {
    let mut names = Names::default();
    for (_, menus) in menus {
        let more = menus.names(|at| menus.date(at));
        names.sessions.extend(more.sessions);
        names.series.extend(more.series);
    }
    names
}

/// Who earns `achievement`, in words.
fn sentence(achievement: &Achievement, names: &Names) -> String {
    match rules_of(achievement) {
        Ok(rules) => describe_all(&rules, names),
        Err(_) => "Its rules cannot be read; set them again.".into(),
    }
}
