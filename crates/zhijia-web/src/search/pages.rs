//! The worker's search page: a box, the kinds to narrow by, results with their kind, a
//! highlighted passage and pages. Works without JavaScript.

use super::view::HitView;
use crate::filters;
use crate::pages::{Pager, render};
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use zhijia_app::search as uc;
use zhijia_domain::search::SearchKind;

#[derive(Template)]
#[template(path = "search/search.html")]
struct SearchPage {
    q: String,
    kind: String,
    kinds: &'static [SearchKind],
    hits: Vec<HitView>,
    searched: bool,
    pager: Pager,
}

#[derive(Debug, Deserialize)]
struct Params {
    q: Option<String>,
    kind: Option<String>,
    page: Option<i64>,
}

/// Keeps a typed text in a link: every byte outside the unreserved set percent-encoded.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<Params>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let p = params.map(|Query(p)| p).unwrap_or(Params {
        q: None,
        kind: None,
        page: None,
    });
    let q =
        p.q.unwrap_or_default()
            .trim()
            .chars()
            .take(100)
            .collect::<String>();
    let kind = uc::kind_of(p.kind.as_deref()).unwrap_or(None);
    let page = usize::try_from(p.page.unwrap_or(1).max(1)).unwrap_or(1);
    let base = format!(
        "/search?q={}&kind={}&",
        encode(&q),
        kind.map_or("", |k| k.as_str())
    );
    let (hits, total, page) = if q.is_empty() {
        (Vec::new(), 0, 1)
    } else {
        let index = super::index(&state)?;
        let who = super::searcher(&state, &headers).await?;
        let found = uc::search(
            &state.store,
            index,
            &who,
            &q,
            kind,
            page,
            chrono::Utc::now(),
        )
        .await?;
        (
            found.hits.into_iter().map(HitView::from).collect(),
            found.total,
            found.page,
        )
    };
    let total = i64::try_from(total).unwrap_or(i64::MAX);
    let per_page = i64::try_from(uc::PER_PAGE).unwrap_or(10);
    Ok(render(&SearchPage {
        searched: !q.is_empty(),
        q,
        kind: kind.map_or(String::new(), |k| k.as_str().to_owned()),
        kinds: SearchKind::ALL,
        hits,
        pager: Pager::sized(i64::try_from(page).unwrap_or(1), per_page, total, base),
    }))
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/search", get(search))
}
