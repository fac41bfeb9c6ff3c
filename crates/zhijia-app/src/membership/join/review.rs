//! Review of join applications: the queue, approval and rejection.

use super::*;

/// A reviewer's decision.
#[derive(Debug, Clone)]
pub enum Decision {
    Approve,
    Reject { reason: String },
}

/// The application, if the staff member may review it (404 otherwise: not even its existence
/// is shown outside the reviewer's branch).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn reviewable(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: JoinApplicationId,
) -> Result<(Application, Org)> {
    let app = store::application(ctx.db, id)
        .await?
        .ok_or(AppError::NotFound("入会申请"))?;
    let org = org_store::get(ctx.db, app.org_id)
        .await?
        .ok_or(AppError::NotFound("受理工会"))?;
    if !staff.may_review(&org.path) {
        return Err(AppError::NotFound("入会申请"));
    }
    Ok((app, org))
}

/// Approves (opening the membership and giving the member number) or rejects with a reason.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn decide(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: JoinApplicationId,
    decision: Decision,
    now: DateTime<Utc>,
) -> Result<Application> {
    let (app, org) = reviewable(ctx, staff, id).await?;
    if app.status != member::ApplicationStatus::Pending {
        return Err(AppError::Conflict("该申请已处理，请刷新后查看".into()));
    }
    let worker = worker_store::get(ctx.db, app.worker_id)
        .await?
        .ok_or(AppError::NotFound("申请人"))?;
    let mut tx = ctx.db.change().await?;
    let (title, body, recorded) = match &decision {
        Decision::Approve => approve(&mut tx, staff, &app, &org, id, now).await?,
        Decision::Reject { reason } => reject(&mut tx, staff, &app, &org, id, reason).await?,
    };
    store::notify(&mut tx, app.worker_id, &title, &body, Some("/membership")).await?;
    tx.commit(recorded).await?;
    sms_notice(ctx.sms, &worker.phone, &format!("【职工之家】{body}")).await;
    store::application(ctx.db, id)
        .await?
        .ok_or(AppError::NotFound("入会申请"))
}

/// What a decision tells the applicant (title, body), with its audit entry.
type Told = (String, String, zhijia_store::Recorded);

/// Approves in the change: the application decided, the membership opened, the member number
/// given, the first-join points awarded, the audit entry written.
async fn approve(
    tx: &mut zhijia_store::Change,
    staff: &StaffCtx<'_>,
    app: &Application,
    org: &Org,
    id: JoinApplicationId,
    now: DateTime<Utc>,
) -> Result<Told> {
    if !store::decide(
        tx,
        id,
        member::ApplicationStatus::Approved,
        staff.staff_id(),
        None,
        None,
    )
    .await?
    {
        return Err(AppError::Conflict("该申请已处理，请刷新后查看".into()));
    }
    if let Err(e) = store::open(
        tx,
        app.worker_id,
        app.org_id,
        crate::today(now),
        zhijia_domain::member::MembershipSource::Application,
    )
    .await
    {
        if e.is_conflict_on(zhijia_store::unique::MEMBERSHIP_CURRENT) {
            return Err(AppError::Conflict(
                "申请人已是其他工会的会员，请改为办理会籍接转".into(),
            ));
        }
        return Err(e.into());
    }
    let no = MemberNo::from_serial(app.worker_id.0 as u64)?;
    let no = store::ensure_member_no(tx, app.worker_id, no.as_str()).await?;
    // The first-join points, once in a worker's life (the ledger's award key is unique).
    crate::points::award_in(
        tx,
        app.worker_id,
        &org.path,
        Some(org.id),
        zhijia_domain::points::PointsReason::FirstJoin,
        "first_join",
        "首次入会",
    )
    .await?;
    let recorded = audit::append(
        tx,
        staff.actor,
        Record {
            action: action::JOIN_APPROVED,
            org: Some(org.id),
            target_kind: Some("worker"),
            target_id: Some(app.worker_id.to_string()),
            detail: Some(format!("申请#{id}，会员号 {no}")),
        },
    )
    .await?;
    Ok((
        "入会申请已通过".to_owned(),
        format!(
            "欢迎加入{}！您的会员号是{no}，可在“会员卡”中出示电子会员卡。",
            org.name
        ),
        recorded,
    ))
}

/// Rejects in the change, with the reason the applicant reads.
async fn reject(
    tx: &mut zhijia_store::Change,
    staff: &StaffCtx<'_>,
    app: &Application,
    org: &Org,
    id: JoinApplicationId,
    reason: &str,
) -> Result<Told> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(AppError::invalid(
            "reason",
            "请填写不予通过的原因(200字以内)，申请人会看到",
        ));
    }
    if !store::decide(
        tx,
        id,
        member::ApplicationStatus::Rejected,
        staff.staff_id(),
        Some(reason),
        None,
    )
    .await?
    {
        return Err(AppError::Conflict("该申请已处理，请刷新后查看".into()));
    }
    let recorded = audit::append(
        tx,
        staff.actor,
        Record {
            action: action::JOIN_REJECTED,
            org: Some(org.id),
            target_kind: Some("worker"),
            target_id: Some(app.worker_id.to_string()),
            detail: Some(format!("申请#{id}：{reason}")),
        },
    )
    .await?;
    Ok((
        "入会申请未通过".to_owned(),
        format!("{}未通过您的入会申请。原因：{reason}", org.name),
        recorded,
    ))
}

/// The review queue of a union's subtree: pending applications, earliest deadline first;
/// `overdue` keeps only those past their deadline (what a parent union follows up).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn queue(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    q: &crate::membership::QueueQuery,
    now: DateTime<Utc>,
) -> Result<(Org, zhijia_store::Page<Application>)> {
    let org = crate::membership::review_scope(ctx, staff, q.org).await?;
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => member::ApplicationStatus::Pending,
        Some(s) => member::ApplicationStatus::parse(s).ok_or_else(|| {
            AppError::invalid("status", "申请状态应为待审核、已通过、未通过或已转为接转")
        })?,
    };
    let (limit, offset) = crate::page_bounds(q.limit, q.offset, 20);
    let overdue_on = q.overdue.then(|| crate::today(now));
    let page = store::queue(ctx.db, &org.path, status, overdue_on, limit, offset).await?;
    Ok((org, page))
}
