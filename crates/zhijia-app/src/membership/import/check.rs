//! Checking one roster row against the rules of the join form.

use super::{Header, RowError, err, optional};
use chrono::NaiveDate;
use zhijia_domain::auth::parse_phone;
use zhijia_domain::codes::{
    Education, Ethnicity, HukouType, MaritalStatus, PoliticalStatus, SkillLevel,
};
use zhijia_domain::credit_code::CreditCode;
use zhijia_domain::id_number::IdNumber;
use zhijia_domain::member;
use zhijia_domain::pii::PiiKeys;
use zhijia_domain::region::{RegionCode, RegionLevel};
use zhijia_domain::worker::GigOccupation;
use zhijia_store::import::ImportMember;

/// A checked row, identity number in clear (encrypted by `encrypt`).
#[derive(Debug, Clone)]
pub struct CheckedRow {
    pub row: u64,
    pub id_number: IdNumber,
    pub phone: String,
    pub member: ImportMember,
}

/// One row's cells, read by field name.
struct Cells<'a> {
    header: &'a Header,
    cells: &'a [String],
    row: u64,
}

impl<'a> Cells<'a> {
    fn get(&self, field: &str) -> &'a str {
        self.header.get(self.cells, field)
    }
}

/// Checks one data row against the rules of the join form.
pub fn check_row(
    header: &Header,
    row: u64,
    cells: &[String],
    today: NaiveDate,
    keys: &PiiKeys,
) -> std::result::Result<CheckedRow, RowError> {
    let c = Cells { header, cells, row };
    let name = check_name(&c)?;
    let id_number = check_id_number(&c, today)?;
    let phone = parse_phone(c.get("phone")).map_err(|e| err(row, "phone", e.message))?;
    // The checks run in the order of the columns' rules, so a row with several faults is
    // reported by the same (first) one as before.
    let work = check_work(&c)?;
    let joined_on = check_joined_on(&c, today, id_number.birth_date())?;
    let person = applicant(&c, keys, name, &id_number, &phone, work)?;
    let member = ImportMember { person, joined_on };
    Ok(CheckedRow {
        row,
        id_number,
        phone,
        member,
    })
}

fn check_name<'a>(c: &Cells<'a>) -> std::result::Result<&'a str, RowError> {
    let name = c.get("name");
    let n = name.chars().count();
    if n == 0 {
        return Err(err(c.row, "name", "姓名不能为空"));
    }
    if n > 30
        || name
            .chars()
            .any(|c| zhijia_domain::text::is_hidden(c) || c.is_ascii_digit())
    {
        return Err(err(c.row, "name", "姓名应为2到30个字，且不含数字"));
    }
    Ok(name)
}

/// The identity number, of someone born by today and of working age.
fn check_id_number(c: &Cells<'_>, today: NaiveDate) -> std::result::Result<IdNumber, RowError> {
    let row = c.row;
    let id_number =
        IdNumber::parse(c.get("id_number")).map_err(|e| err(row, "id_number", e.message))?;
    let birth = id_number.birth_date();
    if birth > today {
        return Err(err(row, "id_number", "身份证号中的出生日期晚于今天"));
    }
    if member::age_on(birth, today) < member::MIN_AGE {
        return Err(err(row, "id_number", "未满16周岁，不符合法定就业年龄"));
    }
    Ok(id_number)
}

/// The join date: today when empty, else a date between birth and today.
fn check_joined_on(
    c: &Cells<'_>,
    today: NaiveDate,
    birth: NaiveDate,
) -> std::result::Result<NaiveDate, RowError> {
    let row = c.row;
    Ok(match c.get("joined_on") {
        "" => today,
        s => {
            let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .or_else(|_| NaiveDate::parse_from_str(s, "%Y/%m/%d"))
                .or_else(|_| NaiveDate::parse_from_str(s, "%Y%m%d"))
                .map_err(|_| err(row, "joined_on", "入会日期格式应为 2020-01-31"))?;
            if d > today {
                return Err(err(row, "joined_on", "入会日期不能晚于今天"));
            }
            if d < birth {
                return Err(err(row, "joined_on", "入会日期早于出生日期"));
            }
            d
        }
    })
}

/// Where the person works, as far as the roster says.
struct Work {
    credit_code: Option<CreditCode>,
    gig: Option<GigOccupation>,
    city: Option<RegionCode>,
}

fn check_work(c: &Cells<'_>) -> std::result::Result<Work, RowError> {
    Ok(Work {
        credit_code: optional(
            c.row,
            "employer_credit_code",
            c.get("employer_credit_code"),
            CreditCode::parse,
        )?,
        gig: check_gig_occupation(c)?,
        city: check_work_city(c)?,
    })
}

fn check_gig_occupation(c: &Cells<'_>) -> std::result::Result<Option<GigOccupation>, RowError> {
    optional(c.row, "gig_occupation", c.get("gig_occupation"), |s| {
        GigOccupation::parse(s)
            .or_else(|| GigOccupation::ALL.into_iter().find(|g| g.label() == s))
            .ok_or_else(|| {
                zhijia_domain::ValidationError::new(
                    "gig_occupation",
                    format!("未知的新就业形态职业：{s}"),
                )
            })
    })
}

fn check_work_city(c: &Cells<'_>) -> std::result::Result<Option<RegionCode>, RowError> {
    optional(c.row, "work_city", c.get("work_city"), |s| {
        let r = RegionCode::parse(s)?;
        if r.level() == RegionLevel::City {
            Ok(r)
        } else {
            Err(zhijia_domain::ValidationError::new(
                "work_city",
                "工作城市应为地级市代码(后两位为00)",
            ))
        }
    })
}

/// The person as the store keeps them: the remaining columns checked, the identity number
/// encrypted and blind-indexed.
fn applicant(
    c: &Cells<'_>,
    keys: &PiiKeys,
    name: &str,
    id_number: &IdNumber,
    phone: &str,
    work: Work,
) -> std::result::Result<zhijia_store::membership::Applicant, RowError> {
    let row = c.row;
    let get = |f: &str| c.get(f);
    let employer_name = get("employer_name");
    if employer_name.chars().count() > 100 {
        return Err(err(row, "employer_name", "工作单位名称不能超过100个字"));
    }
    let emergency_phone = optional(row, "emergency_phone", get("emergency_phone"), parse_phone)?;
    let emergency_contact = get("emergency_contact");
    if emergency_contact.chars().count() > 30 {
        return Err(err(row, "emergency_contact", "紧急联系人不能超过30个字"));
    }
    Ok(zhijia_store::membership::Applicant {
        name: name.to_owned(),
        id_number_enc: keys.encrypt(id_number.expose()),
        id_number_idx: keys.blind_index(id_number.expose()).to_vec(),
        sex: id_number.sex().code(),
        birth_date: id_number.birth_date(),
        phone: phone.to_owned(),
        region_code: id_number.region_code().to_owned(),
        employer_name: (!employer_name.is_empty()).then(|| employer_name.to_owned()),
        employer_credit_code: work.credit_code.map(|c| c.as_str().to_owned()),
        gig_occupation: work.gig.map(GigOccupation::as_str),
        work_region: work.city.map(|c| c.as_str().to_owned()),
        ethnicity: optional(row, "ethnicity", get("ethnicity"), |s| {
            Ethnicity::parse("ethnicity", s)
        })?
        .map(Ethnicity::code),
        education: optional(row, "education", get("education"), |s| {
            Education::parse("education", s)
        })?
        .map(Education::code),
        political_status: optional(row, "political_status", get("political_status"), |s| {
            PoliticalStatus::parse("political_status", s)
        })?
        .map(PoliticalStatus::code),
        hukou_type: optional(row, "hukou_type", get("hukou_type"), |s| {
            HukouType::parse("hukou_type", s)
        })?
        .map(HukouType::code),
        hukou_region: optional(row, "hukou_region", get("hukou_region"), RegionCode::parse)?
            .map(|r| r.as_str().to_owned()),
        skill_level: optional(row, "skill_level", get("skill_level"), |s| {
            SkillLevel::parse("skill_level", s)
        })?
        .map(SkillLevel::code),
        marital_status: optional(row, "marital_status", get("marital_status"), |s| {
            MaritalStatus::parse("marital_status", s)
        })?
        .map(MaritalStatus::code),
        emergency_contact: (!emergency_contact.is_empty()).then(|| emergency_contact.to_owned()),
        emergency_phone,
    })
}
