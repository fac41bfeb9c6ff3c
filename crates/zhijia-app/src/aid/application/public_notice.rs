//! The public notice (公示) of approved applications, with names masked, and the objections
//! to it: one pauses payment until an aid officer resolves it.

use super::*;
/// What the public notice shows of an approved application: the head's name masked, no
/// identity number.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NoticeItem {
    #[schema(value_type = i64)]
    pub id: AidApplicationId,
    pub name_masked: String,
    pub org_name: String,
    pub kind_label: &'static str,
    pub amount_fen: i64,
    pub amount_yuan: String,
    pub approved_on: Option<NaiveDate>,
    pub notice_ends_on: Option<NaiveDate>,
    /// Whether an objection is being looked into (payment paused).
    pub objected: bool,
}

/// The public notice of a union's subtree (the whole tree without `org`). Public.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn notice(
    db: &zhijia_store::Store,
    org: Option<OrgId>,
    limit: Option<i64>,
    offset: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Page<NoticeItem>> {
    let path = match org {
        Some(id) => Some(
            org_store::get(db, id)
                .await?
                .ok_or(AppError::NotFound("工会"))?
                .path,
        ),
        None => None,
    };
    let (limit, offset) = crate::page_bounds(limit, offset, 20);
    let page = store::notice(db, path.as_ref(), crate::today(now), limit, offset).await?;
    Ok(Page {
        items: page.items.into_iter().map(notice_item).collect(),
        total: page.total,
        offset: page.offset,
        limit: page.limit,
    })
}

fn notice_item(a: store::ApplicationRow) -> NoticeItem {
    NoticeItem {
        id: a.id,
        name_masked: mask_name(&a.head_name),
        org_name: a.org_name,
        kind_label: a.kind.label(),
        amount_yuan: aid::yuan(a.amount_fen),
        amount_fen: a.amount_fen,
        approved_on: a.approved_on,
        notice_ends_on: a.notice_ends_on,
        objected: a.status == AidStatus::Suspended,
    }
}

/// One application as the public notice shows it, if it is on notice today.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn notice_of(
    db: &zhijia_store::Store,
    id: AidApplicationId,
    now: DateTime<Utc>,
) -> Result<Option<NoticeItem>> {
    let today = crate::today(now);
    Ok(store::application(db, id)
        .await?
        .filter(|a| {
            matches!(a.status, AidStatus::Approved | AidStatus::Suspended)
                && a.notice_ends_on.is_some_and(|end| today < end)
        })
        .map(notice_item))
}

/// Files an objection to an approved application; payment pauses until it is resolved. A
/// worker may object while the notice runs; staff record objections received any time before
/// the aid is paid in full.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn object(
    ctx: &Ctx<'_>,
    actor: &Actor,
    staff: Option<&StaffCtx<'_>>,
    id: AidApplicationId,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<ObjectionId> {
    let a = match staff {
        Some(s) => readable(ctx, s, id).await?,
        None => store::application(ctx.db, id)
            .await?
            .ok_or(AppError::NotFound("帮扶申请"))?,
    };
    let on_notice = a.notice_ends_on.is_some_and(|end| crate::today(now) < end);
    let open = matches!(a.status, AidStatus::Approved | AidStatus::Suspended);
    if !open || (staff.is_none() && !on_notice) {
        return Err(AppError::Conflict("该申请不在公示期，不能提出异议".into()));
    }
    let detail = text("detail", detail, 500)?;
    let mut tx = ctx.db.change().await?;
    let oid = store::insert_objection(&mut tx, id, &detail, &actor.name).await?;
    store::set_status(&mut tx, id, AidStatus::Approved, AidStatus::Suspended).await?;
    let recorded = audit::append(
        &mut tx,
        actor,
        Record {
            action: action::AID_OBJECTION_FILED,
            org: Some(a.org_id),
            target_kind: Some("aid_application"),
            target_id: Some(id.to_string()),
            detail: Some(format!("异议#{oid}：{detail}")),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(oid)
}

/// Resolves an objection: upheld, the application is rejected; dismissed, payment may resume
/// once no other objection is open.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn resolve(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    objection_id: ObjectionId,
    upheld: bool,
    note: &str,
) -> Result<()> {
    let actor_id = staff_id(staff)?;
    let note = text("resolution", note, 500)?;
    let mut tx = ctx.db.change().await?;
    let o = store::objection_in(&mut tx, objection_id)
        .await?
        .ok_or(AppError::NotFound("异议"))?;
    let a = store::application(&mut tx, o.application_id)
        .await?
        .ok_or(AppError::NotFound("帮扶申请"))?;
    if !may_read(staff, &a.org_path) {
        return Err(AppError::NotFound("异议"));
    }
    if !may_manage(staff, &a.org_path) {
        return Err(AppError::Forbidden("只有帮扶专干可以处理异议".into()));
    }
    let status = if upheld {
        ObjectionStatus::Upheld
    } else {
        ObjectionStatus::Dismissed
    };
    if !store::resolve_objection(&mut tx, objection_id, status, Some(actor_id), &note).await? {
        return Err(AppError::Conflict("该异议已处理".into()));
    }
    if upheld {
        store::set_status(&mut tx, a.id, AidStatus::Suspended, AidStatus::Rejected).await?;
        store::set_status(&mut tx, a.id, AidStatus::Approved, AidStatus::Rejected).await?;
    } else if store::open_objections(&mut tx, a.id).await? == 0 {
        store::set_status(&mut tx, a.id, AidStatus::Suspended, AidStatus::Approved).await?;
    }
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        Record {
            action: action::AID_OBJECTION_RESOLVED,
            org: Some(a.org_id),
            target_kind: Some("aid_application"),
            target_id: Some(a.id.to_string()),
            detail: Some(format!(
                "异议#{objection_id}{}：{note}",
                if upheld {
                    "成立，申请不予帮扶"
                } else {
                    "不成立"
                }
            )),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(())
}
