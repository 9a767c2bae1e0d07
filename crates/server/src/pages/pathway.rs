//! Pathways on public pages: the achievement page says how a badge is earned by holding
//! others, and a recipient's progress page (reached from their claim page) says how far they
//! are.
//!
//! Progress is personal, so it is only at `/achievements/{id}/progress/{token}`, whose token
//! is an HMAC of the recipient's award made by the service (see
//! `laurel_service::pathways::progress`); the page is never cached, never indexed and sends no
//! `Referer` onwards. The achievement page itself shows the rule and nobody's progress.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use laurel_service::pathways::{self, GroupProgress, OnTheWay};
use laurel_service::{ServiceError, Urls};
use laurel_store::{Achievement, Award, PathwayOutcome};

use super::layout::{Head, Layout};
use crate::cache::Cache;
use crate::error::not_found_in;
use crate::routes::parse_id;
use crate::{AppState, HttpResult};

/// One line of a pathway's steps, nested groups indented.
#[derive(Debug, Clone)]
pub struct PathLine {
    /// How deep in groups (0: a step of the top group).
    pub depth: usize,
    /// The badge's name, or the group's rule in words.
    pub text: String,
    /// The badge's page.
    pub href: Option<String>,
    /// `done`, `todo`, or empty when no one's progress is shown.
    pub mark: &'static str,
    /// The mark in words, for screen readers.
    pub mark_words: &'static str,
}

/// A pathway as a page shows it.
#[derive(Debug, Clone)]
pub struct PathwayBlock {
    /// "Earned by holding all of:" (or the invitation's words).
    pub intro: String,
    /// The steps.
    pub lines: Vec<PathLine>,
    /// "2 of 3 done", on a progress page.
    pub progress: Option<String>,
    /// Whether the recipient has completed it.
    pub complete: bool,
}

/// The achievement's pathway for its public page (nobody's progress), if it has one.
pub async fn block(
    state: &AppState,
    achievement: &Achievement,
) -> HttpResult<Option<PathwayBlock>> {
    let Some(pathway) = state.store.pathway(achievement.id).await? else {
        return Ok(None);
    };
    let rule = pathways::stored_rule(&pathway)?;
    let names = pathways::badge_names(state, pathway.issuer_id).await?;
    let shape = GroupProgress::of(&rule, &Default::default(), &names);
    Ok(Some(to_block(&state.urls, &shape, pathway.outcome, false)))
}

fn to_block(
    urls: &Urls,
    progress: &GroupProgress,
    outcome: PathwayOutcome,
    personal: bool,
) -> PathwayBlock {
    let intro = match outcome {
        PathwayOutcome::Award => format!("Earned by holding {}:", progress.quantifier),
        PathwayOutcome::Invite => format!(
            "Holding {} these brings an invitation to it:",
            progress.quantifier
        ),
    };
    let mut lines = Vec::new();
    push_lines(urls, progress, 0, personal, &mut lines);
    PathwayBlock {
        intro,
        lines,
        progress: personal.then(|| progress.in_words()),
        complete: personal && progress.complete,
    }
}

fn push_lines(
    urls: &Urls,
    group: &GroupProgress,
    depth: usize,
    personal: bool,
    lines: &mut Vec<PathLine>,
) {
    for step in &group.steps {
        let (mark, mark_words) = match (personal, step.done) {
            (false, _) => ("", ""),
            (true, true) => ("done", "Done: "),
            (true, false) => ("todo", "Not yet: "),
        };
        match &step.group {
            None => lines.push(PathLine {
                depth,
                text: step.name.clone(),
                href: step.achievement_id.map(|id| urls.achievement(id)),
                mark,
                mark_words,
            }),
            Some(inner) => {
                let mut text = match &inner.title {
                    Some(title) => format!("{title}: {}", inner.quantifier),
                    None => inner.quantifier.clone(),
                };
                if personal {
                    text = format!("{text} ({})", inner.in_words());
                }
                lines.push(PathLine {
                    depth,
                    text,
                    href: None,
                    mark,
                    mark_words,
                });
                push_lines(urls, inner, (depth + 1).min(3), personal, lines);
            }
        }
    }
}

/// A pathway the claim page lists, with a link to the recipient's progress.
#[derive(Debug, Clone)]
pub struct ClaimPathway {
    /// The badge (or invitation) it leads to.
    pub name: String,
    /// "2 of 3 done", or that it is complete.
    pub words: String,
    /// The personal progress page.
    pub href: String,
}

/// The pathways a claimed badge takes part in, each with its personal progress link.
pub async fn for_claim(state: &AppState, award: &Award) -> HttpResult<Vec<ClaimPathway>> {
    let found: Vec<OnTheWay> = pathways::on_the_way(state, award).await?;
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let token = pathways::progress_token(state, award.id).await?;
    Ok(found
        .into_iter()
        .map(|on| ClaimPathway {
            words: if on.progress.complete {
                if on.invitation {
                    "complete: your invitation is on its way".into()
                } else {
                    "complete".into()
                }
            } else {
                on.progress.in_words()
            },
            href: progress_href(&state.urls, on.achievement_id, &token),
            name: on.name,
        })
        .collect())
}

fn progress_href(urls: &Urls, achievement_id: uuid::Uuid, token: &str) -> String {
    format!("{}/progress/{token}", urls.achievement(achievement_id))
}

/// The progress page (`templates/pages/pathway_progress.html`).
#[derive(Template)]
#[template(path = "pages/pathway_progress.html")]
struct ProgressPage {
    layout: Layout,
    name: String,
    achievement_href: String,
    pathway: Option<PathwayBlock>,
}

/// `GET /achievements/{id}/progress/{token}`: one recipient's progress on the pathway.
pub async fn progress_page(
    State(state): State<AppState>,
    Path((id, token)): Path<(String, String)>,
    request: HeaderMap,
) -> Response {
    let response = match progress_html(&state, &id, &token).await {
        Ok(html) => super::respond(html, Cache::NoStore, &request),
        // Said in words (an expired link says so, and where to get a fresh one).
        Err(error) => super::claim::problem(error),
    };
    private(response)
}

async fn progress_html(state: &AppState, id: &str, token: &str) -> HttpResult<String> {
    let id = parse_id(id, "achievement")?;
    let achievement = state
        .store
        .achievement(id)
        .await
        .map_err(|error| not_found_in(error, "achievement", id))?;
    let (_email, progress) = pathways::progress_for_token(state, id, token)
        .await
        .map_err(|error| match error {
            ServiceError::NotFound(message) => crate::HttpError::NotFound(message),
            other => other.into(),
        })?;
    let outcome = state
        .store
        .pathway(id)
        .await?
        .map_or(PathwayOutcome::Award, |p| p.outcome);
    let head = Head {
        title: format!("Your progress: {}", achievement.name),
        description: "How far you are on this pathway.".into(),
        url: state.urls.achievement(id),
        ..Head::default()
    };
    super::render(&ProgressPage {
        layout: Layout::new(head, None),
        achievement_href: state.urls.achievement(id),
        name: achievement.name,
        pathway: Some(to_block(&state.urls, &progress, outcome, true)),
    })
}

/// Marks a personal page: not indexed, no `Referer` sent onwards.
fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
