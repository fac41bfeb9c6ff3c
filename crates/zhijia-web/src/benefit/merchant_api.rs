//! Shops and proposed offers as JSON: a merchant proposes offers and keeps its shops under
//! `/api/v1/merchant`; the union decides proposals under `/api/v1/offer-proposals` and keeps
//! the shops of the merchants it registered.

use super::api::ListQuery;
use super::view::{ProposalView, ShopView};
use crate::auth::StaffUser;
use crate::extract::{ApiJson, ApiQuery, Created, Id, Keyed};
use crate::{ApiError, AppState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;
use zhijia_app::benefit::OfferTerms;
use zhijia_app::benefit::proposal::{self, Approval};
use zhijia_app::benefit::shop::{self, ShopInput};
use zhijia_domain::ids::{MerchantId, ProposalId, ShopId};

/// Proposes an offer for the caller's merchant; the union approves it (adding the audience)
/// or rejects it with a reason.
#[utoipa::path(post, path = "/api/v1/merchant/proposals", tag = "benefit", request_body = OfferTerms,
    responses((status = 201, body = Created), (status = 403, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn propose(
    state: Keyed,
    user: StaffUser,
    ApiJson(terms): ApiJson<OfferTerms>,
) -> Result<Response, ApiError> {
    let id = proposal::propose(&state.benefit(), &user.ctx(), &terms, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })).into_response())
}

/// The caller's merchant's proposals with their decisions, newest first.
#[utoipa::path(get, path = "/api/v1/merchant/proposals", tag = "benefit", params(ListQuery),
    responses((status = 200, description = "本商户的提报(分页)"), (status = 403, body = crate::error::ErrorBody)))]
pub async fn my_proposals(
    state: Keyed,
    user: StaffUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let page = proposal::mine(&state.benefit(), &user.ctx(), q.limit, q.offset).await?;
    Ok(Json(crate::pages::views::<_, ProposalView>(page)).into_response())
}

/// Withdraws one of the caller's merchant's proposals while it waits.
#[utoipa::path(post, path = "/api/v1/merchant/proposals/{id}/cancel", tag = "benefit", params(("id" = i64, Path)),
    responses((status = 204, description = "已撤回"), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn cancel(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<ProposalId>,
) -> Result<Response, ApiError> {
    proposal::cancel(&state.benefit(), &user.ctx(), id, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The proposals waiting from the merchants of a union's subtree, oldest first.
#[utoipa::path(get, path = "/api/v1/offer-proposals", tag = "benefit", params(ListQuery),
    responses((status = 200, description = "待审核的提报(分页)"), (status = 403, body = crate::error::ErrorBody)))]
pub async fn waiting(
    state: Keyed,
    user: StaffUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let (_, page) =
        proposal::waiting(&state.benefit(), &user.ctx(), q.org, q.limit, q.offset).await?;
    Ok(Json(crate::pages::views::<_, ProposalView>(page)).into_response())
}

/// Approves a proposal into an offer for an audience; answers the offer's id.
#[utoipa::path(post, path = "/api/v1/offer-proposals/{id}/approve", tag = "benefit",
    params(("id" = i64, Path)), request_body = Approval,
    responses((status = 201, body = Created), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn approve(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<ProposalId>,
    ApiJson(approval): ApiJson<Approval>,
) -> Result<Response, ApiError> {
    let offer = proposal::approve(&state.benefit(), &user.ctx(), id, &approval, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(Created { id: offer.0 })).into_response())
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RejectRequest {
    /// Why, for the merchant (up to 200 characters).
    pub reason: String,
}

/// Rejects a proposal with a reason the merchant reads.
#[utoipa::path(post, path = "/api/v1/offer-proposals/{id}/reject", tag = "benefit",
    params(("id" = i64, Path)), request_body = RejectRequest,
    responses((status = 204, description = "已驳回"), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn reject(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<ProposalId>,
    ApiJson(r): ApiJson<RejectRequest>,
) -> Result<Response, ApiError> {
    proposal::reject(&state.benefit(), &user.ctx(), id, &r.reason, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A merchant's shops, for its own staff and the unions that keep it.
#[utoipa::path(get, path = "/api/v1/merchants/{id}/shops", tag = "benefit",
    params(("id" = i64, Path), ListQuery),
    responses((status = 200, description = "门店(分页)"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn shops(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<MerchantId>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let page = shop::of_merchant(&state.benefit(), &user.ctx(), id, q.limit, q.offset).await?;
    Ok(Json(crate::pages::views::<_, ShopView>(page)).into_response())
}

/// Adds a shop with its address and (GCJ-02) coordinates.
#[utoipa::path(post, path = "/api/v1/merchants/{id}/shops", tag = "benefit",
    params(("id" = i64, Path)), request_body = ShopInput,
    responses((status = 201, body = Created), (status = 404, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn add_shop(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<MerchantId>,
    ApiJson(input): ApiJson<ShopInput>,
) -> Result<Response, ApiError> {
    let shop = shop::add(&state.benefit(), &user.ctx(), id, &input, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(Created { id: shop.0 })).into_response())
}

/// Removes a shop.
#[utoipa::path(delete, path = "/api/v1/shops/{id}", tag = "benefit", params(("id" = i64, Path)),
    responses((status = 204, description = "已删除"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn remove_shop(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<ShopId>,
) -> Result<Response, ApiError> {
    shop::remove(&state.benefit(), &user.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/merchant/proposals",
            get(my_proposals).post(propose),
        )
        .route("/api/v1/merchant/proposals/{id}/cancel", post(cancel))
        .route("/api/v1/offer-proposals", get(waiting))
        .route("/api/v1/offer-proposals/{id}/approve", post(approve))
        .route("/api/v1/offer-proposals/{id}/reject", post(reject))
        .route("/api/v1/merchants/{id}/shops", get(shops).post(add_shop))
        .route("/api/v1/shops/{id}", delete(remove_shop))
}
