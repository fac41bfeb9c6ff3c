//! Filing a case: by a worker from the phone, or by staff from a call or a visit; and routing
//! it to the union that handles it.

use super::{Ctx, may_handle, record, talk};
use crate::caller::{StaffCtx, sms_notice, worker_actor};
use crate::{AppError, Result};
use chrono::{DateTime, NaiveDate, Utc};
use zhijia_domain::attachment;
use zhijia_domain::audit::{Actor, action};
use zhijia_domain::auth;
use zhijia_domain::case::{CaseChannel, CaseClock, CaseKind, CaseState, Tier};
use zhijia_domain::credit_code::CreditCode;
use zhijia_domain::ids::CaseId;
use zhijia_domain::org::{OrgId, OrgLevel};
use zhijia_domain::region::RegionCode;
use zhijia_store::case::{self as store, NewCase};
use zhijia_store::membership as membership_store;
use zhijia_store::org::{self as org_store, Org};
use zhijia_store::worker as worker_store;

pub const MAX_TITLE_CHARS: usize = 60;
pub const MAX_DESCRIPTION_CHARS: usize = 5000;
pub const MAX_NAME_CHARS: usize = 50;
pub const MAX_EMPLOYER_CHARS: usize = 100;
/// Cases one phone may file online in a day. Enough for a worker with several disputes; a
/// script filling a union's queue is stopped, and a worker who needs more calls 12351.
pub const MAX_ONLINE_PER_DAY: i64 = 5;

/// What a worker (or staff for them) fills in.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CaseInput {
    /// `consultation`, `assistance`, `complaint`, `legal_aid` or `suggestion`.
    pub kind: String,
    pub title: String,
    pub description: String,
    pub employer_name: String,
    pub employer_credit_code: Option<String>,
    /// Where the work is: a county-level region code (GB/T 2260).
    pub region_code: String,
    /// A township (street) union of that county, if the worker knows it.
    #[schema(value_type = Option<i64>)]
    pub township_org_id: Option<OrgId>,
    /// Hide the worker's identity from the employer.
    pub hide_identity: bool,
    /// The worker's name (how the union addresses them).
    pub filer_name: String,
}

/// A case taken by telephone or at a desk: the case and the worker's phone.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DeskInput {
    #[serde(flatten)]
    pub case: CaseInput,
    /// `phone` or `desk`.
    pub channel: String,
    pub filer_phone: String,
}

/// Input checked: the values that are stored.
#[derive(Debug, Clone)]
pub struct Checked {
    pub kind: CaseKind,
    pub title: String,
    pub description: String,
    pub employer_name: String,
    pub employer_credit_code: Option<CreditCode>,
    pub region: RegionCode,
    pub township_org_id: Option<OrgId>,
    pub hide_identity: bool,
    pub filer_name: String,
}

fn text(field: &'static str, what: &str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::invalid(field, format!("请填写{what}")));
    }
    let n = v.chars().count();
    if n > max {
        return Err(AppError::invalid(
            field,
            format!("{what}不能超过{max}个字（现为{n}个字）"),
        ));
    }
    Ok(v.to_owned())
}

/// Checks a filing at the boundary, every field with a message naming it.
pub fn check(input: &CaseInput) -> Result<Checked> {
    let kind = CaseKind::parse(input.kind.trim()).ok_or_else(|| {
        AppError::invalid("kind", "请选择诉求类型（咨询、求助、投诉、法律援助或建议）")
    })?;
    let employer_credit_code = match input.employer_credit_code.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => Some(CreditCode::parse(code)?),
    };
    let region = RegionCode::parse(input.region_code.trim())?;
    Ok(Checked {
        kind,
        title: text("title", "标题", &input.title, MAX_TITLE_CHARS)?,
        description: text(
            "description",
            "问题描述",
            &input.description,
            MAX_DESCRIPTION_CHARS,
        )?,
        employer_name: text(
            "employer_name",
            "用人单位名称",
            &input.employer_name,
            MAX_EMPLOYER_CHARS,
        )?,
        employer_credit_code,
        region,
        township_org_id: input.township_org_id,
        hide_identity: input.hide_identity,
        filer_name: text("filer_name", "姓名", &input.filer_name, MAX_NAME_CHARS)?,
    })
}

/// Why a case went to its union.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// The worker's own union (they are a member).
    Membership,
    /// The union of the employer's credit code.
    Employer,
    /// The township union the worker chose.
    Township,
    /// The regional union of the place of work.
    Region,
    /// The union above the employer's own: the worker asked to stay hidden from the employer,
    /// and an enterprise union's officers are often the employer's people.
    AboveEmployer,
}

impl Route {
    pub fn label(self) -> &'static str {
        match self {
            Route::Membership => "所在工会",
            Route::Employer => "用人单位工会",
            Route::Township => "所选乡镇(街道)工会",
            Route::Region => "所在地区工会",
            Route::AboveEmployer => "上级工会(职工要求对用人单位保密)",
        }
    }
}

/// Chooses the handling union: the worker's own union if they are a member; otherwise the
/// union of the employer's credit code; otherwise the township union they chose or the
/// regional union of the place of work (county, then city, then province).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn route(db: &zhijia_store::Store, phone: &str, c: &Checked) -> Result<(Org, Route)> {
    let (org, how) = first_route(db, phone, c).await?;
    // A case hidden from the employer never lands at a grassroots (enterprise) union: the
    // worker's name and phone would be read by the employer's own people.
    if c.hide_identity
        && org.level == OrgLevel::Grassroots
        && let Some(parent) = org.parent_id
    {
        let above = org_store::get(db, parent)
            .await?
            .ok_or(AppError::NotFound("上级工会"))?;
        return Ok((above, Route::AboveEmployer));
    }
    Ok((org, how))
}

async fn first_route(db: &zhijia_store::Store, phone: &str, c: &Checked) -> Result<(Org, Route)> {
    if let Some(w) = worker_store::find_by_phone(db, phone).await?
        && let Some(m) = membership_store::current(db, w.id).await?
        && let Some(org) = org_store::get(db, m.org_id).await?
    {
        return Ok((org, Route::Membership));
    }
    if let Some(code) = &c.employer_credit_code
        && let Some(org) = org_store::find_by_employer(db, code.as_str()).await?
    {
        return Ok((org, Route::Employer));
    }
    let county = c.region.as_str();
    if let Some(id) = c.township_org_id {
        let org = org_store::get(db, id)
            .await?
            .ok_or(AppError::NotFound("所选乡镇(街道)工会"))?;
        if !matches!(org.level, OrgLevel::Township) || org.region_code != county {
            return Err(AppError::invalid(
                "township_org_id",
                "所选乡镇(街道)工会不在所填地区",
            ));
        }
        return Ok((org, Route::Township));
    }
    if let Some(org) = crate::org::regional_union(db, county).await? {
        return Ok((org, Route::Region));
    }
    Err(AppError::Conflict(
        "所在地区尚未开通网上维权，请拨打 12351 职工维权服务热线".into(),
    ))
}

/// A filed case.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Filed {
    #[schema(value_type = i64)]
    pub id: CaseId,
    #[schema(value_type = i64)]
    pub handling_org_id: OrgId,
    pub handling_org_name: String,
    pub route: Route,
    /// The deadline, counted in working days from today for an ordinary case of its kind; the
    /// handler sets the tier when accepting.
    pub due_on: NaiveDate,
}

pub use crate::attachment::Upload;

/// Checks the files sent with a case (at most [`attachment::MAX_PER_CASE`]) before anything is
/// stored, so one bad file refuses the whole filing and nothing is half saved.
pub fn check_uploads(files: &[Upload]) -> Result<Vec<attachment::Checked>> {
    crate::attachment::check_uploads(files, attachment::MAX_PER_CASE)
}

#[allow(clippy::too_many_arguments)]
async fn insert(
    ctx: &Ctx<'_>,
    actor: &Actor,
    channel: CaseChannel,
    phone: &str,
    c: &Checked,
    files: &[Upload],
    uploaded_by: &str,
    now: DateTime<Utc>,
) -> Result<Filed> {
    let checked_files = check_uploads(files)?;
    let (org, route) = route(ctx.db, phone, c).await?;
    let worker_id = worker_store::find_by_phone(ctx.db, phone)
        .await?
        .map(|w| w.id);
    let today = crate::today(now);
    let tier = Tier::Ordinary;
    let limit = ctx.settings.deadlines.days(c.kind, tier);
    let due_on = CaseClock::new(today, limit)
        .due_on(&ctx.settings.calendar)
        .unwrap_or(today);
    let mut tx = ctx.db.change().await?;
    let credit = c
        .employer_credit_code
        .as_ref()
        .map(|c| c.as_str().to_owned());
    let id = store::insert(
        &mut tx,
        &NewCase {
            kind: c.kind,
            channel,
            title: &c.title,
            description: &c.description,
            employer_name: &c.employer_name,
            employer_credit_code: credit.as_deref(),
            region_code: c.region.as_str(),
            hide_identity: c.hide_identity,
            filer_name: &c.filer_name,
            filer_phone: phone,
            worker_id,
            handling_org_id: org.id,
            tier,
            limit_days: i64::from(limit),
            submitted_on: today,
            due_on,
            now,
        },
    )
    .await?;
    let case = store::lock(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("案件"))?;
    for (f, checked) in files.iter().zip(&checked_files) {
        talk::store_file(&mut tx, id, checked, &f.bytes, uploaded_by, now).await?;
    }
    let note = format!("转至{}（{}）", org.name, route.label());
    let recorded = record(
        &mut tx,
        actor,
        &case,
        action::CASE_FILED,
        None,
        Some(CaseState::Submitted),
        org.id,
        Some(&note),
        now,
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(Filed {
        id,
        handling_org_id: org.id,
        handling_org_name: org.name,
        route,
        due_on,
    })
}

/// A worker files a case from the phone they signed in with.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn file(
    ctx: &Ctx<'_>,
    phone: &str,
    input: &CaseInput,
    files: &[Upload],
    now: DateTime<Utc>,
) -> Result<Filed> {
    let c = check(input)?;
    if store::filed_online_on(ctx.db, phone, crate::today(now)).await? >= MAX_ONLINE_PER_DAY {
        return Err(AppError::TooMany(format!(
            "每天最多在网上提交{MAX_ONLINE_PER_DAY}件诉求，请明天再提交，或拨打 12351 职工维权服务热线"
        )));
    }
    let filed = insert(
        ctx,
        &worker_actor(phone),
        CaseChannel::Online,
        phone,
        &c,
        files,
        "worker",
        now,
    )
    .await?;
    sms_notice(
        ctx.sms,
        phone,
        &format!(
            "【职工之家】您的诉求“{}”已提交，由{}办理，编号{}。",
            c.title, filed.handling_org_name, filed.id
        ),
    )
    .await;
    Ok(filed)
}

/// A handler registers a case taken by telephone or at a desk. The case is routed as the
/// worker's own filing would be; the handler needs the case role somewhere, not at the union it
/// lands in (a township desk takes calls meant for any union).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn register(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    input: &DeskInput,
    now: DateTime<Utc>,
) -> Result<Filed> {
    if !staff.grants.iter().any(|g| may_handle(staff, &g.org_path)) {
        return Err(AppError::Forbidden("您没有维权案件办理权限".into()));
    }
    let channel = match CaseChannel::parse(input.channel.trim()) {
        Some(c @ (CaseChannel::Phone | CaseChannel::Desk)) => c,
        _ => {
            return Err(AppError::invalid("channel", "请选择来源（电话或窗口）"));
        }
    };
    let phone = auth::parse_phone(&input.filer_phone).map_err(|mut e| {
        e.field = "filer_phone";
        e
    })?;
    let c = check(&input.case)?;
    insert(ctx, staff.actor, channel, &phone, &c, &[], "staff", now).await
}
