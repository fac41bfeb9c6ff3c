//! Transfer of membership between unions (会籍接转), leaving (退会) and retirement.
//!
//! A transfer is the worker's decision: they ask for it, or a receiving union proposes it by
//! member number and it waits for the worker's confirmation (inbox and SMS; it lapses after
//! `CONFIRM_DAYS`). Until the worker agrees, no union sees it, and the union that proposed learns
//! nothing about the number it typed. Then it waits for the releasing union; if it does nothing
//! for `release_days` the release is automatic. The receiving union then accepts, and the old
//! membership is closed and the new one opened in one transaction, so a member is never in two
//! unions or in none.

mod leave;
mod proposal;
mod release;

pub use leave::*;
pub use proposal::*;
pub use release::*;

use crate::caller::{StaffCtx, sms_notice, system_actor, worker_actor, worker_of_phone};

use super::Ctx;
use crate::{AppError, Result};
use chrono::{DateTime, Duration, Utc};
use zhijia_domain::audit::{Actor, action};
use zhijia_domain::ids::{MembershipId, TransferId, WorkerId};
use zhijia_domain::member::{EndReason, MemberNo, MembershipStatus, TransferStatus};
use zhijia_domain::org::OrgId;
use zhijia_store::Recorded;
use zhijia_store::Tx;
use zhijia_store::audit::{self, Record};
use zhijia_store::membership::{self as store, NewTransfer, Transfer};
use zhijia_store::org::{self as org_store, Org};
use zhijia_store::worker as worker_store;

async fn log(
    tx: &mut Tx,
    actor: &Actor,
    what: &'static str,
    org: OrgId,
    worker_id: WorkerId,
    detail: String,
) -> Result<Recorded> {
    Ok(audit::append(
        tx,
        actor,
        Record {
            action: what,
            org: Some(org),
            target_kind: Some("worker"),
            target_id: Some(worker_id.to_string()),
            detail: Some(detail),
        },
    )
    .await?)
}

fn check_reason(reason: &str, required: bool) -> Result<Option<String>> {
    let r = reason.trim();
    if r.chars().count() > 200 {
        return Err(AppError::invalid("reason", "原因不能超过200个字"));
    }
    if required && r.is_empty() {
        return Err(AppError::invalid("reason", "请填写原因，会员会看到"));
    }
    Ok((!r.is_empty()).then(|| r.to_owned()))
}

/// Days a worker has to answer a union's proposal.
pub const CONFIRM_DAYS: i64 = 7;

/// Proposals one staff member may make in a day: enough for a union enrolling a new workplace,
/// too few to walk member numbers and text their holders.
pub const PROPOSALS_PER_DAY: i64 = 30;

/// The worker's own request.
async fn open_transfer(
    ctx: &Ctx<'_>,
    actor: &Actor,
    worker_id: WorkerId,
    to: &Org,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<TransferId> {
    let mut tx = ctx.db.change().await?;
    let m = store::current(&mut tx, worker_id)
        .await?
        .ok_or(AppError::Conflict(
            "该职工目前没有有效会籍，请直接申请入会".into(),
        ))?;
    if m.org_id == to.id {
        return Err(AppError::Conflict(format!("已是{}的会员", to.name)));
    }
    let release_due_at = now + Duration::days(ctx.settings.release_days);
    let t = NewTransfer {
        worker_id,
        from_membership_id: m.id,
        from_org_id: m.org_id,
        to_org_id: to.id,
        started_by: zhijia_domain::member::TransferStarter::Worker,
        reason,
        release_due_at,
        confirm_due_at: None,
    };
    let id = match store::insert_transfer(&mut tx, &t).await {
        Ok(id) => id,
        Err(e) if e.is_conflict_on(zhijia_store::unique::TRANSFER_OPEN) => {
            return Err(AppError::Conflict(
                "已有一项正在办理的会籍接转，请等待办理结果".into(),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let recorded = log(
        &mut tx,
        actor,
        action::TRANSFER_REQUESTED,
        to.id,
        worker_id,
        format!("接转#{id}：{} → {}", m.org_name, to.name),
    )
    .await?;
    store::notify(
        &mut tx,
        worker_id,
        "会籍接转已发起",
        &format!(
            "会籍将由{}转入{}：等待{}同意转出(最迟{}自动转出)，再由{}接收。",
            m.org_name,
            to.name,
            m.org_name,
            crate::today(release_due_at),
            to.name
        ),
        Some("/membership"),
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(id)
}

/// The worker asks to move their membership to another union (e.g. a new employer's).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn request(
    ctx: &Ctx<'_>,
    phone: &str,
    to_org: OrgId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<TransferId> {
    let worker = worker_of_phone(ctx.db, phone).await?;
    let to = org_store::get(ctx.db, to_org)
        .await?
        .ok_or(AppError::NotFound("转入工会"))?;
    let reason = check_reason(reason, false)?;
    open_transfer(
        ctx,
        &worker_actor(phone),
        worker.id,
        &to,
        reason.as_deref(),
        now,
    )
    .await
}

/// Transfers in or out of a union's subtree, of one status (default: awaiting release).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn queue(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    q: &super::QueueQuery,
) -> Result<(Org, zhijia_store::Page<Transfer>)> {
    let org = super::review_scope(ctx, staff, q.org).await?;
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => TransferStatus::AwaitingRelease,
        Some(s) => {
            TransferStatus::parse(s).ok_or_else(|| AppError::invalid("status", "未知的接转状态"))?
        }
    };
    let (limit, offset) = crate::page_bounds(q.limit, q.offset, 20);
    let page = store::transfer_queue(ctx.db, &org.path, status, limit, offset).await?;
    Ok((org, page))
}
