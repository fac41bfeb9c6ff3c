//! The worker's membership pages (mobile): join form, my membership with inbox, the member card,
//! and the public card check page.

use crate::auth::worker::WorkerUser;
use crate::auth::{checked_form, csrf_refused};
use crate::extract::{Id, Keyed};
use crate::filters;
use crate::pages::render;
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;
use zhijia_app::AppError;
use zhijia_app::membership::card::{self, Card, CardCheck};
use zhijia_app::membership::join::{self, JoinInput, Route};
use zhijia_app::membership::transfer;
use zhijia_domain::codes::{
    Education, Ethnicity, HukouType, MaritalStatus, PoliticalStatus, SkillLevel,
};
use zhijia_domain::member::{
    ApplicationStatus, CONSENT_TEXT, EndReason, MembershipStatus, TransferStatus,
};
use zhijia_domain::worker::GigOccupation;
use zhijia_store::membership as store;

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
#[template(path = "join.html")]
struct JoinPage {
    csrf: String,
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
    consent_text: &'static str,
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
    pub township_org_id: String,
    pub gig_occupation: String,
    pub work_city: String,
    pub wage_earner: Option<String>,
    pub accepts_constitution: Option<String>,
    pub consent: Option<String>,
}

impl JoinForm {
    fn input(&self) -> Result<JoinInput, AppError> {
        let township = self.township_org_id.trim();
        Ok(JoinInput {
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
            employer_name: self.employer_name.clone(),
            employer_credit_code: self.employer_credit_code.clone(),
            township_org_id: if township.is_empty() {
                None
            } else {
                Some(township.parse().map_err(|_| {
                    AppError::invalid("township_org_id", "乡镇(街道)工会编号应为数字")
                })?)
            },
            gig_occupation: self.gig_occupation.clone(),
            work_city: self.work_city.clone(),
            wage_earner: self.wage_earner.is_some(),
            accepts_constitution: self.accepts_constitution.is_some(),
            consent: self.consent.is_some(),
        })
    }

    fn employment_is(&self, e: &str) -> bool {
        self.employment == e || (e == "employee" && self.employment.is_empty())
    }
}

fn join_page(csrf: String, form: JoinForm, error: Option<&AppError>) -> JoinPage {
    JoinPage {
        csrf,
        form,
        error: error.map(ToString::to_string),
        error_field: error.and_then(AppError::field),
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

async fn join_form(user: WorkerUser) -> Response {
    render(&join_page(
        user.session.csrf_token.clone(),
        JoinForm::default(),
        None,
    ))
}

async fn join_submit(
    state: Keyed,
    user: WorkerUser,
    form: Result<Form<JoinForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let result = match form.input() {
        Ok(input) => {
            join::apply(&state.membership(), &user.session.phone, &input, Utc::now()).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/membership").into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::NotFound(_))) => {
            // Everything typed comes back, with the message at the field at fault.
            let page = join_page(user.session.csrf_token.clone(), form, Some(&e));
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
#[template(path = "membership.html")]
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
}

/// A union's request to take the worker's membership, for them to confirm or decline.
struct Proposal {
    id: i64,
    from_org_name: String,
    to_org_name: String,
    reason: Option<String>,
    due: String,
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
    let current = history_rows.iter().find(|m| m.status != "ended").cloned();
    let history = history_rows
        .iter()
        .map(|m| Line {
            title: m.org_name.clone(),
            detail: format!(
                "{} 入会{}{}",
                m.joined_on,
                m.ended_on.map(|d| format!("，{d} ")).unwrap_or_default(),
                match m.end_reason.as_deref().and_then(EndReason::parse) {
                    Some(r) => r.label().to_owned(),
                    None => MembershipStatus::parse(&m.status)
                        .map_or("", MembershipStatus::label)
                        .to_owned(),
                }
            ),
        })
        .collect();
    let applications = store::applications_of(db, w.id)
        .await?
        .into_iter()
        .map(|a| Line {
            title: format!(
                "{}：{}",
                a.org_name,
                ApplicationStatus::parse(&a.status).map_or("", ApplicationStatus::label)
            ),
            detail: match (a.status.as_str(), &a.reject_reason) {
                ("rejected", Some(r)) => format!("原因：{r}"),
                ("pending", _) => format!("{}，将于{}前完成审核", Route::label(&a.route), a.due_on),
                _ => format!("提交于{}", zhijia_app::today(a.submitted_at)),
            },
        })
        .collect();
    let all_transfers = store::transfers_of(db, w.id).await?;
    let now = Utc::now();
    let (waiting, answered): (Vec<_>, Vec<_>) = all_transfers.into_iter().partition(|t| {
        t.status == "awaiting_release"
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
    let transfers = answered
        .into_iter()
        .map(|t| Line {
            title: format!("{} → {}", t.from_org_name, t.to_org_name),
            detail: format!(
                "{}{}",
                if t.worker_confirmed_at.is_none() && t.status == "awaiting_release" {
                    "请求已过期(未确认)"
                } else {
                    TransferStatus::parse(&t.status).map_or("", TransferStatus::label)
                },
                t.refuse_reason
                    .map(|r| format!("，原因：{r}"))
                    .unwrap_or_default()
            ),
        })
        .collect();
    let unread = store::unread(db, w.id).await?;
    let messages = store::messages(db, w.id, 20, 0).await?.items;
    Ok(render(&MembershipPage {
        csrf,
        member_no: w.member_no,
        current_label: current
            .as_ref()
            .and_then(|m| MembershipStatus::parse(&m.status))
            .map_or("", MembershipStatus::label),
        current,
        history,
        applications,
        transfers,
        proposals,
        messages,
        unread,
    }))
}

/// The worker's answer to a union's proposal: 同意转入 or 拒绝.
async fn answer_proposal(
    state: Keyed,
    user: WorkerUser,
    Id(id): Id,
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
    id: Id,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, PageError> {
    answer_proposal(state, user, id, form, true).await
}

async fn decline_proposal(
    state: Keyed,
    user: WorkerUser,
    id: Id,
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

async fn leave(
    state: Keyed,
    user: WorkerUser,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(_) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    transfer::leave(&state.membership(), &user.session.phone, Utc::now()).await?;
    Ok(Redirect::to("/membership").into_response())
}

#[derive(Template)]
#[template(path = "card.html")]
struct CardPage {
    card: Card,
    qr_svg: String,
    /// The expiry in Beijing time (UTC+8), as the member reads a clock.
    expires_local: String,
}

async fn card_page(state: Keyed, user: WorkerUser) -> Result<Response, PageError> {
    let card = card::card(&state.membership(), &user.session.phone, Utc::now()).await?;
    let qr_svg = crate::pages::qr_svg(&card.token).await?;
    let expires_local = filters::beijing_fmt(&card.expires_at, "%H:%M");
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        render(&CardPage {
            card,
            qr_svg,
            expires_local,
        }),
    )
        .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VerifyQuery {
    token: Option<String>,
}

#[derive(Template)]
#[template(path = "card_verify.html")]
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
        .route("/membership/leave", post(leave))
        .route("/membership/transfers/{id}/confirm", post(confirm_proposal))
        .route("/membership/transfers/{id}/decline", post(decline_proposal))
        .route("/membership/read", post(read_all))
        .route("/card", get(card_page))
        .route("/cards/verify", get(verify_page))
}

crate::auth::carries_csrf!(CsrfForm, JoinForm);
