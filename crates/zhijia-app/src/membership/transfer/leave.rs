//! Leaving the union (退会) and retirement.

use super::*;

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
    let entry = crate::membership::roster::entry(ctx, staff, membership_id).await?;
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
