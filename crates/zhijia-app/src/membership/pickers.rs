//! What a worker picks on the join form instead of typing codes: employers found by name or
//! credit code, township (street) unions found by name. Only what exists is offered, and a name
//! typed without the suggestions (no JavaScript) is resolved here the same way.

use crate::{AppError, Result};
use zhijia_domain::org::{OrgId, OrgLevel};
use zhijia_store::Store;
use zhijia_store::org as org_store;

/// At most this many suggestions: a phone shows a handful, the person types on to narrow.
const LIMIT: i64 = 10;

/// An employer a worker may pick: its name and credit code (both public, on its licence).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct EmployerChoice {
    pub name: String,
    pub credit_code: String,
}

/// A township (street) union a worker may pick, with its county so two of one name differ.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TownshipChoice {
    #[schema(value_type = i64)]
    pub id: OrgId,
    pub name: String,
    /// The county or district it serves, in words (e.g. 广东省广州市天河区).
    pub place: String,
}

/// What a search asks for: trimmed, at most 40 characters, at least one.
fn query(text: &str) -> Option<String> {
    let t: String = text.trim().chars().take(40).collect();
    (!t.is_empty()).then_some(t)
}

/// Employers whose name contains `text` or whose credit code starts with it.
pub async fn employers(db: &Store, text: &str) -> Result<Vec<EmployerChoice>> {
    let Some(q) = query(text) else {
        return Ok(Vec::new());
    };
    Ok(org_store::employers_matching(db, &q, LIMIT)
        .await?
        .into_iter()
        .filter_map(|o| {
            Some(EmployerChoice {
                name: o.employer_name?,
                credit_code: o.employer_credit_code?,
            })
        })
        .collect())
}

/// The credit code of the one employer with exactly this name, when there is exactly one: a
/// worker without JavaScript types the name and is not asked for the code.
pub async fn employer_code_by_name(db: &Store, name: &str) -> Result<Option<String>> {
    let name = name.trim();
    if name.is_empty() {
        return Ok(None);
    }
    let found = org_store::employers_named(db, name).await?;
    Ok(match found.as_slice() {
        [one] => one.employer_credit_code.clone(),
        _ => None,
    })
}

/// Township (street) unions whose name contains `text`.
pub async fn townships(db: &Store, text: &str) -> Result<Vec<TownshipChoice>> {
    let Some(q) = query(text) else {
        return Ok(Vec::new());
    };
    Ok(org_store::level_matching(db, OrgLevel::Township, &q, LIMIT)
        .await?
        .into_iter()
        .map(|o| TownshipChoice {
            id: o.id,
            place: crate::region::full_name(&o.region_code),
            name: o.name,
        })
        .collect())
}

/// The township union a worker named, as typed or as picked from the suggestions
/// ("名称（所在区县）", which tells apart two unions of one name). Empty is "not chosen"; a name
/// that matches none or more than one is refused at the field, in words the worker can act on.
pub async fn township_by_name(db: &Store, typed: &str) -> Result<Option<OrgId>> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    let (name, place) = match typed.strip_suffix('）').and_then(|t| t.split_once('（')) {
        Some((n, p)) => (n.trim(), Some(p.trim())),
        None => (typed, None),
    };
    let found: Vec<_> = org_store::level_named(db, OrgLevel::Township, name)
        .await?
        .into_iter()
        .filter(|o| place.is_none_or(|p| crate::region::full_name(&o.region_code) == p))
        .collect();
    match found.as_slice() {
        [one] => Ok(Some(one.id)),
        [] => Err(AppError::invalid(
            "township_org_id",
            format!("没有找到“{typed}”，请输入街道或乡镇名称后从列表中选择；不清楚可不填"),
        )),
        _ => Err(AppError::invalid(
            "township_org_id",
            format!("有多个“{name}”，请从列表中选择所在区县的那一个；不清楚可不填"),
        )),
    }
}
