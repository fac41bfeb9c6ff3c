//! The merchant's pages: its offers with their stock, its redemptions of a month, the offers
//! it proposes to the union (with the union's decisions), and its shops. Redemption is `/merchant/redeem`.

use super::console::terms_of_form;
use super::value_label;
use crate::auth::{StaffUser, checked_form, csrf_refused};
use crate::extract::{Id, Keyed};
use crate::pages::render;
use crate::pages::{Pager, UserBar};
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
use zhijia_app::benefit::proposal;
use zhijia_app::benefit::shop::{self, ShopInput};
use zhijia_app::benefit::{self, SettlementLine};
use zhijia_domain::ids::{ProposalId, ShopId};
use zhijia_store::benefit::Offer;
use zhijia_store::benefit::proposal::Proposal;
use zhijia_store::benefit::shop::Shop;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    page: Option<i64>,
    /// The month of the redemptions tab, `YYYY-MM`; this month by default.
    month: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Offers,
    Redemptions,
    Proposals,
    Shops,
}

#[derive(Template)]
#[template(path = "benefit/merchant.html")]
struct MerchantPage {
    user: UserBar,
    merchant_name: String,
    tab: Tab,
    offers: Vec<Offer>,
    proposals: Vec<Proposal>,
    shops: Vec<Shop>,
    /// The redemptions tab: the month shown and one page of its lines.
    month: String,
    redemptions: Vec<SettlementLine>,
    pager: Pager,
    error: Option<String>,
    typed: HashMap<String, String>,
}

impl MerchantPage {
    fn is(&self, tab: Tab) -> bool {
        self.tab == tab
    }
    fn value(&self, kind: &zhijia_domain::benefit::OfferKind, value: &i64) -> String {
        value_label(*kind, *value)
    }
    fn v(&self, k: &str) -> &str {
        self.typed.get(k).map_or("", String::as_str)
    }
    fn local(&self, t: &chrono::DateTime<Utc>) -> String {
        crate::filters::beijing_fmt(t, "%m-%d %H:%M")
    }
    fn at(&self, t: &Option<chrono::DateTime<Utc>>) -> String {
        t.map(|t| crate::filters::beijing_fmt(&t, "%m-%d %H:%M"))
            .unwrap_or_default()
    }
    fn map(&self, s: &Shop) -> Option<String> {
        map_link(s)
    }
    fn shop_action(&self) -> &'static str {
        "/merchant/shops"
    }
}

/// An Amap marker address for a shop's GCJ-02 coordinates (Amap's own system).
pub fn map_link(s: &Shop) -> Option<String> {
    match (s.longitude, s.latitude) {
        (Some(lng), Some(lat)) => Some(format!(
            "https://uri.amap.com/marker?position={lng:.6},{lat:.6}&coordinate=gaode&callnative=0"
        )),
        _ => None,
    }
}

async fn page(
    state: &Keyed,
    user: &StaffUser,
    tab: Tab,
    q: PageQuery,
    error: Option<String>,
    typed: HashMap<String, String>,
) -> Result<Response, PageError> {
    let c = state.benefit();
    let merchant = benefit::own_merchant(&c, &user.ctx()).await?;
    let (p, limit, offset) = crate::pages::page_window(q.page, crate::pages::PER_PAGE);
    let (mut offers, mut proposals, mut shops) = (Vec::new(), Vec::new(), Vec::new());
    let mut redemptions = Vec::new();
    let mut month = q
        .month
        .clone()
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| zhijia_app::today(Utc::now()).format("%Y-%m").to_string());
    let (total, base) = match tab {
        Tab::Redemptions => {
            // The month's settlement, newest first, one page of it on screen; the XLSX has all.
            let s = benefit::settlement(&c, &user.ctx(), &month).await?;
            let total = s.redeemed;
            redemptions = s
                .lines
                .into_iter()
                .rev()
                .skip(usize::try_from(offset).unwrap_or(0))
                .take(usize::try_from(limit).unwrap_or(0))
                .collect();
            month = s.month;
            (total, format!("/merchant/redemptions?month={month}&"))
        }
        Tab::Offers => {
            let page = benefit::merchant_offers(&c, &user.ctx(), Some(limit), Some(offset)).await?;
            offers = page.items;
            (page.total, "/merchant/offers?".to_owned())
        }
        Tab::Proposals => {
            let page = proposal::mine(&c, &user.ctx(), Some(limit), Some(offset)).await?;
            proposals = page.items;
            (page.total, "/merchant/proposals?".to_owned())
        }
        Tab::Shops => {
            let page =
                shop::of_merchant(&c, &user.ctx(), merchant.id, Some(limit), Some(offset)).await?;
            shops = page.items;
            (page.total, "/merchant/shops?".to_owned())
        }
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        render(&MerchantPage {
            user: user.into(),
            merchant_name: merchant.name,
            tab,
            offers,
            proposals,
            shops,
            month,
            redemptions,
            pager: Pager::new(p, total, base),
            error,
            typed,
        }),
    )
        .into_response())
}

async fn show(
    state: Keyed,
    user: StaffUser,
    tab: Tab,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    page(&state, &user, tab, q, None, HashMap::new()).await
}

async fn offers(
    state: Keyed,
    user: StaffUser,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    show(state, user, Tab::Offers, q).await
}

async fn redemptions(
    state: Keyed,
    user: StaffUser,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    show(state, user, Tab::Redemptions, q).await
}

async fn proposals(
    state: Keyed,
    user: StaffUser,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    show(state, user, Tab::Proposals, q).await
}

async fn shops(
    state: Keyed,
    user: StaffUser,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    show(state, user, Tab::Shops, q).await
}

/// Runs a form's step: on success back to the tab, on a refusal the tab again with the reason
/// and everything typed (422).
async fn after(
    state: &Keyed,
    user: &StaffUser,
    tab: Tab,
    done: Result<(), AppError>,
    typed: HashMap<String, String>,
) -> Result<Response, PageError> {
    let to = match tab {
        Tab::Offers => "/merchant/offers",
        Tab::Redemptions => "/merchant/redemptions",
        Tab::Proposals => "/merchant/proposals",
        Tab::Shops => "/merchant/shops",
    };
    match done {
        Ok(()) => Ok(Redirect::to(to).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::NotFound(_))) => {
            page(
                state,
                user,
                tab,
                PageQuery::default(),
                Some(e.to_string()),
                typed,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn propose(
    state: Keyed,
    user: StaffUser,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let done: Result<(), AppError> = async {
        let terms = terms_of_form(&f)?;
        proposal::propose(&state.benefit(), &user.ctx(), &terms, Utc::now())
            .await
            .map(|_| ())
    }
    .await;
    after(&state, &user, Tab::Proposals, done, f).await
}

async fn cancel(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<ProposalId>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(_) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let done = proposal::cancel(&state.benefit(), &user.ctx(), id, Utc::now()).await;
    after(&state, &user, Tab::Proposals, done, HashMap::new()).await
}

/// Reads a coordinate field: blank is none.
pub fn degrees(field: &'static str, v: &str) -> Result<Option<f64>, AppError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<f64>()
        .map(Some)
        .map_err(|_| AppError::invalid(field, "经纬度应为小数，如 113.324520"))
}

/// The shop fields of a form.
pub fn shop_input(f: &HashMap<String, String>) -> Result<ShopInput, AppError> {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    Ok(ShopInput {
        name: get("name"),
        address: get("address"),
        longitude: degrees("longitude", &get("longitude"))?,
        latitude: degrees("latitude", &get("latitude"))?,
    })
}

async fn add_shop(
    state: Keyed,
    user: StaffUser,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let done: Result<(), AppError> = async {
        let input = shop_input(&f)?;
        let merchant = benefit::own_merchant(&state.benefit(), &user.ctx()).await?;
        shop::add(
            &state.benefit(),
            &user.ctx(),
            merchant.id,
            &input,
            Utc::now(),
        )
        .await
        .map(|_| ())
    }
    .await;
    after(&state, &user, Tab::Shops, done, f).await
}

async fn remove_shop(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<ShopId>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(_) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let done = shop::remove(&state.benefit(), &user.ctx(), id).await;
    after(&state, &user, Tab::Shops, done, HashMap::new()).await
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/merchant",
            get(|| async { Redirect::to("/merchant/offers") }),
        )
        .route("/merchant/offers", get(offers))
        .route("/merchant/redemptions", get(redemptions))
        .route("/merchant/proposals", get(proposals).post(propose))
        .route("/merchant/proposals/{id}/cancel", post(cancel))
        .route("/merchant/shops", get(shops).post(add_shop))
        .route("/merchant/shops/{id}/delete", post(remove_shop))
}
