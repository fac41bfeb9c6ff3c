//! Staff console pages of membership: the review queue, transfers, the roster and a member.

use crate::auth::{StaffUser, checked_form, csrf_refused};
use crate::extract::{Id, Keyed};
use crate::filters;
use crate::pages::render;
use crate::pages::{Pager, UserBar};
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;
use zhijia_app::membership::join::{self, Decision, Route};
use zhijia_app::membership::roster::{self, MemberDetail, RosterItem, RosterQuery};
use zhijia_app::membership::{QueueQuery, transfer};
use zhijia_domain::member::TransferStatus;
use zhijia_store::membership::{Application, Transfer};

const PER_PAGE: i64 = 20;

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueuePageQuery {
    org: Option<i64>,
    overdue: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "applications.html")]
struct ApplicationsPage {
    user: UserBar,
    org_id: i64,
    org_name: String,
    overdue: bool,
    today: chrono::NaiveDate,
    items: Vec<Application>,
    pager: Pager,
}

impl ApplicationsPage {
    fn route_label(&self, r: &str) -> &'static str {
        Route::label(r)
    }
}

async fn applications(
    state: Keyed,
    user: StaffUser,
    q: Result<Query<QueuePageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let (page, limit, offset) = crate::pages::page_window(q.page, PER_PAGE);
    let overdue = q.overdue.is_some();
    let now = Utc::now();
    let query = QueueQuery {
        org: q.org,
        status: None,
        overdue,
        limit: Some(limit),
        offset: Some(offset),
    };
    let (org, list) = join::queue(&state.membership(), &user.ctx(), &query, now).await?;
    let base = format!(
        "/console/applications?org={}{}&",
        org.id.0,
        if overdue { "&overdue=1" } else { "" }
    );
    Ok(render(&ApplicationsPage {
        user: (&user).into(),
        org_id: org.id.0,
        org_name: org.name,
        overdue,
        today: zhijia_app::today(now),
        pager: Pager::new(page, list.total, base),
        items: list.items,
    }))
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    csrf: String,
    approve: Option<String>,
    #[serde(default)]
    reason: String,
}

async fn decide(
    state: Keyed,
    user: StaffUser,
    Id(id): Id,
    form: Result<Form<DecisionForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let decision = if form.approve.is_some() {
        Decision::Approve
    } else {
        Decision::Reject {
            reason: form.reason,
        }
    };
    let app = join::decide(&state.membership(), &user.ctx(), id, decision, Utc::now()).await?;
    Ok(Redirect::to(&format!("/console/applications?org={}", app.org_id.0)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TransferPageQuery {
    org: Option<i64>,
    status: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "transfers.html")]
struct TransfersPage {
    user: UserBar,
    org_id: i64,
    org_name: String,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    items: Vec<Transfer>,
    pager: Pager,
}

impl TransfersPage {
    fn label(&self, status: &str) -> &'static str {
        TransferStatus::parse(status).map_or("", TransferStatus::label)
    }
}

impl MemberPage {
    fn transfer_label(&self, status: &str) -> &'static str {
        TransferStatus::parse(status).map_or("", TransferStatus::label)
    }

    fn membership_label(&self, status: &str) -> &'static str {
        zhijia_domain::member::MembershipStatus::parse(status)
            .map_or("", zhijia_domain::member::MembershipStatus::label)
    }
}

async fn transfers(
    state: Keyed,
    user: StaffUser,
    q: Result<Query<TransferPageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let (page, limit, offset) = crate::pages::page_window(q.page, PER_PAGE);
    let query = QueueQuery {
        org: q.org,
        status: q.status.clone(),
        overdue: false,
        limit: Some(limit),
        offset: Some(offset),
    };
    let (org, list) = transfer::queue(&state.membership(), &user.ctx(), &query).await?;
    let status = q.status.unwrap_or_else(|| "awaiting_release".into());
    let base = format!(
        "/console/transfers?org={}&status={}&",
        org.id.0,
        enc(&status)
    );
    Ok(render(&TransfersPage {
        user: (&user).into(),
        org_id: org.id.0,
        org_name: org.name,
        status,
        statuses: TransferStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        pager: Pager::new(page, list.total, base),
        items: list.items,
    }))
}

#[derive(Debug, Deserialize)]
pub struct TransferForm {
    csrf: String,
    /// release, refuse or accept
    act: String,
    #[serde(default)]
    reason: String,
}

async fn act_on_transfer(
    state: Keyed,
    user: StaffUser,
    Id(id): Id,
    form: Result<Form<TransferForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let t = match form.act.as_str() {
        "release" => transfer::answer_release(&state.membership(), &user.ctx(), id, None).await?,
        "refuse" => {
            transfer::answer_release(
                &state.membership(),
                &user.ctx(),
                id,
                Some(form.reason.as_str()),
            )
            .await?
        }
        _ => transfer::accept(&state.membership(), &user.ctx(), id, Utc::now()).await?,
    };
    Ok(Redirect::to(&format!("/console/transfers?status={}", enc(&t.status))).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RosterPageQuery {
    org: Option<i64>,
    q: Option<String>,
    status: Option<String>,
    joined_from: Option<String>,
    joined_to: Option<String>,
    gig: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "roster.html")]
struct RosterPage {
    user: UserBar,
    org_id: i64,
    org_name: String,
    q: String,
    status: String,
    joined_from: String,
    joined_to: String,
    gig: String,
    gigs: Vec<(&'static str, &'static str)>,
    export: String,
    items: Vec<RosterItem>,
    pager: Pager,
}

async fn roster_page(
    state: Keyed,
    user: StaffUser,
    q: Result<Query<RosterPageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let (page, limit, offset) = crate::pages::page_window(q.page, PER_PAGE);
    let query = RosterQuery {
        org: q.org,
        q: q.q.clone(),
        status: q.status.clone(),
        joined_from: q.joined_from.clone(),
        joined_to: q.joined_to.clone(),
        gig: q.gig.clone(),
        limit: Some(limit),
        offset: Some(offset),
    };
    let (org, list) = roster::list(&state.membership(), &user.ctx(), &query).await?;
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let filters = format!(
        "org={}&q={}&status={}&joined_from={}&joined_to={}&gig={}",
        org.id.0,
        enc(&s(&q.q)),
        enc(&s(&q.status)),
        enc(&s(&q.joined_from)),
        enc(&s(&q.joined_to)),
        enc(&s(&q.gig))
    );
    Ok(render(&RosterPage {
        user: (&user).into(),
        org_id: org.id.0,
        org_name: org.name,
        q: s(&q.q),
        status: s(&q.status),
        joined_from: s(&q.joined_from),
        joined_to: s(&q.joined_to),
        gig: s(&q.gig),
        gigs: zhijia_domain::worker::GigOccupation::ALL
            .iter()
            .map(|g| (g.as_str(), g.label()))
            .collect(),
        export: format!("/api/v1/roster/export.xlsx?{filters}"),
        pager: Pager::new(page, list.total, format!("/console/roster?{filters}&")),
        items: list.items,
    }))
}

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPage {
    user: UserBar,
    d: MemberDetail,
    full_id: Option<String>,
}

async fn member_page(state: Keyed, user: StaffUser, Id(id): Id) -> Result<Response, PageError> {
    let d = roster::detail(&state.membership(), &user.ctx(), id).await?;
    Ok(render(&MemberPage {
        user: (&user).into(),
        d,
        full_id: None,
    }))
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// Shows the full identity number once, on this response only; the view is audited.
async fn reveal(
    state: Keyed,
    user: StaffUser,
    Id(id): Id,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(_) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let full = roster::reveal_id_number(&state.membership(), &user.ctx(), id).await?;
    let d = roster::detail(&state.membership(), &user.ctx(), id).await?;
    Ok((
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        render(&MemberPage {
            user: (&user).into(),
            d,
            full_id: Some(full),
        }),
    )
        .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OrgQuery {
    org: Option<i64>,
}

#[derive(Template)]
#[template(path = "roster_import.html")]
struct ImportPage {
    user: UserBar,
    org_id: i64,
    org_name: String,
    columns: Vec<(&'static str, bool)>,
    result: Option<zhijia_app::membership::import::Uploaded>,
    error: Option<String>,
}

async fn import_form(
    state: Keyed,
    user: StaffUser,
    q: Result<Query<OrgQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let org = zhijia_app::membership::review_scope(&state.membership(), &user.ctx(), q.org).await?;
    Ok(render(&import_page(&user, &org, None, None)))
}

fn import_page(
    user: &StaffUser,
    org: &zhijia_store::org::Org,
    result: Option<zhijia_app::membership::import::Uploaded>,
    error: Option<String>,
) -> ImportPage {
    ImportPage {
        user: user.into(),
        org_id: org.id.0,
        org_name: org.name.clone(),
        columns: zhijia_app::membership::import::COLUMNS
            .iter()
            .map(|(_, h, required)| (*h, *required))
            .collect(),
        result,
        error,
    }
}

/// The upload: a multipart form with `csrf`, `org` and `file`.
async fn import_submit(
    state: Keyed,
    user: StaffUser,
    mut form: axum::extract::Multipart,
) -> Result<Response, PageError> {
    let mut csrf = String::new();
    let mut org: Option<i64> = None;
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Ok(Some(field)) = form.next_field().await {
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("org") => org = field.text().await.ok().and_then(|t| t.trim().parse().ok()),
            Some("file") => {
                let name = field.file_name().unwrap_or("roster").to_owned();
                let bytes = field.bytes().await.map_err(|_| {
                    zhijia_app::AppError::invalid("file", "文件上传不完整或超过20MB，请重试")
                })?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    if !user.csrf_ok(&csrf) {
        return Ok(csrf_refused());
    }
    let org_row =
        zhijia_app::membership::review_scope(&state.membership(), &user.ctx(), org).await?;
    let (name, bytes) = file.unwrap_or_default();
    let result = zhijia_app::membership::import::upload(
        &state.membership(),
        &user.ctx(),
        org_row.id.0,
        &name,
        bytes,
        Utc::now(),
    )
    .await;
    match result {
        Ok(up) => Ok(render(&import_page(&user, &org_row, Some(up), None))),
        Err(e @ zhijia_app::AppError::Invalid(_)) => Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            render(&import_page(&user, &org_row, None, Some(e.to_string()))),
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

/// The error report of an upload, as CSV.
async fn import_errors(state: Keyed, user: StaffUser, Id(id): Id) -> Result<Response, PageError> {
    let (_, csv) =
        zhijia_app::membership::import::error_report(&state.membership(), &user.ctx(), id).await?;
    Ok(super::api::csv_attachment(
        csv,
        &format!("import-{id}-errors.csv"),
    ))
}

#[derive(Debug, Deserialize)]
pub struct RetiredForm {
    csrf: String,
    retired: String,
}

/// Marks the member retired (membership kept) or active again.
async fn set_retired(
    state: Keyed,
    user: StaffUser,
    Id(id): Id,
    form: Result<Form<RetiredForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    transfer::set_retired(&state.membership(), &user.ctx(), id, form.retired == "1").await?;
    Ok(Redirect::to(&format!("/console/members/{id}")).into_response())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/applications", get(applications))
        .route("/console/applications/{id}/decision", post(decide))
        .route("/console/transfers", get(transfers))
        .route("/console/transfers/{id}", post(act_on_transfer))
        .route("/console/roster", get(roster_page))
        .route("/console/members/{id}", get(member_page))
        .route("/console/members/{id}/id-number", post(reveal))
        .route("/console/members/{id}/retired", post(set_retired))
        .route(
            "/console/roster/import",
            get(import_form)
                .post(import_submit)
                .layer(axum::extract::DefaultBodyLimit::max(
                    zhijia_app::membership::import::MAX_UPLOAD + 64 * 1024,
                )),
        )
        .route("/console/imports/{id}/errors.csv", get(import_errors))
}

crate::auth::carries_csrf!(CsrfForm, DecisionForm, RetiredForm, TransferForm);
