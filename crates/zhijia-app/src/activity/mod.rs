//! Activities (活动): a union makes one for the members of its subtree; members register (a seat
//! while the capacity lasts, else the waiting list), cancel (the first waiting is promoted and
//! told), and are checked in at the door by the organiser scanning their member card QR (`ZJC1…`)
//! or their registration QR (`ZJA1…`); a check-in earns the union's check-in points, once.
//!
//! Who may do what:
//! - `editor` or `org_admin` of the activity's union or above make activities and check people
//!   in;
//! - every union role of the branch (not `merchant_staff`) reads activities, registrations, the
//!   waiting list and attendance; outside the branch an activity does not exist (404);
//! - workers register only when their current membership is in the activity's union's subtree
//!   (`mine`); their own steps are not audited, the staff's are.

pub mod mine;

use crate::caller::StaffCtx;
use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;
use zhijia_domain::activity::{
    self as rules, ActivityStatus, REGISTRATION_TOKEN, RegistrationStatus,
};
use zhijia_domain::audit::action;
use zhijia_domain::auth::{self, Role};
use zhijia_domain::card::{TokenError, TokenKey};
use zhijia_domain::ids::{ActivityId, RegistrationId, WorkerId};
use zhijia_domain::org::OrgPath;
use zhijia_domain::pii::PiiKeys;
use zhijia_domain::points::PointsReason;
use zhijia_store::activity::{self as store, Activity, NewActivity, Registration};
use zhijia_store::audit::{self, Record};
use zhijia_store::org::Org;
use zhijia_store::{Page, Store};

use crate::sms::SmsSender;

/// What activities need: the store, the keys (QR codes) and the SMS sender (promotion notices).
pub struct Ctx<'a> {
    pub db: &'a Store,
    pub keys: &'a PiiKeys,
    pub sms: &'a dyn SmsSender,
}

const KEY_LABEL: &str = "activity-registration-v1";

/// The key signing registration QR codes.
pub fn token_key(keys: &PiiKeys) -> TokenKey {
    TokenKey::from_bytes(keys.derive_key(KEY_LABEL))
}

/// Whether the staff member organises activities of the union at `path`: `editor` or
/// `org_admin` there or above.
pub fn may_organise(staff: &StaffCtx<'_>, path: &OrgPath) -> bool {
    auth::holds(staff.grants, Role::Editor, path) || auth::holds(staff.grants, Role::OrgAdmin, path)
}

/// Whether the staff member reads activities of the union at `path`: any union role of the
/// branch (merchant staff are not union staff).
pub fn may_read(staff: &StaffCtx<'_>, path: &OrgPath) -> bool {
    staff
        .grants
        .iter()
        .any(|g| g.role != Role::MerchantStaff && g.org_path.contains(path))
}

/// An activity as the typed request carries it (times are instants, RFC 3339).
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct ActivityInput {
    pub org_id: i64,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub place: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[serde(default)]
    pub registration_opens_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub registration_closes_at: Option<DateTime<Utc>>,
    pub capacity: i64,
    /// A region code prefix (2, 4 or 6 digits) the member's union must be in; none for any.
    #[serde(default)]
    pub audience_region: Option<String>,
    /// Member tags, any of which admits: `gig`, `outdoor`, `new_member`, `retired`,
    /// `model_worker`; none for every member of the subtree.
    #[serde(default)]
    pub audience_tags: Vec<String>,
}

impl ActivityInput {
    fn to_domain(&self) -> rules::ActivityInput {
        rules::ActivityInput {
            org_id: self.org_id,
            title: self.title.clone(),
            description: self.description.clone(),
            place: self.place.clone(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            registration_opens_at: self.registration_opens_at,
            registration_closes_at: self.registration_closes_at,
            capacity: self.capacity,
        }
    }
}

/// Makes an activity (editors and administrators of the union or above); audited.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    input: &ActivityInput,
    now: DateTime<Utc>,
) -> Result<ActivityId> {
    let org = crate::caller::branch(
        ctx.db,
        staff,
        Some(zhijia_domain::ids::OrgId(input.org_id)),
        |p| may_organise(staff, p),
        "只有宣传文体干事或工会管理员可以发布活动",
        "只能为本级及下级工会发布活动",
    )
    .await
    .map_err(|e| match e {
        AppError::NotFound(_) => AppError::invalid("org_id", "所选工会不存在"),
        other => other,
    })?;
    let a = input.to_domain().validate(now)?;
    let audience = zhijia_domain::benefit::Audience::parse(
        input.audience_region.as_deref(),
        &input.audience_tags,
    )?;
    let tags = audience.tags_stored();
    let mut tx = ctx.db.change().await?;
    let id = store::insert(
        &mut tx,
        &NewActivity {
            org_id: org.id,
            title: &a.title,
            description: &a.description,
            place: &a.place,
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            registration_opens_at: a.registration_opens_at,
            registration_closes_at: a.registration_closes_at,
            capacity: a.capacity,
            audience_region: audience.region.as_deref(),
            audience_tags: tags.as_deref(),
            created_by: crate::benefit::acting_staff(staff),
        },
    )
    .await?;
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        Record {
            action: action::ACTIVITY_CREATED,
            org: Some(org.id),
            target_kind: Some("activity"),
            target_id: Some(id.to_string()),
            detail: Some(format!("{}，名额 {} 人", a.title, a.capacity)),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(id)
}

/// The union whose subtree a list covers: the one asked for, or the caller's first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn scope(db: &Store, staff: &StaffCtx<'_>, org: Option<i64>) -> Result<Org> {
    crate::caller::branch(
        db,
        staff,
        org.map(zhijia_domain::ids::OrgId),
        |p| may_read(staff, p),
        "您没有查看活动的权限",
        "只能查看本级及下级工会的活动",
    )
    .await
}

/// Activities of a union's subtree, latest start first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(
    db: &Store,
    staff: &StaffCtx<'_>,
    org: Option<i64>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<(Org, Page<Activity>)> {
    let org = scope(db, staff, org).await?;
    let (limit, offset) = crate::page_bounds(limit, offset, 50);
    let page = store::list_subtree(db, &org.path, limit, offset).await?;
    Ok((org, page))
}

/// An activity with its seats, waiting list (in order) and attendance, for the organisers.
#[derive(Debug, Clone)]
pub struct Detail {
    pub activity: Activity,
    pub registered: Page<Registration>,
    pub waiting: Page<Registration>,
    /// Checked in among the registered, per mille.
    pub attendance_per_mille: i64,
    /// Whether the caller may check people in.
    pub may_check_in: bool,
}

/// An activity the caller may read, or "not found".
#[tracing::instrument(level = "debug", skip_all)]
pub async fn readable(db: &Store, staff: &StaffCtx<'_>, id: ActivityId) -> Result<Activity> {
    store::get(db, id)
        .await?
        .filter(|a| may_read(staff, &a.org_path))
        .ok_or(AppError::NotFound("活动"))
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn detail(
    db: &Store,
    staff: &StaffCtx<'_>,
    id: ActivityId,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<Detail> {
    let activity = readable(db, staff, id).await?;
    let (limit, offset) = crate::page_bounds(limit, offset, 200);
    let registered =
        store::of_activity(db, id, Some(RegistrationStatus::Registered), limit, offset).await?;
    let waiting =
        store::of_activity(db, id, Some(RegistrationStatus::Waiting), limit, offset).await?;
    let attendance_per_mille = if activity.registered > 0 {
        activity.checked_in * 1000 / activity.registered
    } else {
        0
    };
    Ok(Detail {
        may_check_in: may_organise(staff, &activity.org_path),
        activity,
        registered,
        waiting,
        attendance_per_mille,
    })
}

/// What the organiser sees after a scan.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckedIn {
    #[schema(value_type = i64)]
    pub registration_id: RegistrationId,
    /// Masked (张*): enough to match the face.
    pub name_masked: String,
    pub member_no: Option<String>,
    pub points_awarded: i64,
    pub message: String,
}

fn refused(message: impl Into<String>) -> AppError {
    AppError::invalid("token", message)
}

/// Who a scanned QR names: a worker (member card) or a registration (registration QR).
enum Scanned {
    Worker(WorkerId),
    Registration(RegistrationId),
}

async fn read_scan(ctx: &Ctx<'_>, scanned: &str, now: DateTime<Utc>) -> Result<Scanned> {
    let token = scanned.trim();
    if token.starts_with(zhijia_domain::card::MEMBER_CARD) {
        let check = crate::membership::card::verify(ctx.db, ctx.keys, token, now).await?;
        if check.result != "valid" {
            return Err(refused(format!("会员卡不能用于签到：{}", check.message)));
        }
        let no = check.member_no.unwrap_or_default();
        let worker = zhijia_store::worker::find_by_member_no(ctx.db, &no)
            .await?
            .ok_or_else(|| refused("会员卡不能用于签到：查无此会员"))?;
        return Ok(Scanned::Worker(worker.id));
    }
    match token_key(ctx.keys).verify(REGISTRATION_TOKEN, token, now) {
        Ok(v) => v
            .subject
            .strip_prefix('r')
            .and_then(|s| s.parse::<RegistrationId>().ok())
            .map(Scanned::Registration)
            .ok_or_else(|| refused("二维码无法识别")),
        Err(TokenError::WrongKind) => Err(refused(
            "二维码类型不符：请扫描会员卡二维码或活动报名二维码",
        )),
        Err(TokenError::Expired { .. }) => Err(refused("报名二维码已过期(活动已结束)")),
        Err(e) => Err(refused(e.to_string())),
    }
}

/// Checks a person in by the QR the organiser scanned: at most once per person; the union's
/// check-in points are awarded in the same transaction. Audited.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn check_in(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: ActivityId,
    scanned: &str,
    now: DateTime<Utc>,
) -> Result<CheckedIn> {
    let activity = door_open(ctx.db, staff, id, now).await?;
    let scanned = read_scan(ctx, scanned, now).await?;
    let mut tx = ctx.db.change().await?;
    store::lock(&mut tx, id).await?;
    let reg = seat_of(&mut tx, id, scanned).await?;
    let name = zhijia_domain::auth::mask_name(&reg.worker_name);
    if !store::check_in(&mut tx, reg.id, now, crate::benefit::acting_staff(staff)).await? {
        return Err(AppError::Conflict(format!("{name} 已签到，不能重复签到")));
    }
    let points = award_check_in(ctx.db, &mut tx, &activity, &reg).await?;
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        Record {
            action: action::ACTIVITY_CHECKED_IN,
            org: Some(activity.org_id),
            target_kind: Some("registration"),
            target_id: Some(reg.id.to_string()),
            detail: Some(format!(
                "活动“{}”签到：{name}，积分 {points}",
                activity.title
            )),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(CheckedIn {
        registration_id: reg.id,
        message: if points > 0 {
            format!("{name} 签到成功，获得 {points} 积分")
        } else {
            format!("{name} 签到成功")
        },
        name_masked: name,
        member_no: reg.member_no,
        points_awarded: points,
    })
}

/// The activity, if the caller organises it, it is not cancelled and check-in is open now.
async fn door_open(
    db: &Store,
    staff: &StaffCtx<'_>,
    id: ActivityId,
    now: DateTime<Utc>,
) -> Result<Activity> {
    let activity = readable(db, staff, id).await?;
    if !may_organise(staff, &activity.org_path) {
        return Err(AppError::Forbidden(
            "只有活动所属工会(或上级工会)的宣传文体干事或管理员可以签到".into(),
        ));
    }
    if activity.status != ActivityStatus::Open {
        return Err(AppError::Conflict("活动已取消，不能签到".into()));
    }
    if let Some(why) = rules::check_in_refusal(now, activity.starts_at, activity.ends_at) {
        return Err(AppError::Conflict(why.into()));
    }
    Ok(activity)
}

/// The seat the scanned person holds at this activity, not yet checked in; each other case
/// (not registered, another activity's QR, already in, still waiting) refused in words.
async fn seat_of(
    tx: &mut zhijia_store::Tx,
    id: ActivityId,
    scanned: Scanned,
) -> Result<Registration> {
    let reg = match scanned {
        Scanned::Worker(w) => store::live_of(tx, id, w).await?,
        Scanned::Registration(r) => store::registration_in(tx, r)
            .await?
            .filter(|r| r.status != RegistrationStatus::Cancelled),
    };
    let Some(reg) = reg else {
        return Err(AppError::Conflict("该会员没有报名本活动，不能签到".into()));
    };
    if reg.activity_id != id {
        return Err(AppError::Conflict(
            "这是其他活动的报名二维码，不能在本活动签到".into(),
        ));
    }
    let name = zhijia_domain::auth::mask_name(&reg.worker_name);
    if let Some(at) = reg.checked_in_at {
        return Err(AppError::Conflict(format!(
            "{name} 已于 {} 签到，不能重复签到",
            rules::beijing(at)
        )));
    }
    if reg.status == RegistrationStatus::Waiting {
        return Err(AppError::Conflict(format!(
            "{name} 在候补名单中，尚未获得名额，不能签到"
        )));
    }
    Ok(reg)
}

/// The check-in points, once per person and activity. They go by the member's current union's
/// rules (the union that organised it, if the person has no current membership any more).
async fn award_check_in(
    db: &Store,
    tx: &mut zhijia_store::Tx,
    activity: &Activity,
    reg: &Registration,
) -> Result<i64> {
    let path = match zhijia_store::membership::current(&mut *tx, reg.worker_id).await? {
        Some(m) => zhijia_store::org::get(db, m.org_id)
            .await?
            .map_or(activity.org_path.clone(), |o| o.path),
        None => activity.org_path.clone(),
    };
    crate::points::award_in(
        tx,
        reg.worker_id,
        &path,
        Some(activity.org_id),
        PointsReason::CheckIn,
        &format!("activity:{}", activity.id),
        &format!("参加活动“{}”", activity.title),
    )
    .await
}

/// Cancels an activity (organisers); audited. Registrations stay as they were, for the record.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn cancel(ctx: &Ctx<'_>, staff: &StaffCtx<'_>, id: ActivityId) -> Result<()> {
    let activity = readable(ctx.db, staff, id).await?;
    if !may_organise(staff, &activity.org_path) {
        return Err(AppError::Forbidden(
            "只有宣传文体干事或工会管理员可以取消活动".into(),
        ));
    }
    let mut tx = ctx.db.change().await?;
    if !store::cancel(&mut tx, id).await? {
        return Err(AppError::Conflict("活动已取消".into()));
    }
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        Record {
            action: action::ACTIVITY_CANCELLED,
            org: Some(activity.org_id),
            target_kind: Some("activity"),
            target_id: Some(id.to_string()),
            detail: Some(activity.title.clone()),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(())
}
