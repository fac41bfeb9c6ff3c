//! Hardship files (建档): opening one for a member's household, the list and the detail (health,
//! disability and income only for aid officers, each view audited), the annual review (年度复核),
//! leaving hardship (解困脱困) and the lapse of files not reviewed in time.

use super::{Ctx, may_manage, may_read, staff_id, text};
use crate::caller::{StaffCtx, system_actor};
use crate::{AppError, Result};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use zhijia_domain::aid::{self, FileStatus, HardshipCause, HardshipTier};
use zhijia_domain::audit::action;
use zhijia_domain::id_number::{self, IdNumber};
use zhijia_domain::ids::{AidFileId, HouseholdMemberId, WorkerId};
use zhijia_domain::org::OrgId;
use zhijia_store::Page;
use zhijia_store::Recorded;
use zhijia_store::aid::{self as store, FileRow, MemberRow};
use zhijia_store::audit::{self, Record};
use zhijia_store::org::Org;
use zhijia_store::{Tx, membership as membership_store, worker as worker_store};

/// Most people one household file lists.
pub const MAX_HOUSEHOLD: usize = 20;

/// A person of the household besides the head.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MemberInput {
    pub name: String,
    /// 与户主关系，如 配偶、子女、父母
    pub relation: String,
    pub id_number: String,
}

/// What an aid officer enters to open a file.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct FileInput {
    /// 户主身份证号(户主须为会员)
    pub head_id_number: String,
    /// illness, disability, accident, unemployment, education, disaster, other
    pub cause: String,
    pub household_size: i64,
    /// 家庭月人均收入(分)
    pub income_per_head_fen: i64,
    pub health: String,
    pub disability: String,
    pub housing: String,
    #[serde(default)]
    pub members: Vec<MemberInput>,
}

/// The facts an annual review confirms or changes.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReviewInput {
    pub cause: String,
    pub household_size: i64,
    pub income_per_head_fen: i64,
    pub health: String,
    pub disability: String,
    pub housing: String,
}

/// A household member as staff see them: the identity number masked.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberView {
    #[schema(value_type = i64)]
    pub id: HouseholdMemberId,
    pub name: String,
    pub relation: String,
    pub id_number_masked: String,
}

/// A hardship file as the caller may see it. `income_per_head_fen`, `minimum_fen`, `health` and
/// `disability` are absent (not null: absent) unless the caller is an aid officer of the file.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FileView {
    #[schema(value_type = i64)]
    pub id: AidFileId,
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub org_name: String,
    #[schema(value_type = i64)]
    pub head_worker_id: WorkerId,
    pub head_name: String,
    #[schema(value_type = String)]
    pub tier: HardshipTier,
    pub tier_label: &'static str,
    #[schema(value_type = String)]
    pub cause: HardshipCause,
    pub cause_label: &'static str,
    pub household_size: i64,
    pub housing: String,
    pub region_code: String,
    #[schema(value_type = String)]
    pub status: FileStatus,
    pub status_label: &'static str,
    pub opened_on: NaiveDate,
    pub last_reviewed_on: NaiveDate,
    pub review_due_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub close_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub income_per_head_fen: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum_fen: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disability: Option<String>,
}

impl FileView {
    /// The view of a row; the sensitive fields only with `sensitive`.
    pub fn of(f: FileRow, sensitive: bool) -> Self {
        FileView {
            id: f.id,
            org_id: f.org_id,
            org_name: f.org_name,
            head_worker_id: f.head_worker_id,
            head_name: f.head_name,
            tier_label: f.tier.label(),
            tier: f.tier,
            cause_label: f.cause.label(),
            cause: f.cause,
            household_size: f.household_size,
            housing: f.housing,
            region_code: f.region_code,
            status_label: f.status.label(),
            status: f.status,
            opened_on: f.opened_on,
            last_reviewed_on: f.last_reviewed_on,
            review_due_on: f.review_due_on,
            closed_on: f.closed_on,
            close_reason: f.close_reason,
            income_per_head_fen: sensitive.then_some(f.income_per_head_fen),
            minimum_fen: sensitive.then_some(f.minimum_fen),
            health: sensitive.then_some(f.health),
            disability: sensitive.then_some(f.disability),
        }
    }

    /// Income per head in yuan, for pages (empty when hidden).
    pub fn income_yuan(&self) -> String {
        self.income_per_head_fen.map(aid::yuan).unwrap_or_default()
    }

    pub fn minimum_yuan(&self) -> String {
        self.minimum_fen.map(aid::yuan).unwrap_or_default()
    }
}

fn member_view(ctx: &Ctx<'_>, m: &MemberRow) -> MemberView {
    MemberView {
        id: m.id,
        name: m.name.clone(),
        relation: m.relation.clone(),
        id_number_masked: ctx
            .keys
            .decrypt(&m.id_number_enc)
            .map(|n| id_number::mask(&n))
            .unwrap_or_else(|_| "(无法解密)".into()),
    }
}

pub(super) fn cause(input: &str) -> Result<HardshipCause> {
    HardshipCause::parse(input.trim()).ok_or_else(|| {
        AppError::invalid(
            "cause",
            "致困原因应为因病、因残、因意外事故、因失业、因子女就学、因灾或其他",
        )
    })
}

pub(super) fn size(n: i64, listed: usize) -> Result<i64> {
    if n < 1 || n > MAX_HOUSEHOLD as i64 || (n as usize) < listed {
        return Err(AppError::invalid(
            "household_size",
            format!("家庭人口应为1至{MAX_HOUSEHOLD}人，且不少于登记的家庭成员数"),
        ));
    }
    Ok(n)
}

/// The tier the facts give, or a refusal in words.
pub(super) fn tier(
    ctx: &Ctx<'_>,
    income: i64,
    minimum: i64,
    c: HardshipCause,
) -> Result<HardshipTier> {
    if income < 0 {
        return Err(AppError::invalid("income_per_head_fen", "收入不能为负数"));
    }
    aid::tier_for(income, minimum, ctx.settings.relative_percent, c).ok_or_else(|| {
        AppError::invalid(
            "income_per_head_fen",
            format!(
                "家庭月人均收入{}元，高于当地最低生活保障标准{}元的{}%，且不是突发原因致困，不符合建档条件",
                aid::yuan(income),
                aid::yuan(minimum),
                ctx.settings.relative_percent
            ),
        )
    })
}

pub(super) fn one_person_conflict(e: zhijia_store::StoreError, name: &str) -> AppError {
    if e.is_conflict_on(zhijia_store::unique::HOUSEHOLD_MEMBER_ACTIVE) {
        AppError::Conflict(format!(
            "{name}已在另一份有效的困难职工档案中(一人只能在一份有效档案中)"
        ))
    } else {
        e.into()
    }
}

/// The head of a new file: a member of a union in the officer's branch (anyone else is "not
/// found", so the roster of other branches is not disclosed), with their union.
async fn head_of(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id_number: &str,
) -> Result<(IdNumber, zhijia_store::worker::Worker, Org)> {
    let head_id = IdNumber::parse(id_number).map_err(|mut e| {
        e.field = "head_id_number";
        AppError::Invalid(e)
    })?;
    let head_idx = ctx.keys.blind_index(head_id.expose());
    let worker = worker_store::find_by_id_number_index(ctx.db, &head_idx)
        .await?
        .ok_or(AppError::NotFound("户主(须为本级或下级工会的会员)"))?;
    let membership = membership_store::current(ctx.db, worker.id)
        .await?
        .ok_or(AppError::NotFound("户主(须为本级或下级工会的会员)"))?;
    let org = zhijia_store::org::get(ctx.db, membership.org_id)
        .await?
        .ok_or(AppError::NotFound("工会"))?;
    if !may_manage(staff, &org.path) {
        return Err(AppError::NotFound("户主(须为本级或下级工会的会员)"));
    }
    Ok((head_id, worker, org))
}

/// A person of a new file besides the head: name, relation, encrypted number, blind index.
type Person = (String, String, Vec<u8>, Vec<u8>);

/// The household's other people, checked, each identity number once (the head's included).
fn household_people(
    ctx: &Ctx<'_>,
    members: &[MemberInput],
    head_idx: &[u8],
) -> Result<Vec<Person>> {
    let mut people = Vec::new();
    let mut seen = vec![head_idx.to_vec()];
    for m in members {
        let name = text("members", &m.name, 50)?;
        let relation = text("members", &m.relation, 20)?;
        let id = IdNumber::parse(&m.id_number).map_err(|mut e| {
            e.field = "members";
            AppError::Invalid(e)
        })?;
        let idx = ctx.keys.blind_index(id.expose()).to_vec();
        if seen.contains(&idx) {
            return Err(AppError::invalid(
                "members",
                format!("{name}的身份证号重复登记"),
            ));
        }
        seen.push(idx.clone());
        people.push((name, relation, ctx.keys.encrypt(id.expose()), idx));
    }
    Ok(people)
}

/// Opens a file for the household of a member in the officer's branch; the file belongs to the
/// head's union. Returns the new file's id.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn open(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    input: &FileInput,
    now: DateTime<Utc>,
) -> Result<AidFileId> {
    let (head_id, worker, org) = head_of(ctx, staff, &input.head_id_number).await?;
    let head_idx = ctx.keys.blind_index(head_id.expose());
    let c = cause(&input.cause)?;
    let n = size(input.household_size, input.members.len() + 1)?;
    let minimum = ctx.settings.minimum_for(&worker.region_code);
    let t = tier(ctx, input.income_per_head_fen, minimum, c)?;
    let health = text("health", &input.health, 500)?;
    let disability = text("disability", &input.disability, 500)?;
    let housing = text("housing", &input.housing, 200)?;
    let people = household_people(ctx, &input.members, &head_idx)?;
    let today = crate::today(now);
    let due = aid::review_due(today, ctx.settings.review_months);
    let mut tx = ctx.db.change().await?;
    let id = store::insert_file(
        &mut tx,
        &store::NewFile {
            org_id: org.id,
            head_worker_id: worker.id,
            tier: t,
            cause: c,
            household_size: n,
            income_per_head_fen: input.income_per_head_fen,
            health: &health,
            disability: &disability,
            housing: &housing,
            minimum_fen: minimum,
            region_code: &worker.region_code,
            opened_on: today,
            review_due_on: due,
            lapses_on: due + Duration::days(ctx.settings.lapse_grace_days),
            created_by: staff.staff_id(),
        },
    )
    .await?;
    store::insert_member(
        &mut tx,
        id,
        &worker.name,
        "本人",
        &ctx.keys.encrypt(head_id.expose()),
        &head_idx,
    )
    .await
    .map_err(|e| one_person_conflict(e, &worker.name))?;
    for (name, relation, enc, idx) in &people {
        store::insert_member(&mut tx, id, name, relation, enc, idx)
            .await
            .map_err(|e| one_person_conflict(e, name))?;
    }
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        Record {
            action: action::AID_FILE_OPENED,
            org: Some(org.id),
            target_kind: Some("hardship_file"),
            target_id: Some(id.to_string()),
            detail: Some(format!("{}，{}，{}人", t.label(), c.label(), n)),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(id)
}

/// A file list request.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct FileQuery {
    #[param(value_type = Option<i64>)]
    pub org: Option<OrgId>,
    /// active, lapsed, exited; all when absent
    pub status: Option<String>,
    /// Only active files whose review is due within 30 days (or overdue).
    pub due: bool,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Days ahead that "due for review" looks.
pub const DUE_WINDOW_DAYS: i64 = 30;

/// Files of the caller's branch. Lists never carry health, disability or income.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    q: &FileQuery,
    now: DateTime<Utc>,
) -> Result<(Org, Page<FileView>)> {
    let org = super::scope(ctx, staff, q.org).await?;
    let status =
        match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None if q.due => Some(FileStatus::Active),
            None => None,
            Some(s) => Some(FileStatus::parse(s).ok_or_else(|| {
                AppError::invalid("status", "档案状态应为在档、已失效或已解困脱困")
            })?),
        };
    let due_by = q
        .due
        .then(|| crate::today(now) + Duration::days(DUE_WINDOW_DAYS));
    let (limit, offset) = crate::page_bounds(q.limit, q.offset, 20);
    let page = store::files(ctx.db, &org.path, status, due_by, limit, offset).await?;
    Ok((
        org,
        Page {
            items: page
                .items
                .into_iter()
                .map(|f| FileView::of(f, false))
                .collect(),
            total: page.total,
            offset: page.offset,
            limit: page.limit,
        },
    ))
}

/// A file and what belongs to it (the web layer's view serializes it).
#[derive(Debug, Clone)]
pub struct FileDetail {
    pub file: FileView,
    pub members: Vec<MemberView>,
    pub applications: Vec<super::application::ApplicationView>,
    /// Net paid per year to this household.
    pub paid_by_year: Vec<zhijia_store::aid::Total>,
    /// Whether the caller is an aid officer of the file (and saw the sensitive fields).
    pub may_manage: bool,
}

/// The file, if the caller may see it (404 otherwise, not even its existence is disclosed).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn readable(ctx: &Ctx<'_>, staff: &StaffCtx<'_>, id: AidFileId) -> Result<FileRow> {
    let f = store::file(ctx.db, id)
        .await?
        .ok_or(AppError::NotFound("困难职工档案"))?;
    if !may_read(staff, &f.org_path) {
        return Err(AppError::NotFound("困难职工档案"));
    }
    Ok(f)
}

/// The file, if the caller is an aid officer of it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn managed(ctx: &Ctx<'_>, staff: &StaffCtx<'_>, id: AidFileId) -> Result<FileRow> {
    let f = readable(ctx, staff, id).await?;
    if !may_manage(staff, &f.org_path) {
        return Err(AppError::Forbidden("只有帮扶专干可以办理".into()));
    }
    Ok(f)
}

/// One file. An aid officer sees health, disability and income, and the view is audited; other
/// roles see the file without them.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn detail(ctx: &Ctx<'_>, staff: &StaffCtx<'_>, id: AidFileId) -> Result<FileDetail> {
    let f = readable(ctx, staff, id).await?;
    let sensitive = may_manage(staff, &f.org_path);
    if sensitive {
        let mut tx = ctx.db.change().await?;
        let recorded = audit::append(
            &mut tx,
            staff.actor,
            Record {
                action: action::AID_FILE_VIEWED,
                org: Some(f.org_id),
                target_kind: Some("hardship_file"),
                target_id: Some(f.id.to_string()),
                detail: Some("查看健康、残疾和收入情况".into()),
            },
        )
        .await?;
        tx.commit(recorded).await?;
    }
    let members = store::members(ctx.db, id)
        .await?
        .iter()
        .map(|m| member_view(ctx, m))
        .collect();
    let applications = store::applications_of_file(ctx.db, id)
        .await?
        .into_iter()
        .map(super::application::ApplicationView::of)
        .collect();
    let paid_by_year = zhijia_store::aid::totals_by_year(ctx.db, &f.org_path, Some(id)).await?;
    Ok(FileDetail {
        file: FileView::of(f, sensitive),
        members,
        applications,
        paid_by_year,
        may_manage: sensitive,
    })
}

mod review;
pub use review::*;
