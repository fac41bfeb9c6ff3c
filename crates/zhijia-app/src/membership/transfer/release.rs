//! The releasing union's answer, the receiving union's acceptance, and release by deadline.

use super::*;

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
    let new_id = store::open(
        &mut tx,
        t.worker_id,
        to.id,
        today,
        zhijia_domain::member::MembershipSource::Transfer,
    )
    .await?;
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
