//! Business calendar: which days are working days, with China's public holidays and the weekend
//! days worked in exchange (调休上班).
//!
//! Deadlines in the union's procedures are counted in working days ("15个工作日内办结"), and
//! the State Council publishes each year's holiday arrangement only months ahead, so the
//! arrangement is data an operator updates (`data/calendar/cn.json`), not code. A year with no
//! arrangement falls back to Monday–Friday; [`BusinessCalendar::covers`] lets callers warn.

use crate::ValidationError;
use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound::{Excluded, Included};

const FIELD: &str = "calendar";

/// The arrangement shipped with the program.
const BUILTIN_JSON: &str = include_str!("../../../data/calendar/cn.json");

/// One year's arrangement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Year {
    /// Days off, with the holiday's name; weekend days inside a holiday are listed too.
    holidays: BTreeMap<NaiveDate, String>,
    /// Weekend days that are working days.
    workdays: BTreeSet<NaiveDate>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BusinessCalendar {
    source: String,
    years: BTreeMap<i32, Year>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileJson {
    #[serde(default)]
    source: String,
    years: BTreeMap<String, YearJson>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YearJson {
    #[serde(default)]
    holidays: Vec<HolidayJson>,
    #[serde(default)]
    workdays: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidayJson {
    name: String,
    from: String,
    to: String,
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn parse_date(s: &str, year: i32) -> Result<NaiveDate, ValidationError> {
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        ValidationError::new(
            FIELD,
            format!("节假日安排文件中的日期不正确：{s}（应为 YYYY-MM-DD）"),
        )
    })?;
    if d.year() != year {
        return Err(ValidationError::new(
            FIELD,
            format!("节假日安排文件中的日期 {d} 不在 {year} 年内（跨年的部分请写在对应年份下）"),
        ));
    }
    Ok(d)
}

impl BusinessCalendar {
    /// A calendar that knows no holidays: Monday to Friday are the working days.
    pub fn weekends_only() -> Self {
        Self::default()
    }

    /// The arrangement embedded in the program. The embedded file is checked by a test, so the
    /// weekends-only fallback only guards against a build from a hand-broken data file.
    pub fn builtin() -> Self {
        Self::from_json(BUILTIN_JSON).unwrap_or_default()
    }

    /// Reads an arrangement file (see `data/calendar/README.md` for the format).
    pub fn from_json(json: &str) -> Result<Self, ValidationError> {
        let file: FileJson = serde_json::from_str(json).map_err(|e| {
            ValidationError::new(FIELD, format!("节假日安排文件不是有效的 JSON：{e}"))
        })?;
        let mut years = BTreeMap::new();
        for (key, y) in &file.years {
            let year: i32 = key
                .trim()
                .parse()
                .ok()
                .filter(|y| (1949..=9999).contains(y))
                .ok_or_else(|| {
                    ValidationError::new(FIELD, format!("节假日安排文件中的年份不正确：{key}"))
                })?;
            let mut rules = Year::default();
            for h in &y.holidays {
                let from = parse_date(&h.from, year)?;
                let to = parse_date(&h.to, year)?;
                if to < from {
                    return Err(ValidationError::new(
                        FIELD,
                        format!(
                            "节假日安排文件中“{}”的结束日期 {to} 早于开始日期 {from}",
                            h.name
                        ),
                    ));
                }
                for d in from.iter_days().take_while(|d| *d <= to) {
                    rules.holidays.insert(d, h.name.clone());
                }
            }
            for w in &y.workdays {
                let d = parse_date(w, year)?;
                if let Some(name) = rules.holidays.get(&d) {
                    return Err(ValidationError::new(
                        FIELD,
                        format!("节假日安排文件中 {d} 既是“{name}”放假日又是调休上班日"),
                    ));
                }
                // A Monday-to-Friday date is a working day anyway; listing one is a typo.
                if !is_weekend(d) {
                    return Err(ValidationError::new(
                        FIELD,
                        format!("节假日安排文件中的调休上班日 {d} 不是周末，请核对"),
                    ));
                }
                rules.workdays.insert(d);
            }
            if years.insert(year, rules).is_some() {
                return Err(ValidationError::new(
                    FIELD,
                    format!("节假日安排文件中 {year} 年出现了两次"),
                ));
            }
        }
        Ok(Self {
            source: file.source,
            years,
        })
    }

    /// Where the arrangement comes from (the State Council notice), for display.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the arrangement for `year` is known; if not, only weekends are days off.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// The public holiday `date` falls in, if any.
    pub fn holiday_name(&self, date: NaiveDate) -> Option<&str> {
        self.years
            .get(&date.year())
            .and_then(|y| y.holidays.get(&date))
            .map(String::as_str)
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.years.get(&date.year()) {
            Some(y) if y.workdays.contains(&date) => true,
            Some(y) if y.holidays.contains_key(&date) => false,
            _ => !is_weekend(date),
        }
    }

    /// The `n`-th working day strictly after `start` (`start` itself for `n = 0`): a deadline of
    /// "15 working days from submission" is `add_working_days(submitted_on, 15)`.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            let Some(next) = d.succ_opt() else {
                return NaiveDate::MAX;
            };
            d = next;
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// The number of working days `d` with `from < d <= to` (0 when `to <= from`): the working
    /// days elapsed between two events, e.g. to measure time spent or a pause.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to <= from {
            return 0;
        }
        // Mondays to Fridays, counted by whole weeks plus the remainder, then corrected by the
        // arrangements of the covered years in range.
        let days = (to - from).num_days();
        let mut count = days / 7 * 5;
        let mut d = from + chrono::Duration::days(days / 7 * 7);
        while d < to {
            d = d.succ_opt().unwrap_or(to);
            if !is_weekend(d) {
                count += 1;
            }
        }
        for y in self.years.range(from.year()..=to.year()).map(|(_, y)| y) {
            let range = (Excluded(from), Included(to));
            count -= y
                .holidays
                .range(range)
                .filter(|(d, _)| !is_weekend(**d))
                .count() as i64;
            count += y.workdays.range(range).filter(|d| is_weekend(**d)).count() as i64;
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn cal() -> BusinessCalendar {
        let c = BusinessCalendar::builtin();
        assert!(c.covers(2026));
        c
    }

    #[test]
    fn the_builtin_file_parses_and_covers_2026() {
        let c = BusinessCalendar::from_json(BUILTIN_JSON).unwrap();
        assert!(c.covers(2026));
        assert!(c.source().contains("2026"));
        assert_eq!(c, BusinessCalendar::builtin());
    }

    #[test]
    fn the_2026_arrangement() {
        let c = cal();
        // Sanity of the weekdays the arrangement is written against.
        assert_eq!(day(2026, 2, 14).weekday(), Weekday::Sat);
        assert_eq!(day(2026, 2, 16).weekday(), Weekday::Mon);
        assert_eq!(day(2026, 10, 8).weekday(), Weekday::Thu);
        assert!(c.is_working_day(day(2026, 2, 14)), "调休上班");
        assert!(!c.is_working_day(day(2026, 2, 16)), "春节");
        assert_eq!(c.holiday_name(day(2026, 2, 16)), Some("春节"));
        assert!(c.is_working_day(day(2026, 10, 8)));
        assert!(!c.is_working_day(day(2026, 10, 7)));
        assert!(
            c.is_working_day(day(2026, 1, 4)),
            "Sunday worked after 元旦"
        );
        assert!(!c.is_working_day(day(2026, 1, 1)));
        assert!(c.is_working_day(day(2026, 9, 20)));
        assert!(!c.is_working_day(day(2026, 9, 19)), "an ordinary Saturday");
        assert!(c.is_working_day(day(2026, 3, 2)), "an ordinary Monday");
        assert_eq!(c.holiday_name(day(2026, 3, 2)), None);
    }

    #[test]
    fn fifteen_working_days_across_national_day() {
        // From Monday 2026-09-28: Tue 29 (1), Wed 30 (2); 10-01..10-07 off; Thu 10-08 (3),
        // Fri 10-09 (4), Sat 10-10 worked (5); Sun 11 off; Mon 12..Fri 16 (6..10); weekend;
        // Mon 19..Fri 23 (11..15).
        let c = cal();
        let start = day(2026, 9, 28);
        assert_eq!(c.add_working_days(start, 15), day(2026, 10, 23));
        assert_eq!(c.working_days_between(start, day(2026, 10, 23)), 15);
        assert_eq!(c.add_working_days(start, 0), start);
        assert_eq!(c.add_working_days(start, 2), day(2026, 9, 30));
        assert_eq!(c.add_working_days(start, 3), day(2026, 10, 8));
    }

    #[test]
    fn working_days_between_is_half_open() {
        let c = cal();
        let fri = day(2026, 3, 6);
        assert_eq!(c.working_days_between(fri, fri), 0);
        assert_eq!(c.working_days_between(fri, day(2026, 3, 5)), 0);
        assert_eq!(
            c.working_days_between(fri, day(2026, 3, 8)),
            0,
            "weekend only"
        );
        assert_eq!(c.working_days_between(fri, day(2026, 3, 9)), 1);
        // 2026 has 261 weekdays; the arrangement takes 19 weekdays off and adds 6 weekend days.
        assert_eq!(
            c.working_days_between(day(2025, 12, 31), day(2026, 12, 31)),
            261 - 19 + 6
        );
    }

    #[test]
    fn working_days_between_agrees_with_counting_day_by_day() {
        let c = cal();
        let start = day(2025, 12, 20);
        for a in 0..30 {
            let from = start + chrono::Duration::days(a * 13);
            for len in 0..60 {
                let to = from + chrono::Duration::days(len);
                let slow = from
                    .iter_days()
                    .skip(1)
                    .take_while(|d| *d <= to)
                    .filter(|d| c.is_working_day(*d))
                    .count() as i64;
                assert_eq!(c.working_days_between(from, to), slow, "{from}..{to}");
                if slow > 0 {
                    let n = u32::try_from(slow).unwrap();
                    assert!(c.add_working_days(from, n) <= to);
                    assert_eq!(
                        c.working_days_between(from, c.add_working_days(from, n)),
                        slow
                    );
                }
            }
        }
    }

    #[test]
    fn an_uncovered_year_uses_weekends_only() {
        let c = cal();
        assert!(!c.covers(2030));
        // 2030-10-01 is a Tuesday: a working day when the arrangement is unknown.
        assert_eq!(day(2030, 10, 1).weekday(), Weekday::Tue);
        assert!(c.is_working_day(day(2030, 10, 1)));
        assert!(!c.is_working_day(day(2030, 10, 5)));
        assert_eq!(c.add_working_days(day(2030, 10, 4), 1), day(2030, 10, 7));
        let w = BusinessCalendar::weekends_only();
        assert!(w.is_working_day(day(2026, 2, 16)));
        assert!(!w.covers(2026));
    }

    /// A file for 2026 with one holiday `from..to` and the given make-up workdays.
    fn file_2026(from: &str, to: &str, workdays: &str) -> String {
        format!(
            r#"{{"years": {{"2026": {{
                "holidays": [{{"name": "元旦", "from": "{from}", "to": "{to}"}}],
                "workdays": [{workdays}]}}}}}}"#
        )
    }

    #[test]
    fn bad_files_are_refused_with_a_reason() {
        let ok = file_2026("2026-01-01", "2026-01-03", r#""2026-01-04""#);
        assert!(BusinessCalendar::from_json(&ok).is_ok());
        let cases = [
            ("not json".to_owned(), "JSON"),
            (r#"{"years": {"2026": {"holidey": []}}}"#.to_owned(), "JSON"),
            (r#"{"years": {"20x6": {}}}"#.to_owned(), "年份"),
            (file_2026("2026-13-01", "2026-01-03", ""), "日期不正确"),
            (file_2026("2026-01-03", "2026-01-01", ""), "早于"),
            (file_2026("2025-12-31", "2026-01-01", ""), "不在 2026 年内"),
            (
                file_2026("2026-01-01", "2026-01-01", r#""2027-01-02""#),
                "不在 2026 年内",
            ),
            (
                file_2026("2026-01-01", "2026-01-04", r#""2026-01-04""#),
                "既是",
            ),
            (
                file_2026("2026-01-01", "2026-01-01", r#""2026-01-05""#),
                "不是周末",
            ),
            (r#"{"years": {"2026": {}, " 2026": {}}}"#.to_owned(), "两次"),
        ];
        for (json, needle) in cases {
            let err = BusinessCalendar::from_json(&json).unwrap_err();
            assert_eq!(err.field, "calendar");
            assert!(err.message.contains("节假日安排"), "{}", err.message);
            assert!(err.message.contains(needle), "{json}: {}", err.message);
        }
    }
}
