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
    org: Option<i64>,
    status: Option<String>,
    due: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "aid_files.html")]
struct FilesPage {
    user: UserBar,
    form: Prefill,
    org_id: i64,
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
        org_id: org.id.0,
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

async fn open_file_with(state: &Keyed, user: &StaffUser, f: NewFileForm) -> Result<i64, AppError> {
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
#[template(path = "aid_file.html")]
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

async fn file_page(state: Keyed, user: StaffUser, Id(id): Id) -> Result<Response, PageError> {
    file_page_with(&state, &user, id, Prefill::default()).await
}

async fn file_page_with(
    state: &Keyed,
    user: &StaffUser,
    id: i64,
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
    let (mut f, files) = read_multipart(form).await?;
    if !user.csrf_ok(f.get("csrf").map_or("", String::as_str)) {
        return Ok(csrf_refused());
    }
    let file_id = parse_id(&id)?;
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
    let applied = match rules::parse_yuan("amount_fen", &amount) {
        Ok(amount_fen) => {
            let input = ApplicationInput {
                amount_fen,
                ..input
            };
            application::apply_with_files(&state.aid(), &user.ctx(), &input, &files, Utc::now())
                .await
        }
        Err(e) => Err(e.into()),
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
    Id(id): Id,
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
    Id(id): Id,
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

// ---------------------------------------------------------------------------------------------
// Applications

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ApplicationsPageQuery {
    org: Option<i64>,
    status: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "aid_applications.html")]
struct ApplicationsPage {
    user: UserBar,
    org_id: i64,
    org_name: String,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    items: Vec<ApplicationView>,
    pager: Pager,
}

async fn applications(
    state: Keyed,
    user: StaffUser,
    q: Result<Query<ApplicationsPageQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let (page, limit, offset) = crate::pages::page_window(q.page, PER_PAGE);
    let query = ApplicationQuery {
        org: q.org,
        status: q.status.clone(),
        limit: Some(limit),
        offset: Some(offset),
    };
    let (org, list) = application::list(&state.aid(), &user.ctx(), &query).await?;
    let status = q.status.unwrap_or_default();
    let base = format!(
        "/console/aid/applications?org={}&status={}&",
        org.id.0, status
    );
    Ok(render(&ApplicationsPage {
        user: (&user).into(),
        org_id: org.id.0,
        org_name: org.name,
        status,
        statuses: labels(AidStatus::ALL, |s| (s.as_str(), s.label())),
        pager: Pager::new(page, list.total, base),
        items: list.items,
    }))
}

#[derive(Template)]
#[template(path = "aid_application.html")]
struct ApplicationPage {
    user: UserBar,
    form: Prefill,
    d: ApplicationDetail,
    methods: Vec<(&'static str, &'static str)>,
    today: chrono::NaiveDate,
}

impl ApplicationPage {
    fn paid_yuan(&self) -> String {
        rules::yuan(self.d.paid_fen)
    }
    /// A file's size for people: “1.2 MB”, “35 KB”.
    fn size(&self, bytes: &i64) -> String {
        if *bytes >= 1_048_576 {
            format!("{:.1} MB", *bytes as f64 / 1_048_576.0)
        } else {
            format!("{} KB", (*bytes + 1023) / 1024)
        }
    }
    fn is_current(&self, index: &usize) -> bool {
        self.d.application.current_stage == Some(*index as i64)
    }
}

async fn application_page(
    state: Keyed,
    user: StaffUser,
    Id(id): Id,
) -> Result<Response, PageError> {
    application_page_with(&state, &user, id, Prefill::default()).await
}

async fn application_page_with(
    state: &Keyed,
    user: &StaffUser,
    id: i64,
    form: Prefill,
) -> Result<Response, PageError> {
    let ctx = state.aid();
    let d = application::detail(&ctx, &user.ctx(), id).await?;
    let status = form.status();
    let page = render(&ApplicationPage {
        user: user.into(),
        form,
        d,
        methods: labels(rules::PaymentMethod::ALL, |s| (s.as_str(), s.label())),
        today: zhijia_app::today(Utc::now()),
    });
    Ok((status, page).into_response())
}

/// After a step on an application's page: back to the page, or the page again with the refusal
/// and what was typed in the form that was sent.
async fn after_step(
    state: &Keyed,
    user: &StaffUser,
    id: i64,
    form: &'static str,
    result: Result<(), AppError>,
    values: HashMap<String, String>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/console/aid/applications/{id}")).into_response()),
        Err(e) if correctable(&e) => {
            application_page_with(state, user, id, Prefill::failed(form, &e, values)).await
        }
        Err(e) => Err(e.into()),
    }
}

csrf_form!(DecisionForm {
    stage: i64,
    approve: Option<String>,
    reason: String,
});

async fn decide(
    state: Keyed,
    user: StaffUser,
    Id(id): Id,
    form: Result<Form<DecisionForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let values = f.values();
    let input = DecisionInput {
        stage: f.stage,
        approve: f.approve.is_some(),
        reason: f.reason,
    };
    after_step(
        &state,
        &user,
        id,
        "decision",
        application::decide(&state.aid(), &user.ctx(), id, &input, Utc::now())
            .await
            .map(|_| ()),
        values,
    )
    .await
}

/// An aid officer attaches files to an application (multipart, fields named `file`).
async fn attach(
    state: Keyed,
    user: StaffUser,
    Id(id): Id,
    form: Multipart,
) -> Result<Response, PageError> {
    let (fields, files) = read_multipart(form).await?;
    if !user.csrf_ok(fields.get("csrf").map_or("", String::as_str)) {
        return Ok(csrf_refused());
    }
    let attached = attachment::attach(&state.aid(), &user.ctx(), id, &files, Utc::now()).await;
    after_step(
        &state,
        &user,
        id,
        "attach",
        attached.map(|_| ()),
        HashMap::new(),
    )
    .await
}

async fn staff_file(
    state: Keyed,
    user: StaffUser,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (id, file) = (parse_id(&id)?, parse_id(&file)?);
    let f = attachment::staff_file(&state.aid(), &user.ctx(), id, file).await?;
    Ok(file_response(f))
}

csrf_form!(ObjectionForm { detail: String });

async fn object(
    state: Keyed,
    user: StaffUser,
    Id(id): Id,
    form: Result<Form<ObjectionForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let sc = user.ctx();
    let objected = application::object(
        &state.aid(),
        &user.actor,
        Some(&sc),
        id,
        &f.detail,
        Utc::now(),
    )
    .await
    .map(|_| ());
    after_step(&state, &user, id, "objection", objected, f.values()).await
}

csrf_form!(ResolveForm {
    upheld: Option<String>,
    note: String,
    application: i64,
});

async fn resolve(
    state: Keyed,
    user: StaffUser,
    Id(id): Id,
    form: Result<Form<ResolveForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let resolved = application::resolve(&state.aid(), &user.ctx(), id, f.upheld.is_some(), &f.note)
        .await
        .map(|_| ());
    after_step(
        &state,
        &user,
        f.application,
        "resolve",
        resolved,
        f.values(),
    )
    .await
}

csrf_form!(PayForm {
    amount: String,
    fund_source: String,
    method: String,
});

async fn disburse(
    state: Keyed,
    user: StaffUser,
    Id(id): Id,
    form: Result<Form<PayForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let values = f.values();
    let paid = match rules::parse_yuan("amount_fen", &f.amount) {
        Ok(amount_fen) => {
            let input = DisbursementInput {
                application_id: id,
                amount_fen,
                fund_source: f.fund_source,
                method: f.method,
                paid_on: None,
            };
            ledger::disburse(&state.aid(), &user.ctx(), &input, Utc::now())
                .await
                .map(|_| ())
        }
        Err(e) => Err(e.into()),
    };
    after_step(&state, &user, id, "pay", paid, values).await
}

// ---------------------------------------------------------------------------------------------
// Ledger

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LedgerPageQuery {
    org: Option<i64>,
    year: Option<i64>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "aid_ledger.html")]
struct LedgerPage {
    user: UserBar,
    org_id: i64,
    org_name: String,
    year: String,
    export: String,
    items: Vec<EntryView>,
    totals: Totals,
    pager: Pager,
}

impl LedgerPage {
    fn yuan(&self, fen: &i64) -> String {
        rules::yuan(*fen)
    }
}

async fn ledger_page(
    state: Keyed,
    user: StaffUser,
    q: Result<Query<LedgerPageQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let (page, limit, offset) = crate::pages::page_window(q.page, PER_PAGE);
    let query = LedgerQuery {
        org: q.org,
        year: q.year,
        file: None,
        limit: Some(limit),
        offset: Some(offset),
    };
    let (org, l) = ledger::list(&state.aid(), &user.ctx(), &query).await?;
    let year = q.year.map(|y| y.to_string()).unwrap_or_default();
    Ok(render(&LedgerPage {
        user: (&user).into(),
        export: format!(
            "/api/v1/aid/ledger/export.xlsx?org={}&year={year}",
            org.id.0
        ),
        pager: Pager::new(
            page,
            l.page.total,
            format!("/console/aid/ledger?org={}&year={year}&", org.id.0),
        ),
        org_id: org.id.0,
        org_name: org.name,
        year,
        items: l.page.items,
        totals: l.totals,
    }))
}

async fn reverse(
    state: Keyed,
    user: StaffUser,
    Id(id): Id,
    form: Result<Form<ReasonForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    ledger::reverse(&state.aid(), &user.ctx(), id, &f.reason, Utc::now()).await?;
    Ok(Redirect::to("/console/aid/ledger").into_response())
}

// ---------------------------------------------------------------------------------------------
// Public notice

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticePageQuery {
    org: Option<i64>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "aid_notice.html")]
struct NoticePage {
    items: Vec<NoticeItem>,
    pager: Pager,
}

async fn notice(
    State(state): State<AppState>,
    q: Result<Query<NoticePageQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let (page, limit, offset) = crate::pages::page_window(q.page, PER_PAGE);
    let list =
        application::notice(&state.store, q.org, Some(limit), Some(offset), Utc::now()).await?;
    let base = match q.org {
        Some(o) => format!("/aid/notice?org={o}&"),
        None => "/aid/notice?".into(),
    };
    Ok(render(&NoticePage {
        pager: Pager::new(page, list.total, base),
        items: list.items,
    }))
}

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
