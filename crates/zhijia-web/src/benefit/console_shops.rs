//! The union's page of a merchant's shops: list, add with coordinates, remove.

use super::merchant::{map_link, shop_input};
use crate::auth::{StaffUser, checked_form, csrf_refused};
use crate::extract::{Id, Keyed};
use crate::pages::render;
use crate::pages::{PER_PAGE, Pager, UserBar};
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;
use std::collections::HashMap;
use zhijia_app::AppError;
use zhijia_app::benefit::shop;
use zhijia_domain::ids::{MerchantId, ShopId};
use zhijia_store::benefit::shop::Shop;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "benefit/console_shops.html")]
struct ShopsPage {
    user: UserBar,
    merchant_id: MerchantId,
    merchant_name: String,
    shops: Vec<Shop>,
    pager: Pager,
    error: Option<String>,
    typed: HashMap<String, String>,
}

impl ShopsPage {
    fn v(&self, k: &str) -> &str {
        self.typed.get(k).map_or("", String::as_str)
    }
    fn map(&self, s: &Shop) -> Option<String> {
        map_link(s)
    }
    fn shop_action(&self) -> String {
        format!("/console/merchants/{}/shops", self.merchant_id)
    }
}

async fn page(
    state: &Keyed,
    user: &StaffUser,
    merchant_id: MerchantId,
    q: PageQuery,
    error: Option<String>,
    typed: HashMap<String, String>,
) -> Result<Response, PageError> {
    let c = state.benefit();
    let (p, limit, offset) = crate::pages::page_window(q.page, PER_PAGE);
    let shops = shop::of_merchant(&c, &user.ctx(), merchant_id, Some(limit), Some(offset)).await?;
    let merchant = zhijia_store::benefit::merchant(&state.store, merchant_id)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::NotFound("商户"))?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        render(&ShopsPage {
            user: user.into(),
            merchant_id,
            merchant_name: merchant.name,
            pager: Pager::new(
                p,
                shops.total,
                format!("/console/merchants/{merchant_id}/shops?"),
            ),
            shops: shops.items,
            error,
            typed,
        }),
    )
        .into_response())
}

async fn list(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<MerchantId>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    page(&state, &user, id, q, None, HashMap::new()).await
}

async fn add(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<MerchantId>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let done: Result<ShopId, AppError> = async {
        let input = shop_input(&f)?;
        shop::add(&state.benefit(), &user.ctx(), id, &input, Utc::now()).await
    }
    .await;
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/console/merchants/{id}/shops")).into_response()),
        Err(e @ AppError::Invalid(_)) => {
            page(
                &state,
                &user,
                id,
                PageQuery::default(),
                Some(e.to_string()),
                f,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct RemoveForm {
    csrf: String,
}

async fn remove(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<ShopId>,
    form: Result<Form<RemoveForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(_) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let merchant = zhijia_store::benefit::shop::get(&state.store, id)
        .await
        .map_err(AppError::from)?
        .map(|s| s.merchant_id);
    shop::remove(&state.benefit(), &user.ctx(), id).await?;
    Ok(Redirect::to(&format!(
        "/console/merchants/{}/shops",
        merchant.map_or(0, |m| m.0)
    ))
    .into_response())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/merchants/{id}/shops", get(list).post(add))
        .route("/console/shops/{id}/delete", post(remove))
}

crate::auth::carries_csrf!(RemoveForm);
