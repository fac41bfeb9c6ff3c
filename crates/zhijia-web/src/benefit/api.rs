//! Benefits as JSON: the member's offers, claims and coupons under `/api/v1/me`, the merchant's
//! redemption and settlement, the union's merchants and offers.

use super::view::{MerchantView, OfferForMemberView, OfferView};
use crate::auth::StaffUser;
use crate::auth::worker::WorkerUser;
use crate::extract::{ApiJson, ApiQuery, Created, Id, Keyed, body};
use crate::{ApiError, AppState};
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use zhijia_app::benefit::{self, ClaimedCoupon, MerchantInput, OfferInput, Redeemed};
use zhijia_domain::ids::{MerchantId, OfferId};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ListQuery {
    pub org: Option<i64>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// The offers the signed-in member may claim: open, or opening soon (with the seconds left),
/// opening soonest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/me/offers", tag = "benefit", params(ListQuery),
    responses((status = 200, description = "可领取的普惠优惠(分页)"), (status = 401, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn my_offers(
    state: Keyed,
    user: WorkerUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let page = benefit::available(
        &state.benefit(),
        &user.session.phone,
        Utc::now(),
        q.limit,
        q.offset,
    )
    .await?;
    Ok(Json(crate::pages::views::<_, OfferForMemberView>(page)).into_response())
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ClaimRequest {
    /// The client's key for this claim (or the `Idempotency-Key` header): retrying with the same
    /// key returns the same coupon.
    pub idempotency_key: Option<String>,
}

/// Claims one coupon of an offer. Stock and the per-member limit are exact; the same
/// idempotency key returns the same coupon.
#[utoipa::path(post, path = "/api/v1/me/offers/{id}/claims", tag = "benefit",
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = ClaimRequest,
    responses((status = 201, body = ClaimedCoupon), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn claim(
    state: Keyed,
    user: WorkerUser,
    Id(id): Id<OfferId>,
    headers: HeaderMap,
    b: Result<Json<ClaimRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let from_header = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let key = match from_header {
        Some(k) => k,
        None => body(b, "{\"idempotency_key\": \"…\"}")?
            .idempotency_key
            .unwrap_or_default(),
    };
    let c = benefit::claim(&state.benefit(), &user.session.phone, id, &key, Utc::now()).await?;
    Ok((
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        Json(c),
    )
        .into_response())
}

/// The member's coupons, newest first, each usable one with a fresh QR payload.
#[utoipa::path(get, path = "/api/v1/me/coupons", tag = "benefit", params(ListQuery),
    responses((status = 200, description = "我的优惠券(分页)"), (status = 401, body = crate::error::ErrorBody)))]
pub async fn my_coupons(
    state: Keyed,
    user: WorkerUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let page = benefit::my_coupons(
        &state.benefit(),
        &user.session.phone,
        q.limit,
        q.offset,
        Utc::now(),
    )
    .await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(page)).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RedeemRequest {
    /// The scanned QR text (`ZJQ1…`) or the typed coupon code.
    pub code: String,
}

/// A merchant's staff redeem a coupon: exactly once, at its own merchant, within its validity.
#[utoipa::path(post, path = "/api/v1/redemptions", tag = "benefit", request_body = RedeemRequest,
    responses((status = 200, body = Redeemed), (status = 403, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn redeem(
    state: Keyed,
    user: StaffUser,
    ApiJson(r): ApiJson<RedeemRequest>,
) -> Result<Response, ApiError> {
    let done = benefit::redeem(&state.benefit(), &user.ctx(), &r.code, Utc::now()).await?;
    Ok(Json(done).into_response())
}

/// Registers a merchant.
#[utoipa::path(post, path = "/api/v1/merchants", tag = "benefit", request_body = MerchantInput,
    responses((status = 201, body = Created), (status = 403, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn register_merchant(
    state: Keyed,
    user: StaffUser,
    ApiJson(input): ApiJson<MerchantInput>,
) -> Result<Response, ApiError> {
    let id = benefit::register_merchant(&state.benefit(), &user.ctx(), &input, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })).into_response())
}

/// The merchants registered by the unions of a subtree.
#[utoipa::path(get, path = "/api/v1/merchants", tag = "benefit", params(ListQuery),
    responses((status = 200, description = "商户(分页)"), (status = 403, body = crate::error::ErrorBody)))]
pub async fn merchants(
    state: Keyed,
    user: StaffUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let (_, page) =
        benefit::merchants(&state.benefit(), &user.ctx(), q.org, q.limit, q.offset).await?;
    Ok(Json(crate::pages::views::<_, MerchantView>(page)).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AccountRequest {
    pub username: String,
    pub display_name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccountCreated {
    /// To be changed at first sign-in.
    pub initial_password: String,
}

/// Gives a merchant a staff account (role `merchant_staff`, this merchant only).
#[utoipa::path(post, path = "/api/v1/merchants/{id}/accounts", tag = "benefit",
    params(("id" = i64, Path)), request_body = AccountRequest,
    responses((status = 201, body = AccountCreated), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn merchant_account(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<MerchantId>,
    ApiJson(r): ApiJson<AccountRequest>,
) -> Result<Response, ApiError> {
    let initial_password = benefit::create_merchant_account(
        &state.benefit(),
        &user.ctx(),
        id,
        &r.username,
        &r.display_name,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(AccountCreated { initial_password }),
    )
        .into_response())
}

/// Makes an offer (a coupon batch) for a union's subtree, optionally narrowed by region and tags.
#[utoipa::path(post, path = "/api/v1/offers", tag = "benefit", request_body = OfferInput,
    responses((status = 201, body = Created), (status = 403, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_offer(
    state: Keyed,
    user: StaffUser,
    ApiJson(input): ApiJson<OfferInput>,
) -> Result<Response, ApiError> {
    let id = benefit::create_offer(&state.benefit(), &user.ctx(), &input, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })).into_response())
}

/// The offers of a union's subtree, with stock left.
#[utoipa::path(get, path = "/api/v1/offers", tag = "benefit", params(ListQuery),
    responses((status = 200, description = "优惠(分页)"), (status = 403, body = crate::error::ErrorBody)))]
pub async fn offers(
    state: Keyed,
    user: StaffUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let (_, page) =
        benefit::offers(&state.benefit(), &user.ctx(), q.org, q.limit, q.offset).await?;
    Ok(Json(crate::pages::views::<_, OfferView>(page)).into_response())
}

/// Publishes a draft offer.
#[utoipa::path(post, path = "/api/v1/offers/{id}/publish", tag = "benefit", params(("id" = i64, Path)),
    responses((status = 200, description = "优惠", body = OfferView), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn publish(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<OfferId>,
) -> Result<Response, ApiError> {
    let o = benefit::set_published(&state.benefit(), &user.ctx(), id, true).await?;
    Ok(Json(OfferView::from(&o)).into_response())
}

/// Withdraws the unclaimed stock of a published offer; claimed coupons stay valid.
#[utoipa::path(post, path = "/api/v1/offers/{id}/withdraw", tag = "benefit", params(("id" = i64, Path)),
    responses((status = 200, description = "优惠", body = OfferView), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn withdraw(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<OfferId>,
) -> Result<Response, ApiError> {
    let o = benefit::set_published(&state.benefit(), &user.ctx(), id, false).await?;
    Ok(Json(OfferView::from(&o)).into_response())
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct MonthQuery {
    /// `YYYY-MM`; this month by default.
    pub month: Option<String>,
}

fn month_of(q: &MonthQuery) -> String {
    q.month
        .clone()
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| zhijia_app::today(Utc::now()).format("%Y-%m").to_string())
}

/// The caller's merchant's redemptions of a month, for settlement with the union.
#[utoipa::path(get, path = "/api/v1/merchant/settlement", tag = "benefit", params(MonthQuery),
    responses((status = 200, body = zhijia_app::benefit::Settlement), (status = 403, body = crate::error::ErrorBody)))]
pub async fn settlement(
    state: Keyed,
    user: StaffUser,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> Result<Response, ApiError> {
    let s = benefit::settlement(&state.benefit(), &user.ctx(), &month_of(&q)).await?;
    Ok(Json(s).into_response())
}

/// The same as an XLSX workbook.
#[utoipa::path(get, path = "/api/v1/merchant/settlement.xlsx", tag = "benefit", params(MonthQuery),
    responses((status = 200, description = "XLSX", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn settlement_xlsx(
    state: Keyed,
    user: StaffUser,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> Result<Response, ApiError> {
    let s = benefit::settlement(&state.benefit(), &user.ctx(), &month_of(&q)).await?;
    let name = format!("settlement-{}.xlsx", s.month);
    let bytes = zhijia_app::slow::run(move || super::settlement_xlsx(&s)).await??;
    Ok(crate::attachment::xlsx_download(bytes, &name))
}

/// The caller's merchant's offers with their stock.
#[utoipa::path(get, path = "/api/v1/merchant/offers", tag = "benefit", params(ListQuery),
    responses((status = 200, description = "本商户的优惠(分页)"), (status = 403, body = crate::error::ErrorBody)))]
pub async fn merchant_offers(
    state: Keyed,
    user: StaffUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let page = benefit::merchant_offers(&state.benefit(), &user.ctx(), q.limit, q.offset).await?;
    Ok(Json(crate::pages::views::<_, OfferView>(page)).into_response())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/offers", get(my_offers))
        .route("/api/v1/me/offers/{id}/claims", post(claim))
        .route("/api/v1/me/coupons", get(my_coupons))
        .route("/api/v1/redemptions", post(redeem))
        .route("/api/v1/merchant/offers", get(merchant_offers))
        .route("/api/v1/merchant/settlement", get(settlement))
        .route("/api/v1/merchant/settlement.xlsx", get(settlement_xlsx))
        .route("/api/v1/merchants", get(merchants).post(register_merchant))
        .route("/api/v1/merchants/{id}/accounts", post(merchant_account))
        .route("/api/v1/offers", get(offers).post(create_offer))
        .route("/api/v1/offers/{id}/publish", post(publish))
        .route("/api/v1/offers/{id}/withdraw", post(withdraw))
}
