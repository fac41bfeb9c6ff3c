//! Transfer of membership between unions (会籍接转), leaving (退会) and retirement.
//!
//! A transfer waits for the releasing union; if it does nothing for `release_days` the release is
//! automatic. The receiving union then accepts, and the old membership is closed and the new one
//! opened in one transaction, so a member is never in two unions or in none.

use crate::caller::{StaffCtx, sms_notice, system_actor, worker_actor, worker_of_phone};

use super::Ctx;
use crate::{AppError, Result};
use chrono::{DateTime, Duration, Utc};
use zhijia_domain::audit::{Actor, action};
use zhijia_domain::member::MemberNo;
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
    worker_id: i64,
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

async fn open_transfer(
    ctx: &Ctx<'_>,
    actor: &Actor,
    worker_id: i64,
    to: &Org,
    started_by: &'static str,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<i64> {
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
        started_by,
        reason,
        release_due_at,
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
    to_org: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let worker = worker_of_phone(ctx.db, phone).await?;
    let to = org_store::get(ctx.db, OrgId(to_org))
        .await?
        .ok_or(AppError::NotFound("转入工会"))?;
    let reason = check_reason(reason, false)?;
    open_transfer(
        ctx,
        &worker_actor(phone),
        worker.id,
        &to,
        "worker",
        reason.as_deref(),
        now,
    )
    .await
}

/// A receiving union starts the transfer of a member (by member number) who now works there.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn start_by_union(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    member_no: &str,
    to_org: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let no = MemberNo::parse(member_no)?;
    let to = org_store::get(ctx.db, OrgId(to_org))
        .await?
        .ok_or(AppError::NotFound("转入工会"))?;
    if !staff.may_review(&to.path) {
        return Err(AppError::Forbidden("只能为本级及下级工会发起接转".into()));
    }
    let worker = worker_store::find_by_member_no(ctx.db, no.as_str())
        .await?
        .ok_or(AppError::NotFound("该会员号对应的会员"))?;
    let reason = check_reason(reason, false)?;
    open_transfer(
        ctx,
        staff.actor,
        worker.id,
        &to,
        "union",
        reason.as_deref(),
        now,
    )
    .await
}

/// The transfer, if the staff member may act on it from `side` ("from" or "to"); hidden (404)
/// from staff of neither side.
async fn visible(ctx: &Ctx<'_>, staff: &StaffCtx<'_>, id: i64) -> Result<(Transfer, Org, Org)> {
    let t = store::transfer(ctx.db, id)
        .await?
        .ok_or(AppError::NotFound("会籍接转"))?;
    let from = org_store::get(ctx.db, t.from_org_id)
        .await?
        .ok_or(AppError::NotFound("转出工会"))?;
    let to = org_store::get(ctx.db, t.to_org_id)
        .await?
        .ok_or(AppError::NotFound("转入工会"))?;
    if !staff.may_review(&from.path) && !staff.may_review(&to.path) {
        return Err(AppError::NotFound("会籍接转"));
    }
    Ok((t, from, to))
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn get(ctx: &Ctx<'_>, staff: &StaffCtx<'_>, id: i64) -> Result<Transfer> {
    Ok(visible(ctx, staff, id).await?.0)
}

/// The releasing union agrees (`refuse_reason` None) or refuses with a reason.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn answer_release(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: i64,
    refuse_reason: Option<&str>,
) -> Result<Transfer> {
    let (t, from, _) = visible(ctx, staff, id).await?;
    if !staff.may_review(&from.path) {
        return Err(AppError::Forbidden(
            "只有转出工会可以同意或不同意转出".into(),
        ));
    }
    let staff_id = staff.staff_id();
    let mut tx = ctx.db.change().await?;
    let (what, title, body) = match refuse_reason {
        None => {
            if !store::release(&mut tx, id, staff_id).await? {
                return Err(AppError::Conflict("该接转已处理，请刷新后查看".into()));
            }
            (
                action::TRANSFER_RELEASED,
                "转出工会已同意",
                format!(
                    "{}已同意您的会籍转出，等待{}接收。",
                    from.name, t.to_org_name
                ),
            )
        }
        Some(reason) => {
            let reason = check_reason(reason, true)?.unwrap_or_default();
            if !store::refuse(&mut tx, id, staff_id, &reason).await? {
                return Err(AppError::Conflict("该接转已处理，请刷新后查看".into()));
            }
            (
                action::TRANSFER_REFUSED,
                "转出工会不同意转出",
                format!("{}不同意您的会籍转出。原因：{reason}", from.name),
            )
        }
    };
    let recorded = log(
        &mut tx,
        staff.actor,
        what,
        from.id,
        t.worker_id,
        format!("接转#{id}"),
    )
    .await?;
    store::notify(&mut tx, t.worker_id, title, &body, Some("/membership")).await?;
    tx.commit(recorded).await?;
    if let Some(w) = worker_store::get(ctx.db, t.worker_id).await? {
        sms_notice(ctx.sms, &w.phone, &format!("【职工之家】{body}")).await;
    }
    get(ctx, staff, id).await
}

/// The receiving union accepts a released transfer: old membership closed, new one opened.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn accept(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Transfer> {
    let (t, _, to) = visible(ctx, staff, id).await?;
    if !staff.may_review(&to.path) {
        return Err(AppError::Forbidden("只有转入工会可以接收".into()));
    }
    if t.status == "awaiting_release" {
        return Err(AppError::Conflict(
            "转出工会尚未同意转出，到期未答复将自动转出".into(),
        ));
    }
    if t.status != "released" {
        return Err(AppError::Conflict("该接转已处理，请刷新后查看".into()));
    }
    let today = crate::today(now);
    let mut tx = ctx.db.change().await?;
    if !store::end(
        &mut tx,
        t.from_membership_id,
        t.worker_id,
        today,
        "transferred",
    )
    .await?
    {
        return Err(AppError::Conflict("原会籍已结束，无法接转".into()));
    }
    let new_id = store::open(&mut tx, t.worker_id, to.id, today, "transfer").await?;
    if !store::complete(&mut tx, id, staff.staff_id(), new_id).await? {
        return Err(AppError::Conflict("该接转已处理，请刷新后查看".into()));
    }
    let recorded = log(
        &mut tx,
        staff.actor,
        action::TRANSFER_COMPLETED,
        to.id,
        t.worker_id,
        format!("接转#{id}：{} → {}", t.from_org_name, to.name),
    )
    .await?;
    let body = format!(
        "您的会籍已由{}转入{}，会员号不变。",
        t.from_org_name, to.name
    );
    store::notify(
        &mut tx,
        t.worker_id,
        "会籍接转已完成",
        &body,
        Some("/membership"),
    )
    .await?;
    tx.commit(recorded).await?;
    if let Some(w) = worker_store::get(ctx.db, t.worker_id).await? {
        sms_notice(ctx.sms, &w.phone, &format!("【职工之家】{body}")).await;
    }
    get(ctx, staff, id).await
}

/// Releases every transfer whose releasing union let the deadline pass. Safe to run from
/// several server processes at once: each transfer is released by exactly one of them.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn release_overdue(ctx: &Ctx<'_>, now: DateTime<Utc>) -> Result<usize> {
    let mut tx = ctx.db.change().await?;
    let (n, recorded) = release_overdue_in(&mut tx, now).await?;
    if let Some(recorded) = recorded {
        tx.commit(recorded).await?;
    }
    Ok(n)
}

/// The same, in the caller's transaction (the job runner finishes its job in it).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn release_overdue_in(
    tx: &mut Tx,
    now: DateTime<Utc>,
) -> Result<(usize, Option<Recorded>)> {
    let ids = store::release_overdue(tx, now).await?;
    let actor = system_actor();
    let mut recorded = None;
    for id in &ids {
        if let Some(t) = store::transfer(&mut *tx, *id).await? {
            recorded = Some(
                log(
                    tx,
                    &actor,
                    action::TRANSFER_RELEASED,
                    t.from_org_id,
                    t.worker_id,
                    format!("接转#{id}：转出工会逾期未答复，自动转出"),
                )
                .await?,
            );
            store::notify(
                tx,
                t.worker_id,
                "会籍已自动转出",
                &format!(
                    "{}逾期未答复，您的会籍已自动转出，等待{}接收。",
                    t.from_org_name, t.to_org_name
                ),
                Some("/membership"),
            )
            .await?;
        }
    }
    Ok((ids.len(), recorded))
}

/// The worker leaves the union (退会). Their history and member number are kept.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn leave(ctx: &Ctx<'_>, phone: &str, now: DateTime<Utc>) -> Result<()> {
    let worker = worker_of_phone(ctx.db, phone).await?;
    let mut tx = ctx.db.change().await?;
    let m = store::current(&mut tx, worker.id)
        .await?
        .ok_or(AppError::Conflict("您目前没有有效会籍".into()))?;
    if !store::end(&mut tx, m.id, worker.id, crate::today(now), "left").await? {
        return Err(AppError::Conflict("您目前没有有效会籍".into()));
    }
    // An open transfer has nothing left to move.
    for t in store::transfers_of(ctx.db, worker.id).await? {
        if matches!(t.status.as_str(), "awaiting_release" | "released") {
            store::cancel(&mut tx, t.id).await?;
        }
    }
    let recorded = log(
        &mut tx,
        &worker_actor(phone),
        action::MEMBERSHIP_LEFT,
        m.org_id,
        worker.id,
        format!("退出{}", m.org_name),
    )
    .await?;
    store::notify(
        &mut tx,
        worker.id,
        "已退会",
        &format!(
            "您已退出{}。会员卡随之失效；欢迎随时重新申请入会。",
            m.org_name
        ),
        Some("/membership"),
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(())
}

/// Marks a member retired (membership kept) or, with `retired` false, active again.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_retired(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    membership_id: i64,
    retired: bool,
) -> Result<()> {
    let entry = super::roster::entry(ctx, staff, membership_id).await?;
    let org = org_store::get(ctx.db, entry.org_id)
        .await?
        .ok_or(AppError::NotFound("工会"))?;
    if !staff.may_review(&org.path) {
        return Err(AppError::Forbidden(
            "只有审核人员或管理员可以变更会籍状态".into(),
        ));
    }
    let status = if retired { "retired" } else { "active" };
    let mut tx = ctx.db.change().await?;
    if !store::set_status(&mut tx, membership_id, status).await? {
        return Err(AppError::Conflict("该会籍已结束".into()));
    }
    let recorded = log(
        &mut tx,
        staff.actor,
        action::MEMBERSHIP_RETIRED,
        org.id,
        entry.worker_id,
        if retired {
            "标记退休，保留会籍"
        } else {
            "恢复在职"
        }
        .into(),
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(())
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
        None => "awaiting_release",
        Some(s) => zhijia_domain::member::TransferStatus::parse(s)
            .ok_or_else(|| AppError::invalid("status", "未知的接转状态"))?
            .as_str(),
    };
    let (limit, offset) = crate::page_bounds(q.limit, q.offset, 20);
    let page = store::transfer_queue(ctx.db, &org.path, status, limit, offset).await?;
    Ok((org, page))
}
