//! The worker's activity pages: the activities open to them, one activity with registering and
//! cancelling (and the registration QR), "我的报名", and "我的积分".

use crate::auth::worker::WorkerUser;
use crate::auth::{checked_form, csrf_refused};
use crate::extract::{Id, Keyed, parse_id};
use crate::pages::render;
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use zhijia_app::AppError;
use zhijia_app::activity::mine::{self, ActivityForMe, MyRegistration};
use zhijia_app::points::{self, MyPoints};
use zhijia_domain::ids::ActivityId;
use zhijia_store::activity::Activity;

fn at(t: &DateTime<Utc>) -> String {
    zhijia_domain::activity::beijing(*t)
}

#[derive(Template)]
#[template(path = "activity/list.html")]
struct ListPage {
    items: Vec<Activity>,
    notice: Option<String>,
}

impl ListPage {
    fn at(&self, t: &DateTime<Utc>) -> String {
        at(t)
    }
}

async fn list(state: Keyed, user: WorkerUser) -> Result<Response, PageError> {
    let page = match mine::available(
        &state.activity(),
        &user.session.phone,
        Utc::now(),
        None,
        None,
    )
    .await
    {
        Ok(p) => ListPage {
            items: p.items,
            notice: None,
        },
        Err(e @ AppError::Forbidden(_)) => ListPage {
            items: Vec::new(),
            notice: Some(e.to_string()),
        },
        Err(e) => return Err(e.into()),
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "activity/detail.html")]
struct DetailPage {
    csrf: String,
    a: ActivityForMe,
    qr_svg: Option<String>,
    error: Option<String>,
}

impl DetailPage {
    fn at(&self, t: &DateTime<Utc>) -> String {
        at(t)
    }
}

async fn detail_page(
    state: &Keyed,
    user: &WorkerUser,
    id: ActivityId,
    error: Option<String>,
) -> Result<DetailPage, AppError> {
    let a = mine::activity(&state.activity(), &user.session.phone, id, Utc::now()).await?;
    let qr_svg = match a.registration.as_ref().and_then(|r| r.token.as_deref()) {
        Some(t) => Some(crate::pages::qr_svg(t).await?),
        None => None,
    };
    Ok(DetailPage {
        csrf: user.session.csrf_token.clone(),
        a,
        qr_svg,
        error,
    })
}

async fn detail(
    state: Keyed,
    user: WorkerUser,
    Id(id): Id<ActivityId>,
) -> Result<Response, PageError> {
    Ok(render(&detail_page(&state, &user, id, None).await?))
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

async fn act(
    state: Keyed,
    user: WorkerUser,
    id: String,
    form: Result<Form<CsrfForm>, FormRejection>,
    register: bool,
) -> Result<Response, PageError> {
    let Some(_) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let id = ActivityId(parse_id(&id)?);
    let c = state.activity();
    let result = if register {
        mine::register(&c, &user.session.phone, id, Utc::now())
            .await
            .map(|_| ())
    } else {
        mine::cancel(&c, &user.session.phone, id, Utc::now()).await
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/activities/{id}")).into_response()),
        Err(e @ (AppError::Conflict(_) | AppError::Invalid(_))) => {
            let page = detail_page(&state, &user, id, Some(e.to_string())).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn register(
    state: Keyed,
    user: WorkerUser,
    Path(id): Path<String>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, PageError> {
    act(state, user, id, form, true).await
}

async fn cancel(
    state: Keyed,
    user: WorkerUser,
    Path(id): Path<String>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, PageError> {
    act(state, user, id, form, false).await
}

#[derive(Template)]
#[template(path = "activity/mine.html")]
struct MinePage {
    items: Vec<MyRegistration>,
}

impl MinePage {
    fn at(&self, t: &DateTime<Utc>) -> String {
        at(t)
    }
}

async fn my_registrations(state: Keyed, user: WorkerUser) -> Result<Response, PageError> {
    let page = mine::registrations(&state.activity(), &user.session.phone, Some(200), None).await?;
    Ok(render(&MinePage { items: page.items }))
}

#[derive(Template)]
#[template(path = "activity/points_mine.html")]
struct PointsPage {
    p: MyPoints,
}

impl PointsPage {
    fn at(&self, t: &DateTime<Utc>) -> String {
        at(t)
    }
}

async fn my_points(State(state): State<AppState>, user: WorkerUser) -> Result<Response, PageError> {
    let p = points::mine(&state.store, &user.session.phone, 200, 0).await?;
    Ok(render(&PointsPage { p }))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/activities", get(list))
        .route("/activities/mine", get(my_registrations))
        .route("/activities/{id}", get(detail))
        .route("/activities/{id}/register", post(register))
        .route("/activities/{id}/cancel", post(cancel))
        .route("/points", get(my_points))
}

crate::auth::carries_csrf!(CsrfForm);
