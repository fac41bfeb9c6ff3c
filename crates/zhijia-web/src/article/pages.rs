//! The reader's pages (a phone first): the member's feed (`/news`), an article with its like
//! button (`/news/{id}`), a union's channel (`/channels/{org}`), the legal knowledge base by
//! topic (`/knowledge`) and one answer (`/knowledge/{id}`), and the images they show. No GET
//! changes anything: an open is counted by the page's beacon (`POST /api/v1/news/{id}/reads`),
//! a like is a form.

use crate::auth::checked_form;
use crate::auth::worker::{WorkerUser, current};
use crate::extract::Id;
use crate::filters;
use crate::pages::{Pager, page_window, render};
use crate::publishable::Filter;
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use std::collections::HashMap;
use zhijia_app::article::reader;
use zhijia_app::article::{PublicArticle, channel};
use zhijia_domain::article::Topic;
use zhijia_domain::ids::{ArticleId, ArticleImageId, OrgId};
use zhijia_store::article::reader::Item;

const PER_PAGE: i64 = 20;

type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

fn page_of(q: &Params) -> Option<i64> {
    q.as_ref()
        .ok()
        .and_then(|Query(q)| q.get("page"))
        .and_then(|p| p.trim().parse().ok())
}

#[derive(Template)]
#[template(path = "article/feed.html")]
struct FeedPage {
    /// The member's union: its channel and name.
    org: Option<(OrgId, String)>,
    items: Vec<Item>,
    pager: Pager,
}

async fn feed(
    State(state): State<AppState>,
    user: WorkerUser,
    q: Params,
) -> Result<Response, PageError> {
    let (page, limit, offset) = page_window(page_of(&q), PER_PAGE);
    let (org, list) = reader::feed(
        &state.store,
        &user.session.phone,
        Utc::now(),
        Some(limit),
        Some(offset),
    )
    .await?;
    Ok(render(&FeedPage {
        org: org.map(|o| (o.id, o.name)),
        pager: Pager::sized(page, PER_PAGE, list.total, "/news?".into()),
        items: list.items,
    }))
}

#[derive(Template)]
#[template(path = "article/article.html")]
struct ArticlePage {
    a: PublicArticle,
    section: &'static str,
    back: String,
    liked: bool,
    /// The signed-in worker's form token (none: the like asks to sign in first).
    csrf: Option<String>,
    /// The comments under it (留言), with the form to write one.
    comments: crate::article::comment::pages::CommentsPart,
}

async fn article_page(
    state: &AppState,
    headers: &HeaderMap,
    id: ArticleId,
    answer: bool,
) -> Result<Response, PageError> {
    let a = reader::article(&state.store, id, Utc::now()).await?;
    if answer != (a.kind == zhijia_domain::article::Kind::Answer) {
        return Err(zhijia_app::AppError::NotFound("资讯").into());
    }
    let session = current(state, headers).await?.map(|(s, _)| s);
    let liked = match &session {
        Some(s) => reader::liked(&state.store, &s.phone, id).await?,
        None => false,
    };
    let here = format!("{}/{id}", if answer { "/knowledge" } else { "/news" });
    let who = session
        .as_ref()
        .map(|s| (s.phone.as_str(), s.csrf_token.as_str()));
    let comments = crate::article::comment::pages::part(state, who, id, None, &here).await?;
    let csrf = session.map(|s| s.csrf_token);
    let (section, back) = if answer {
        ("法律知识库", "/knowledge".to_owned())
    } else {
        ("工会资讯", "/news".to_owned())
    };
    Ok(render(&ArticlePage {
        a,
        section,
        back,
        liked,
        csrf,
        comments,
    }))
}

async fn article(
    State(state): State<AppState>,
    headers: HeaderMap,
    Id(id): Id<ArticleId>,
) -> Result<Response, PageError> {
    article_page(&state, &headers, id, false).await
}

async fn answer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Id(id): Id<ArticleId>,
) -> Result<Response, PageError> {
    article_page(&state, &headers, id, true).await
}

#[derive(serde::Deserialize)]
struct LikeForm {
    csrf: String,
    #[serde(default)]
    on: String,
}
crate::auth::carries_csrf!(LikeForm);

async fn like(
    State(state): State<AppState>,
    user: WorkerUser,
    Id(id): Id<ArticleId>,
    form: Result<Form<LikeForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(crate::auth::csrf_refused());
    };
    let on = form.on != "0";
    reader::like(&state.store, &user.session.phone, id, on, Utc::now()).await?;
    Ok(Redirect::to(&format!("/news/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "article/channel.html")]
struct ChannelPage {
    name: String,
    intro: String,
    avatar_url: Option<String>,
    items: Vec<Item>,
    pager: Pager,
}

async fn channel_page(
    State(state): State<AppState>,
    Id(org): Id<OrgId>,
    q: Params,
) -> Result<Response, PageError> {
    let (page, limit, offset) = page_window(page_of(&q), PER_PAGE);
    let c = reader::channel(&state.store, org, Utc::now(), Some(limit), Some(offset)).await?;
    let channel = c.channel.as_ref();
    Ok(render(&ChannelPage {
        name: c.name().to_owned(),
        intro: channel.map(|c| c.intro.clone()).unwrap_or_default(),
        avatar_url: channel
            .and_then(|c| c.avatar)
            .map(zhijia_app::article::image_url),
        pager: Pager::sized(page, PER_PAGE, c.items.total, format!("/channels/{org}?")),
        items: c.items.items,
    }))
}

#[derive(Template)]
#[template(path = "article/knowledge.html")]
struct KnowledgePage {
    filters: Vec<Filter>,
    items: Vec<Item>,
    pager: Pager,
}

async fn knowledge(State(state): State<AppState>, q: Params) -> Result<Response, PageError> {
    let typed = q
        .as_ref()
        .ok()
        .and_then(|Query(q)| q.get("topic"))
        .and_then(|t| Topic::parse(t.trim()));
    let (page, limit, offset) = page_window(page_of(&q), PER_PAGE);
    let list = reader::knowledge(
        &state.store,
        typed.map(Topic::as_str),
        Utc::now(),
        Some(limit),
        Some(offset),
    )
    .await?;
    let href = |t: Option<Topic>| match t {
        Some(t) => format!("/knowledge?topic={}&", t.as_str()),
        None => "/knowledge?".to_owned(),
    };
    let mut filters = vec![Filter {
        label: "全部",
        href: href(None),
        on: typed.is_none(),
    }];
    filters.extend(Topic::ALL.iter().map(|t| Filter {
        label: t.label(),
        href: href(Some(*t)),
        on: typed == Some(*t),
    }));
    Ok(render(&KnowledgePage {
        filters,
        pager: Pager::sized(page, PER_PAGE, list.total, href(typed)),
        items: list.items,
    }))
}

/// An avatar or a published article's cover; anything else is not found.
async fn image(
    State(state): State<AppState>,
    Id(id): Id<ArticleImageId>,
) -> Result<Response, PageError> {
    let i = channel::public_image(&state.store, id, Utc::now()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, i.content_type),
            (header::CACHE_CONTROL, "public, max-age=86400".to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        i.data,
    )
        .into_response())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/news", get(feed))
        .route("/news/{id}", get(article))
        .route("/news/{id}/like", post(like))
        .route("/news/images/{id}", get(image))
        .route("/channels/{id}", get(channel_page))
        .route("/knowledge", get(knowledge))
        .route("/knowledge/{id}", get(answer))
}
