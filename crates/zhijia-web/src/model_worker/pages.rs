//! The public showcase of model workers (劳模风采): the list (by union and level) and one
//! record, for anyone, signed in or not. Stories are plain text shown as escaped paragraphs.

use crate::pages::Pager;
use crate::pages::render;
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use zhijia_app::model_worker::{self as uc, PublicModelWorker};
use zhijia_domain::model_worker::Level;
use zhijia_domain::publishing::split_paragraphs;

/// Records per page (the pager's size).
const PER_PAGE: i64 = 30;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShowcaseQuery {
    org: Option<i64>,
    level: Option<String>,
    page: Option<i64>,
}

/// A filter link of the list page.
pub struct Filter {
    pub label: &'static str,
    pub href: String,
    pub on: bool,
}

#[derive(Template)]
#[template(path = "model_workers.html")]
struct ShowcasePage {
    items: Vec<PublicModelWorker>,
    filters: Vec<Filter>,
    pager: Pager,
}

impl ShowcasePage {
    /// The first words of a story, for the list.
    fn excerpt(&self, story: &str) -> String {
        let first = story.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let mut s: String = first.trim().chars().take(60).collect();
        if first.trim().chars().count() > 60 || story.trim() != first.trim() {
            s.push('…');
        }
        s
    }
}

fn list_base(org: Option<i64>, level: &str) -> String {
    let mut base = String::from("/model-workers?");
    if let Some(o) = org {
        base.push_str(&format!("org={o}&"));
    }
    if !level.is_empty() {
        base.push_str(&format!("level={level}&"));
    }
    base
}

async fn showcase(
    State(state): State<AppState>,
    q: Result<Query<ShowcaseQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let level = q
        .level
        .as_deref()
        .map(str::trim)
        .and_then(Level::parse)
        .map_or("", Level::as_str);
    let (page, limit, offset) = crate::pages::page_window(q.page, PER_PAGE);
    let list = uc::showcase(&state.store, q.org, Some(level), Some(limit), Some(offset)).await?;
    let mut filters = vec![Filter {
        label: "全部",
        href: list_base(q.org, ""),
        on: level.is_empty(),
    }];
    filters.extend(Level::ALL.iter().map(|l| Filter {
        label: l.label(),
        href: list_base(q.org, l.as_str()),
        on: level == l.as_str(),
    }));
    Ok(render(&ShowcasePage {
        pager: Pager::new(page, list.total, list_base(q.org, level)),
        items: list.items,
        filters,
    }))
}

#[derive(Template)]
#[template(path = "model_worker.html")]
struct RecordPage {
    m: PublicModelWorker,
    paragraphs: Vec<String>,
}

async fn record(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = crate::extract::parse_id(&id)?;
    let m = uc::public(&state.store, id).await?;
    Ok(render(&RecordPage {
        paragraphs: split_paragraphs(&m.story),
        m,
    }))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/model-workers", get(showcase))
        .route("/model-workers/{id}", get(record))
}
