//! A publishable kind in the console: the records of a branch with the form to add one, and a
//! record with its edit form and the publish / withdraw buttons. A refused form comes back on
//! its page with the reason and what was typed.

use super::{ConsoleList, ConsoleRecord, Pages, Typed, value};
use crate::auth::{StaffUser, checked_form, csrf_refused};
use crate::extract::parse_id;
use crate::pages::Pager;
use crate::{AppState, PageError};
use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;
use zhijia_app::AppError;
use zhijia_app::publishable as uc;
use zhijia_domain::ids::RecordId;

/// Records per page (the pager's size).
const PER_PAGE: i64 = 30;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    org: Option<i64>,
    page: Option<i64>,
}

fn console_path<S: Pages>() -> String {
    format!("/console{}", S::PATH)
}

fn status_of(error: Option<&AppError>) -> StatusCode {
    error.map_or(StatusCode::OK, crate::error::status)
}

async fn list_page<S: Pages>(
    state: &AppState,
    user: &StaffUser,
    q: ListQuery,
    error: Option<AppError>,
    typed: Typed,
) -> Result<Response, PageError> {
    let (page, limit, offset) = crate::pages::page_window(q.page, PER_PAGE);
    let (org, list) =
        uc::list::<S>(&state.store, &user.ctx(), q.org, Some(limit), Some(offset)).await?;
    let base = format!("{}?org={}&", console_path::<S>(), org.id.0);
    let page = S::console_list(ConsoleList {
        section: S::SECTION,
        noun: S::NOUN,
        path: S::PATH,
        user: user.into(),
        pager: Pager::new(page, list.total, base),
        org_id: org.id,
        org_name: org.name,
        items: list.items,
        error: error.as_ref().map(ToString::to_string),
        typed,
    });
    Ok((status_of(error.as_ref()), page).into_response())
}

async fn list<S: Pages>(
    State(state): State<AppState>,
    user: StaffUser,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    list_page::<S>(&state, &user, q, None, Typed::new()).await
}

async fn create<S: Pages>(
    State(state): State<AppState>,
    user: StaffUser,
    form: Result<Form<Typed>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let input = S::input_of(&f);
    match uc::create::<S>(&state.store, &user.ctx(), &input, Utc::now()).await {
        Ok(id) => Ok(Redirect::to(&format!("{}/{id}", console_path::<S>())).into_response()),
        Err(e @ AppError::Invalid(_)) => {
            let q = ListQuery {
                org: value(&f, "org").trim().parse().ok(),
                page: None,
            };
            list_page::<S>(&state, &user, q, Some(e), f).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn record_page<S: Pages>(
    state: &AppState,
    user: &StaffUser,
    id: uc::IdOf<S>,
    error: Option<AppError>,
    typed: Option<Typed>,
) -> Result<Response, PageError> {
    let r = uc::get::<S>(&state.store, &user.ctx(), id).await?;
    let page = S::console_record(ConsoleRecord {
        section: S::SECTION,
        path: S::PATH,
        name: S::title(&r.content),
        user: user.into(),
        typed: typed.unwrap_or_else(|| S::typed_of(&r)),
        r,
        error: error.as_ref().map(ToString::to_string),
    });
    Ok((status_of(error.as_ref()), page).into_response())
}

async fn record<S: Pages>(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = <uc::IdOf<S> as RecordId>::from_raw(parse_id(&id)?);
    record_page::<S>(&state, &user, id, None, None).await
}

async fn update<S: Pages>(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    form: Result<Form<Typed>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let id = <uc::IdOf<S> as RecordId>::from_raw(parse_id(&id)?);
    let input = S::input_of(&f);
    match uc::update::<S>(&state.store, &user.ctx(), id, &input, Utc::now()).await {
        Ok(_) => Ok(Redirect::to(&format!("{}/{id}", console_path::<S>())).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            record_page::<S>(&state, &user, id, Some(e), Some(f)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn change<S: Pages>(
    state: &AppState,
    user: &StaffUser,
    id: &str,
    form: Result<Form<Typed>, FormRejection>,
    publish: bool,
) -> Result<Response, PageError> {
    if checked_form(user, form).is_none() {
        return Ok(csrf_refused());
    }
    let id = <uc::IdOf<S> as RecordId>::from_raw(parse_id(id)?);
    let done = if publish {
        uc::publish::<S>(&state.store, &user.ctx(), id, Utc::now()).await
    } else {
        uc::withdraw::<S>(&state.store, &user.ctx(), id).await
    };
    match done {
        Ok(_) => Ok(Redirect::to(&format!("{}/{id}", console_path::<S>())).into_response()),
        Err(e @ AppError::Conflict(_)) => record_page::<S>(state, user, id, Some(e), None).await,
        Err(e) => Err(e.into()),
    }
}

async fn publish<S: Pages>(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    form: Result<Form<Typed>, FormRejection>,
) -> Result<Response, PageError> {
    change::<S>(&state, &user, &id, form, true).await
}

async fn withdraw<S: Pages>(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    form: Result<Form<Typed>, FormRejection>,
) -> Result<Response, PageError> {
    change::<S>(&state, &user, &id, form, false).await
}

pub fn routes<S: Pages>() -> Router<AppState> {
    let base = console_path::<S>();
    Router::new()
        .route(&base, get(list::<S>).post(create::<S>))
        .route(
            &format!("{base}/{{id}}"),
            get(record::<S>).post(update::<S>),
        )
        .route(&format!("{base}/{{id}}/publish"), post(publish::<S>))
        .route(&format!("{base}/{{id}}/withdraw"), post(withdraw::<S>))
}
