//! Staff console pages of hardship aid: files, a file, applications, an application with its
//! stages, the ledger; and the public notice page. Health, disability and income appear only
//! when the use case hands them over (aid officers of the file).

use crate::attachment::{MAX_FORM_BYTES, file_response, read_multipart};
use crate::auth::{StaffUser, checked_form, csrf_refused};
use crate::extract::{Id, Keyed, parse_id};
use crate::filters;
use crate::pages::render;
use crate::pages::{Pager, UserBar};
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Form, Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;
use std::collections::HashMap;
use zhijia_app::AppError;
use zhijia_app::aid::application::{
    self, ApplicationDetail, ApplicationInput, ApplicationQuery, ApplicationView, DecisionInput,
    NoticeItem,
};
use zhijia_app::aid::attachment;
use zhijia_app::aid::file::{self, FileDetail, FileInput, FileQuery, FileView, MemberInput};
use zhijia_app::aid::ledger::{self, DisbursementInput, EntryView, LedgerQuery, Totals};
use zhijia_domain::aid::{self as rules, AidKind, AidStatus, FileStatus, HardshipCause};
use zhijia_domain::attachment::MAX_PER_AID_APPLICATION;
use zhijia_domain::ids::{AidApplicationId, AidFileId, AttachmentId, DisbursementId, ObjectionId};
use zhijia_domain::org::OrgId;

/// The same page size as `Pager` counts pages with.
const PER_PAGE: i64 = 30;

/// A form sent back with what was typed and why it was refused, so nothing typed is lost.
/// `form` names which form of the page it belongs to (a page holds several).
#[derive(Debug, Default)]
pub struct Prefill {
    form: &'static str,
    error: Option<String>,
    values: HashMap<String, String>,
}

impl Prefill {
    fn failed(form: &'static str, e: &AppError, values: HashMap<String, String>) -> Self {
        Prefill {
            form,
            error: Some(e.to_string()),
            values,
        }
    }

    /// What was typed in `field` of `form`, or `default` on a fresh page.
    pub fn v<'a>(&'a self, form: &str, field: &str, default: &'a str) -> &'a str {
        if self.form == form {
            self.values.get(field).map_or("", String::as_str)
        } else {
            default
        }
    }

    /// Whether `form` is the one refused (its `<details>` opens).
    pub fn is(&self, form: &str) -> bool {
        self.error.is_some() && self.form == form
    }

    /// 422 for a page sent back with a refusal, 200 otherwise.
    fn status(&self) -> axum::http::StatusCode {
        if self.error.is_some() {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        } else {
            axum::http::StatusCode::OK
        }
    }
}

/// Refusals a person corrects on the form itself; anything else is the error page.
fn correctable(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Invalid(_) | AppError::Conflict(_) | AppError::NotFound(_)
    )
}

/// A form field as text, to send it back.
trait FormValue {
    fn text(&self) -> String;
}

impl FormValue for String {
    fn text(&self) -> String {
        self.clone()
    }
}

impl FormValue for i64 {
    fn text(&self) -> String {
        self.to_string()
    }
}

impl FormValue for Option<String> {
    fn text(&self) -> String {
        self.clone().unwrap_or_default()
    }
}

macro_rules! csrf_form {
    ($name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        #[derive(Debug, Deserialize)]
        pub struct $name {
            csrf: String,
            $(#[serde(default)] $field: $ty,)*
        }
        impl crate::auth::CarriesCsrf for $name {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        }
        impl $name {
            /// The fields as typed, to send the form back after a refusal.
            #[allow(dead_code)]
            fn values(&self) -> HashMap<String, String> {
                let mut m = HashMap::new();
                $(m.insert(stringify!($field).to_owned(), FormValue::text(&self.$field));)*
                m
            }
        }
    };
}

fn labels<T: Copy>(
    all: &[T],
    f: impl Fn(T) -> (&'static str, &'static str),
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|x| f(*x)).collect()
}

// ---------------------------------------------------------------------------------------------
// Files

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FilesPageQuery {
    org: Option<OrgId>,
    status: Option<String>,
    due: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "aid/files.html")]
struct FilesPage {
    user: UserBar,
    form: Prefill,
    org_id: OrgId,
    org_name: String,
    status: String,
    due: bool,
    statuses: Vec<(&'static str, &'static str)>,
    causes: Vec<(&'static str, &'static str)>,
    may_manage: bool,
    identity_linked: bool,
    items: Vec<FileView>,
    pager: Pager,
}

async fn files(
    state: Keyed,
    user: StaffUser,
    q: Result<Query<FilesPageQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    files_page(&state, &user, q, Prefill::default()).await
}

async fn files_page(
    state: &Keyed,
    user: &StaffUser,
    q: FilesPageQuery,
    form: Prefill,
) -> Result<Response, PageError> {
    let ctx = state.aid();
    let (page, limit, offset) = crate::pages::page_window(q.page, PER_PAGE);
    let due = q.due.is_some();
    let query = FileQuery {
        org: q.org,
        status: q.status.clone(),
        due,
        limit: Some(limit),
        offset: Some(offset),
    };
    let (org, list) = file::list(&ctx, &user.ctx(), &query, Utc::now()).await?;
    let status = q.status.unwrap_or_default();
    let base = format!(
        "/console/aid?org={}&status={}{}&",
        org.id.0,
        status,
        if due { "&due=1" } else { "" }
    );
    let status_code = form.status();
    let page = render(&FilesPage {
        user: user.into(),
        form,
        org_id: org.id,
        may_manage: zhijia_app::aid::may_manage(&user.ctx(), &org.path),
        identity_linked: zhijia_app::aid::identity_linked(&state.store, &user.ctx()).await?,
        org_name: org.name,
        status,
        due,
        statuses: labels(FileStatus::ALL, |s| (s.as_str(), s.label())),
        causes: labels(HardshipCause::ALL, |s| (s.as_str(), s.label())),
        pager: Pager::new(page, list.total, base),
        items: list.items,
    });
    Ok((status_code, page).into_response())
}

csrf_form!(NewFileForm {
    head_id_number: String,
    cause: String,
    household_size: i64,
    income: String,
    health: String,
    disability: String,
    housing: String,
    members: String,
});

/// Opens a file; household members come one a line as “姓名,关系,身份证号”.
async fn open_file(
    state: Keyed,
    user: StaffUser,
    form: Result<Form<NewFileForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let values = f.values();
    match open_file_with(&state, &user, f).await {
        Ok(id) => Ok(Redirect::to(&format!("/console/aid/files/{id}")).into_response()),
        Err(e) if correctable(&e) => {
            let form = Prefill::failed("new_file", &e, values);
            files_page(&state, &user, FilesPageQuery::default(), form).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn open_file_with(
    state: &Keyed,
    user: &StaffUser,
    f: NewFileForm,
) -> Result<AidFileId, AppError> {
    let ctx = state.aid();
    let members = f
        .members
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let parts: Vec<&str> = l.split([',', '，']).map(str::trim).collect();
            match parts.as_slice() {
                [name, relation, id] => Ok(MemberInput {
                    name: (*name).into(),
                    relation: (*relation).into(),
                    id_number: (*id).into(),
                }),
                _ => Err(AppError::invalid(
                    "members",
                    "家庭成员每行一人，格式：姓名,关系,身份证号",
                )),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let input = FileInput {
        head_id_number: f.head_id_number,
        cause: f.cause,
        household_size: f.household_size,
        income_per_head_fen: rules::parse_amount("income_per_head_fen", &f.income, true)?,
        health: f.health,
        disability: f.disability,
        housing: f.housing,
        members,
    };
    file::open(&ctx, &user.ctx(), &input, Utc::now()).await
}

csrf_form!(IdentityForm { id_number: String });

async fn my_identity(
    state: Keyed,
    user: StaffUser,
    form: Result<Form<IdentityForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let values = f.values();
    match zhijia_app::aid::link_identity(
        state.aid().db,
        state.aid().keys,
        &user.ctx(),
        &f.id_number,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/console/aid").into_response()),
        Err(e) if correctable(&e) => {
            let form = Prefill::failed("identity", &e, values);
            files_page(&state, &user, FilesPageQuery::default(), form).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "aid/file.html")]
struct FilePage {
    user: UserBar,
    form: Prefill,
    d: FileDetail,
    kinds: Vec<(&'static str, &'static str)>,
    causes: Vec<(&'static str, &'static str)>,
}

impl FilePage {
    fn yuan(&self, fen: &i64) -> String {
        rules::yuan(*fen)
    }
}

async fn file_page(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<AidFileId>,
) -> Result<Response, PageError> {
    file_page_with(&state, &user, id, Prefill::default()).await
}

async fn file_page_with(
    state: &Keyed,
    user: &StaffUser,
    id: AidFileId,
    form: Prefill,
) -> Result<Response, PageError> {
    let ctx = state.aid();
    let d = file::detail(&ctx, &user.ctx(), id).await?;
    let status = form.status();
    Ok((
        status,
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        render(&FilePage {
            user: user.into(),
            form,
            d,
            kinds: labels(AidKind::ALL, |s| (s.as_str(), s.label())),
            causes: labels(HardshipCause::ALL, |s| (s.as_str(), s.label())),
        }),
    )
        .into_response())
}

/// Enters an application; a multipart form, so an education grant's admission letter (and any
/// other file, fields named `file`) goes with it.
async fn apply(
    state: Keyed,
    user: StaffUser,
    Path(id): Path<String>,
    form: Multipart,
) -> Result<Response, PageError> {
    // A form refused while it arrived (a file that is no photo or PDF, or too large) comes back
    // with what was typed, as any other refusal of the form.
    let (mut f, files, refused) = match read_multipart(form, MAX_PER_AID_APPLICATION).await {
        Ok((f, files)) => (f, files, None),
        Err(r) => (r.fields, r.files, Some(r.error)),
    };
    if !user.csrf_ok(f.get("csrf").map_or("", String::as_str)) {
        return Ok(csrf_refused());
    }
    let file_id = AidFileId(parse_id(&id)?);
    let values = f.clone();
    let mut take = |k: &str| f.remove(k).unwrap_or_default();
    let opt = |s: String| Some(s).filter(|s| !s.trim().is_empty());
    let amount = take("amount");
    let input = ApplicationInput {
        file_id,
        kind: take("kind"),
        amount_fen: 0,
        reason: take("reason"),
        student_id: take("student_id").trim().parse().ok(),
        school: opt(take("school")),
        admission_proof: opt(take("admission_proof")),
    };
    let amount_fen = match refused {
        Some(e) => Err(e),
        None => rules::parse_yuan("amount_fen", &amount).map_err(AppError::from),
    };
    let applied = match amount_fen {
        Ok(amount_fen) => {
            let input = ApplicationInput {
                amount_fen,
                ..input
            };
            application::apply_with_files(&state.aid(), &user.ctx(), &input, &files, Utc::now())
                .await
        }
        Err(e) => Err(e),
    };
    match applied {
        Ok(id) => Ok(Redirect::to(&format!("/console/aid/applications/{id}")).into_response()),
        Err(e) if correctable(&e) => {
            let form = Prefill::failed("apply", &e, values);
            file_page_with(&state, &user, file_id, form).await
        }
        Err(e) => Err(e.into()),
    }
}

csrf_form!(ReviewForm {
    cause: String,
    household_size: i64,
    income: String,
    health: String,
    disability: String,
    housing: String,
});

async fn review(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<AidFileId>,
    form: Result<Form<ReviewForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let values = f.values();
    let reviewed = match rules::parse_amount("income_per_head_fen", &f.income, true) {
        Ok(income_per_head_fen) => {
            let input = zhijia_app::aid::file::ReviewInput {
                cause: f.cause,
                household_size: f.household_size,
                income_per_head_fen,
                health: f.health,
                disability: f.disability,
                housing: f.housing,
            };
            file::review(&state.aid(), &user.ctx(), id, &input, Utc::now()).await
        }
        Err(e) => Err(e.into()),
    };
    match reviewed {
        Ok(_) => Ok(Redirect::to(&format!("/console/aid/files/{id}")).into_response()),
        Err(e) if correctable(&e) => {
            file_page_with(&state, &user, id, Prefill::failed("review", &e, values)).await
        }
        Err(e) => Err(e.into()),
    }
}

csrf_form!(ReasonForm { reason: String });

async fn exit(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<AidFileId>,
    form: Result<Form<ReasonForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    match file::exit(&state.aid(), &user.ctx(), id, &f.reason, Utc::now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/console/aid/files/{id}")).into_response()),
        Err(e) if correctable(&e) => {
            file_page_with(&state, &user, id, Prefill::failed("exit", &e, f.values())).await
        }
        Err(e) => Err(e.into()),
    }
}

mod application_pages;
mod ledger_pages;
mod notice_pages;
pub use application_pages::*;
pub use ledger_pages::*;
pub use notice_pages::*;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/aid", get(files))
        .route("/console/aid/files", post(open_file))
        .route("/console/aid/my-identity", post(my_identity))
        .route("/console/aid/files/{id}", get(file_page))
        .route(
            "/console/aid/files/{id}/applications",
            post(apply).layer(DefaultBodyLimit::max(MAX_FORM_BYTES)),
        )
        .route("/console/aid/files/{id}/review", post(review))
        .route("/console/aid/files/{id}/exit", post(exit))
        .route("/console/aid/applications", get(applications))
        .route("/console/aid/applications/{id}", get(application_page))
        .route("/console/aid/applications/{id}/decision", post(decide))
        .route("/console/aid/applications/{id}/objections", post(object))
        .route(
            "/console/aid/applications/{id}/attachments",
            post(attach).layer(DefaultBodyLimit::max(MAX_FORM_BYTES)),
        )
        .route(
            "/console/aid/applications/{id}/files/{file}",
            get(staff_file),
        )
        .route(
            "/console/aid/applications/{id}/disbursements",
            post(disburse),
        )
        .route("/console/aid/objections/{id}", post(resolve))
        .route("/console/aid/ledger", get(ledger_page))
        .route("/console/aid/ledger/{id}/reversal", post(reverse))
        .route("/aid/notice", get(notice))
}
