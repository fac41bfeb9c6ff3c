//! The union's benefits console: merchants (register, give a staff account) and offers (make,
//! publish, withdraw, follow the stock).

use super::value_label;
use crate::audience::AudienceFields;
use crate::auth::{StaffUser, checked_form, csrf_refused};
use crate::extract::{Id, Keyed, parse_id};
use crate::pages::render;
use crate::pages::{Pager, UserBar};
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{NaiveDateTime, Utc};
use serde::Deserialize;
use std::collections::HashMap;
use zhijia_app::AppError;
use zhijia_app::benefit::proposal::{self, Approval};
use zhijia_app::benefit::{self, MerchantInput, OfferInput, OfferTerms};
use zhijia_domain::ids::{MerchantId, OfferId, ProposalId};
use zhijia_store::benefit::proposal::Proposal;
use zhijia_store::benefit::{Merchant, Offer};

const PER_PAGE: i64 = 30;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    org: Option<i64>,
    page: Option<i64>,
    /// The page of the waiting proposals.
    ppage: Option<i64>,
}

#[derive(Template)]
#[template(path = "benefit/console_offers.html")]
struct OffersPage {
    user: UserBar,
    org_id: zhijia_domain::ids::OrgId,
    org_name: String,
    offers: Vec<Offer>,
    merchants: Vec<Merchant>,
    pager: Pager,
    /// Proposals waiting for a decision, oldest first, and their pager.
    proposals: Vec<Proposal>,
    proposals_pager: Pager,
    error: Option<String>,
    typed: HashMap<String, String>,
    audience: AudienceFields,
    /// A merchant's first password, shown once after its account is made.
    password: Option<String>,
}

impl OffersPage {
    fn value(&self, o: &Offer) -> String {
        value_label(o.kind, o.value)
    }
    fn value_of(&self, kind: &zhijia_domain::benefit::OfferKind, value: &i64) -> String {
        value_label(*kind, *value)
    }
    fn v(&self, k: &str) -> &str {
        self.typed.get(k).map_or("", String::as_str)
    }
    fn local(&self, t: &chrono::DateTime<Utc>) -> String {
        crate::filters::beijing_fmt(t, "%m-%d %H:%M")
    }
}

async fn page(
    state: &Keyed,
    user: &StaffUser,
    q: PageQuery,
    error: Option<String>,
    typed: HashMap<String, String>,
    password: Option<String>,
) -> Result<Response, PageError> {
    let c = state.benefit();
    let (p, limit, offset) = crate::pages::page_window(q.page, PER_PAGE);
    let (org, offers) = benefit::offers(&c, &user.ctx(), q.org, Some(limit), Some(offset)).await?;
    let (_, merchants) =
        benefit::merchants(&c, &user.ctx(), Some(org.id.0), Some(200), None).await?;
    let (pp, plimit, poffset) = crate::pages::page_window(q.ppage, PER_PAGE);
    let (_, proposals) = zhijia_app::benefit::proposal::waiting(
        &c,
        &user.ctx(),
        Some(org.id.0),
        Some(plimit),
        Some(poffset),
    )
    .await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let base = format!("/console/offers?org={}&", org.id.0);
    // The pager template names its parameter `page`; the proposals' pager carries the offers'
    // page in its base and swaps the name by its own base.
    let proposals_base = format!("/console/offers?org={}&page={}&p", org.id.0, p);
    Ok((
        status,
        render(&OffersPage {
            user: user.into(),
            org_id: org.id,
            org_name: org.name,
            pager: Pager::new(p, offers.total, base),
            offers: offers.items,
            merchants: merchants.items,
            proposals_pager: Pager::new(pp, proposals.total, proposals_base),
            proposals: proposals.items,
            error,
            audience: AudienceFields::of_form(&typed),
            typed,
            password,
        }),
    )
        .into_response())
}

async fn offers(
    state: Keyed,
    user: StaffUser,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    page(&state, &user, q, None, HashMap::new(), None).await
}

/// Reads `YYYY-MM-DDTHH:MM` from a datetime-local field as Beijing time.
pub fn beijing(field: &'static str, v: &str) -> Result<Option<chrono::DateTime<Utc>>, AppError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let local = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
        .map_err(|_| AppError::invalid(field, "时间格式应为 年-月-日 时:分"))?;
    Ok(Some(crate::filters::from_beijing(local)))
}

pub fn number(field: &'static str, what: &str, v: &str) -> Result<i64, AppError> {
    v.trim()
        .parse()
        .map_err(|_| AppError::invalid(field, format!("{what}应为整数")))
}

/// Yuan as typed ("12.50") into fen, exactly.
pub fn fen(v: &str) -> Result<i64, AppError> {
    zhijia_domain::aid::parse_yuan("value", v).map_err(AppError::from)
}

/// The terms of an offer as the offer and proposal forms type them: yuan for a fixed amount,
/// the percent paid for a discount, Beijing times.
pub fn terms_of_form(f: &HashMap<String, String>) -> Result<OfferTerms, AppError> {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let kind = get("kind");
    let value = match kind.as_str() {
        "discount" => number("value", "折扣(实付百分比)", &get("value"))?,
        "fixed_amount" => fen(&get("value"))?,
        _ => 0,
    };
    Ok(OfferTerms {
        title: get("title"),
        description: get("description"),
        kind,
        value,
        stock: number("stock", "库存", &get("stock"))?,
        per_member_limit: number("per_member_limit", "每人限领", &get("per_member_limit"))?,
        claim_opens_at: beijing("claim_opens_at", &get("claim_opens_at"))?,
        claim_closes_at: beijing("claim_closes_at", &get("claim_closes_at"))?,
        valid_days: number("valid_days", "有效天数", &get("valid_days"))?,
    })
}

async fn create(
    state: Keyed,
    user: StaffUser,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let org = get("org").trim().parse().ok();
    let made: Result<OfferId, AppError> = async {
        let input = OfferInput {
            org,
            merchant_id: MerchantId(number("merchant_id", "商户", &get("merchant_id"))?),
            terms: terms_of_form(&f)?,
            audience_region: Some(crate::audience::region_of_form(&f).unwrap_or_default()),
            audience_tags: crate::audience::tags_of_form(&f),
            publish: f.contains_key("publish"),
        };
        benefit::create_offer(&state.benefit(), &user.ctx(), &input, Utc::now()).await
    }
    .await;
    match made {
        Ok(_) => Ok(Redirect::to(&format!(
            "/console/offers{}",
            org.map(|o: i64| format!("?org={o}")).unwrap_or_default()
        ))
        .into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::NotFound(_))) => {
            let q = PageQuery {
                org,
                ..PageQuery::default()
            };
            page(&state, &user, q, Some(e.to_string()), f, None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

async fn publish_or_withdraw(
    state: &Keyed,
    user: &StaffUser,
    id: &str,
    form: Result<Form<CsrfForm>, FormRejection>,
    publish: bool,
) -> Result<Response, PageError> {
    let Some(_) = checked_form(user, form) else {
        return Ok(csrf_refused());
    };
    let id = OfferId(parse_id(id)?);
    match benefit::set_published(&state.benefit(), &user.ctx(), id, publish).await {
        Ok(o) => Ok(Redirect::to(&format!("/console/offers?org={}", o.org_id.0)).into_response()),
        Err(e @ AppError::Conflict(_)) => {
            page(
                state,
                user,
                PageQuery::default(),
                Some(e.to_string()),
                HashMap::new(),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn publish(
    state: Keyed,
    user: StaffUser,
    Path(id): Path<String>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, PageError> {
    publish_or_withdraw(&state, &user, &id, form, true).await
}

async fn withdraw(
    state: Keyed,
    user: StaffUser,
    Path(id): Path<String>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, PageError> {
    publish_or_withdraw(&state, &user, &id, form, false).await
}

async fn register_merchant(
    state: Keyed,
    user: StaffUser,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let org = get("org").trim().parse().ok();
    let input = MerchantInput {
        org,
        name: get("name"),
        credit_code: get("credit_code"),
        address: get("address"),
    };
    let q = PageQuery {
        org,
        ..PageQuery::default()
    };
    match benefit::register_merchant(&state.benefit(), &user.ctx(), &input, Utc::now()).await {
        Ok(_) => page(&state, &user, q, None, HashMap::new(), None).await,
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            page(&state, &user, q, Some(e.to_string()), f, None).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn merchant_account(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<MerchantId>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let made = benefit::create_merchant_account(
        &state.benefit(),
        &user.ctx(),
        id,
        &get("username"),
        &get("display_name"),
    )
    .await;
    match made {
        Ok(pw) => {
            page(
                &state,
                &user,
                PageQuery::default(),
                None,
                HashMap::new(),
                Some(pw),
            )
            .await
        }
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            page(
                &state,
                &user,
                PageQuery::default(),
                Some(e.to_string()),
                f,
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Approves a waiting proposal into an offer with the audience ticked on its form, or rejects
/// it with the reason typed.
async fn decide(
    state: &Keyed,
    user: &StaffUser,
    id: &str,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
    approve: bool,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(user, form) else {
        return Ok(csrf_refused());
    };
    let id = ProposalId(parse_id(id)?);
    let org = f.get("org").and_then(|o| o.trim().parse().ok());
    let c = state.benefit();
    let done = if approve {
        let approval = Approval {
            org,
            audience_region: crate::audience::region_of_form(&f),
            audience_tags: crate::audience::tags_of_form(&f),
            publish: f.contains_key("publish"),
        };
        proposal::approve(&c, &user.ctx(), id, &approval, Utc::now())
            .await
            .map(|_| ())
    } else {
        let reason = f.get("reason").map_or("", String::as_str);
        proposal::reject(&c, &user.ctx(), id, reason, Utc::now()).await
    };
    match done {
        Ok(()) => Ok(Redirect::to(&format!(
            "/console/offers{}",
            org.map(|o: i64| format!("?org={o}")).unwrap_or_default()
        ))
        .into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::NotFound(_))) => {
            let q = PageQuery {
                org,
                ..PageQuery::default()
            };
            page(state, user, q, Some(e.to_string()), f, None).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn approve(
    state: Keyed,
    user: StaffUser,
    Path(id): Path<String>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Result<Response, PageError> {
    decide(&state, &user, &id, form, true).await
}

async fn reject(
    state: Keyed,
    user: StaffUser,
    Path(id): Path<String>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Result<Response, PageError> {
    decide(&state, &user, &id, form, false).await
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/offers", get(offers).post(create))
        .route("/console/offers/{id}/publish", post(publish))
        .route("/console/offers/{id}/withdraw", post(withdraw))
        .route("/console/offer-proposals/{id}/approve", post(approve))
        .route("/console/offer-proposals/{id}/reject", post(reject))
        .route("/console/merchants", post(register_merchant))
        .route("/console/merchants/{id}/accounts", post(merchant_account))
}

crate::auth::carries_csrf!(CsrfForm);
