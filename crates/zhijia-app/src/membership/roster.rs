//! The staff roster (会员名册): search and filter the members of one's branch, a member's detail,
//! the audited view of a full identity number, and the export of a filtered roster.

use crate::caller::StaffCtx;

use super::Ctx;
use crate::{AppError, Result};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use zhijia_domain::audit::action;
use zhijia_domain::auth::mask_phone;
use zhijia_domain::id_number::{self, IdNumber};
use zhijia_domain::ids::{MembershipId, WorkerId};
use zhijia_domain::member::{MemberNo, MembershipStatus};
use zhijia_domain::org::OrgId;
use zhijia_domain::worker::GigOccupation;
use zhijia_store::Page;
use zhijia_store::audit::{self, Entry, Record};
use zhijia_store::membership::{self as store, Membership, RosterFilter, RosterRow, Transfer};
use zhijia_store::org::{self as org_store, Org};

/// A roster request as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RosterQuery {
    /// The union whose subtree to list; the caller's own top union if absent.
    pub org: Option<OrgId>,
    /// A name, a member number, an identity number or a phone number.
    pub q: Option<String>,
    pub status: Option<String>,
    pub joined_from: Option<String>,
    pub joined_to: Option<String>,
    pub gig: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// One member as a roster shows them: identity number and phone masked.
#[derive(Debug, Clone, Serialize)]
pub struct RosterItem {
    pub membership_id: MembershipId,
    pub worker_id: WorkerId,
    pub name: String,
    pub member_no: Option<String>,
    pub id_number_masked: String,
    pub sex: &'static str,
    /// The year only: with the day as well, the masked number could be rebuilt (see
    /// `id_number::mask`).
    pub birth_year: i32,
    pub phone_masked: String,
    pub employer_name: Option<String>,
    pub gig_occupation: Option<&'static str>,
    pub org_id: OrgId,
    pub org_name: String,
    pub status: MembershipStatus,
    pub status_label: &'static str,
    pub joined_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
}

fn item(ctx: &Ctx<'_>, r: RosterRow) -> RosterItem {
    let masked = ctx
        .keys
        .decrypt(&r.id_number_enc)
        .map(|n| id_number::mask(&n))
        .unwrap_or_else(|_| "(无法解密)".into());
    RosterItem {
        membership_id: r.membership_id,
        worker_id: r.worker_id,
        name: r.name,
        member_no: r.member_no,
        id_number_masked: masked,
        sex: r.sex.label(),
        birth_year: r.birth_date.year(),
        phone_masked: mask_phone(&r.phone),
        employer_name: r.employer_name,
        gig_occupation: r.gig_occupation.map(GigOccupation::label),
        org_id: r.org_id,
        org_name: r.org_name,
        status_label: r.status.label(),
        status: r.status,
        joined_on: r.joined_on,
        ended_on: r.ended_on,
    }
}

/// The org whose subtree is listed: the one asked for, if the caller may read its roster, or the
/// caller's first such org.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn scope(ctx: &Ctx<'_>, staff: &StaffCtx<'_>, org: Option<OrgId>) -> Result<Org> {
    crate::caller::branch(
        ctx.db,
        staff,
        org,
        |p| staff.may_read_roster(p),
        "您没有查看会员名册的权限",
        "只能查看本级及下级工会的会员名册",
    )
    .await
}

fn date(field: &'static str, s: Option<&str>) -> Result<Option<NaiveDate>> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| AppError::invalid(field, "日期格式应为 2026-01-31")),
    }
}

/// Turns the typed query into store filters. The search box takes a member number, an identity
/// number (found through its blind index), a phone or part of a name. Searching by identity
/// number is for those who may see the full number (`may_search_id`): to anyone else, a search
/// would confirm guesses of the numbers the roster masks.
pub fn filter(ctx: &Ctx<'_>, q: &RosterQuery, may_search_id: bool) -> Result<RosterFilter> {
    let mut f = RosterFilter {
        status: match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(
                MembershipStatus::parse(s)
                    .ok_or_else(|| AppError::invalid("status", "会籍状态应为在会、退休或已结束"))?,
            ),
        },
        joined_from: date("joined_from", q.joined_from.as_deref())?,
        joined_to: date("joined_to", q.joined_to.as_deref())?,
        gig_occupation: match q.gig.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(
                GigOccupation::parse(s)
                    .ok_or_else(|| AppError::invalid("gig", "未知的新就业形态职业"))?
                    .as_str()
                    .to_owned(),
            ),
        },
        ..RosterFilter::default()
    };
    let text: String =
        q.q.as_deref()
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
    if text.is_empty() {
        return Ok(f);
    }
    let digits = text.bytes().all(|b| b.is_ascii_digit());
    if digits && text.len() == 12 {
        f.member_no = Some(MemberNo::parse(&text)?.as_str().to_owned());
    } else if text.len() == 18 && text.is_ascii() {
        if !may_search_id {
            return Err(AppError::Forbidden(
                "按身份证号查找会员需要审核员或工会管理员角色".into(),
            ));
        }
        let id = IdNumber::parse(&text)?;
        f.id_number_idx = Some(ctx.keys.blind_index(id.expose()).to_vec());
    } else if digits && text.len() == 11 {
        f.phone = Some(text);
    } else if text.chars().count() <= 30 {
        f.name = Some(text);
    } else {
        return Err(AppError::invalid(
            "q",
            "请输入姓名、会员号、身份证号或手机号",
        ));
    }
    Ok(f)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    q: &RosterQuery,
) -> Result<(Org, Page<RosterItem>)> {
    let org = scope(ctx, staff, q.org).await?;
    let f = filter(ctx, q, staff.may_see_full_id(&org.path))?;
    let (limit, offset) = crate::page_bounds(q.limit, q.offset, 20);
    let page = store::roster(ctx.db, &org.path, &f, limit, offset).await?;
    Ok((
        org,
        Page {
            items: page.items.into_iter().map(|r| item(ctx, r)).collect(),
            total: page.total,
            offset: page.offset,
            limit: page.limit,
        },
    ))
}

/// One roster entry, if it lies in the staff member's branch (404 otherwise).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn entry(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    membership_id: MembershipId,
) -> Result<RosterItem> {
    for g in staff.grants {
        if !staff.may_read_roster(&g.org_path) {
            continue;
        }
        if let Some(r) = store::roster_entry(ctx.db, &g.org_path, membership_id).await? {
            return Ok(item(ctx, r));
        }
    }
    Err(AppError::NotFound("会员"))
}

/// A member's page: holds store rows, so the web layer turns it into its own view for JSON.
#[derive(Debug, Clone)]
pub struct MemberDetail {
    pub member: RosterItem,
    pub memberships: Vec<Membership>,
    pub transfers: Vec<Transfer>,
    /// valid or revoked: a card is valid while a membership is current.
    pub card_status: &'static str,
    pub audit: Vec<Entry>,
    /// Whether this staff member may reveal the full identity number (audited).
    pub may_see_full_id: bool,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn detail(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    membership_id: MembershipId,
) -> Result<MemberDetail> {
    let member = entry(ctx, staff, membership_id).await?;
    let memberships = store::history(ctx.db, member.worker_id).await?;
    let transfers = store::transfers_of(ctx.db, member.worker_id).await?;
    let card_status = if memberships
        .iter()
        .any(|m| m.status != MembershipStatus::Ended)
    {
        "valid"
    } else {
        "revoked"
    };
    let audit = audit::of_target(ctx.db, "worker", &member.worker_id.to_string(), 50).await?;
    let org = org_store::get(ctx.db, member.org_id)
        .await?
        .ok_or(AppError::NotFound("工会"))?;
    Ok(MemberDetail {
        may_see_full_id: staff.may_see_full_id(&org.path),
        member,
        memberships,
        transfers,
        card_status,
        audit,
    })
}

/// The full identity number of a member, for a role that needs it; every view is audited.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn reveal_id_number(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    membership_id: MembershipId,
) -> Result<String> {
    let member = entry(ctx, staff, membership_id).await?;
    let org = org_store::get(ctx.db, member.org_id)
        .await?
        .ok_or(AppError::NotFound("工会"))?;
    if !staff.may_see_full_id(&org.path) {
        return Err(AppError::Forbidden(
            "您的角色不能查看完整身份证号(仅审核人员和管理员可以)".into(),
        ));
    }
    let w = zhijia_store::worker::get(ctx.db, member.worker_id)
        .await?
        .ok_or(AppError::NotFound("会员"))?;
    let full = ctx
        .keys
        .decrypt(&w.id_number_enc)
        .map_err(|e| AppError::Config(e.to_string()))?;
    let mut tx = ctx.db.change().await?;
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        Record {
            action: action::PII_VIEWED,
            org: Some(org.id),
            target_kind: Some("worker"),
            target_id: Some(member.worker_id.to_string()),
            detail: Some("查看完整身份证号".into()),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(full)
}

/// A roster export: every matching member (up to `limit`), full numbers only if asked for and
/// allowed. The export is audited with its filter and size.
pub struct Export {
    pub org: Org,
    pub rows: Vec<(RosterItem, Option<String>)>,
    pub full: bool,
}

/// Most rows one export holds; larger rosters are exported per union.
pub const EXPORT_MAX: i64 = 100_000;

#[tracing::instrument(level = "debug", skip_all)]
pub async fn export(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    q: &RosterQuery,
    full: bool,
) -> Result<Export> {
    let org = scope(ctx, staff, q.org).await?;
    if full && !staff.may_see_full_id(&org.path) {
        return Err(AppError::Forbidden(
            "您的角色不能导出完整身份证号(仅审核人员和管理员可以)".into(),
        ));
    }
    let f = filter(ctx, q, staff.may_see_full_id(&org.path))?;
    let page = store::roster(ctx.db, &org.path, &f, EXPORT_MAX, 0).await?;
    let rows = page
        .items
        .into_iter()
        .map(|r| {
            let id = full
                .then(|| ctx.keys.decrypt(&r.id_number_enc).ok())
                .flatten();
            (item(ctx, r), id)
        })
        .collect::<Vec<_>>();
    let mut tx = ctx.db.change().await?;
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        Record {
            action: action::ROSTER_EXPORTED,
            org: Some(org.id),
            target_kind: Some("org"),
            target_id: Some(org.id.0.to_string()),
            detail: Some(format!(
                "{}条{}",
                rows.len(),
                if full {
                    "，含完整身份证号"
                } else {
                    "，身份证号已脱敏"
                }
            )),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(Export { org, rows, full })
}
