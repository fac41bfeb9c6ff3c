//! Join application (入会申请): checked input, routing to the reviewing union, review.

mod review;
mod submit;

pub use review::*;
pub use submit::*;

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
    let name = check_name(&input.name)?;
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
    let employment = check_employment(input)?;
    let emergency_phone = optional(&input.emergency_phone, |s| {
        parse_phone(s).map_err(|_| {
            zhijia_domain::ValidationError::new("emergency_phone", "紧急联系人手机号应为11位")
        })
    })?;
    Ok(JoinData {
        name,
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

/// A person's name: 2 to 30 characters, no digits.
fn check_name(input: &str) -> Result<String> {
    let name = input.trim();
    let n = name.chars().count();
    if !(2..=30).contains(&n)
        || name
            .chars()
            .any(|c| zhijia_domain::text::is_hidden(c) || c.is_ascii_digit())
    {
        return Err(AppError::invalid("name", "姓名应为2到30个字，且不含数字"));
    }
    Ok(name.to_owned())
}

/// How the applicant works: for an employer (its name and credit code) or in a gig occupation
/// (the occupation and the city).
fn check_employment(input: &JoinInput) -> Result<Employment> {
    Ok(match input.employment.trim() {
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
    })
}

/// Why an application went to the union it went to.
pub use zhijia_domain::member::JoinRoute as Route;

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
