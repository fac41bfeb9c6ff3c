//! A publishable kind's public pages: the list (by union and facet) and one record, for anyone,
//! signed in or not. Texts are plain text shown as escaped paragraphs.

use super::{Filter, Pages, PublicList};
use crate::pages::Pager;
use crate::{AppState, PageError};
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use std::collections::HashMap;
use zhijia_app::publishable as uc;
use zhijia_domain::ids::RecordId;

/// Records per page (the pager's size).
const PER_PAGE: i64 = 30;

fn list_base<S: Pages>(org: Option<i64>, facet: &str) -> String {
    let mut base = format!("{}?", S::PATH);
    if let Some(o) = org {
        base.push_str(&format!("org={o}&"));
    }
    if !facet.is_empty() {
        base.push_str(&format!("{}={facet}&", S::FACET));
    }
    base
}

/// The list; a malformed query shows the first page of everything rather than an error.
async fn list<S: Pages>(
    State(state): State<AppState>,
    q: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let int = |k: &str| q.get(k).and_then(|v| v.trim().parse::<i64>().ok());
    let org = int("org");
    let typed = q.get(S::FACET).map_or("", |f| f.trim());
    let facets = S::facets();
    let facet = facets
        .iter()
        .map(|(v, _)| *v)
        .find(|v| *v == typed)
        .unwrap_or("");
    let (page, limit, offset) = crate::pages::page_window(int("page"), PER_PAGE);
    let list =
        uc::published::<S>(&state.store, org, Some(facet), Some(limit), Some(offset)).await?;
    let mut filters = vec![Filter {
        label: "全部",
        href: list_base::<S>(org, ""),
        on: facet.is_empty(),
    }];
    filters.extend(facets.iter().map(|(v, label)| Filter {
        label,
        href: list_base::<S>(org, v),
        on: facet == *v,
    }));
    Ok(S::public_list(PublicList {
        pager: Pager::new(page, list.total, list_base::<S>(org, facet)),
        items: list.items,
        filters,
    }))
}

async fn item<S: Pages>(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id =
        <zhijia_app::publishable::IdOf<S> as RecordId>::from_raw(crate::extract::parse_id(&id)?);
    Ok(S::public_item(uc::public::<S>(&state.store, id).await?))
}

pub fn routes<S: Pages>() -> Router<AppState> {
    Router::new()
        .route(S::PATH, get(list::<S>))
        .route(&format!("{}/{{id}}", S::PATH), get(item::<S>))
}
