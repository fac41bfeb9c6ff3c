//! The worker's side of hardship aid: "我的帮扶" (the household's file, its applications a page
//! at a time), applying from the phone with documents (`/aid/apply`), one application with its
//! documents (`/aid/mine/{id}`), and an objection to an application on public notice.
//!
//! A refused application form comes back with everything typed and chosen; the documents it
//! carried are kept for the same phone (`zhijia_app::pending`) and listed as “已上传：…” with
//! their ids in a hidden field, so a worker never picks a photo twice.

use crate::attachment::{FileQuery, MAX_FORM_BYTES, file_response, read_multipart, upload_limit};
use crate::auth::worker::WorkerUser;
use crate::auth::{checked_form, csrf_refused};
use crate::extract::{ApiJson, ApiQuery, Id, Keyed, parse_id};
use crate::filters;
use crate::pages::{Pager, render};
use crate::{ApiError, AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Form, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;
use std::collections::HashMap;
use zhijia_app::AppError;
use zhijia_app::aid::application;
use zhijia_app::aid::mine::{
    self, Applied, MyApplication, MyApplicationDetail, MyFile, Standing, WorkerApplication,
};
use zhijia_app::attachment::Upload;
use zhijia_app::pending;
use zhijia_domain::aid::{AidKind, HardshipCause};
use zhijia_domain::attachment::MAX_PER_AID_APPLICATION;
use zhijia_domain::ids::{AidApplicationId, AttachmentId};
use zhijia_store::pending::Pending;

fn yuan(fen: i64) -> String {
    zhijia_domain::aid::yuan(fen)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "aid/mine.html")]
struct MinePage {
    files: Vec<MyFile>,
    standing: Standing,
    items: Vec<MyApplication>,
    pager: Pager,
}

impl MinePage {
    fn yuan(&self, fen: &i64) -> String {
        yuan(*fen)
    }
}

async fn my_aid(
    state: Keyed,
    user: WorkerUser,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let ctx = state.aid();
    let phone = &user.session.phone;
    let (page, limit, offset) = crate::pages::page_window(q.page, crate::pages::PER_PAGE);
    let list = mine::applications(&ctx, phone, limit, offset).await?;
    Ok(render(&MinePage {
        files: mine::mine(&ctx, phone).await?,
        standing: mine::standing(&ctx, phone).await?,
        pager: Pager::new(page, list.total, "/aid/mine?".into()),
        items: list.items,
    }))
}

// ---------------------------------------------------------------------------------------------
// Applying from the phone

/// The application form as typed: amounts in yuan, numbers as text, so a wrong one comes back
/// as it was.
#[derive(Debug, Clone, Default)]
struct ApplyForm {
    kind: String,
    amount: String,
    reason: String,
    cause: String,
    household_size: String,
    income: String,
    housing: String,
    health: String,
    disability: String,
}

impl ApplyForm {
    fn of(f: &HashMap<String, String>) -> Self {
        let get = |k: &str| f.get(k).cloned().unwrap_or_default();
        ApplyForm {
            kind: get("kind"),
            amount: get("amount"),
            reason: get("reason"),
            cause: get("cause"),
            household_size: get("household_size"),
            income: get("income"),
            housing: get("housing"),
            health: get("health"),
            disability: get("disability"),
        }
    }

    /// The use case's input; a figure that is not a number is refused at its field.
    fn input(&self, has_file: bool) -> Result<WorkerApplication, AppError> {
        let amount_fen = zhijia_domain::aid::parse_yuan("amount", &self.amount)
            .map_err(|_| AppError::invalid("amount", "请填写申请金额，单位元，如 3000"))?;
        let (household_size, income_per_head_fen) = if has_file {
            (0, 0)
        } else {
            let size = self.household_size.trim().parse::<i64>().map_err(|_| {
                AppError::invalid("household_size", "请填写家庭人口（含本人），如 3")
            })?;
            let income =
                zhijia_domain::aid::parse_amount("income", &self.income, true).map_err(|_| {
                    AppError::invalid("income", "请填写家庭月人均收入，单位元，没有收入填 0")
                })?;
            (size, income)
        };
        Ok(WorkerApplication {
            kind: self.kind.clone(),
            amount_fen,
            reason: self.reason.clone(),
            cause: self.cause.clone(),
            household_size,
            income_per_head_fen,
            housing: self.housing.clone(),
            health: self.health.clone(),
            disability: self.disability.clone(),
            upload_ids: Vec::new(),
        })
    }
}

/// The form's name of a use-case field.
fn form_field(field: Option<&'static str>) -> Option<&'static str> {
    match field {
        Some("amount_fen") => Some("amount"),
        Some("income_per_head_fen") => Some("income"),
        f => f,
    }
}

#[derive(Template)]
#[template(path = "aid/apply.html")]
struct ApplyPage {
    csrf: String,
    standing: Standing,
    form: ApplyForm,
    kept: Vec<Pending>,
    error: Option<String>,
    error_field: Option<&'static str>,
    kinds: Vec<(&'static str, &'static str)>,
    causes: Vec<(&'static str, &'static str)>,
}

impl ApplyPage {
    fn new(csrf: String, standing: Standing) -> Self {
        ApplyPage {
            csrf,
            standing,
            form: ApplyForm::default(),
            kept: Vec::new(),
            error: None,
            error_field: None,
            kinds: mine::WORKER_KINDS
                .iter()
                .map(|k| (k.as_str(), k.label()))
                .collect(),
            causes: HardshipCause::ALL
                .iter()
                .map(|c| (c.as_str(), c.label()))
                .collect(),
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
    fn education_grant(&self) -> &'static str {
        AidKind::EducationGrant.label()
    }
}

async fn apply_form(state: Keyed, user: WorkerUser) -> Result<Response, PageError> {
    let standing = mine::standing(&state.aid(), &user.session.phone).await?;
    Ok(render(&ApplyPage::new(
        user.session.csrf_token.clone(),
        standing,
    )))
}

/// Runs an application with the kept files `ids` and the new `files`; on a refusal keeps the
/// new files that pass the content check and returns every kept file with the error.
async fn apply_with_kept(
    state: &Keyed,
    phone: &str,
    input: Result<WorkerApplication, AppError>,
    ids: &[zhijia_domain::ids::PendingUploadId],
    files: Vec<Upload>,
) -> Result<Result<Applied, (AppError, Vec<Pending>)>, AppError> {
    let now = Utc::now();
    let ctx = state.aid();
    let (mut listed, mut uploads) = match pending::load(&state.store, phone, ids, now).await {
        Ok(v) => v,
        // An id that is not the phone's own: refused, and only the new files are kept.
        Err(e @ AppError::Invalid(_)) => {
            let kept = pending::keep(&state.store, phone, &files, now).await?;
            return Ok(Err((e, kept)));
        }
        Err(e) => return Err(e),
    };
    // The new files are moved, not copied: a form's files are the largest thing it holds.
    let first_new = uploads.len();
    uploads.extend(files);
    let result = match input {
        Ok(input) => mine::apply(&ctx, phone, &input, &uploads, now).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(applied) => {
            pending::discard(&state.store, phone, ids).await?;
            Ok(Ok(applied))
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

async fn apply_submit(
    state: Keyed,
    user: WorkerUser,
    form: Multipart,
) -> Result<Response, PageError> {
    let phone = user.session.phone.clone();
    let standing = mine::standing(&state.aid(), &phone).await?;
    // A form refused while it arrived (a file that is no photo or PDF, or too large) comes back
    // like any other refusal: what was typed, and the files read before it kept.
    let (fields, files, refused) = match read_multipart(form, MAX_PER_AID_APPLICATION).await {
        Ok((fields, files)) => (fields, files, None),
        Err(r) => (r.fields, r.files, Some(r.error)),
    };
    if !user.csrf_ok(fields.get("csrf").map_or("", String::as_str)) {
        return Ok(csrf_refused());
    }
    let form = ApplyForm::of(&fields);
    let has_file = matches!(&standing, Standing::Member { file: Some(_), .. });
    let ids = pending::parse_ids(fields.get("kept").map_or("", String::as_str));
    let input = match refused {
        Some(e) => Err(e),
        None => form.input(has_file),
    };
    match apply_with_kept(&state, &phone, input, &ids, files).await? {
        Ok(applied) => Ok(Redirect::to(&format!("/aid/mine/{}?new=1", applied.id)).into_response()),
        Err((e, kept)) => {
            let mut page = ApplyPage::new(user.session.csrf_token.clone(), standing);
            page.error_field = form_field(e.field());
            page.error = Some(e.to_string());
            page.form = form;
            page.kept = kept;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "aid/my_application.html")]
struct ApplicationPage {
    csrf: String,
    detail: MyApplicationDetail,
    created: bool,
    error: Option<String>,
}

impl ApplicationPage {
    fn yuan(&self, fen: &i64) -> String {
        yuan(*fen)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    new: Option<String>,
}

async fn my_application(
    state: Keyed,
    user: WorkerUser,
    Id(id): Id<AidApplicationId>,
    q: Result<Query<NewQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let created = q.is_ok_and(|Query(q)| q.new.is_some());
    let detail = mine::application(&state.aid(), &user.session.phone, id).await?;
    Ok(render(&ApplicationPage {
        csrf: user.session.csrf_token.clone(),
        detail,
        created,
        error: None,
    }))
}

async fn add_files(
    state: Keyed,
    user: WorkerUser,
    Id(id): Id<AidApplicationId>,
    form: Multipart,
) -> Result<Response, PageError> {
    let phone = user.session.phone.clone();
    let result = match read_multipart(form, MAX_PER_AID_APPLICATION).await {
        Ok((fields, files)) => {
            if !user.csrf_ok(fields.get("csrf").map_or("", String::as_str)) {
                return Ok(csrf_refused());
            }
            mine::attach(&state.aid(), &phone, id, &files, Utc::now()).await
        }
        Err(r) => Err(r.error),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/aid/mine/{id}")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let detail = mine::application(&state.aid(), &phone, id).await?;
            let page = ApplicationPage {
                csrf: user.session.csrf_token.clone(),
                detail,
                created: false,
                error: Some(e.to_string()),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn my_file(
    state: Keyed,
    user: WorkerUser,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (id, file) = (
        AidApplicationId(parse_id(&id)?),
        AttachmentId(parse_id(&file)?),
    );
    let f = mine::file(&state.aid(), &user.session.phone, id, file).await?;
    Ok(file_response(f))
}

#[derive(Template)]
#[template(path = "aid/objection.html")]
struct ObjectionPage {
    csrf: String,
    id: AidApplicationId,
    item: Option<zhijia_app::aid::application::NoticeItem>,
    detail: String,
    error: Option<String>,
    done: bool,
}

/// The application as the public notice shows it, if it is still on notice.
async fn on_notice(
    state: &AppState,
    id: AidApplicationId,
) -> Result<Option<zhijia_app::aid::application::NoticeItem>, AppError> {
    application::notice_of(&state.store, id, Utc::now()).await
}

async fn objection_form(
    State(state): State<AppState>,
    user: WorkerUser,
    Id(id): Id<AidApplicationId>,
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
    Id(id): Id<AidApplicationId>,
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
    Id(id): Id<AidApplicationId>,
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
    let limit = DefaultBodyLimit::max(MAX_FORM_BYTES);
    Router::new()
        .route("/aid/mine", get(my_aid))
        .route(
            "/aid/apply",
            get(apply_form).post(apply_submit).layer(limit),
        )
        .route("/aid/mine/{id}", get(my_application))
        .route("/aid/mine/{id}/files", post(add_files).layer(limit))
        .route("/aid/mine/{id}/files/{file}", get(my_file))
        .route("/api/v1/me/aid", get(my_aid_api))
        .route("/api/v1/me/aid/standing", get(standing_api))
        .route(
            "/api/v1/me/aid/applications",
            get(applications_api).post(apply_api),
        )
        .route("/api/v1/me/aid/applications/{id}", get(application_api))
        .route(
            "/api/v1/me/aid/applications/{id}/attachments",
            post(attach_api).layer(upload_limit()),
        )
        .route(
            "/api/v1/me/aid/applications/{id}/attachments/{file}",
            get(file_api),
        )
        .route("/api/v1/me/uploads", post(upload_api).layer(upload_limit()))
        .route(
            "/aid/notice/{id}/objection",
            get(objection_form).post(object),
        )
        .route("/aid/notice/{id}/objection/done", get(objection_done))
}

crate::auth::carries_csrf!(ObjectionForm);

/// A date of the aid calendar as people read it: "12月28日" (the year in front when not this
/// year). The dates are already Beijing dates (`zhijia_app::today`).
pub fn day(d: &chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let this_year = zhijia_app::today(Utc::now()).year();
    if d.year() == this_year {
        format!("{}月{}日", d.month(), d.day())
    } else {
        format!("{}年{}月{}日", d.year(), d.month(), d.day())
    }
}

mod api;
pub use api::*;
