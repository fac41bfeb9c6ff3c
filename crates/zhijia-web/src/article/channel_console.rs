//! The console's channel page (`/console/channel`): a union's channel name, intro and avatar,
//! and the articles of the unions above it that its channel may re-share (转载), each with its
//! button. Every write calls a use case.

use super::form::{self, Typed, value};
use crate::auth::{StaffUser, checked_form, csrf_refused};
use crate::filters;
use crate::pages::{Pager, UserBar, page_window, render};
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Form, Multipart, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use zhijia_app::AppError;
use zhijia_app::article::channel::{self, ChannelInput};
use zhijia_domain::ids::{ArticleId, OrgId};
use zhijia_store::article::reader::Item;

#[derive(Template)]
#[template(path = "article/console_channel.html")]
struct ChannelPage {
    user: UserBar,
    org_id: OrgId,
    org_name: String,
    name: String,
    intro: String,
    avatar_url: Option<String>,
    items: Vec<Item>,
    pager: Pager,
    error: Option<String>,
    done: Option<&'static str>,
}

async fn page(
    state: &AppState,
    user: &StaffUser,
    (org, page): (Option<OrgId>, Option<i64>),
    error: Option<AppError>,
    done: Option<&'static str>,
) -> Result<Response, PageError> {
    let (page, limit, offset) = page_window(page, 20);
    let (org, c, list) = channel::shareable(
        &state.store,
        &user.ctx(),
        org,
        (Some(limit), Some(offset)),
        Utc::now(),
    )
    .await?;
    let status = error
        .as_ref()
        .map_or(axum::http::StatusCode::OK, crate::error::status);
    let page = ChannelPage {
        user: user.into(),
        org_id: org.id,
        name: c
            .as_ref()
            .map_or_else(|| org.name.clone(), |c| c.name.clone()),
        intro: c.as_ref().map(|c| c.intro.clone()).unwrap_or_default(),
        avatar_url: c
            .as_ref()
            .and_then(|c| c.avatar)
            .map(zhijia_app::article::image_url),
        org_name: org.name,
        pager: Pager::sized(
            page,
            20,
            list.total,
            format!("/console/channel?org={}&", org.id),
        ),
        items: list.items,
        error: error.map(|e| e.to_string()),
        done,
    };
    Ok((status, render(&page)).into_response())
}

fn org_page(q: Result<Query<Typed>, QueryRejection>) -> (Option<OrgId>, Option<i64>) {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let int = |k: &str| value(&q, k).trim().parse::<i64>().ok();
    (int("org").map(OrgId), int("page"))
}

async fn show(
    State(state): State<AppState>,
    user: StaffUser,
    q: Result<Query<Typed>, QueryRejection>,
) -> Result<Response, PageError> {
    page(&state, &user, org_page(q), None, None).await
}

fn org_of(f: &Typed) -> Option<OrgId> {
    value(f, "org").trim().parse().ok().map(OrgId)
}

async fn save(
    State(state): State<AppState>,
    user: StaffUser,
    form: Result<Form<Typed>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let input = ChannelInput {
        name: value(&f, "name").to_owned(),
        intro: value(&f, "intro").to_owned(),
        avatar: None,
    };
    let org = org_of(&f);
    match channel::set(&state.store, &user.ctx(), org, &input, Utc::now()).await {
        Ok(c) => Ok(Redirect::to(&format!("/console/channel?org={}", c.org_id)).into_response()),
        Err(e @ AppError::Invalid(_)) => page(&state, &user, (org, None), Some(e), None).await,
        Err(e) => Err(e.into()),
    }
}

async fn avatar(
    State(state): State<AppState>,
    user: StaffUser,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let (f, bytes) = match form::one_file(multipart).await {
        Ok(x) => x,
        Err(e) => return page(&state, &user, (None, None), Some(e), None).await,
    };
    if !user.csrf_ok(value(&f, "csrf")) {
        return Ok(csrf_refused());
    }
    let (ctx, org) = (user.ctx(), org_of(&f));
    let done = async {
        let (o, c) = channel::settings(&state.store, &ctx, org).await?;
        let image =
            channel::upload_image(&state.store, &ctx, Some(o.id), &bytes, Utc::now()).await?;
        let input = ChannelInput {
            name: c
                .as_ref()
                .map_or_else(|| o.name.clone(), |c| c.name.clone()),
            intro: c.map(|c| c.intro).unwrap_or_default(),
            avatar: Some(image),
        };
        channel::set(&state.store, &ctx, Some(o.id), &input, Utc::now()).await
    };
    match done.await {
        Ok(c) => Ok(Redirect::to(&format!("/console/channel?org={}", c.org_id)).into_response()),
        Err(e @ AppError::Invalid(_)) => page(&state, &user, (org, None), Some(e), None).await,
        Err(e) => Err(e.into()),
    }
}

async fn reshare(
    State(state): State<AppState>,
    user: StaffUser,
    form: Result<Form<Typed>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let org = org_of(&f);
    let source = ArticleId(crate::extract::parse_id(value(&f, "source"))?);
    match channel::reshare(&state.store, &user.ctx(), org, source, Utc::now()).await {
        Ok(_) => page(&state, &user, (org, None), None, Some("已转载到本频道")).await,
        Err(e @ (AppError::Conflict(_) | AppError::Invalid(_))) => {
            page(&state, &user, (org, None), Some(e), None).await
        }
        Err(e) => Err(e.into()),
    }
}

pub fn routes() -> Router<AppState> {
    let limit = DefaultBodyLimit::max(zhijia_domain::article::MAX_IMAGE_BYTES + 64 * 1024);
    Router::new()
        .route("/console/channel", get(show).post(save))
        .route("/console/channel/avatar", post(avatar).layer(limit))
        .route("/console/channel/reshare", post(reshare))
}
