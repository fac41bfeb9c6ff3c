//! The worker's side of hardship aid: "我的帮扶" (the household's file, its applications and
//! where each stands) and an objection to an application on public notice.

use crate::auth::worker::WorkerUser;
use crate::auth::{checked_form, csrf_refused};
use crate::extract::{Id, Keyed};
use crate::pages::render;
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::Utc;
use serde::Deserialize;
use zhijia_app::AppError;
use zhijia_app::aid::application;
use zhijia_app::aid::mine::{self, MyFile};

#[derive(Template)]
#[template(path = "aid_mine.html")]
struct MinePage {
    files: Vec<MyFile>,
}

impl MinePage {
    fn yuan(&self, fen: &i64) -> String {
        zhijia_domain::aid::yuan(*fen)
    }
}

async fn my_aid(state: Keyed, user: WorkerUser) -> Result<Response, PageError> {
    let files = mine::mine(&state.aid(), &user.session.phone).await?;
    Ok(render(&MinePage { files }))
}

/// The signed-in worker's household aid: the files they head, each application's stage,
/// notice and payment status (never health, disability or income).
#[utoipa::path(get, path = "/api/v1/me/aid", tag = "aid",
    responses((status = 200, description = "本人家庭的困难职工档案与帮扶申请进度"),
              (status = 401, body = crate::error::ErrorBody)))]
pub async fn my_aid_api(
    state: Keyed,
    user: WorkerUser,
) -> Result<axum::Json<Vec<MyFile>>, crate::ApiError> {
    Ok(axum::Json(
        mine::mine(&state.aid(), &user.session.phone).await?,
    ))
}

#[derive(Template)]
#[template(path = "aid_objection.html")]
struct ObjectionPage {
    csrf: String,
    id: i64,
    item: Option<zhijia_app::aid::application::NoticeItem>,
    detail: String,
    error: Option<String>,
    done: bool,
}

/// The application as the public notice shows it, if it is still on notice.
async fn on_notice(
    state: &AppState,
    id: i64,
) -> Result<Option<zhijia_app::aid::application::NoticeItem>, AppError> {
    application::notice_of(&state.store, id, Utc::now()).await
}

async fn objection_form(
    State(state): State<AppState>,
    user: WorkerUser,
    Id(id): Id,
) -> Result<Response, PageError> {
    let item = on_notice(&state, id).await?;
    Ok(render(&ObjectionPage {
        csrf: user.session.csrf_token.clone(),
        id,
        item,
        detail: String::new(),
        error: None,
        done: false,
    }))
}

#[derive(Debug, Deserialize)]
pub struct ObjectionForm {
    csrf: String,
    #[serde(default)]
    detail: String,
}

async fn object(
    state: Keyed,
    user: WorkerUser,
    Id(id): Id,
    form: Result<Form<ObjectionForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let actor = zhijia_app::caller::worker_actor(&user.session.phone);
    let result =
        application::object(&state.aid(), &actor, None, id, &form.detail, Utc::now()).await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/aid/notice/{id}/objection/done")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::NotFound(_))) => {
            let page = ObjectionPage {
                csrf: user.session.csrf_token.clone(),
                id,
                item: on_notice(&state, id).await?,
                detail: form.detail,
                error: Some(e.to_string()),
                done: false,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn objection_done(
    State(state): State<AppState>,
    user: WorkerUser,
    Id(id): Id,
) -> Result<Response, PageError> {
    Ok(render(&ObjectionPage {
        csrf: user.session.csrf_token.clone(),
        id,
        item: on_notice(&state, id).await?,
        detail: String::new(),
        error: None,
        done: true,
    }))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/aid/mine", get(my_aid))
        .route("/api/v1/me/aid", get(my_aid_api))
        .route(
            "/aid/notice/{id}/objection",
            get(objection_form).post(object),
        )
        .route("/aid/notice/{id}/objection/done", get(objection_done))
}

crate::auth::carries_csrf!(ObjectionForm);
