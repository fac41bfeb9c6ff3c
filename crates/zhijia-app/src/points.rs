//! Points (积分): what a member earns by taking part and spends, per-union rules of how much each
//! reason earns, and the member's balance and history.
//!
//! The amount for a reason is the rule of the deepest union on the member's path that set one,
//! else the built-in default (`PointsReason::default_points`). Awards are once per thing earned
//! (the ledger's `award_key` is unique per worker); spends never take a balance below zero, even
//! when concurrent (one conditional UPDATE of the balance row, see `zhijia_store::points`).

use crate::caller::StaffCtx;
use crate::{AppError, Result};
use serde::Serialize;
use zhijia_domain::audit::action;
use zhijia_domain::auth::{self, Role};
use zhijia_domain::ids::{PointsEntryId, WorkerId};
use zhijia_domain::org::{OrgId, OrgPath};
use zhijia_domain::points::{self as rules, PointsReason};
use zhijia_store::audit::{self, Record};
use zhijia_store::points as store;
use zhijia_store::{Page, Store, Tx};

/// The points a reason earns for a member of the union at `path`.
pub fn effective(found: &[store::Rule], reason: PointsReason) -> i64 {
    // Rules come shallowest first: the last match is the deepest union's.
    found
        .iter()
        .rfind(|r| r.reason == reason)
        .map_or(reason.default_points(), |r| r.points)
}

/// Awards the points `reason` earns for a member of the union at `path`, once per `award_key`,
/// inside the caller's transaction. Returns the points awarded (0 if the union's rule gives none
/// or the key was already awarded).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn award_in(
    tx: &mut Tx,
    worker_id: WorkerId,
    path: &OrgPath,
    org_id: Option<OrgId>,
    reason: PointsReason,
    award_key: &str,
    note: &str,
) -> Result<i64> {
    let found = store::rules_on_path(&mut *tx, path.as_str()).await?;
    let points = effective(&found, reason);
    if points == 0 {
        return Ok(0);
    }
    let done = store::award(tx, worker_id, points, reason, org_id, award_key, note).await?;
    Ok(if done.is_some() { points } else { 0 })
}

/// Spends a member's points (the points mall and other uses call this). Refused in words when
/// the balance does not cover it; returns the new balance.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn spend(
    db: &Store,
    worker_id: WorkerId,
    points: i64,
    org_id: Option<OrgId>,
    note: &str,
) -> Result<i64> {
    let points = rules::check_spend(points)?;
    let mut tx = db.change().await?;
    let Some(balance) = store::spend(&mut tx, worker_id, points, org_id, note).await? else {
        return Err(AppError::Conflict(format!("积分不足：需要 {points} 积分")));
    };
    tx.commit_unaudited(zhijia_store::Unaudited::OwnHistory)
        .await?;
    Ok(balance)
}

/// One line of the member's history, for people.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HistoryLine {
    #[schema(value_type = i64)]
    pub id: PointsEntryId,
    pub delta: i64,
    /// check_in, survey, course, first_join, spend
    pub reason: String,
    pub reason_label: &'static str,
    pub org_name: Option<String>,
    pub note: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MyPoints {
    pub balance: i64,
    pub history: Page<HistoryLine>,
}

/// The signed-in worker's balance and history, newest first (0 and nothing without a record).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mine(db: &Store, phone: &str, limit: i64, offset: i64) -> Result<MyPoints> {
    let Some(worker) = zhijia_store::worker::find_by_phone(db, phone).await? else {
        return Ok(MyPoints {
            balance: 0,
            history: Page {
                items: Vec::new(),
                total: 0,
                offset,
                limit,
            },
        });
    };
    let worker_id = worker.id;
    let balance = store::balance(db, worker_id).await?;
    let page = store::history(db, worker_id, limit, offset).await?;
    let items = page
        .items
        .into_iter()
        .map(|e| HistoryLine {
            id: e.id,
            delta: e.delta,
            reason_label: e.reason.label(),
            reason: e.reason.as_str().to_owned(),
            org_name: e.org_name,
            note: e.note,
            created_at: e.created_at,
        })
        .collect();
    Ok(MyPoints {
        balance,
        history: Page {
            items,
            total: page.total,
            offset: page.offset,
            limit: page.limit,
        },
    })
}

/// The points each reason earns in a union, and whether the rule is its own.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RuleView {
    pub reason: &'static str,
    pub label: &'static str,
    pub points: i64,
    /// Set on this union itself (not inherited from above or built in).
    pub own: bool,
}

/// Who may set a union's rules: its `org_admin` (or one above).
pub fn may_set_rules(staff: &StaffCtx<'_>, path: &OrgPath) -> bool {
    auth::holds(staff.grants, Role::OrgAdmin, path)
}

/// The rules in force for the members of a union (any union role of the branch may read them).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn rules_of(db: &Store, staff: &StaffCtx<'_>, org: i64) -> Result<Vec<RuleView>> {
    let org = crate::caller::branch(
        db,
        staff,
        Some(zhijia_domain::ids::OrgId(org)),
        |p| crate::activity::may_read(staff, p),
        "您没有查看积分规则的权限",
        "只能查看本级及下级工会的积分规则",
    )
    .await?;
    let found = store::rules_on_path(db, org.path.as_str()).await?;
    Ok(PointsReason::EARNING
        .iter()
        .map(|r| RuleView {
            reason: r.as_str(),
            label: r.label(),
            points: effective(&found, *r),
            own: found.iter().any(|x| x.org_id == org.id && x.reason == *r),
        })
        .collect())
}

/// Sets what a reason earns in a union and its subtree (unions below may set their own).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_rule(
    db: &Store,
    staff: &StaffCtx<'_>,
    org: i64,
    reason: &str,
    points: i64,
) -> Result<()> {
    let reason = PointsReason::parse(reason)
        .filter(|r| *r != PointsReason::Spend)
        .ok_or_else(|| {
            AppError::invalid(
                "reason",
                "积分项目应为 check_in、survey、course 或 first_join",
            )
        })?;
    let points = rules::check_award(points)?;
    let org = crate::caller::branch(
        db,
        staff,
        Some(zhijia_domain::ids::OrgId(org)),
        |p| may_set_rules(staff, p),
        "只有工会管理员可以设置积分规则",
        "只能设置本级及下级工会的积分规则",
    )
    .await?;
    let mut tx = db.change().await?;
    store::set_rule(
        &mut tx,
        org.id,
        reason,
        points,
        crate::benefit::acting_staff(staff),
    )
    .await?;
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        Record {
            action: action::POINTS_RULE_SET,
            org: Some(org.id),
            target_kind: Some("points_rule"),
            target_id: Some(reason.as_str().to_owned()),
            detail: Some(format!("{}：{points} 积分", reason.label())),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(())
}
