//! Transfer of membership between unions (会籍接转), leaving (退会) and retirement.
//!
//! A transfer is the worker's decision: they ask for it, or a receiving union proposes it by
//! member number and it waits for the worker's confirmation (inbox and SMS; it lapses after
//! `CONFIRM_DAYS`). Until the worker agrees, no union sees it, and the union that proposed learns
//! nothing about the number it typed. Then it waits for the releasing union; if it does nothing
//! for `release_days` the release is automatic. The receiving union then accepts, and the old
//! membership is closed and the new one opened in one transaction, so a member is never in two
//! unions or in none.

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
        started_by: "worker",
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

/// What a union is told after proposing a transfer, whatever the number led to.
pub const PROPOSED: &str =
    "已提交。如会员号有效且该会员可以转入，会员将收到短信和站内消息，确认后接转会出现在列表中";

/// A receiving union proposes the transfer of a member (by member number) who now works there.
/// The answer is the same whether the number is unknown, ended, already in this union or busy
/// with another transfer, so nothing is learnt from it; the worker is asked to confirm. Each
/// proposal is audited, and a staff member may make `PROPOSALS_PER_DAY` a day.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn start_by_union(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    member_no: &str,
    to_org: OrgId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<&'static str> {
    let no = MemberNo::parse(member_no)?;
    let to = org_store::get(ctx.db, to_org)
        .await?
        .ok_or(AppError::NotFound("转入工会"))?;
    if !staff.may_review(&to.path) {
        return Err(AppError::Forbidden("只能为本级及下级工会发起接转".into()));
    }
    let reason = check_reason(reason, false)?;
    let mut tx = ctx.db.change().await?;
    let made = audit::count_by_actor_since(
        &mut tx,
        staff.actor,
        action::TRANSFER_PROPOSED,
        now - Duration::days(1),
    )
    .await?;
    if made >= PROPOSALS_PER_DAY {
        return Err(AppError::TooMany(format!(
            "每人每天最多发起{PROPOSALS_PER_DAY}次会籍接转，请明天再试"
        )));
    }
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        Record {
            action: action::TRANSFER_PROPOSED,
            org: Some(to.id),
            target_kind: Some("member_no"),
            target_id: Some(no.as_str().to_owned()),
            detail: Some(format!("请求转入{}", to.name)),
        },
    )
    .await?;
    let proposal = propose(&mut tx, ctx, &no, &to, reason.as_deref(), now).await?;
    tx.commit(recorded).await?;
    if let Some(phone) = proposal {
        let text = format!(
            "【职工之家】{}请求将您的会籍转入，请在{CONFIRM_DAYS}天内登录“我的会籍”确认或拒绝；如不认识该工会，请拒绝。",
            to.name
        );
        sms_notice(ctx.sms, &phone, &text).await;
    }
    Ok(PROPOSED)
}

/// Opens the proposal in the change if the number names a current member of another union who
/// has no open transfer, and tells the worker in the inbox; returns the phone to text.
async fn propose(
    tx: &mut zhijia_store::Change,
    ctx: &Ctx<'_>,
    no: &MemberNo,
    to: &Org,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<String>> {
    let Some(worker) = worker_store::find_by_member_no(ctx.db, no.as_str()).await? else {
        return Ok(None);
    };
    let Some(m) = store::current(&mut **tx, worker.id).await? else {
        return Ok(None);
    };
    if m.org_id == to.id {
        return Ok(None);
    }
    let confirm_due_at = now + Duration::days(CONFIRM_DAYS);
    let t = NewTransfer {
        worker_id: worker.id,
        from_membership_id: m.id,
        from_org_id: m.org_id,
        to_org_id: to.id,
        started_by: "union",
        reason,
        release_due_at: confirm_due_at + Duration::days(ctx.settings.release_days),
        confirm_due_at: Some(confirm_due_at),
    };
    match store::insert_transfer(tx, &t).await {
        Ok(_) => {}
        Err(e) if e.is_conflict_on(zhijia_store::unique::TRANSFER_OPEN) => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    store::notify(
        tx,
        worker.id,
        "有工会请求接转您的会籍",
        &format!(
            "{}请求将您的会籍由{}转入。是否同意由您决定：请在{}前确认或拒绝，逾期未确认视为拒绝。",
            to.name,
            m.org_name,
            crate::today(confirm_due_at)
        ),
        Some("/membership"),
    )
    .await?;
    Ok(Some(worker.phone))
}

/// The worker agrees to a union's proposal: the releasing union is asked now.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn confirm(ctx: &Ctx<'_>, phone: &str, id: TransferId, now: DateTime<Utc>) -> Result<()> {
    let worker = worker_of_phone(ctx.db, phone).await?;
    let t = own_proposal(ctx, worker.id, id).await?;
    let release_due_at = now + Duration::days(ctx.settings.release_days);
    let mut tx = ctx.db.change().await?;
    if !store::confirm(&mut tx, id, worker.id, now, release_due_at).await? {
        return Err(AppError::Conflict(
            "该接转请求已处理或已过期，请刷新后查看".into(),
        ));
    }
    let recorded = log(
        &mut tx,
        &worker_actor(phone),
        action::TRANSFER_CONFIRMED,
        t.to_org_id,
        worker.id,
        format!("接转#{id}：{} → {}", t.from_org_name, t.to_org_name),
    )
    .await?;
    store::notify(
        &mut tx,
        worker.id,
        "会籍接转已发起",
        &format!(
            "您已同意会籍由{}转入{}：等待{}同意转出(最迟{}自动转出)，再由{}接收。",
            t.from_org_name,
            t.to_org_name,
            t.from_org_name,
            crate::today(release_due_at),
            t.to_org_name
        ),
        Some("/membership"),
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(())
}

/// The worker turns a union's proposal down.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn decline(ctx: &Ctx<'_>, phone: &str, id: TransferId) -> Result<()> {
    let worker = worker_of_phone(ctx.db, phone).await?;
    let t = own_proposal(ctx, worker.id, id).await?;
    let mut tx = ctx.db.change().await?;
    if !store::decline(&mut tx, id, worker.id).await? {
        return Err(AppError::Conflict(
            "该接转请求已处理或已过期，请刷新后查看".into(),
        ));
    }
    let recorded = log(
        &mut tx,
        &worker_actor(phone),
        action::TRANSFER_DECLINED,
        // Recorded with the member's own union: the proposing union's log must not tell it
        // that the number it typed belongs to someone.
        t.from_org_id,
        worker.id,
        format!("接转#{id}：拒绝转入{}", t.to_org_name),
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(())
}

/// A union's proposal to this worker; another worker's does not exist for them.
async fn own_proposal(ctx: &Ctx<'_>, worker_id: WorkerId, id: TransferId) -> Result<Transfer> {
    store::transfer(ctx.db, id)
        .await?
        .filter(|t| t.worker_id == worker_id && t.started_by == "union")
        .ok_or(AppError::NotFound("会籍接转请求"))
}

/// The transfer, if the staff member may act on it from `side` ("from" or "to"); hidden (404)
/// from staff of neither side.
async fn visible(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: TransferId,
) -> Result<(Transfer, Org, Org)> {
    let t = store::transfer(ctx.db, id)
        .await?
        .ok_or(AppError::NotFound("会籍接转"))?;
    let from = org_store::get(ctx.db, t.from_org_id)
        .await?
        .ok_or(AppError::NotFound("转出工会"))?;
    let to = org_store::get(ctx.db, t.to_org_id)
        .await?
        .ok_or(AppError::NotFound("转入工会"))?;
    // Until the worker agrees, a proposal is nobody's business but theirs.
    if t.worker_confirmed_at.is_none()
        || (!staff.may_review(&from.path) && !staff.may_review(&to.path))
    {
        return Err(AppError::NotFound("会籍接转"));
    }
    Ok((t, from, to))
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn get(ctx: &Ctx<'_>, staff: &StaffCtx<'_>, id: TransferId) -> Result<Transfer> {
    Ok(visible(ctx, staff, id).await?.0)
}

/// The releasing union agrees (`refuse_reason` None) or refuses with a reason.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn answer_release(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: TransferId,
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
    id: TransferId,
    now: DateTime<Utc>,
) -> Result<Transfer> {
    let (t, _, to) = visible(ctx, staff, id).await?;
    if !staff.may_review(&to.path) {
        return Err(AppError::Forbidden("只有转入工会可以接收".into()));
    }
    if t.status == TransferStatus::AwaitingRelease {
        return Err(AppError::Conflict(
            "转出工会尚未同意转出，到期未答复将自动转出".into(),
        ));
    }
    if t.status != TransferStatus::Released {
        return Err(AppError::Conflict("该接转已处理，请刷新后查看".into()));
    }
    let today = crate::today(now);
    let mut tx = ctx.db.change().await?;
    if !store::end(
        &mut tx,
        t.from_membership_id,
        t.worker_id,
        today,
        EndReason::Transferred,
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
    // Proposals the worker let lapse end here too: they never left the worker's inbox.
    for id in store::lapse_unconfirmed(tx, now).await? {
        if let Some(t) = store::transfer(&mut *tx, id).await? {
            recorded = Some(
                log(
                    tx,
                    &actor,
                    action::TRANSFER_LAPSED,
                    // With the member's own union, as a refusal is (see `decline`).
                    t.from_org_id,
                    t.worker_id,
                    format!("接转#{id}：会员逾期未确认，请求作废"),
                )
                .await?,
            );
        }
    }
    Ok((ids.len(), recorded))
}

/// The worker leaves the union (退会), saying why. Their history and member number are kept;
/// the reason goes into the audit entry and the message, so the union sees why people leave.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn leave(ctx: &Ctx<'_>, phone: &str, reason: &str, now: DateTime<Utc>) -> Result<()> {
    let reason = leave_reason(reason)?;
    let worker = worker_of_phone(ctx.db, phone).await?;
    let mut tx = ctx.db.change().await?;
    let m = store::current(&mut tx, worker.id)
        .await?
        .ok_or(AppError::Conflict("您目前没有有效会籍".into()))?;
    if !store::end(&mut tx, m.id, worker.id, crate::today(now), EndReason::Left).await? {
        return Err(AppError::Conflict("您目前没有有效会籍".into()));
    }
    // An open transfer has nothing left to move.
    for t in store::transfers_of(ctx.db, worker.id).await? {
        if matches!(
            t.status,
            TransferStatus::AwaitingRelease | TransferStatus::Released
        ) {
            store::cancel(&mut tx, t.id).await?;
        }
    }
    let recorded = log(
        &mut tx,
        &worker_actor(phone),
        action::MEMBERSHIP_LEFT,
        m.org_id,
        worker.id,
        format!("退出{}，原因：{reason}", m.org_name),
    )
    .await?;
    store::notify(
        &mut tx,
        worker.id,
        "已退会",
        &format!(
            "您已退出{}(原因：{reason})。会员卡随之失效；欢迎随时重新申请入会。",
            m.org_name
        ),
        Some("/membership"),
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(())
}

/// A leaving reason: 2 to 200 characters of visible text.
fn leave_reason(reason: &str) -> Result<&str> {
    let r = reason.trim();
    let n = r.chars().count();
    if n < 2 || r.chars().any(zhijia_domain::text::is_hidden) {
        return Err(AppError::invalid("reason", "请选择或填写退会原因"));
    }
    if n > 200 {
        return Err(AppError::invalid("reason", "退会原因不能超过200个字"));
    }
    Ok(r)
}

/// Marks a member retired (membership kept) or, with `retired` false, active again.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_retired(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    membership_id: MembershipId,
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
    let status = if retired {
        MembershipStatus::Retired
    } else {
        MembershipStatus::Active
    };
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
        None => TransferStatus::AwaitingRelease,
        Some(s) => {
            TransferStatus::parse(s).ok_or_else(|| AppError::invalid("status", "未知的接转状态"))?
        }
    };
    let (limit, offset) = crate::page_bounds(q.limit, q.offset, 20);
    let page = store::transfer_queue(ctx.db, &org.path, status, limit, offset).await?;
    Ok((org, page))
}
