//! The worker's side of activities: the activities open to them, registering (a seat or the
//! waiting list), cancelling (which promotes the first waiting, who is told by inbox and SMS),
//! their registrations with the registration QR, and nothing of anyone else's.

use super::{Ctx, token_key};
use crate::audience::Member;
use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;
use zhijia_domain::activity::{
    self as rules, ActivityStatus, REGISTRATION_TOKEN, RegistrationStatus,
};
use zhijia_domain::benefit::Audience;
use zhijia_domain::ids::{ActivityId, RegistrationId};
use zhijia_store::Page;
use zhijia_store::Unaudited;
use zhijia_store::activity::{self as store, Activity, Registration};

/// The signed-in worker as a member: their record, their current union and what the audience
/// rules look at. Without a record or a current membership, activities are closed to them (403).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn member_of(ctx: &Ctx<'_>, phone: &str, now: DateTime<Utc>) -> Result<Member> {
    crate::audience::member(
        ctx.db,
        phone,
        now,
        "只有工会会员可以报名参加工会活动，请先申请入会",
    )
    .await
}

/// The open activities whose audience includes the worker (their union, region and tags),
/// soonest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn available(
    ctx: &Ctx<'_>,
    phone: &str,
    now: DateTime<Utc>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<Page<Activity>> {
    let m = member_of(ctx, phone, now).await?;
    let (limit, offset) = crate::page_bounds(limit, offset, 50);
    Ok(store::list_for_member(
        ctx.db,
        &m.org.path,
        m.facts.region.as_deref().unwrap_or_default(),
        &m.facts.tags_delimited(),
        now,
        limit,
        offset,
    )
    .await?)
}

/// One's own registration, as the worker sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MyRegistration {
    #[schema(value_type = i64)]
    pub id: RegistrationId,
    #[schema(value_type = i64)]
    pub activity_id: ActivityId,
    pub activity_title: String,
    pub starts_at: DateTime<Utc>,
    /// registered, waiting, cancelled
    pub status: String,
    pub status_label: &'static str,
    /// Place on the waiting list (1 = next), while waiting.
    pub waiting_position: Option<i64>,
    pub checked_in_at: Option<DateTime<Utc>>,
    /// The registration QR to show at the door, while registered and not checked in.
    pub token: Option<String>,
}

async fn view(
    ctx: &Ctx<'_>,
    r: Registration,
    ends_at: Option<DateTime<Utc>>,
) -> Result<MyRegistration> {
    let status = r.status;
    let waiting_position = if status == RegistrationStatus::Waiting {
        Some(store::waiting_position(ctx.db, r.activity_id, r.id).await?)
    } else {
        None
    };
    let token = match (status, r.checked_in_at, ends_at) {
        (RegistrationStatus::Registered, None, Some(ends)) => {
            Some(token_key(ctx.keys).issue(REGISTRATION_TOKEN, &format!("r{}", r.id), ends))
        }
        _ => None,
    };
    Ok(MyRegistration {
        id: r.id,
        activity_id: r.activity_id,
        activity_title: r.activity_title,
        starts_at: r.starts_at,
        status_label: status.label(),
        status: status.as_str().to_owned(),
        waiting_position,
        checked_in_at: r.checked_in_at,
        token,
    })
}

/// An activity open to the worker (404 outside its audience) and their registration, if any.
#[derive(Debug, Clone)]
pub struct ActivityForMe {
    pub activity: Activity,
    pub registration: Option<MyRegistration>,
    /// Why registering is not possible now, if it is not.
    pub closed_reason: Option<&'static str>,
}

/// The activity if the member is in its audience; "not found" otherwise, so an activity for
/// others is not even known to exist.
async fn in_audience(ctx: &Ctx<'_>, m: &Member, id: ActivityId) -> Result<Activity> {
    store::get(ctx.db, id)
        .await?
        .filter(|a| {
            a.org_path.contains(&m.org.path)
                && Audience::from_stored(a.audience_region.as_deref(), a.audience_tags.as_deref())
                    .admits(&m.facts)
        })
        .ok_or(AppError::NotFound("活动"))
}

fn closed_reason(a: &Activity, now: DateTime<Utc>) -> Option<&'static str> {
    if a.status != ActivityStatus::Open {
        return Some("活动已取消");
    }
    rules::registration_refusal(now, a.registration_opens_at, a.registration_closes_at)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn activity(
    ctx: &Ctx<'_>,
    phone: &str,
    id: ActivityId,
    now: DateTime<Utc>,
) -> Result<ActivityForMe> {
    let m = member_of(ctx, phone, now).await?;
    let activity = in_audience(ctx, &m, id).await?;
    let registration = match store::live_of_read(ctx.db, id, m.worker.id).await? {
        Some(r) => Some(view(ctx, r, Some(activity.ends_at)).await?),
        None => None,
    };
    Ok(ActivityForMe {
        closed_reason: closed_reason(&activity, now),
        activity,
        registration,
    })
}

/// Registers the worker: a seat while fewer than the capacity are registered, else the end of
/// the waiting list. The activity's row is locked while counting, so concurrent registrations
/// never pass the capacity.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn register(
    ctx: &Ctx<'_>,
    phone: &str,
    id: ActivityId,
    now: DateTime<Utc>,
) -> Result<MyRegistration> {
    let m = member_of(ctx, phone, now).await?;
    in_audience(ctx, &m, id).await?;
    let worker = m.worker.id;
    let mut tx = ctx.db.change().await?;
    if !store::lock(&mut tx, id).await? {
        return Err(AppError::NotFound("活动"));
    }
    let a = store::get(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("活动"))?;
    if let Some(why) = closed_reason(&a, now) {
        return Err(AppError::Conflict(why.into()));
    }
    if let Some(r) = store::live_of(&mut tx, id, worker).await? {
        return Err(AppError::Conflict(
            if r.status == RegistrationStatus::Waiting {
                "您已在候补名单中".into()
            } else {
                "您已报名本活动".into()
            },
        ));
    }
    let taken = store::registered_count(&mut tx, id).await?;
    let status = rules::placement(taken, a.capacity);
    let reg_id = match store::insert_registration(&mut tx, id, worker, status).await {
        Ok(r) => r,
        Err(e) if e.is_conflict_on(zhijia_store::unique::REGISTRATION_LIVE) => {
            return Err(AppError::Conflict("您已报名本活动".into()));
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit_unaudited(Unaudited::OwnHistory).await?;
    let r = store::live_of_read(ctx.db, id, worker)
        .await?
        .filter(|r| r.id == reg_id)
        .ok_or(AppError::NotFound("报名"))?;
    view(ctx, r, Some(a.ends_at)).await
}

/// Cancels the worker's registration before the start. A freed seat goes to the first on the
/// waiting list (only the first), who gets an inbox message and an SMS.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn cancel(ctx: &Ctx<'_>, phone: &str, id: ActivityId, now: DateTime<Utc>) -> Result<()> {
    let m = member_of(ctx, phone, now).await?;
    in_audience(ctx, &m, id).await?;
    let worker = m.worker.id;
    let mut tx = ctx.db.change().await?;
    store::lock(&mut tx, id).await?;
    let a = store::get(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("活动"))?;
    let Some(r) = store::live_of(&mut tx, id, worker).await? else {
        return Err(AppError::NotFound("您的报名"));
    };
    if now >= a.starts_at {
        return Err(AppError::Conflict("活动已开始，不能取消报名".into()));
    }
    store::cancel_registration(&mut tx, r.id).await?;
    let mut promoted = None;
    if r.status == RegistrationStatus::Registered && a.status == ActivityStatus::Open {
        promoted = store::promote_first(&mut tx, id).await?;
        if let Some(p) = &promoted {
            zhijia_store::membership::notify(
                &mut tx,
                p.worker_id,
                "活动候补成功",
                &promotion_text(&a),
                Some(&format!("/activities/{id}")),
            )
            .await?;
        }
    }
    tx.commit_unaudited(Unaudited::OwnHistory).await?;
    if let Some(p) = promoted {
        crate::caller::sms_notice(
            ctx.sms,
            &p.phone,
            &format!("【职工之家】{}", promotion_text(&a)),
        )
        .await;
    }
    Ok(())
}

fn promotion_text(a: &Activity) -> String {
    format!(
        "您候补的活动“{}”有人取消报名，您已递补为正式报名。活动时间 {}，地点 {}。",
        a.title,
        rules::beijing(a.starts_at),
        a.place
    )
}

/// The worker's registrations, newest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn registrations(
    ctx: &Ctx<'_>,
    phone: &str,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<Page<MyRegistration>> {
    let (limit, offset) = crate::page_bounds(limit, offset, 50);
    let Some(worker) = zhijia_store::worker::find_by_phone(ctx.db, phone).await? else {
        return Ok(Page {
            items: Vec::new(),
            total: 0,
            offset,
            limit,
        });
    };
    let page = store::of_worker(ctx.db, worker.id, limit, offset).await?;
    let mut items = Vec::new();
    for r in page.items {
        let ends = store::get(ctx.db, r.activity_id).await?.map(|a| a.ends_at);
        items.push(view(ctx, r, ends).await?);
    }
    Ok(Page {
        items,
        total: page.total,
        offset,
        limit,
    })
}
