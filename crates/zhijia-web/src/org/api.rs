//! JSON API of the union tree, under /api/v1/orgs.

use super::parse_id;
use crate::{ApiError, AppState};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zhijia_app::{AppError, org as uc, page_bounds};
use zhijia_domain::org::OrgId;
use zhijia_store::org::{Org, OrgMove, Page};

/// An org as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgView {
    #[schema(value_type = i64)]
    pub id: OrgId,
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<OrgId>,
    /// Materialised path of ids from the root, e.g. `/1/2/35/`.
    pub path: String,
    /// 1 for a root.
    pub depth: i64,
    pub name: String,
    /// national, province, city, county, township or grassroots.
    pub level: &'static str,
    pub level_label: &'static str,
    /// general, industry or regional.
    pub kind: &'static str,
    pub kind_label: &'static str,
    /// GB/T 2260.
    pub region_code: String,
    /// GB 32100 code of the union legal person (begins with 81).
    pub credit_code: Option<String>,
    pub employer_name: Option<String>,
    pub employer_credit_code: Option<String>,
    /// GB/T 4754 section letter.
    pub industry_code: Option<String>,
    pub industry_label: Option<&'static str>,
    pub chair: Option<String>,
    /// YYYY-MM-DD.
    pub founded_on: Option<NaiveDate>,
    pub child_count: i64,
}

impl From<Org> for OrgView {
    fn from(o: Org) -> Self {
        OrgView {
            id: o.id,
            parent_id: o.parent_id,
            path: o.path.as_str().to_owned(),
            depth: o.depth,
            name: o.name,
            level: o.level.as_str(),
            level_label: o.level.label(),
            kind: o.kind.as_str(),
            kind_label: o.kind.label(),
            region_code: o.region_code,
            credit_code: o.credit_code,
            employer_name: o.employer_name,
            employer_credit_code: o.employer_credit_code,
            industry_label: o
                .industry_code
                .as_deref()
                .and_then(zhijia_domain::industry::section_name),
            industry_code: o.industry_code,
            chair: o.chair,
            founded_on: o.founded_on,
            child_count: o.child_count,
        }
    }
}

/// One page of orgs.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgPage {
    pub items: Vec<OrgView>,
    /// How many there are in all.
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}

impl From<Page<Org>> for OrgPage {
    fn from(p: Page<Org>) -> Self {
        OrgPage {
            items: p.items.into_iter().map(OrgView::from).collect(),
            total: p.total,
            offset: p.offset,
            limit: p.limit,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgMoveView {
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    #[schema(value_type = Option<i64>)]
    pub from_parent_id: Option<OrgId>,
    #[schema(value_type = i64)]
    pub to_parent_id: OrgId,
    pub from_path: String,
    pub to_path: String,
    /// Orgs below the moved one that moved with it.
    pub descendants: i64,
    pub moved_by: String,
    /// RFC 3339, UTC.
    pub moved_at: String,
}

impl From<OrgMove> for OrgMoveView {
    fn from(m: OrgMove) -> Self {
        OrgMoveView {
            org_id: m.org_id,
            from_parent_id: m.from_parent_id,
            to_parent_id: m.to_parent_id,
            from_path: m.from_path,
            to_path: m.to_path,
            descendants: m.descendants,
            moved_by: m.moved_by,
            moved_at: m.moved_at.to_rfc3339(),
        }
    }
}

/// Pagination of every list: `limit` 1..=200 (default 50), `offset` from 0.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// Only orgs whose name contains this text (subtree only).
    pub q: Option<String>,
}

fn page_query(q: Result<Query<PageQuery>, QueryRejection>) -> Result<PageQuery, AppError> {
    q.map(|Query(q)| q)
        .map_err(|_| AppError::invalid("limit", "分页参数 limit、offset 应为整数"))
}

/// Top of the tree.
#[utoipa::path(get, path = "/api/v1/orgs", tag = "org", params(PageQuery),
    responses((status = 200, body = OrgPage), (status = 422, body = crate::error::ErrorBody)))]
pub async fn list_roots(
    State(state): State<AppState>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<OrgPage>, ApiError> {
    let q = page_query(q)?;
    let (limit, offset) = page_bounds(q.limit, q.offset, 50);
    Ok(Json(uc::roots(&state.store, limit, offset).await?.into()))
}

/// One org.
#[utoipa::path(get, path = "/api/v1/orgs/{id}", tag = "org", params(("id" = i64, Path)),
    responses((status = 200, body = OrgView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_org(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<OrgView>, ApiError> {
    let id = parse_id(&id)?;
    Ok(Json(uc::get(&state.store, id).await?.into()))
}

/// Direct children of an org, by name.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/children", tag = "org", params(("id" = i64, Path), PageQuery),
    responses((status = 200, body = OrgPage), (status = 404, body = crate::error::ErrorBody)))]
pub async fn list_children(
    State(state): State<AppState>,
    Path(id): Path<String>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<OrgPage>, ApiError> {
    let id = parse_id(&id)?;
    let q = page_query(q)?;
    let (limit, offset) = page_bounds(q.limit, q.offset, 50);
    Ok(Json(
        uc::children(&state.store, id, limit, offset).await?.into(),
    ))
}

/// The org and everything below it, in tree order; with `q`, only those whose name contains it.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/subtree", tag = "org", params(("id" = i64, Path), PageQuery),
    responses((status = 200, body = OrgPage), (status = 404, body = crate::error::ErrorBody)))]
pub async fn list_subtree(
    State(state): State<AppState>,
    Path(id): Path<String>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<OrgPage>, ApiError> {
    let id = parse_id(&id)?;
    let q = page_query(q)?;
    let (limit, offset) = page_bounds(q.limit, q.offset, 50);
    let page = match q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => uc::search(&state.store, id, text, limit, offset).await?,
        None => uc::subtree(&state.store, id, limit, offset).await?,
    };
    Ok(Json(page.into()))
}

/// Moves of an org under new parents, newest first.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/moves", tag = "org", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<OrgMoveView>), (status = 404, body = crate::error::ErrorBody)))]
pub async fn list_moves(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<OrgMoveView>>, ApiError> {
    let id = parse_id(&id)?;
    Ok(Json(
        uc::moves(&state.store, id)
            .await?
            .into_iter()
            .map(OrgMoveView::from)
            .collect(),
    ))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/orgs", get(list_roots))
        .route("/api/v1/orgs/suggest", get(super::suggest::suggest))
        .route("/api/v1/orgs/{id}", get(get_org))
        .route("/api/v1/orgs/{id}/children", get(list_children))
        .route("/api/v1/orgs/{id}/subtree", get(list_subtree))
        .route("/api/v1/orgs/{id}/moves", get(list_moves))
}
