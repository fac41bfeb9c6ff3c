//! The worker's membership pages (mobile): join form, my membership with inbox, the member card,
//! and the public card check page.

use crate::auth::worker::WorkerUser;
use crate::auth::{checked_form, csrf_refused};
use crate::extract::{Id, Keyed};
use crate::filters;
use crate::pages::render;
use crate::region::Picker;
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Datelike, Utc};
use serde::Deserialize;
use zhijia_app::AppError;
use zhijia_app::membership::card::{self, Card, CardCheck};
use zhijia_app::membership::join::{self, JoinInput, Route};
use zhijia_app::membership::pickers;
use zhijia_app::membership::transfer;
use zhijia_domain::codes::{
    Education, Ethnicity, HukouType, MaritalStatus, PoliticalStatus, SkillLevel,
};
use zhijia_domain::ids::{TransferId, WorkerId};
use zhijia_domain::member::{
    ApplicationStatus, CONSENT_TEXT, EndReason, MembershipStatus, TransferStatus,
};
use zhijia_domain::worker::GigOccupation;
use zhijia_store::membership::{self as store, Application, Membership, Transfer};

/// (code, label) pairs of a select box.
type Options = Vec<(&'static str, &'static str)>;

fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Options {
    all.iter().map(|v| (code(*v), label(*v))).collect()
}

#[derive(Template)]
#[template(path = "membership/join.html")]
struct JoinPage {
    csrf: String,
    /// The path the worker chose ("employee" or "gig"); none yet: the page asks first.
    path: Option<&'static str>,
    /// An application already waiting: the page says so instead of offering another.
    pending: Option<Pending>,
    form: JoinForm,
    error: Option<String>,
    error_field: Option<&'static str>,
    ethnicities: Options,
    educations: Options,
    political: Options,
    marital: Options,
    hukou: Options,
    skills: Options,
    gigs: Options,
    hukou_region: Picker,
    work_city: Picker,
    consent_text: &'static str,
}

impl JoinPage {
    /// The message for `field`, when the form's error is about it.
    fn err(&self, field: &str) -> Option<&str> {
        (self.error_field == Some(field))
            .then_some(self.error.as_deref())
            .flatten()
    }
    fn is_err(&self, field: &str) -> bool {
        self.err(field).is_some()
    }
    fn gig(&self) -> bool {
        self.path == Some("gig")
    }
    /// The optional personal fields stay open when one is filled in or at fault.
    fn more_open(&self) -> bool {
        let f = &self.form;
        [
            &f.ethnicity,
            &f.education,
            &f.political_status,
            &f.marital_status,
            &f.hukou_type,
            &f.hukou_region,
            &f.skill_level,
            &f.emergency_contact,
            &f.emergency_phone,
        ]
        .iter()
        .any(|v| !v.trim().is_empty())
            || self.error_field.is_some_and(|e| {
                [
                    "ethnicity",
                    "education",
                    "political_status",
                    "marital_status",
                    "hukou_type",
                    "hukou_region",
                    "skill_level",
                    "emergency_contact",
                    "emergency_phone",
                ]
                .contains(&e)
            })
    }
}

/// A join application waiting for review, as the worker reads it.
pub(crate) struct Pending {
    pub org_name: String,
    pub due_on: String,
    pub submitted_on: String,
}

/// A date as people say it: 12月28日, with the year only when it is not this year.
fn spoken_date(d: chrono::NaiveDate) -> String {
    if d.year() == zhijia_app::today(Utc::now()).year() {
        d.format("%-m月%-d日").to_string()
    } else {
        d.format("%Y年%-m月%-d日").to_string()
    }
}

/// The worker's application waiting for review, if any.
pub(crate) async fn pending_of(
    db: &zhijia_store::Store,
    worker_id: WorkerId,
) -> Result<Option<Pending>, AppError> {
    Ok(store::applications_of(db, worker_id)
        .await?
        .into_iter()
        .find(|a| a.status == ApplicationStatus::Pending)
        .map(|a| Pending {
            org_name: a.org_name,
            due_on: spoken_date(a.due_on),
            submitted_on: zhijia_app::today(a.submitted_at)
                .format("%-m月%-d日")
                .to_string(),
        }))
}

async fn pending_of_phone(
    db: &zhijia_store::Store,
    phone: &str,
) -> Result<Option<Pending>, AppError> {
    match zhijia_store::worker::find_by_phone(db, phone).await? {
        Some(w) => pending_of(db, w.id).await,
        None => Ok(None),
    }
}

/// The join form as posted: checkboxes arrive as "on", numbers as text.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct JoinForm {
    pub csrf: String,
    pub name: String,
    pub id_number: String,
    pub ethnicity: String,
    pub education: String,
    pub political_status: String,
    pub hukou_type: String,
    pub hukou_region: String,
    pub skill_level: String,
    pub marital_status: String,
    pub emergency_contact: String,
    pub emergency_phone: String,
    pub employment: String,
    pub employer_name: String,
    pub employer_credit_code: String,
    /// The township union by name, as picked from the suggestions or typed.
    pub township_org_name: String,
    pub gig_occupation: String,
    pub work_city: String,
    pub wage_earner: Option<String>,
    pub accepts_constitution: Option<String>,
    pub consent: Option<String>,
}

impl JoinForm {
    fn input(&self, township: Option<zhijia_domain::org::OrgId>) -> JoinInput {
        let gig = self.employment == "gig";
        // Only the chosen path's fields count: a value left in the other path's fields (a
        // browser's autofill) must not route the application.
        let keep = |on: bool, v: &str| if on { v.to_owned() } else { String::new() };
        JoinInput {
            name: self.name.clone(),
            id_number: self.id_number.clone(),
            ethnicity: self.ethnicity.clone(),
            education: self.education.clone(),
            political_status: self.political_status.clone(),
            hukou_type: self.hukou_type.clone(),
            hukou_region: self.hukou_region.clone(),
            skill_level: self.skill_level.clone(),
            marital_status: self.marital_status.clone(),
            emergency_contact: self.emergency_contact.clone(),
            emergency_phone: self.emergency_phone.clone(),
            employment: self.employment.clone(),
            employer_name: keep(!gig, &self.employer_name),
            employer_credit_code: keep(!gig, &self.employer_credit_code),
            township_org_id: if gig { None } else { township.map(|t| t.0) },
            gig_occupation: keep(gig, &self.gig_occupation),
            work_city: keep(gig, &self.work_city),
            wage_earner: self.wage_earner.is_some(),
            accepts_constitution: self.accepts_constitution.is_some(),
            consent: self.consent.is_some(),
        }
    }
}

/// The path named in a link or a posted form.
fn join_path(s: &str) -> Option<&'static str> {
    match s.trim() {
        "employee" => Some("employee"),
        "gig" => Some("gig"),
        _ => None,
    }
}

fn join_page(
    csrf: String,
    path: Option<&'static str>,
    form: JoinForm,
    error: Option<&AppError>,
) -> JoinPage {
    let field = error.and_then(AppError::field);
    let message = error.map(ToString::to_string);
    let hukou_region = Picker::new("hukou_region", "户籍所在地", 3, &form.hukou_region)
        .hint("选填，按户口簿填写")
        .error_if(field, message.as_deref());
    let work_city = Picker::new("work_city", "工作所在城市", 2, &form.work_city)
        .required()
        .hint("在哪个城市接单、跑单")
        .error_if(field, message.as_deref());
    JoinPage {
        hukou_region,
        work_city,
        csrf,
        path,
        pending: None,
        form,
        error: message,
        error_field: field,
        ethnicities: options(Ethnicity::ALL, Ethnicity::code, Ethnicity::label),
        educations: options(Education::ALL, Education::code, Education::label),
        political: options(
            PoliticalStatus::ALL,
            PoliticalStatus::code,
            PoliticalStatus::label,
        ),
        marital: options(
            MaritalStatus::ALL,
            MaritalStatus::code,
            MaritalStatus::label,
        ),
        hukou: options(HukouType::ALL, HukouType::code, HukouType::label),
        skills: options(SkillLevel::ALL, SkillLevel::code, SkillLevel::label),
        gigs: GigOccupation::ALL
            .iter()
            .map(|g| (g.as_str(), g.label()))
            .collect(),
        consent_text: CONSENT_TEXT,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct JoinQuery {
    path: String,
}

async fn join_form(
    State(state): State<AppState>,
    user: WorkerUser,
    q: Result<Query<JoinQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let path = q.ok().and_then(|Query(q)| join_path(&q.path));
    let form = JoinForm {
        employment: path.unwrap_or_default().to_owned(),
        ..JoinForm::default()
    };
    let mut page = join_page(user.session.csrf_token.clone(), path, form, None);
    page.pending = pending_of_phone(&state.store, &user.session.phone).await?;
    Ok(render(&page))
}

async fn join_submit(
    state: Keyed,
    user: WorkerUser,
    form: Result<Form<JoinForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(mut form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let path = join_path(&form.employment).unwrap_or("employee");
    form.employment = path.to_owned();
    let db = &state.store;
    // Found by name, not typed: the employer's code when the name is one the site knows, the
    // township union by the name picked from its suggestions.
    if path == "employee"
        && form.employer_credit_code.trim().is_empty()
        && let Some(code) = pickers::employer_code_by_name(db, &form.employer_name).await?
    {
        form.employer_credit_code = code;
    }
    let result = match pickers::township_by_name(db, &form.township_org_name).await {
        Ok(township) => {
            join::apply(
                &state.membership(),
                &user.session.phone,
                &form.input(township),
                Utc::now(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/membership").into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::NotFound(_))) => {
            // Everything typed comes back, with the message at the field at fault.
            let page = join_page(user.session.csrf_token.clone(), Some(path), form, Some(&e));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

struct Line {
    title: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "membership/membership.html")]
struct MembershipPage {
    csrf: String,
    member_no: Option<String>,
    current: Option<store::Membership>,
    current_label: &'static str,
    history: Vec<Line>,
    applications: Vec<Line>,
    transfers: Vec<Line>,
    /// Unions' proposals waiting for this worker's answer.
    proposals: Vec<Proposal>,
    messages: Vec<store::Message>,
    unread: i64,
    /// An application waiting for review: shown as a state, and 申请入会 is not offered.
    pending: Option<Pending>,
}

/// A union's request to take the worker's membership, for them to confirm or decline.
struct Proposal {
    id: TransferId,
    from_org_name: String,
    to_org_name: String,
    reason: Option<String>,
    due: String,
}

/// The worker's memberships, oldest first, as lines of the page.
fn history_lines(rows: &[Membership]) -> Vec<Line> {
    rows.iter()
        .map(|m| Line {
            title: m.org_name.clone(),
            detail: format!(
                "{} 入会{}{}",
                m.joined_on,
                m.ended_on.map(|d| format!("，{d} ")).unwrap_or_default(),
                m.end_reason.map_or(m.status.label(), EndReason::label)
            ),
        })
        .collect()
}

/// The worker's join applications, newest first, as lines of the page.
fn application_lines(apps: Vec<Application>) -> Vec<Line> {
    apps.into_iter()
        .map(|a| Line {
            title: format!("{}：{}", a.org_name, a.status.label()),
            detail: match (a.status, &a.reject_reason) {
                (ApplicationStatus::Rejected, Some(r)) => format!("原因：{r}"),
                (ApplicationStatus::Pending, _) => format!(
                    "{}，将于{}前完成审核",
                    Route::label(&a.route),
                    spoken_date(a.due_on)
                ),
                _ => format!("提交于{}", zhijia_app::today(a.submitted_at)),
            },
        })
        .collect()
}

/// The worker's transfers: the unions' proposals waiting for their answer, and the rest as
/// lines of the page.
fn transfer_parts(transfers: Vec<Transfer>, now: DateTime<Utc>) -> (Vec<Proposal>, Vec<Line>) {
    let (waiting, answered): (Vec<_>, Vec<_>) = transfers.into_iter().partition(|t| {
        t.status == TransferStatus::AwaitingRelease
            && t.worker_confirmed_at.is_none()
            && t.confirm_due_at.is_some_and(|due| due > now)
    });
    let proposals = waiting
        .into_iter()
        .map(|t| Proposal {
            id: t.id,
            due: t
                .confirm_due_at
                .map(|d| crate::filters::beijing_fmt(&d, "%Y-%m-%d %H:%M"))
                .unwrap_or_default(),
            from_org_name: t.from_org_name,
            to_org_name: t.to_org_name,
            reason: t.reason,
        })
        .collect();
    let lines = answered
        .into_iter()
        .map(|t| Line {
            title: format!("{} → {}", t.from_org_name, t.to_org_name),
            detail: format!(
                "{}{}",
                if t.worker_confirmed_at.is_none() && t.status == TransferStatus::AwaitingRelease {
                    "请求已过期(未确认)"
                } else {
                    t.status.label()
                },
                t.refuse_reason
                    .map(|r| format!("，原因：{r}"))
                    .unwrap_or_default()
            ),
        })
        .collect();
    (proposals, lines)
}

async fn membership(
    State(state): State<AppState>,
    user: WorkerUser,
) -> Result<Response, PageError> {
    let db = &state.store;
    let csrf = user.session.csrf_token.clone();
    let Some(w) = zhijia_store::worker::find_by_phone(db, &user.session.phone).await? else {
        return Ok(Redirect::to("/join").into_response());
    };
    let history_rows = store::history(db, w.id).await?;
    let current = history_rows
        .iter()
        .find(|m| m.status != MembershipStatus::Ended)
        .cloned();
    let history = history_lines(&history_rows);
    let applications = application_lines(store::applications_of(db, w.id).await?);
    let (proposals, transfers) = transfer_parts(store::transfers_of(db, w.id).await?, Utc::now());
    let unread = store::unread(db, w.id).await?;
    let messages = store::messages(db, w.id, 20, 0).await?.items;
    Ok(render(&MembershipPage {
        csrf,
        member_no: w.member_no,
        current_label: current.as_ref().map_or("", |m| m.status.label()),
        current,
        history,
        applications,
        transfers,
        proposals,
        messages,
        unread,
        pending: pending_of(db, w.id).await?,
    }))
}

/// The worker's answer to a union's proposal: 同意转入 or 拒绝.
async fn answer_proposal(
    state: Keyed,
    user: WorkerUser,
    Id(id): Id<TransferId>,
    form: Result<Form<CsrfForm>, FormRejection>,
    agree: bool,
) -> Result<Response, PageError> {
    let Some(_) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let ctx = state.membership();
    if agree {
        transfer::confirm(&ctx, &user.session.phone, id, Utc::now()).await?;
    } else {
        transfer::decline(&ctx, &user.session.phone, id).await?;
    }
    Ok(Redirect::to("/membership").into_response())
}

async fn confirm_proposal(
    state: Keyed,
    user: WorkerUser,
    id: Id<TransferId>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, PageError> {
    answer_proposal(state, user, id, form, true).await
}

async fn decline_proposal(
    state: Keyed,
    user: WorkerUser,
    id: Id<TransferId>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, PageError> {
    answer_proposal(state, user, id, form, false).await
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// 全部标为已读: a page never writes on GET, so reading is marked by this form.
async fn read_all(
    State(state): State<AppState>,
    user: WorkerUser,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(_) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    zhijia_app::membership::inbox::mark_read(&state.store, &user.session.phone, None).await?;
    Ok(Redirect::to("/membership").into_response())
}

/// The reasons a worker may pick when leaving; "其他" asks for their own words.
const LEAVE_REASONS: &[&str] = &[
    "离开原单位，暂不需要会籍",
    "个人原因",
    "对工会服务不满意",
    "其他",
];

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LeaveForm {
    csrf: String,
    choice: String,
    detail: String,
}

impl LeaveForm {
    /// The reason as recorded: the choice, with the worker's words after it.
    fn reason(&self) -> Result<String, AppError> {
        let choice = self.choice.trim();
        let detail = self.detail.trim();
        if !LEAVE_REASONS.contains(&choice) {
            return Err(AppError::invalid("choice", "请选择退会原因"));
        }
        if choice == "其他" {
            if detail.chars().count() < 2 {
                return Err(AppError::invalid("detail", "选择“其他”时，请写明退会原因"));
            }
            return Ok(detail.to_owned());
        }
        Ok(if detail.is_empty() {
            choice.to_owned()
        } else {
            format!("{choice}；{detail}")
        })
    }
}

#[derive(Template)]
#[template(path = "membership/leave.html")]
struct LeavePage {
    csrf: String,
    org_name: String,
    member_no: Option<String>,
    reasons: &'static [&'static str],
    form: LeaveForm,
    error: Option<String>,
    error_field: Option<&'static str>,
}

impl LeavePage {
    fn err(&self, field: &str) -> Option<&str> {
        (self.error_field == Some(field))
            .then_some(self.error.as_deref())
            .flatten()
    }
}

/// The confirm step of 申请退会: what leaving means, and why (required).
async fn leave_page(
    State(state): State<AppState>,
    user: WorkerUser,
    form: LeaveForm,
    error: Option<&AppError>,
) -> Result<Response, PageError> {
    let db = &state.store;
    let Some(w) = zhijia_store::worker::find_by_phone(db, &user.session.phone).await? else {
        return Ok(Redirect::to("/membership").into_response());
    };
    let Some(current) = store::history(db, w.id)
        .await?
        .into_iter()
        .find(|m| m.status != MembershipStatus::Ended)
    else {
        return Ok(Redirect::to("/membership").into_response());
    };
    let page = LeavePage {
        csrf: user.session.csrf_token.clone(),
        org_name: current.org_name,
        member_no: w.member_no,
        reasons: LEAVE_REASONS,
        form,
        error: error.map(ToString::to_string),
        error_field: error.and_then(AppError::field),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(&page)).into_response())
}

async fn leave_confirm(state: State<AppState>, user: WorkerUser) -> Result<Response, PageError> {
    leave_page(state, user, LeaveForm::default(), None).await
}

async fn leave(
    State(app): State<AppState>,
    state: Keyed,
    user: WorkerUser,
    form: Result<Form<LeaveForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let result = match form.reason() {
        Ok(reason) => {
            transfer::leave(
                &state.membership(),
                &user.session.phone,
                &reason,
                Utc::now(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/membership").into_response()),
        Err(e @ AppError::Invalid(_)) => leave_page(State(app), user, form, Some(&e)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "membership/card.html")]
struct CardPage {
    /// None: no active membership yet; the page says why and what comes next.
    card: Option<Card>,
    qr_svg: String,
    /// The expiry in Beijing time (UTC+8), as the member reads a clock.
    expires_local: String,
    pending: Option<Pending>,
}

async fn card_page(state: Keyed, user: WorkerUser) -> Result<Response, PageError> {
    let ctx = state.membership();
    let page = match card::card(&ctx, &user.session.phone, Utc::now()).await {
        Ok(card) => CardPage {
            qr_svg: crate::pages::qr_svg(&card.token).await?,
            expires_local: filters::beijing_fmt(&card.expires_at, "%H:%M"),
            card: Some(card),
            pending: None,
        },
        // Not a member (yet): a state to read, not a 404.
        Err(AppError::NotFound(_)) => CardPage {
            card: None,
            qr_svg: String::new(),
            expires_local: String::new(),
            pending: pending_of_phone(ctx.db, &user.session.phone).await?,
        },
        Err(e) => return Err(e.into()),
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], render(&page)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VerifyQuery {
    token: Option<String>,
}

#[derive(Template)]
#[template(path = "membership/card_verify.html")]
struct VerifyPage {
    token: String,
    check: Option<CardCheck>,
}

/// The card check page for merchants and organisers: paste or scan the QR content.
async fn verify_page(
    state: Keyed,
    q: Result<Query<VerifyQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let token = q
        .ok()
        .and_then(|Query(q)| q.token)
        .unwrap_or_default()
        .chars()
        .take(512)
        .collect::<String>();
    let check = if token.trim().is_empty() {
        None
    } else {
        Some(
            card::verify(
                state.membership().db,
                state.membership().keys,
                &token,
                Utc::now(),
            )
            .await?,
        )
    };
    Ok(render(&VerifyPage { token, check }))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/join", get(join_form).post(join_submit))
        .route("/membership", get(membership))
        .route("/membership/leave", get(leave_confirm).post(leave))
        .route("/membership/transfers/{id}/confirm", post(confirm_proposal))
        .route("/membership/transfers/{id}/decline", post(decline_proposal))
        .route("/membership/read", post(read_all))
        .route("/card", get(card_page))
        .route("/cards/verify", get(verify_page))
}

crate::auth::carries_csrf!(CsrfForm, JoinForm, LeaveForm);
