//! The worker's case pages: my cases, file a case (with photos and PDFs), a case with its
//! conversation, where the worker answers questions and rates the answer.

use crate::attachment::{MAX_FORM_BYTES, file_response, read_multipart};
use crate::auth::worker::WorkerUser;
use crate::auth::{checked_form, csrf_refused};
use crate::extract::{Id, parse_id};
use crate::filters;
use crate::pages::Pager;
use crate::pages::render;
use crate::region::Picker;
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{DefaultBodyLimit, Form, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::Utc;
use serde::Deserialize;
use std::collections::HashMap;
use zhijia_app::AppError;
use zhijia_app::attachment::Upload;
use zhijia_app::case::file::{self, CaseInput};
use zhijia_app::case::handle;
use zhijia_app::case::talk::{self, OwnView};
use zhijia_app::pending;
use zhijia_domain::attachment::MAX_PER_CASE;
use zhijia_domain::case::{CaseKind, CaseState};
use zhijia_domain::ids::{AttachmentId, CaseId};
use zhijia_store::case::CaseItem;
use zhijia_store::pending::Pending;

const PER_PAGE: i64 = 20;

pub fn state_label(s: &str) -> &'static str {
    CaseState::parse(s).map_or("未知", CaseState::label)
}

pub fn kind_label(k: &str) -> &'static str {
    CaseKind::parse(k).map_or("未知", CaseKind::label)
}

/// A step of the history in words.
pub fn action_label(a: &str) -> &'static str {
    match a {
        "case.filed" => "提交诉求",
        "case.accepted" => "受理",
        "case.declined" => "不予受理",
        "case.started" => "开始办理",
        "case.asked_worker" => "要求补充材料",
        "case.worker_answered" => "补充材料",
        "case.resolved" => "办结",
        "case.rated" => "评价",
        "case.reopened" => "重新办理",
        "case.closed" => "关闭",
        "case.rerouted" => "转办",
        "case.escalated" => "督办",
        "case.message_sent" => "回复职工",
        "case.note_added" => "内部备注",
        "case.attachment_added" => "上传附件",
        "case.mediation_recorded" => "调解记录",
        _ => "处理",
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "case/mine.html")]
struct MinePage {
    items: Vec<CaseItem>,
    pager: Pager,
}

impl MinePage {}

async fn mine(
    State(state): State<AppState>,
    user: WorkerUser,
    q: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let (page, limit, offset) = crate::pages::page_window(q.page, PER_PAGE);
    let list =
        zhijia_store::case::of_filer(&state.store, &user.session.phone, limit, offset).await?;
    Ok(render(&MinePage {
        pager: Pager::new(page, list.total, "/cases?".into()),
        items: list.items,
    }))
}

#[derive(Template)]
#[template(path = "case/new.html")]
struct NewPage {
    csrf: String,
    form: CaseInput,
    error: Option<String>,
    error_field: Option<&'static str>,
    kinds: Vec<(&'static str, &'static str)>,
    /// Where the work is: province → city → county lists, never a typed code.
    region: Picker,
    /// Files of a refused form, kept for this phone (`zhijia_app::pending`).
    kept: Vec<Pending>,
}

impl NewPage {
    fn new(csrf: String, form: CaseInput, error: Option<&AppError>, kept: Vec<Pending>) -> Self {
        let field = error.and_then(AppError::field);
        let message = error.map(ToString::to_string);
        NewPage {
            csrf,
            region: Picker::new("region_code", "工作所在地", 3, &form.region_code)
                .required()
                .hint("选到区县，诉求转给当地工会办理")
                .error_if(field, message.as_deref()),
            form,
            error: message,
            error_field: field,
            kinds: kinds(),
            kept,
        }
    }
    /// The message under `field`, when the error is about it.
    fn err(&self, field: &str) -> Option<&str> {
        if self.error_field == Some(field) {
            self.error.as_deref()
        } else {
            None
        }
    }
    fn kept_ids(&self) -> String {
        pending::ids_field(&self.kept)
    }
}

fn kinds() -> Vec<(&'static str, &'static str)> {
    CaseKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label()))
        .collect()
}

async fn new_form(user: WorkerUser) -> Response {
    render(&NewPage::new(
        user.session.csrf_token.clone(),
        CaseInput::default(),
        None,
        Vec::new(),
    ))
}

fn input_of(f: &HashMap<String, String>) -> CaseInput {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    CaseInput {
        kind: get("kind"),
        title: get("title"),
        description: get("description"),
        employer_name: get("employer_name"),
        employer_credit_code: Some(get("employer_credit_code")),
        region_code: get("region_code"),
        township_org_id: f.get("township_org_id").and_then(|t| t.trim().parse().ok()),
        hide_identity: f.contains_key("hide_identity"),
        filer_name: get("filer_name"),
    }
}

async fn submit(
    State(state): State<AppState>,
    user: WorkerUser,
    form: Multipart,
) -> Result<Response, PageError> {
    // A form refused while it arrived (a file that is no photo or PDF, or too large) comes back
    // like any other refusal: what was typed, and the files read before it kept.
    let (fields, files, refused) = match read_multipart(form, MAX_PER_CASE).await {
        Ok((fields, files)) => (fields, files, None),
        Err(r) => (r.fields, r.files, Some(r.error)),
    };
    if !user.csrf_ok(fields.get("csrf").map_or("", String::as_str)) {
        return Ok(csrf_refused());
    }
    let input = input_of(&fields);
    let phone = &user.session.phone;
    let ids = pending::parse_ids(fields.get("kept").map_or("", String::as_str));
    match file_with_kept(&state, phone, &input, &ids, files, refused).await? {
        Ok(f) => Ok(Redirect::to(&format!("/cases/{}", f.id)).into_response()),
        Err((e, kept)) => {
            // What was typed comes back, and the files chosen stay chosen: browsers never
            // refill a file input, so they are kept here for this phone and listed by name.
            let page = NewPage::new(user.session.csrf_token.clone(), input, Some(&e), kept);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

/// Files a case with the kept files `ids` and the new `files` unless the form was already
/// `refused`; on a refusal keeps the new files that pass the content check and returns every
/// kept file with the error.
async fn file_with_kept(
    state: &AppState,
    phone: &str,
    input: &CaseInput,
    ids: &[zhijia_domain::ids::PendingUploadId],
    files: Vec<Upload>,
    refused: Option<AppError>,
) -> Result<Result<file::Filed, (AppError, Vec<Pending>)>, AppError> {
    let now = Utc::now();
    let (mut listed, mut uploads) = match pending::load(&state.store, phone, ids, now).await {
        Ok(v) => v,
        Err(e @ AppError::Invalid(_)) => {
            let kept = pending::keep(&state.store, phone, &files, now).await?;
            return Ok(Err((refused.unwrap_or(e), kept)));
        }
        Err(e) => return Err(e),
    };
    // The new files are moved, not copied: a form's files are the largest thing it holds.
    let first_new = uploads.len();
    uploads.extend(files);
    let filed = match refused {
        Some(e) => Err(e),
        None => file::file(&state.cases(), phone, input, &uploads, now).await,
    };
    match filed {
        Ok(f) => {
            pending::discard(&state.store, phone, ids).await?;
            Ok(Ok(f))
        }
        Err(
            e @ (AppError::Invalid(_)
            | AppError::Conflict(_)
            | AppError::NotFound(_)
            | AppError::TooMany(_)),
        ) => {
            let new = uploads.get(first_new..).unwrap_or_default();
            listed.extend(pending::keep(&state.store, phone, new, now).await?);
            Ok(Err((e, listed)))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "case/own.html")]
struct OwnPage {
    csrf: String,
    view: OwnView,
    error: Option<String>,
}

impl OwnPage {
    fn waiting(&self) -> bool {
        self.view.case.state == CaseState::WaitingOnWorker
    }
    fn may_write(&self) -> bool {
        !matches!(
            self.view.case.state,
            CaseState::Closed | CaseState::Declined
        )
    }
    fn may_rate(&self) -> bool {
        self.view.case.state == CaseState::Resolved
    }
    fn action(&self, a: &str) -> &'static str {
        action_label(a)
    }
}

async fn own_page(
    state: &AppState,
    user: &WorkerUser,
    id: CaseId,
    error: Option<String>,
) -> Result<Response, PageError> {
    let view = talk::own_view(&state.cases(), &user.session.phone, id).await?;
    let page = OwnPage {
        csrf: user.session.csrf_token.clone(),
        view,
        error,
    };
    Ok(render(&page))
}

async fn own(
    State(state): State<AppState>,
    user: WorkerUser,
    Id(id): Id<CaseId>,
) -> Result<Response, PageError> {
    own_page(&state, &user, id, None).await
}

async fn reply(
    State(state): State<AppState>,
    user: WorkerUser,
    Id(id): Id<CaseId>,
    form: Multipart,
) -> Result<Response, PageError> {
    let (fields, files) = match read_multipart(form, MAX_PER_CASE).await {
        Ok(v) => v,
        Err(r) => {
            let page = own_page(&state, &user, id, Some(r.error.to_string())).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    if !user.csrf_ok(fields.get("csrf").map_or("", String::as_str)) {
        return Ok(csrf_refused());
    }
    let body = fields.get("body").map_or("", String::as_str);
    match handle::reply(
        &state.cases(),
        &user.session.phone,
        id,
        body,
        &files,
        Utc::now(),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let page = own_page(&state, &user, id, Some(e.to_string())).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct RatingForm {
    csrf: String,
    satisfied: String,
    #[serde(default)]
    comment: String,
}

async fn rate(
    State(state): State<AppState>,
    user: WorkerUser,
    Id(id): Id<CaseId>,
    form: Result<Form<RatingForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let satisfied = form.satisfied == "yes";
    match handle::rate(
        &state.cases(),
        &user.session.phone,
        id,
        satisfied,
        &form.comment,
        Utc::now(),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let page = own_page(&state, &user, id, Some(e.to_string())).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn own_file(
    State(state): State<AppState>,
    user: WorkerUser,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (id, file) = (CaseId(parse_id(&id)?), AttachmentId(parse_id(&file)?));
    let f = talk::worker_file(&state.cases(), &user.session.phone, id, file).await?;
    Ok(file_response(f))
}

pub fn routes() -> Router<AppState> {
    let limit = DefaultBodyLimit::max(MAX_FORM_BYTES);
    Router::new()
        .route("/cases", get(mine))
        .route("/cases/new", get(new_form).post(submit).layer(limit))
        .route("/cases/{id}", get(own))
        .route("/cases/{id}/reply", axum::routing::post(reply).layer(limit))
        .route("/cases/{id}/rating", axum::routing::post(rate))
        .route("/cases/{id}/files/{file}", get(own_file))
}

crate::auth::carries_csrf!(RatingForm);
