//! A union's proposal of a transfer, and the worker's answer to it.

use super::*;

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
        started_by: zhijia_domain::member::TransferStarter::Union,
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
        .filter(|t| {
            t.worker_id == worker_id
                && t.started_by == zhijia_domain::member::TransferStarter::Union
        })
        .ok_or(AppError::NotFound("会籍接转请求"))
}
