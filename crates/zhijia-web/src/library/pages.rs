//! The public shelf of the workers' library (职工书屋): the list (by union and kind) and one
//! item, for anyone, signed in or not. Bodies are plain text shown as escaped paragraphs; links
//! open in a new tab without the opener or the referrer.

use crate::model_worker::pages::Filter;
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
use zhijia_app::library::{self as uc, PublicItem};
use zhijia_domain::library::Kind;
use zhijia_domain::publishing::split_paragraphs;

/// Items per page (the pager's size).
const PER_PAGE: i64 = 30;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShelfQuery {
    org: Option<i64>,
    kind: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "library.html")]
struct ShelfPage {
    items: Vec<PublicItem>,
    filters: Vec<Filter>,
    pager: Pager,
}

fn list_base(org: Option<i64>, kind: &str) -> String {
    let mut base = String::from("/library?");
    if let Some(o) = org {
        base.push_str(&format!("org={o}&"));
    }
    if !kind.is_empty() {
        base.push_str(&format!("kind={kind}&"));
    }
    base
}

async fn shelf(
    State(state): State<AppState>,
    q: Result<Query<ShelfQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let kind = q
        .kind
        .as_deref()
        .map(str::trim)
        .and_then(Kind::parse)
        .map_or("", Kind::as_str);
    let (page, limit, offset) = crate::pages::page_window(q.page, PER_PAGE);
    let list = uc::shelf(&state.store, q.org, Some(kind), Some(limit), Some(offset)).await?;
    let mut filters = vec![Filter {
        label: "全部",
        href: list_base(q.org, ""),
        on: kind.is_empty(),
    }];
    filters.extend(Kind::ALL.iter().map(|k| Filter {
        label: k.label(),
        href: list_base(q.org, k.as_str()),
        on: kind == k.as_str(),
    }));
    Ok(render(&ShelfPage {
        pager: Pager::new(page, list.total, list_base(q.org, kind)),
        items: list.items,
        filters,
    }))
}

#[derive(Template)]
#[template(path = "library_item.html")]
struct ItemPage {
    i: PublicItem,
    paragraphs: Vec<String>,
}

async fn item(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = crate::extract::parse_id(&id)?;
    let i = uc::public(&state.store, id).await?;
    Ok(render(&ItemPage {
        paragraphs: split_paragraphs(&i.body),
        i,
    }))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/library", get(shelf))
        .route("/library/{id}", get(item))
}
