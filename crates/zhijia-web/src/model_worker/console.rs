//! The union's model-worker records in the console: the list of a branch with the form to
//! record one, and a record with its edit form and the publish / withdraw buttons. A refused
//! form comes back on its page with the reason and what was typed.

use crate::auth::{StaffUser, checked_form, csrf_refused};
use crate::extract::parse_id;
use crate::pages::render;
use crate::pages::{Pager, UserBar};
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;
use std::collections::HashMap;
use zhijia_app::AppError;
use zhijia_app::model_worker::{self as uc, ModelWorkerInput, level_label, status_label};
use zhijia_domain::model_worker::Level;
use zhijia_store::model_worker::ModelWorker;

/// Records per page (the pager's size).
const PER_PAGE: i64 = 30;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    org: Option<i64>,
    page: Option<i64>,
}

/// What a form typed, to refill it.
pub(crate) type Typed = HashMap<String, String>;

pub(crate) fn value<'a>(typed: &'a Typed, k: &str) -> &'a str {
    typed.get(k).map_or("", String::as_str)
}

#[derive(Template)]
#[template(path = "console_model_workers.html")]
struct ListPage {
    user: UserBar,
    org_id: i64,
    org_name: String,
    items: Vec<ModelWorker>,
    pager: Pager,
    error: Option<String>,
    typed: Typed,
}

impl ListPage {
    fn v(&self, k: &str) -> &str {
        value(&self.typed, k)
    }
    fn level(&self, l: &str) -> &'static str {
        level_label(l)
    }
    fn status(&self, s: &str) -> &'static str {
        status_label(s)
    }
    fn levels(&self) -> &'static [Level] {
        Level::ALL
    }
}

async fn list_page(
    state: &AppState,
    user: &StaffUser,
    q: ListQuery,
    error: Option<AppError>,
    typed: Typed,
) -> Result<Response, PageError> {
    let (page, limit, offset) = crate::pages::page_window(q.page, PER_PAGE);
    let (org, list) = uc::list(&state.store, &user.ctx(), q.org, Some(limit), Some(offset)).await?;
    let status = error.as_ref().map_or(StatusCode::OK, crate::error::status);
    Ok((
        status,
        render(&ListPage {
            user: user.into(),
            pager: Pager::new(
                page,
                list.total,
                format!("/console/model-workers?org={}&", org.id.0),
            ),
            org_id: org.id.0,
            org_name: org.name,
            items: list.items,
            error: error.map(|e| e.to_string()),
            typed,
        }),
    )
        .into_response())
}

async fn list(
    State(state): State<AppState>,
    user: StaffUser,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    list_page(&state, &user, q, None, Typed::new()).await
}

/// The input of a create or edit form.
fn input_of(f: &Typed) -> ModelWorkerInput {
    let get = |k: &str| value(f, k).to_owned();
    ModelWorkerInput {
        org: get("org").trim().parse().ok(),
        name: get("name"),
        honour: get("honour"),
        level: get("level"),
        year: get("year").trim().parse().unwrap_or(0),
        employer: get("employer"),
        story: get("story"),
        member_no: Some(get("member_no")),
        consent: f.contains_key("consent"),
    }
}

async fn create(
    State(state): State<AppState>,
    user: StaffUser,
    form: Result<Form<Typed>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let input = input_of(&f);
    match uc::create(&state.store, &user.ctx(), &input, Utc::now()).await {
        Ok(id) => Ok(Redirect::to(&format!("/console/model-workers/{id}")).into_response()),
        Err(e @ AppError::Invalid(_)) => {
            let q = ListQuery {
                org: input.org,
                page: None,
            };
            list_page(&state, &user, q, Some(e), f).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "console_model_worker.html")]
struct RecordPage {
    user: UserBar,
    m: ModelWorker,
    error: Option<String>,
    typed: Typed,
}

impl RecordPage {
    fn v(&self, k: &str) -> &str {
        value(&self.typed, k)
    }
    fn status(&self) -> &'static str {
        status_label(&self.m.status)
    }
    fn levels(&self) -> &'static [Level] {
        Level::ALL
    }
    fn at(&self, t: &chrono::DateTime<Utc>) -> String {
        zhijia_domain::activity::beijing(*t)
    }
}

/// The form's fields as the record holds them.
fn typed_of(m: &ModelWorker) -> Typed {
    let mut t = Typed::new();
    t.insert("name".into(), m.name.clone());
    t.insert("honour".into(), m.honour.clone());
    t.insert("level".into(), m.level.clone());
    t.insert("year".into(), m.year.to_string());
    t.insert("employer".into(), m.employer.clone());
    t.insert("story".into(), m.story.clone());
    t.insert("member_no".into(), m.member_no.clone().unwrap_or_default());
    if m.consent_at.is_some() {
        t.insert("consent".into(), "on".into());
    }
    t
}

async fn record_page(
    state: &AppState,
    user: &StaffUser,
    id: i64,
    error: Option<AppError>,
    typed: Option<Typed>,
) -> Result<Response, PageError> {
    let m = uc::get(&state.store, &user.ctx(), id).await?;
    let status = error.as_ref().map_or(StatusCode::OK, crate::error::status);
    Ok((
        status,
        render(&RecordPage {
            user: user.into(),
            typed: typed.unwrap_or_else(|| typed_of(&m)),
            m,
            error: error.map(|e| e.to_string()),
        }),
    )
        .into_response())
}

async fn record(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    record_page(&state, &user, id, None, None).await
}

async fn update(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    form: Result<Form<Typed>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let id = parse_id(&id)?;
    match uc::update(&state.store, &user.ctx(), id, &input_of(&f), Utc::now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/console/model-workers/{id}")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            record_page(&state, &user, id, Some(e), Some(f)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn change(
    state: &AppState,
    user: &StaffUser,
    id: &str,
    form: Result<Form<Typed>, FormRejection>,
    publish: bool,
) -> Result<Response, PageError> {
    if checked_form(user, form).is_none() {
        return Ok(csrf_refused());
    }
    let id = parse_id(id)?;
    let done = if publish {
        uc::publish(&state.store, &user.ctx(), id, Utc::now()).await
    } else {
        uc::withdraw(&state.store, &user.ctx(), id).await
    };
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/console/model-workers/{id}")).into_response()),
        Err(e @ AppError::Conflict(_)) => record_page(state, user, id, Some(e), None).await,
        Err(e) => Err(e.into()),
    }
}

async fn publish(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    form: Result<Form<Typed>, FormRejection>,
) -> Result<Response, PageError> {
    change(&state, &user, &id, form, true).await
}

async fn withdraw(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    form: Result<Form<Typed>, FormRejection>,
) -> Result<Response, PageError> {
    change(&state, &user, &id, form, false).await
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/model-workers", get(list).post(create))
        .route("/console/model-workers/{id}", get(record).post(update))
        .route("/console/model-workers/{id}/publish", post(publish))
        .route("/console/model-workers/{id}/withdraw", post(withdraw))
}
