//! Join application (入会申请): checked input, routing to the reviewing union, review.

use crate::caller::{StaffCtx, sms_notice, worker_actor};

use super::Ctx;
use crate::{AppError, Result};
use chrono::{DateTime, NaiveDate, Utc};
use zhijia_domain::audit::action;
use zhijia_domain::auth::parse_phone;
use zhijia_domain::codes::{
    Education, Ethnicity, HukouType, MaritalStatus, PoliticalStatus, SkillLevel,
};
use zhijia_domain::credit_code::CreditCode;
use zhijia_domain::id_number::IdNumber;
use zhijia_domain::ids::{JoinApplicationId, TransferId, WorkerId};
use zhijia_domain::member::{self, CONSENT_VERSION, MemberNo};
use zhijia_domain::org::{OrgId, OrgLevel};
use zhijia_domain::region::{RegionCode, RegionLevel};
use zhijia_domain::worker::GigOccupation;
use zhijia_store::audit::{self, Record};
use zhijia_store::membership::{
    self as store, Applicant, Application, NewApplication, NewTransfer,
};
use zhijia_store::org::{self as org_store, Org};
use zhijia_store::worker as worker_store;

/// The application form as typed (web form or JSON). Every field is checked by `check`.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct JoinInput {
    pub name: String,
    pub id_number: String,
    pub ethnicity: String,
    pub education: String,
    pub political_status: String,
    pub hukou_type: String,
    pub hukou_region: String,
    pub skill_level: String,
    pub marital_status: String,
    pub emergency_contact: String,
    pub emergency_phone: String,
    /// "employee" (an employer) or "gig" (new forms of employment).
    pub employment: String,
    pub employer_name: String,
    pub employer_credit_code: String,
    /// Optional: the township/street union where the employer is, if the worker knows it.
    pub township_org_id: Option<i64>,
    pub gig_occupation: String,
    /// The city a gig worker works in (a GB/T 2260 city code).
    pub work_city: String,
    pub wage_earner: bool,
    pub accepts_constitution: bool,
    /// Separate consent to the processing of sensitive personal data (个人信息保护法 art. 29).
    pub consent: bool,
}

/// Where the worker works.
#[derive(Debug, Clone)]
pub enum Employment {
    Employee {
        name: String,
        credit_code: CreditCode,
        township: Option<OrgId>,
    },
    Gig {
        occupation: GigOccupation,
        city: RegionCode,
    },
}

/// A checked application.
#[derive(Debug, Clone)]
pub struct JoinData {
    pub name: String,
    pub id_number: IdNumber,
    pub ethnicity: Option<Ethnicity>,
    pub education: Option<Education>,
    pub political_status: Option<PoliticalStatus>,
    pub hukou_type: Option<HukouType>,
    pub hukou_region: Option<RegionCode>,
    pub skill_level: Option<SkillLevel>,
    pub marital_status: Option<MaritalStatus>,
    pub emergency_contact: Option<String>,
    pub emergency_phone: Option<String>,
    pub employment: Employment,
}

fn optional<T>(
    s: &str,
    parse: impl FnOnce(&str) -> std::result::Result<T, zhijia_domain::ValidationError>,
) -> Result<Option<T>> {
    let s = s.trim();
    if s.is_empty() {
        Ok(None)
    } else {
        Ok(Some(parse(s)?))
    }
}

fn text(field: &'static str, label: &str, s: &str, max: usize) -> Result<Option<String>> {
    let s = s.trim();
    if s.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!("{label}不能超过{max}个字"),
        ));
    }
    Ok((!s.is_empty()).then(|| s.to_owned()))
}

/// Checks every field; the first fault is returned with the field it is about.
pub fn check(input: &JoinInput, today: NaiveDate) -> Result<JoinData> {
    let name = input.name.trim();
    let n = name.chars().count();
    if !(2..=30).contains(&n)
        || name
            .chars()
            .any(|c| zhijia_domain::text::is_hidden(c) || c.is_ascii_digit())
    {
        return Err(AppError::invalid("name", "姓名应为2到30个字，且不含数字"));
    }
    let id_number = IdNumber::parse(&input.id_number)?;
    member::check_eligibility(
        id_number.birth_date(),
        today,
        input.wage_earner,
        input.accepts_constitution,
    )?;
    if !input.consent {
        return Err(AppError::invalid(
            "consent",
            "请阅读并单独同意《个人信息处理告知书》，否则无法办理入会",
        ));
    }
    let employment = match input.employment.trim() {
        "gig" => {
            let occupation = GigOccupation::parse(input.gig_occupation.trim())
                .ok_or_else(|| AppError::invalid("gig_occupation", "请选择从事的新就业形态职业"))?;
            let city = RegionCode::parse(&input.work_city)
                .map_err(|_| AppError::invalid("work_city", "请选择工作所在的城市"))?;
            if city.level() != RegionLevel::City {
                return Err(AppError::invalid(
                    "work_city",
                    "工作城市应为地级市的行政区划代码(后两位为00)",
                ));
            }
            Employment::Gig { occupation, city }
        }
        "employee" | "" => {
            let employer = input.employer_name.trim();
            if !(2..=100).contains(&employer.chars().count()) {
                return Err(AppError::invalid("employer_name", "请填写工作单位全称"));
            }
            let credit_code = CreditCode::parse(&input.employer_credit_code).map_err(|e| {
                AppError::invalid("employer_credit_code", format!("工作单位的{}", e.message))
            })?;
            Employment::Employee {
                name: employer.to_owned(),
                credit_code,
                township: input.township_org_id.map(OrgId),
            }
        }
        _ => {
            return Err(AppError::invalid(
                "employment",
                "就业方式应为“有工作单位”或“新就业形态”",
            ));
        }
    };
    let emergency_phone = optional(&input.emergency_phone, |s| {
        parse_phone(s).map_err(|_| {
            zhijia_domain::ValidationError::new("emergency_phone", "紧急联系人手机号应为11位")
        })
    })?;
    Ok(JoinData {
        name: name.to_owned(),
        id_number,
        ethnicity: optional(&input.ethnicity, |s| Ethnicity::parse("ethnicity", s))?,
        education: optional(&input.education, |s| Education::parse("education", s))?,
        political_status: optional(&input.political_status, |s| {
            PoliticalStatus::parse("political_status", s)
        })?,
        hukou_type: optional(&input.hukou_type, |s| HukouType::parse("hukou_type", s))?,
        hukou_region: optional(&input.hukou_region, |s| {
            RegionCode::parse(s).map_err(|_| {
                zhijia_domain::ValidationError::new("hukou_region", "户籍所在地应为6位行政区划代码")
            })
        })?,
        skill_level: optional(&input.skill_level, |s| SkillLevel::parse("skill_level", s))?,
        marital_status: optional(&input.marital_status, |s| {
            MaritalStatus::parse("marital_status", s)
        })?,
        emergency_contact: text(
            "emergency_contact",
            "紧急联系人",
            &input.emergency_contact,
            30,
        )?,
        emergency_phone,
        employment,
    })
}

/// Why an application went to the union it went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// The employer has a grassroots union (its credit code matched).
    Employer,
    /// The township/street union the worker chose for the employer's place.
    Township,
    /// The federation of the employer's county (or city) from the credit code's region.
    Region,
    /// The industry union of a gig occupation in the worker's city.
    Industry,
    /// The city federation, when the city has no industry union for the occupation.
    City,
}

impl Route {
    pub fn as_str(self) -> &'static str {
        match self {
            Route::Employer => "employer",
            Route::Township => "township",
            Route::Region => "region",
            Route::Industry => "industry",
            Route::City => "city",
        }
    }

    pub fn label(s: &str) -> &'static str {
        match s {
            "employer" => "所在单位已建工会",
            "township" => "单位所在乡镇(街道)工会",
            "region" => "单位所在地区总工会",
            "industry" => "所在城市的行业工会",
            "city" => "所在城市总工会",
            _ => "",
        }
    }
}

/// Chooses the union that reviews an application (PRODUCT.md: 一次入会、动态接转).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn route(db: &zhijia_store::Store, employment: &Employment) -> Result<(Org, Route)> {
    match employment {
        Employment::Employee {
            credit_code,
            township,
            ..
        } => {
            if let Some(org) = org_store::find_by_employer(db, credit_code.as_str()).await? {
                return Ok((org, Route::Employer));
            }
            // GB 32100 positions 3–8: the region of the registering authority, a county code.
            let county = &credit_code.as_str()[2..8];
            if let Some(id) = township {
                let org = org_store::get(db, *id)
                    .await?
                    .ok_or(AppError::NotFound("所选乡镇(街道)工会"))?;
                if !matches!(org.level, OrgLevel::Township) {
                    return Err(AppError::invalid(
                        "township_org_id",
                        "所选组织不是乡镇(街道)工会",
                    ));
                }
                // A street union serves its own county: the employer's credit code must say so.
                if org.region_code != county {
                    return Err(AppError::invalid(
                        "township_org_id",
                        "所选乡镇(街道)工会不在单位统一社会信用代码所示的区县",
                    ));
                }
                return Ok((org, Route::Township));
            }
            if let Some(org) = crate::org::regional_union(db, county).await? {
                return Ok((org, Route::Region));
            }
            Err(AppError::Conflict(
                "单位所在地区尚未开通网上入会，请联系当地工会".into(),
            ))
        }
        Employment::Gig { occupation, city } => {
            if let Some(org) =
                org_store::find_by_gig(db, occupation.as_str(), city.as_str()).await?
            {
                return Ok((org, Route::Industry));
            }
            if let Some(org) = org_store::find_by_region(db, city.as_str(), OrgLevel::City).await? {
                return Ok((org, Route::City));
            }
            Err(AppError::Conflict(
                "所在城市尚未开通网上入会，请联系当地工会".into(),
            ))
        }
    }
}

/// What the worker sees after applying.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Submitted {
    #[schema(value_type = i64)]
    pub application_id: JoinApplicationId,
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub org_name: String,
    pub route: &'static str,
    pub due_on: NaiveDate,
    /// Set when the person is already a member elsewhere: the application became a transfer.
    #[schema(value_type = Option<i64>)]
    pub transfer_id: Option<TransferId>,
}

fn applicant(ctx: &Ctx<'_>, data: &JoinData, phone: &str) -> Applicant {
    let (employer_name, employer_credit_code, gig, work_region) = match &data.employment {
        Employment::Employee {
            name, credit_code, ..
        } => (
            Some(name.clone()),
            Some(credit_code.as_str().to_owned()),
            None,
            None,
        ),
        Employment::Gig { occupation, city } => (
            None,
            None,
            Some(occupation.as_str()),
            Some(city.as_str().to_owned()),
        ),
    };
    Applicant {
        name: data.name.clone(),
        id_number_enc: ctx.keys.encrypt(data.id_number.expose()),
        id_number_idx: ctx.keys.blind_index(data.id_number.expose()).to_vec(),
        sex: data.id_number.sex().code(),
        birth_date: data.id_number.birth_date(),
        phone: phone.to_owned(),
        region_code: data.id_number.region_code().to_owned(),
        employer_name,
        employer_credit_code,
        gig_occupation: gig,
        work_region,
        ethnicity: data.ethnicity.map(Ethnicity::code),
        education: data.education.map(Education::code),
        political_status: data.political_status.map(PoliticalStatus::code),
        hukou_type: data.hukou_type.map(HukouType::code),
        hukou_region: data.hukou_region.as_ref().map(|r| r.as_str().to_owned()),
        skill_level: data.skill_level.map(SkillLevel::code),
        marital_status: data.marital_status.map(MaritalStatus::code),
        emergency_contact: data.emergency_contact.clone(),
        emergency_phone: data.emergency_phone.clone(),
    }
}

/// A worker signed in with `phone` applies to join. Someone who is already a member elsewhere
/// gets a transfer request instead (one person, one membership: 一次入会、动态接转).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn apply(
    ctx: &Ctx<'_>,
    phone: &str,
    input: &JoinInput,
    now: DateTime<Utc>,
) -> Result<Submitted> {
    let today = crate::today(now);
    let data = check(input, today)?;
    let a = applicant(ctx, &data, phone);
    let existing = existing_worker(ctx, &a, phone).await?;
    let (org, route) = route(ctx.db, &data.employment).await?;
    let due_on = ctx
        .settings
        .calendar
        .add_working_days(today, ctx.settings.review_working_days);
    let (employer_name, employer_credit_code, gig, work_region) = (
        a.employer_name.clone(),
        a.employer_credit_code.clone(),
        a.gig_occupation,
        a.work_region.clone(),
    );
    let mut tx = ctx.db.change().await?;
    let worker_id = store::save_applicant(&mut tx, existing, &a).await?;
    let current = store::current(&mut tx, worker_id).await?;
    let mut transfer_id = None;
    if let Some(m) = current.as_ref().filter(|m| m.org_id == org.id) {
        return Err(AppError::Conflict(format!(
            "您已是{}的会员，无需重复申请",
            m.org_name
        )));
    }
    let new = NewApplication {
        worker_id,
        org_id: org.id,
        route: route.as_str(),
        employer_name: employer_name.as_deref(),
        employer_credit_code: employer_credit_code.as_deref(),
        gig_occupation: gig,
        work_region: work_region.as_deref(),
        consent_version: CONSENT_VERSION,
        due_on,
    };
    let application_id = match store::insert_application(&mut tx, &new).await {
        Ok(id) => id,
        Err(e) if e.is_conflict_on(zhijia_store::unique::JOIN_APPLICATION_PENDING) => {
            return Err(AppError::Conflict(
                "您已有一份待审核的入会申请，请等待审核结果".into(),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let actor = worker_actor(phone);
    let (title, body) = if let Some(m) = &current {
        let (id, title, body) = into_transfer(
            &mut tx,
            ctx,
            &actor,
            worker_id,
            m,
            &org,
            application_id,
            now,
        )
        .await?;
        transfer_id = Some(id);
        (title, body)
    } else {
        (
            "入会申请已提交".to_owned(),
            format!(
                "您的入会申请已提交至{}，将在{}前完成审核。",
                org.name, due_on
            ),
        )
    };
    let recorded = audit::append(
        &mut tx,
        &actor,
        Record {
            action: action::JOIN_APPLIED,
            org: Some(org.id),
            target_kind: Some("worker"),
            target_id: Some(worker_id.to_string()),
            detail: Some(format!(
                "申请#{application_id}，{}",
                Route::label(route.as_str())
            )),
        },
    )
    .await?;
    store::notify(&mut tx, worker_id, &title, &body, Some("/membership")).await?;
    tx.commit(recorded).await?;
    Ok(Submitted {
        application_id,
        org_id: org.id,
        org_name: org.name,
        route: route.as_str(),
        due_on,
        transfer_id,
    })
}

/// The worker record the applicant already has, if any: found by identity number or phone, and
/// refused when the two name different people.
async fn existing_worker(ctx: &Ctx<'_>, a: &Applicant, phone: &str) -> Result<Option<WorkerId>> {
    // The phone was verified by SMS; the identity number must not belong to someone else's
    // phone, or anyone knowing a number could take over that person's membership.
    let by_id = worker_store::find_by_id_number_index(ctx.db, &a.id_number_idx).await?;
    let by_phone = worker_store::find_by_phone(ctx.db, phone).await?;
    Ok(match (&by_id, &by_phone) {
        (Some(w), _) if w.phone != phone => {
            return Err(AppError::Conflict(
                "该身份证号已由另一个手机号登记。如更换了手机号，请携带身份证到所在工会办理变更"
                    .into(),
            ));
        }
        (_, Some(w)) if by_id.as_ref().is_none_or(|i| i.id != w.id) => {
            return Err(AppError::Conflict(
                "此手机号已登记在另一人的名下，请使用本人手机号申请".into(),
            ));
        }
        (Some(w), _) => Some(w.id),
        (None, _) => None,
    })
}

/// The applicant is a member elsewhere: the application becomes a transfer of that membership
/// to `org`, audited, in the change. Returns the transfer and what the applicant is told.
#[allow(clippy::too_many_arguments)]
async fn into_transfer(
    tx: &mut zhijia_store::Change,
    ctx: &Ctx<'_>,
    actor: &zhijia_domain::audit::Actor,
    worker_id: WorkerId,
    m: &zhijia_store::membership::Membership,
    org: &Org,
    application_id: JoinApplicationId,
    now: DateTime<Utc>,
) -> Result<(TransferId, String, String)> {
    let release_due_at = now + chrono::Duration::days(ctx.settings.release_days);
    let t = NewTransfer {
        worker_id,
        from_membership_id: m.id,
        from_org_id: m.org_id,
        to_org_id: org.id,
        started_by: "worker",
        reason: Some("入会申请时已是其他工会会员，转为会籍接转"),
        release_due_at,
        confirm_due_at: None,
    };
    let id = match store::insert_transfer(tx, &t).await {
        Ok(id) => id,
        Err(e) if e.is_conflict_on(zhijia_store::unique::TRANSFER_OPEN) => {
            return Err(AppError::Conflict(
                "您已有一项正在办理的会籍接转，请等待办理结果".into(),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    store::decide(
        tx,
        application_id,
        member::ApplicationStatus::BecameTransfer,
        None,
        None,
        Some(id),
    )
    .await?;
    let _ = audit::append(
        tx,
        actor,
        Record {
            action: action::TRANSFER_REQUESTED,
            org: Some(org.id),
            target_kind: Some("worker"),
            target_id: Some(worker_id.to_string()),
            detail: Some(format!("接转#{id}：{} → {}", m.org_name, org.name)),
        },
    )
    .await?;
    Ok((
        id,
        "入会申请已转为会籍接转".to_owned(),
        format!(
            "您已是{}的会员。会籍将转入{}：请{}同意转出(最迟{}自动转出)，再由{}接收。",
            m.org_name,
            org.name,
            m.org_name,
            crate::today(release_due_at),
            org.name
        ),
    ))
}

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
        "application",
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
    q: &super::QueueQuery,
    now: DateTime<Utc>,
) -> Result<(Org, zhijia_store::Page<Application>)> {
    let org = super::review_scope(ctx, staff, q.org).await?;
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
