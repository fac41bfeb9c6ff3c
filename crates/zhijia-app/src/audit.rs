//! Reading the audit log: an `org_admin` sees the entries of their subtree; the operator's
//! command line sees everything.

use crate::{AppError, Result};
use zhijia_domain::auth::{self, Role, StaffId};
use zhijia_domain::org::OrgId;
use zhijia_store::audit::{self, Entry};
use zhijia_store::{Page, Store, org as org_store, staff as staff_store};

#[tracing::instrument(level = "debug", skip_all)]
pub async fn for_staff(
    db: &Store,
    staff: StaffId,
    org: OrgId,
    limit: i64,
    offset: i64,
) -> Result<Page<Entry>> {
    for_staff_in_area(db, staff, org, None, limit, offset).await
}

/// The same, only the entries whose action starts with `area` (`join.`, `pii.`…).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn for_staff_in_area(
    db: &Store,
    staff: StaffId,
    org: OrgId,
    area: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Page<Entry>> {
    let target = org_store::get(db, org)
        .await?
        .ok_or(AppError::NotFound("工会组织"))?;
    let grants = staff_store::grants(db, staff).await?;
    if !auth::holds(&grants, Role::OrgAdmin, &target.path) {
        return Err(AppError::Forbidden(
            "只有本级或上级组织管理员可以查看审计日志".into(),
        ));
    }
    Ok(audit::in_subtree_of_area(db, &target.path, area, limit, offset).await?)
}

/// The whole log, or one org's subtree, for `zhijia audit`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn for_operator(
    db: &Store,
    org: Option<OrgId>,
    limit: i64,
    offset: i64,
) -> Result<Page<Entry>> {
    match org {
        Some(id) => {
            let target = org_store::get(db, id)
                .await?
                .ok_or(AppError::NotFound("工会组织"))?;
            Ok(audit::in_subtree(db, &target.path, limit, offset).await?)
        }
        None => Ok(audit::all(db, limit, offset).await?),
    }
}
