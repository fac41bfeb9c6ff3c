//! The points mall on the web: the member's shelf and orders (page and API), the union's items
//! (console and API).

use crate::auth::worker::WorkerUser;
use crate::auth::{StaffUser, checked_form, csrf_refused};
use crate::extract::{ApiJson, ApiQuery, Created, Id, body};
use crate::filters;
use crate::pages::UserBar;
use crate::pages::render;
use crate::{ApiError, AppState, PageError};
use askama::Template;
use axum::extract::rejection::{FormRejection, JsonRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;
use std::collections::HashMap;
use zhijia_app::AppError;
use zhijia_app::mall::{self, ItemInput, Shelf};
use zhijia_domain::ids::MallItemId;
use zhijia_store::mall::{Item, Order};

pub mod view;
use view::{ItemView, OrderView, ShelfView};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ListQuery {
    pub org: Option<i64>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// What the member may buy with points, and their balance.
#[utoipa::path(get, path = "/api/v1/me/mall", tag = "mall",
    responses((status = 200, description = "积分余额与可兑换商品", body = ShelfView), (status = 401, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn shelf(State(state): State<AppState>, user: WorkerUser) -> Result<Response, ApiError> {
    let shelf = mall::shelf(&state.store, &user.session.phone).await?;
    Ok(Json(ShelfView::from(&shelf)).into_response())
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OrderRequest {
    /// Or the `Idempotency-Key` header: the same key returns the same order.
    pub idempotency_key: Option<String>,
}

/// Orders one item with points: stock, the per-member limit and the balance are exact.
#[utoipa::path(post, path = "/api/v1/me/mall/{id}/orders", tag = "mall",
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = OrderRequest,
    responses((status = 201, description = "订单", body = OrderView), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn order(
    State(state): State<AppState>,
    user: WorkerUser,
    Id(id): Id<MallItemId>,
    headers: HeaderMap,
    b: Result<Json<OrderRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let key = match headers.get("idempotency-key").and_then(|v| v.to_str().ok()) {
        Some(k) => k.to_owned(),
        None => body(b, "{\"idempotency_key\": \"…\"}")?
            .idempotency_key
            .unwrap_or_default(),
    };
    let o = mall::order(&state.store, &user.session.phone, id, &key, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(OrderView::from(&o))).into_response())
}

/// The member's orders, newest first.
#[utoipa::path(get, path = "/api/v1/me/mall/orders", tag = "mall", params(ListQuery),
    responses((status = 200, description = "我的兑换订单(分页)"), (status = 401, body = crate::error::ErrorBody)))]
pub async fn my_orders(
    State(state): State<AppState>,
    user: WorkerUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let page = mall::my_orders(&state.store, &user.session.phone, q.limit, q.offset).await?;
    Ok(Json(crate::pages::views::<_, OrderView>(page)).into_response())
}

/// Puts an item on sale for points (editors and administrators).
#[utoipa::path(post, path = "/api/v1/mall/items", tag = "mall", request_body = ItemInput,
    responses((status = 201, body = Created), (status = 403, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_item(
    State(state): State<AppState>,
    user: StaffUser,
    ApiJson(input): ApiJson<ItemInput>,
) -> Result<Response, ApiError> {
    let id = mall::create_item(&state.store, &user.ctx(), &input, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })).into_response())
}

/// The items of a union's subtree with their stock.
#[utoipa::path(get, path = "/api/v1/mall/items", tag = "mall", params(ListQuery),
    responses((status = 200, description = "积分商品(分页)"), (status = 403, body = crate::error::ErrorBody)))]
pub async fn items(
    State(state): State<AppState>,
    user: StaffUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let (_, page) = mall::items(&state.store, &user.ctx(), q.org, q.limit, q.offset).await?;
    Ok(Json(crate::pages::views::<_, ItemView>(page)).into_response())
}

#[derive(Template)]
#[template(path = "mall/shelf.html")]
struct ShelfPage {
    csrf: String,
    shelf: Option<Shelf>,
    orders: Vec<Order>,
    error: Option<String>,
    key: String,
}

async fn shelf_page(
    state: &AppState,
    user: &WorkerUser,
    error: Option<String>,
) -> Result<Response, PageError> {
    let (shelf, error) = match mall::shelf(&state.store, &user.session.phone).await {
        Ok(s) => (Some(s), error),
        Err(e @ (AppError::Forbidden(_) | AppError::NotFound(_))) => (None, Some(e.to_string())),
        Err(e) => return Err(e.into()),
    };
    let orders = match &shelf {
        Some(_) => {
            mall::my_orders(&state.store, &user.session.phone, Some(20), None)
                .await?
                .items
        }
        None => Vec::new(),
    };
    let status = if error.is_some() && shelf.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        render(&ShelfPage {
            csrf: user.session.csrf_token.clone(),
            shelf,
            orders,
            error,
            key: zhijia_domain::auth::random_token(),
        }),
    )
        .into_response())
}

async fn shelf_view(
    State(state): State<AppState>,
    user: WorkerUser,
) -> Result<Response, PageError> {
    shelf_page(&state, &user, None).await
}

#[derive(Debug, Deserialize)]
pub struct OrderForm {
    csrf: String,
    #[serde(default)]
    key: String,
}

async fn order_form(
    State(state): State<AppState>,
    user: WorkerUser,
    Id(id): Id<MallItemId>,
    form: Result<Form<OrderForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    match mall::order(&state.store, &user.session.phone, id, &form.key, Utc::now()).await {
        Ok(_) => Ok(Redirect::to("/mall").into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::NotFound(_))) => {
            shelf_page(&state, &user, Some(e.to_string())).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "mall/console.html")]
struct ConsolePage {
    user: UserBar,
    org_id: zhijia_domain::ids::OrgId,
    org_name: String,
    items: Vec<Item>,
    error: Option<String>,
    typed: HashMap<String, String>,
}

impl ConsolePage {
    fn v(&self, k: &str) -> &str {
        self.typed.get(k).map_or("", String::as_str)
    }
}

async fn console_page(
    state: &AppState,
    user: &StaffUser,
    org: Option<i64>,
    error: Option<String>,
    typed: HashMap<String, String>,
) -> Result<Response, PageError> {
    let (org, page) = mall::items(&state.store, &user.ctx(), org, Some(200), None).await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        render(&ConsolePage {
            user: user.into(),
            org_id: org.id,
            org_name: org.name,
            items: page.items,
            error,
            typed,
        }),
    )
        .into_response())
}

async fn console(
    State(state): State<AppState>,
    user: StaffUser,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    console_page(&state, &user, q.org, None, HashMap::new()).await
}

async fn console_create(
    State(state): State<AppState>,
    user: StaffUser,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let num = |k: &str| get(k).trim().parse::<i64>().unwrap_or(0);
    let org = get("org").trim().parse().ok();
    let input = ItemInput {
        org,
        title: get("title"),
        description: get("description"),
        points: num("points"),
        stock: num("stock"),
        per_member_limit: num("per_member_limit"),
    };
    match mall::create_item(&state.store, &user.ctx(), &input, Utc::now()).await {
        Ok(_) => console_page(&state, &user, org, None, HashMap::new()).await,
        Err(e @ AppError::Invalid(_)) => {
            console_page(&state, &user, org, Some(e.to_string()), f).await
        }
        Err(e) => Err(e.into()),
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/mall", get(shelf))
        .route("/api/v1/me/mall/{id}/orders", post(order))
        .route("/api/v1/me/mall/orders", get(my_orders))
        .route("/api/v1/mall/items", get(items).post(create_item))
        .route("/mall", get(shelf_view))
        .route("/mall/{id}/order", post(order_form))
        .route("/console/mall", get(console).post(console_create))
}

crate::auth::carries_csrf!(OrderForm);
