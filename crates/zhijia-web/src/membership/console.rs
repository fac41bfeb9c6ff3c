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
use zhijia_domain::ids::{ImportId, JoinApplicationId, MembershipId, TransferId};
use zhijia_domain::member::TransferStatus;
use zhijia_domain::org::OrgId;
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
    org: Option<OrgId>,
    overdue: Option<String>,
    status: Option<String>,
    page: Option<i64>,
    size: Option<i64>,
    /// A notice after a decision (`approved`, `rejected`, `batch`) and how many.
    done: Option<String>,
    n: Option<i64>,
}

#[derive(Template)]
#[template(path = "membership/applications.html")]
struct ApplicationsPage {
    user: UserBar,
    org_id: OrgId,
    org_name: String,
    overdue: bool,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    today: chrono::NaiveDate,
    items: Vec<Application>,
    pager: Pager,
    notice: Option<String>,
}

impl ApplicationsPage {
    fn route_label(&self, r: &str) -> &'static str {
        Route::label(r)
    }
    fn occupation(&self, g: &str) -> &'static str {
        crate::console::labels::occupation(g)
    }
}

fn decision_notice(done: Option<&str>, n: Option<i64>) -> Option<String> {
    match done? {
        "approved" => Some("已通过该入会申请，申请人会收到通知。".into()),
        "rejected" => Some("已不予通过该入会申请，原因已告知申请人。".into()),
        "batch" => Some(format!("已通过所选的 {} 件入会申请。", n.unwrap_or(0))),
        _ => None,
    }
}

async fn applications(
    state: Keyed,
    user: StaffUser,
    q: Result<Query<QueuePageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let size = crate::pages::page_size(q.size, PER_PAGE);
    let (page, limit, offset) = crate::pages::page_window(q.page, size);
    let overdue = q.overdue.as_deref().is_some_and(|o| !o.is_empty());
    let status = q
        .status
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "pending".into());
    let now = Utc::now();
    let query = QueueQuery {
        org: q.org,
        status: Some(status.clone()),
        overdue,
        limit: Some(limit),
        offset: Some(offset),
    };
    let (org, list) = join::queue(&state.membership(), &user.ctx(), &query, now).await?;
    let base = format!(
        "/console/applications?org={}&status={}{}&size={size}&",
        org.id.0,
        enc(&status),
        if overdue { "&overdue=1" } else { "" }
    );
    Ok(render(&ApplicationsPage {
        user: (&user).into(),
        org_id: org.id,
        org_name: org.name,
        overdue,
        statuses: zhijia_domain::member::ApplicationStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        status,
        today: zhijia_app::today(now),
        pager: Pager::sized(page, size, list.total, base),
        items: list.items,
        notice: decision_notice(q.done.as_deref(), q.n),
    }))
}

#[derive(Template)]
#[template(path = "membership/application.html")]
struct ApplicationPage {
    user: UserBar,
    a: zhijia_app::membership::review::ApplicationDetail,
    /// The reason typed before a refused rejection, and what was wrong with it.
    reason: String,
    error: Option<String>,
}

/// One application, whole, with the decision buttons: a reviewer decides here, never from a
/// list row.
async fn application_page(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<JoinApplicationId>,
) -> Result<Response, PageError> {
    let a =
        zhijia_app::membership::review::detail(&state.membership(), &user.ctx(), id, Utc::now())
            .await?;
    Ok(render(&ApplicationPage {
        user: (&user).into(),
        a,
        reason: String::new(),
        error: None,
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
    Id(id): Id<JoinApplicationId>,
    form: Result<Form<DecisionForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let approve = form.approve.is_some();
    let decision = if approve {
        Decision::Approve
    } else {
        Decision::Reject {
            reason: form.reason.clone(),
        }
    };
    let now = Utc::now();
    match join::decide(&state.membership(), &user.ctx(), id, decision, now).await {
        Ok(app) => Ok(Redirect::to(&format!(
            "/console/applications?org={}&done={}",
            app.org_id.0,
            if approve { "approved" } else { "rejected" }
        ))
        .into_response()),
        // A rejection without a usable reason comes back to the page, the reason kept.
        Err(zhijia_app::AppError::Invalid(e)) => {
            let a =
                zhijia_app::membership::review::detail(&state.membership(), &user.ctx(), id, now)
                    .await?;
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                render(&ApplicationPage {
                    user: (&user).into(),
                    a,
                    reason: form.reason,
                    error: Some(e.message.to_string()),
                }),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Approves the applications ticked on the list, each through the same use case (each with
/// its own audit entry and notice). Only approval is offered in bulk: a rejection needs its
/// own reason, given on the application's page.
async fn batch_approve(
    state: Keyed,
    user: StaffUser,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, PageError> {
    let Ok(Form(fields)) = form else {
        return Ok(csrf_refused());
    };
    let csrf = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map_or("", |(_, v)| v.as_str());
    if !user.csrf_ok(csrf) {
        return Ok(csrf_refused());
    }
    let ids: Vec<i64> = fields
        .iter()
        .filter(|(k, _)| k == "id")
        .filter_map(|(_, v)| v.trim().parse().ok())
        .take(100)
        .collect();
    let org = fields
        .iter()
        .find(|(k, _)| k == "org")
        .and_then(|(_, v)| v.trim().parse::<i64>().ok());
    if ids.is_empty() {
        return Err(zhijia_app::AppError::invalid("id", "请先勾选要通过的申请").into());
    }
    let now = Utc::now();
    let mut n = 0;
    for id in ids {
        let id = JoinApplicationId(id);
        join::decide(&state.membership(), &user.ctx(), id, Decision::Approve, now).await?;
        n += 1;
    }
    let org = org.map(|o| format!("org={o}&")).unwrap_or_default();
    Ok(Redirect::to(&format!("/console/applications?{org}done=batch&n={n}")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TransferPageQuery {
    org: Option<OrgId>,
    status: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "membership/transfers.html")]
struct TransfersPage {
    user: UserBar,
    org_id: OrgId,
    org_name: String,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    items: Vec<Transfer>,
    pager: Pager,
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
        org_id: org.id,
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
    Id(id): Id<TransferId>,
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
    Ok(Redirect::to(&format!(
        "/console/transfers?status={}",
        enc(t.status.as_str())
    ))
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RosterPageQuery {
    org: Option<OrgId>,
    q: Option<String>,
    status: Option<String>,
    joined_from: Option<String>,
    joined_to: Option<String>,
    gig: Option<String>,
    page: Option<i64>,
    size: Option<i64>,
}

#[derive(Template)]
#[template(path = "membership/roster.html")]
struct RosterPage {
    user: UserBar,
    org_id: OrgId,
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
    let size = crate::pages::page_size(q.size, PER_PAGE);
    let (page, limit, offset) = crate::pages::page_window(q.page, size);
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
        org_id: org.id,
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
        pager: Pager::sized(
            page,
            size,
            list.total,
            format!("/console/roster?{filters}&size={size}&"),
        ),
        items: list.items,
    }))
}

#[derive(Template)]
#[template(path = "membership/member.html")]
struct MemberPage {
    user: UserBar,
    d: MemberDetail,
    full_id: Option<String>,
}

async fn member_page(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<MembershipId>,
) -> Result<Response, PageError> {
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
    Id(id): Id<MembershipId>,
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
    org: Option<OrgId>,
}

#[derive(Template)]
#[template(path = "membership/roster_import.html")]
struct ImportPage {
    user: UserBar,
    org_id: OrgId,
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
        org_id: org.id,
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
    use zhijia_app::membership::import::{HEAD_BYTES, MAX_UPLOAD, check_head};
    let mut csrf = String::new();
    let mut org: Option<OrgId> = None;
    let mut file: Option<(String, Vec<u8>)> = None;
    // The file is read as it arrives: refused on its first bytes when it cannot be a roster and
    // as soon as it passes the limit, without reading the rest of the request.
    let mut refused: Option<zhijia_app::AppError> = None;
    'parts: while let Ok(Some(mut field)) = form.next_field().await {
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("org") => org = field.text().await.ok().and_then(|t| t.trim().parse().ok()),
            Some("file") => {
                let name = field.file_name().unwrap_or("roster").to_owned();
                let mut bytes = Vec::new();
                let mut checked = false;
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
                        Ok(None) => break,
                        Err(_) => {
                            return Err(zhijia_app::AppError::invalid(
                                "file",
                                "文件上传不完整或超过20MB，请重试",
                            )
                            .into());
                        }
                    }
                    if !checked && bytes.len() >= HEAD_BYTES {
                        if let Err(e) = check_head(&bytes) {
                            refused = Some(e);
                            break 'parts;
                        }
                        checked = true;
                    }
                    if bytes.len() > MAX_UPLOAD {
                        refused = Some(zhijia_app::AppError::invalid(
                            "file",
                            "文件超过20MB，请分批上传或使用命令行 zhijia import members",
                        ));
                        break 'parts;
                    }
                }
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    if refused.is_some() {
        crate::attachment::drain_later(form);
    }
    if !user.csrf_ok(&csrf) {
        return Ok(csrf_refused());
    }
    let org_row =
        zhijia_app::membership::review_scope(&state.membership(), &user.ctx(), org).await?;
    if let Some(e) = refused {
        return Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            render(&import_page(&user, &org_row, None, Some(e.to_string()))),
        )
            .into_response());
    }
    let (name, bytes) = file.unwrap_or_default();
    let result = zhijia_app::membership::import::upload(
        &state.membership(),
        &user.ctx(),
        org_row.id,
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

/// The import template, with the headers the importer reads: `.xlsx` or `.csv`.
async fn import_template(
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Result<Response, PageError> {
    use axum::http::header;
    let (bytes, kind) = match name.as_str() {
        "template.xlsx" => (
            zhijia_app::slow::run(super::xlsx::import_template).await??,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "template.csv" => (
            super::xlsx::import_template_csv(),
            "text/csv; charset=utf-8",
        ),
        _ => return Err(zhijia_app::AppError::NotFound("模板").into()),
    };
    let ext = name.rsplit('.').next().unwrap_or("csv");
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"roster-template.{ext}\"; filename*=UTF-8''%E4%BC%9A%E5%91%98%E5%90%8D%E5%86%8C%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.{ext}"
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The error report of an upload, as CSV.
async fn import_errors(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<ImportId>,
) -> Result<Response, PageError> {
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
    Id(id): Id<MembershipId>,
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
        .route("/console/applications/batch", post(batch_approve))
        .route("/console/applications/{id}", get(application_page))
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
        .route("/console/roster/import/{name}", get(import_template))
}

crate::auth::carries_csrf!(CsrfForm, DecisionForm, RetiredForm, TransferForm);
