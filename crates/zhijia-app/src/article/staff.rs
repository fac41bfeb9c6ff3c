//! The console's lists of articles: a branch's articles narrowed by kind and status, and the
//! review queue (what waits for a second person), both paginated and scoped to the caller.

use crate::caller::StaffCtx;
use crate::{AppError, Result};
use zhijia_domain::article::Kind;
use zhijia_domain::ids::OrgId;
use zhijia_domain::publishing::PublishStatus;
use zhijia_store::article::{self as store, ArticleRecord, Filter};
use zhijia_store::org::Org;
use zhijia_store::{Page, Store};

/// Reads the console's filters from what was typed (`kind`, `status`), naming a bad field.
pub fn filter(kind: Option<&str>, status: Option<&str>) -> Result<Filter> {
    let typed = |v: Option<&str>| {
        v.map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let kind = match typed(kind) {
        Some(k) => Some(
            Kind::parse(&k)
                .ok_or_else(|| AppError::invalid("kind", "类型应为 article、notice 或 answer"))?,
        ),
        None => None,
    };
    let status = match typed(status) {
        Some(s) => Some(PublishStatus::parse(&s).ok_or_else(|| {
            AppError::invalid(
                "status",
                "状态应为 draft、in_review、published 或 withdrawn",
            )
        })?),
        None => None,
    };
    Ok(Filter { kind, status })
}

/// The articles of a union's subtree the caller edits, newest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(
    db: &Store,
    staff: &StaffCtx<'_>,
    org: Option<OrgId>,
    filter: Filter,
    (limit, offset): (Option<i64>, Option<i64>),
) -> Result<(Org, Page<ArticleRecord>)> {
    let org = super::channel::editable_org(db, staff, org).await?;
    let (limit, offset) = crate::page_bounds(limit, offset, 20);
    let page = store::of_subtree(db, &org.path, filter, limit, offset).await?;
    Ok((org, page))
}

/// What waits for review in a union's subtree, oldest first. It lists the caller's own
/// articles too (marked on the page); only another person may decide on them.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn queue(
    db: &Store,
    staff: &StaffCtx<'_>,
    org: Option<OrgId>,
    (limit, offset): (Option<i64>, Option<i64>),
) -> Result<(Org, Page<ArticleRecord>)> {
    let org = super::channel::editable_org(db, staff, org).await?;
    let (limit, offset) = crate::page_bounds(limit, offset, 20);
    let page = store::in_review(db, &org.path, limit, offset).await?;
    Ok((org, page))
}
