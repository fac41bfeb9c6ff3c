//! The member's "普惠" pages (offers with stock and countdown, claim, my coupons with their QR)
//! and the merchant's redemption page, light enough for a cheap phone.

use super::value_label;
use crate::auth::worker::WorkerUser;
use crate::auth::{StaffUser, checked_form, csrf_refused};
use crate::extract::{Id, Keyed};
use crate::pages::render;
use crate::pages::{PER_PAGE, Pager};
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;
use zhijia_app::AppError;
use zhijia_app::benefit::{self, ClaimedCoupon, OfferForMember, Redeemed};
use zhijia_domain::ids::OfferId;

#[derive(Template)]
#[template(path = "benefit/offers.html")]
struct OffersPage {
    csrf: String,
    offers: Vec<OfferForMember>,
    pager: Pager,
    error: Option<String>,
    /// A fresh idempotency key per page view: a double tap on one button is one claim.
    key: String,
}

impl OffersPage {
    fn map(&self, s: &zhijia_store::benefit::shop::Shop) -> Option<String> {
        super::merchant::map_link(s)
    }
    fn value(&self, o: &OfferForMember) -> String {
        value_label(o.offer.kind, o.offer.value)
    }
    fn opens(&self, o: &OfferForMember) -> String {
        crate::filters::beijing_fmt(&o.offer.claim_opens_at, "%m月%d日 %H:%M")
    }
}

async fn offers_page(
    state: &Keyed,
    user: &WorkerUser,
    page: Option<i64>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let (p, limit, offset) = crate::pages::page_window(page, PER_PAGE);
    let found = benefit::available(
        &state.benefit(),
        &user.session.phone,
        Utc::now(),
        Some(limit),
        Some(offset),
    )
    .await;
    let offers = match found {
        Ok(o) => o,
        Err(e @ (AppError::Forbidden(_) | AppError::NotFound(_))) => {
            return Ok(render(&OffersPage {
                csrf: user.session.csrf_token.clone(),
                offers: Vec::new(),
                pager: Pager::new(1, 0, "/benefits?".into()),
                error: Some(e.to_string()),
                key: String::new(),
            }));
        }
        Err(e) => return Err(e.into()),
    };
    let status = if error.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        [(header::CACHE_CONTROL, "no-store")],
        render(&OffersPage {
            csrf: user.session.csrf_token.clone(),
            pager: Pager::new(p, offers.total, "/benefits?".into()),
            offers: offers.items,
            error,
            key: zhijia_domain::auth::random_token(),
        }),
    )
        .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    page: Option<i64>,
}

async fn offers(
    state: Keyed,
    user: WorkerUser,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    offers_page(&state, &user, q.page, None).await
}

#[derive(Debug, Deserialize)]
pub struct ClaimForm {
    csrf: String,
    #[serde(default)]
    key: String,
}

async fn claim(
    state: Keyed,
    user: WorkerUser,
    Id(id): Id<OfferId>,
    form: Result<Form<ClaimForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    // The page's key is random per page view, so one page's double tap is one claim; keys are
    // per worker, so an offer's id need not be in it.
    match benefit::claim(
        &state.benefit(),
        &user.session.phone,
        id,
        &form.key,
        Utc::now(),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/benefits/coupons").into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::NotFound(_))) => {
            offers_page(&state, &user, None, Some(e.to_string())).await
        }
        Err(e) => Err(e.into()),
    }
}

struct CouponView {
    c: ClaimedCoupon,
    qr_svg: Option<String>,
}

#[derive(Template)]
#[template(path = "benefit/coupons.html")]
struct CouponsPage {
    coupons: Vec<CouponView>,
}

impl CouponsPage {
    fn until(&self, c: &ClaimedCoupon) -> String {
        crate::filters::beijing_fmt(&c.valid_until, "%Y-%m-%d %H:%M")
    }
}

async fn coupons(state: Keyed, user: WorkerUser) -> Result<Response, PageError> {
    let page = benefit::my_coupons(
        &state.benefit(),
        &user.session.phone,
        Some(50),
        None,
        Utc::now(),
    )
    .await?;
    let mut coupons = Vec::new();
    for c in page.items {
        let qr_svg = match &c.qr {
            Some(q) => Some(crate::pages::qr_svg(q).await?),
            None => None,
        };
        coupons.push(CouponView { c, qr_svg });
    }
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        render(&CouponsPage { coupons }),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "benefit/redeem.html")]
struct RedeemPage {
    csrf: String,
    done: Option<Redeemed>,
    error: Option<String>,
}

async fn redeem_form(user: StaffUser) -> Response {
    render(&RedeemPage {
        csrf: user.session.csrf_token.clone(),
        done: None,
        error: None,
    })
}

#[derive(Debug, Deserialize)]
pub struct RedeemForm {
    csrf: String,
    #[serde(default)]
    code: String,
}

async fn redeem(
    state: Keyed,
    user: StaffUser,
    form: Result<Form<RedeemForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let csrf = user.session.csrf_token.clone();
    match benefit::redeem(&state.benefit(), &user.ctx(), &form.code, Utc::now()).await {
        Ok(done) => Ok(render(&RedeemPage {
            csrf,
            done: Some(done),
            error: None,
        })),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&RedeemPage {
                csrf,
                done: None,
                error: Some(e.to_string()),
            }),
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/benefits", get(offers))
        .route("/benefits/{id}/claim", post(claim))
        .route("/benefits/coupons", get(coupons))
        .route("/merchant/redeem", get(redeem_form).post(redeem))
}

crate::auth::carries_csrf!(ClaimForm, RedeemForm);
