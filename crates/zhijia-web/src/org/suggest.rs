//! Unions by name instead of by number: suggestions while staff type (scoped to the caller's
//! branches) and the lookup of the name a form posts.

use crate::auth::StaffUser;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use zhijia_app::{AppError, org as uc};
use zhijia_domain::auth::Role;
use zhijia_store::org::Org;

/// A union offered while typing.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    #[schema(value_type = i64)]
    pub id: zhijia_domain::org::OrgId,
    pub name: String,
    pub level_label: &'static str,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestQuery {
    /// 工会名称的一部分
    q: Option<String>,
}

/// The unions of the caller's branches whose name contains `text`, nearest the top first.
async fn within_branches(
    state: &AppState,
    user: &StaffUser,
    text: &str,
    limit: i64,
) -> Result<Vec<Org>, AppError> {
    let mut out: Vec<Org> = Vec::new();
    for top in crate::console::tops(&user.grants, &Role::ALL) {
        let Some(id) = top.ids().last().copied() else {
            continue;
        };
        for o in uc::search(&state.store, id, text, limit, 0).await?.items {
            if !out.iter().any(|x| x.id == o.id) {
                out.push(o);
            }
        }
    }
    out.truncate(limit as usize);
    Ok(out)
}

/// Unions of the caller's branches matching a name, for the console's union fields.
#[utoipa::path(get, path = "/api/v1/orgs/suggest", tag = "orgs", params(SuggestQuery),
    responses((status = 200, body = Vec<Suggestion>), (status = 401, body = crate::error::ErrorBody)))]
pub async fn suggest(
    State(state): State<AppState>,
    user: StaffUser,
    q: Result<Query<SuggestQuery>, QueryRejection>,
) -> Result<Json<Vec<Suggestion>>, ApiError> {
    let q = q.map(|Query(q)| q.q).ok().flatten().unwrap_or_default();
    let q = q.trim();
    if q.is_empty() {
        return Ok(Json(Vec::new()));
    }
    let orgs = within_branches(&state, &user, q, 10).await?;
    Ok(Json(
        orgs.into_iter()
            .map(|o| Suggestion {
                id: o.id,
                level_label: o.level.label(),
                name: o.name,
            })
            .collect(),
    ))
}

/// The union a form names, within the caller's branches: the one with exactly that name, or
/// the only one whose name contains it. `field` names the form field for the error.
pub async fn resolve(
    state: &AppState,
    user: &StaffUser,
    typed: &str,
    field: &'static str,
) -> Result<i64, AppError> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(AppError::invalid(
            field,
            "请填写工会名称(输入几个字后从建议中选择)",
        ));
    }
    let found = within_branches(state, user, typed, 20).await?;
    if let Some(o) = found.iter().find(|o| o.name == typed) {
        return Ok(o.id.0);
    }
    match found.as_slice() {
        [one] => Ok(one.id.0),
        [] => Err(AppError::invalid(
            field,
            format!("在您负责的组织中找不到名为“{typed}”的工会"),
        )),
        _ => Err(AppError::invalid(
            field,
            format!("有多个名称包含“{typed}”的工会，请填写完整名称或从建议中选择"),
        )),
    }
}
