//! Model workers (劳模): the honours unions record, shown in the showcase (劳模风采) once
//! published with the honouree's consent.
//!
//! Pure rules only: the checked form of a record, the levels of honour, and that publishing
//! needs the consent recorded.

use crate::ValidationError;
use crate::publishing::{PublishStatus, line, paragraphs};
use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// The first year an honour may carry: the first national conference of model workers of the
/// People's Republic was held in 1950.
pub const FIRST_YEAR: i32 = 1950;

state_enum! {
    /// The level of the body that conferred the honour.
    pub enum Level {
        /// 全国劳动模范、全国先进工作者、全国五一劳动奖章.
        National = "national", "全国";
        /// 省(自治区、直辖市)及中央部委授予.
        Province = "province", "省部级";
        City = "city", "市级";
        County = "county", "县级";
    }
}

/// A record as typed, before checking.
#[derive(Debug, Clone, Default)]
pub struct ModelWorkerInput {
    pub name: String,
    /// The honour's name, e.g. "全国劳动模范".
    pub honour: String,
    pub level: String,
    pub year: i64,
    pub employer: String,
    /// 事迹: the story shown in the showcase.
    pub story: String,
}

/// A record that passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedModelWorker {
    pub name: String,
    pub honour: String,
    pub level: Level,
    pub year: i64,
    pub employer: String,
    pub story: String,
}

impl ModelWorkerInput {
    /// Checks the record on `today` (a Beijing date): name 1–20 characters, honour 1–40, a
    /// known level, the year from 1950 to this year, employer 1–60, story 1–5,000 (paragraphs).
    pub fn validate(&self, today: NaiveDate) -> Result<CheckedModelWorker, ValidationError> {
        let name = line("name", "姓名", &self.name, 1, 20)?;
        let honour = line("honour", "荣誉称号", &self.honour, 1, 40)?;
        let level = Level::parse(self.level.trim()).ok_or_else(|| {
            ValidationError::new("level", "荣誉级别应为 全国、省部级、市级 或 县级")
        })?;
        let this_year = i64::from(today.year());
        if !(i64::from(FIRST_YEAR)..=this_year).contains(&self.year) {
            return Err(ValidationError::new(
                "year",
                format!("获评年份应在 {FIRST_YEAR} 年到 {this_year} 年之间"),
            ));
        }
        let employer = line("employer", "工作单位", &self.employer, 1, 60)?;
        let story = paragraphs("story", "先进事迹", &self.story, 1, 5000)?;
        Ok(CheckedModelWorker {
            name,
            honour,
            level,
            year: self.year,
            employer,
            story,
        })
    }
}

/// Publishing a record (or publishing it again) needs the honouree's consent recorded: their
/// story, name and workplace are personal information shown to anyone.
pub fn check_publish(
    status: PublishStatus,
    consent_at: Option<DateTime<Utc>>,
) -> Result<(), &'static str> {
    if !status.may_publish() {
        return Err("该劳模事迹已经发布");
    }
    if consent_at.is_none() {
        return Err("发布前须取得劳模本人(或其近亲属)同意公开，并在记录中勾选“已取得同意”");
    }
    Ok(())
}

/// A recorded consent may be cleared (the honouree changed their mind) only while the record
/// is not shown: a published record is withdrawn first.
pub fn check_consent_change(
    status: PublishStatus,
    had_consent: bool,
    consent: bool,
) -> Result<(), &'static str> {
    if had_consent && !consent && status == PublishStatus::Published {
        return Err("已发布的劳模事迹不能取消“已取得同意”，请先撤回发布");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, 1).unwrap()
    }

    fn input() -> ModelWorkerInput {
        ModelWorkerInput {
            name: " 李桂英 ".into(),
            honour: "全国劳动模范".into(),
            level: "national".into(),
            year: 2020,
            employer: "广州天河电子厂".into(),
            story: "扎根一线二十年。\n\n带出徒弟三十余名。".into(),
        }
    }

    #[test]
    fn a_complete_record_is_trimmed_and_keeps_its_paragraphs() {
        let c = input().validate(today()).unwrap();
        assert_eq!(c.name, "李桂英");
        assert_eq!(c.level, Level::National);
        assert_eq!(c.level.label(), "全国");
        assert!(c.story.contains("\n\n"));
    }

    #[test]
    fn each_field_is_refused_with_its_own_name() {
        let field = |i: ModelWorkerInput| i.validate(today()).unwrap_err().field;
        assert_eq!(
            field(ModelWorkerInput {
                name: "张".repeat(21),
                ..input()
            }),
            "name"
        );
        assert_eq!(
            field(ModelWorkerInput {
                honour: "荣".repeat(41),
                ..input()
            }),
            "honour"
        );
        assert_eq!(
            field(ModelWorkerInput {
                level: "township".into(),
                ..input()
            }),
            "level"
        );
        assert_eq!(
            field(ModelWorkerInput {
                employer: "单".repeat(61),
                ..input()
            }),
            "employer"
        );
        assert_eq!(
            field(ModelWorkerInput {
                story: "  ".into(),
                ..input()
            }),
            "story"
        );
        assert_eq!(
            field(ModelWorkerInput {
                story: "事".repeat(5001),
                ..input()
            }),
            "story"
        );
    }

    #[test]
    fn the_year_runs_from_1950_to_this_year() {
        let year = |y| ModelWorkerInput { year: y, ..input() }.validate(today());
        assert!(year(1950).is_ok());
        assert!(year(2026).is_ok());
        assert_eq!(year(1949).unwrap_err().field, "year");
        let e = year(2027).unwrap_err();
        assert!(e.message.contains("2026"), "{}", e.message);
    }

    #[test]
    fn publishing_needs_consent_and_a_draft_or_withdrawn_record() {
        let now = Utc::now();
        assert!(check_publish(PublishStatus::Draft, None).is_err());
        assert!(check_publish(PublishStatus::Draft, Some(now)).is_ok());
        assert!(check_publish(PublishStatus::Withdrawn, Some(now)).is_ok());
        assert!(check_publish(PublishStatus::Published, Some(now)).is_err());
        assert!(
            check_publish(PublishStatus::Withdrawn, None)
                .unwrap_err()
                .contains("同意")
        );
    }

    #[test]
    fn consent_of_a_published_record_is_kept_until_it_is_withdrawn() {
        assert!(check_consent_change(PublishStatus::Published, true, false).is_err());
        assert!(check_consent_change(PublishStatus::Published, true, true).is_ok());
        assert!(check_consent_change(PublishStatus::Withdrawn, true, false).is_ok());
        assert!(check_consent_change(PublishStatus::Draft, false, true).is_ok());
    }
}
