//! The life of a file after it opens: the annual review (年度复核), leaving hardship
//! (解困脱困) and the lapse of files not reviewed in time.

use super::*;

/// The annual review: the facts again, the tier recomputed, the next review a year on. A
/// household no longer in hardship is told to leave it instead.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn review(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: AidFileId,
    input: &ReviewInput,
    now: DateTime<Utc>,
) -> Result<()> {
    let f = managed(ctx, staff, id).await?;
    let listed = store::members(ctx.db, id).await?.len();
    let c = cause(&input.cause)?;
    let n = size(input.household_size, listed)?;
    let minimum = ctx.settings.minimum_for(&f.region_code);
    let t = tier(ctx, input.income_per_head_fen, minimum, c).map_err(|_| {
        AppError::invalid(
            "income_per_head_fen",
            "复核后已不符合困难标准，请办理“解困脱困”并记录原因",
        )
    })?;
    let health = text("health", &input.health, 500)?;
    let disability = text("disability", &input.disability, 500)?;
    let housing = text("housing", &input.housing, 200)?;
    let today = crate::today(now);
    let due = aid::review_due(today, ctx.settings.review_months);
    let mut tx = ctx.db.change().await?;
    let done = store::review(
        &mut tx,
        id,
        &store::Review {
            tier: t,
            cause: c,
            household_size: n,
            income_per_head_fen: input.income_per_head_fen,
            health: &health,
            disability: &disability,
            housing: &housing,
            minimum_fen: minimum,
            reviewed_on: today,
            review_due_on: due,
            lapses_on: due + Duration::days(ctx.settings.lapse_grace_days),
        },
    )
    .await?;
    if !done {
        return Err(AppError::Conflict("档案已不在档，不能复核".into()));
    }
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        Record {
            action: action::AID_FILE_REVIEWED,
            org: Some(f.org_id),
            target_kind: Some("hardship_file"),
            target_id: Some(id.to_string()),
            detail: Some(format!("年度复核：{}，下次复核 {due}", t.label())),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(())
}

/// Leaving hardship (解困脱困), with the reason. The household's people may be in a new file later.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn exit(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: AidFileId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let f = managed(ctx, staff, id).await?;
    staff_id(staff)?;
    let reason = text("reason", reason, 200)?;
    let mut tx = ctx.db.change().await?;
    if !store::close(&mut tx, id, FileStatus::Exited, crate::today(now), &reason).await? {
        return Err(AppError::Conflict("档案已不在档".into()));
    }
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        Record {
            action: action::AID_FILE_EXITED,
            org: Some(f.org_id),
            target_kind: Some("hardship_file"),
            target_id: Some(id.to_string()),
            detail: Some(format!("解困脱困：{reason}")),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(())
}

/// Lapses the files not reviewed in time (the background job `aid.lapse_overdue_reviews`), in
/// the job's transaction. Returns how many lapsed.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn lapse_overdue_in(
    tx: &mut Tx,
    now: DateTime<Utc>,
) -> Result<(usize, Option<Recorded>)> {
    let lapsed = store::lapse_due(tx, crate::today(now)).await?;
    let actor = system_actor();
    let mut recorded = None;
    for l in &lapsed {
        recorded = Some(
            audit::append(
                tx,
                &actor,
                Record {
                    action: action::AID_FILE_LAPSED,
                    org: Some(l.org_id),
                    target_kind: Some("hardship_file"),
                    target_id: Some(l.id.to_string()),
                    detail: Some("逾期未年度复核，档案失效".into()),
                },
            )
            .await?,
        );
    }
    Ok((lapsed.len(), recorded))
}

/// The same, in a transaction of its own.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn lapse_overdue(db: &zhijia_store::Store, now: DateTime<Utc>) -> Result<usize> {
    let mut tx = db.change().await?;
    let (n, recorded) = lapse_overdue_in(&mut tx, now).await?;
    if let Some(recorded) = recorded {
        tx.commit(recorded).await?;
    }
    Ok(n)
}
