//! "我的信息": a worker sees and downloads what the platform holds about them, and can ask for
//! deletion.

use super::csrf_refused;
use super::worker::current;
use crate::filters;
use crate::pages::render;
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use zhijia_app::me::{self, MyData};
use zhijia_domain::auth::{mask_phone, tokens_match};

#[derive(Template)]
#[template(path = "auth/me.html")]
struct MePage {
    phone_masked: String,
    data: MyData,
    csrf: String,
}

async fn page(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    let Some((session, _)) = current(&state, &headers).await? else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    let data = me::export(&state.store, state.config.pii_keys.as_ref(), &session.phone).await?;
    Ok(render(&MePage {
        phone_masked: mask_phone(&session.phone),
        data,
        csrf: session.csrf_token,
    }))
}

/// The same data as a JSON file, with the full identity number (it is the worker's own).
async fn download(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let Some((session, _)) = current(&state, &headers).await? else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    let data = me::export(&state.store, state.config.pii_keys.as_ref(), &session.phone).await?;
    let body = serde_json::to_vec_pretty(&super::view::MyDataView::from(&data))
        .map_err(|e| zhijia_app::AppError::Config(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"zhijia-my-data.json\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub struct DeletionForm {
    csrf: String,
    reason: String,
}

async fn request_deletion(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<DeletionForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Ok(Form(form)) = form else {
        return Ok(csrf_refused());
    };
    let Some((session, _)) = current(&state, &headers).await? else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    if !tokens_match(&session.csrf_token, &form.csrf) {
        return Ok(csrf_refused());
    }
    me::request_deletion(&state.store, &session.phone, &form.reason).await?;
    Ok(Redirect::to("/me").into_response())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me", get(page))
        .route("/me/data.json", get(download))
        .route("/me/deletion", post(request_deletion))
}
