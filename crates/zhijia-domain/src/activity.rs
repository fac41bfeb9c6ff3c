//! Activities (活动): made by a union for the members of its subtree, with a capacity, a
//! registration window, a waiting list promoted in order, and check-in at the door.
//!
//! Pure rules only: the checked form of an activity, where a new registration goes (a seat or
//! the waiting list), whether registration or check-in is open at an instant, and the refusals
//! in words.

use crate::error::ValidationError;
use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, TimeZone, Utc};

/// The signed registration QR a worker shows at the door, version 1 (subject: the registration
/// id as `r<id>`).
pub const REGISTRATION_TOKEN: &str = "ZJA1";
/// Most seats an activity may have.
pub const MAX_CAPACITY: i64 = 100_000;
/// Check-in opens this long before the start.
pub const CHECK_IN_EARLY_HOURS: i64 = 2;

state_enum! {
    /// Where a registration stands.
    pub enum RegistrationStatus {
        Registered = "registered", "已报名";
        Waiting = "waiting", "候补中";
        Cancelled = "cancelled", "已取消";
    }
}

state_enum! {
    /// Whether an activity still takes place.
    pub enum ActivityStatus {
        Open = "open", "进行中";
        Cancelled = "cancelled", "已取消";
    }
}

/// A new registration takes a seat while fewer than `capacity` are registered, else waits.
pub fn placement(registered: i64, capacity: i64) -> RegistrationStatus {
    if registered < capacity {
        RegistrationStatus::Registered
    } else {
        RegistrationStatus::Waiting
    }
}

/// An activity as typed, before checking.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ActivityInput {
    /// The organising union (its subtree's members may register).
    pub org_id: i64,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub place: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Registration opens (default: when the activity is made).
    #[serde(default)]
    pub registration_opens_at: Option<DateTime<Utc>>,
    /// Registration closes (default: at the start).
    #[serde(default)]
    pub registration_closes_at: Option<DateTime<Utc>>,
    pub capacity: i64,
}

/// An activity that passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedActivity {
    pub title: String,
    pub description: String,
    pub place: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub registration_opens_at: DateTime<Utc>,
    pub registration_closes_at: DateTime<Utc>,
    pub capacity: i64,
}

fn text(
    field: &'static str,
    label: &str,
    input: &str,
    min: usize,
    max: usize,
) -> Result<String, ValidationError> {
    let t = input.trim();
    let n = t.chars().count();
    if n < min
        || n > max
        || t.chars()
            .any(|c| crate::text::is_hidden(c) && c != '\n' && c != '\r')
    {
        let need = if min > 0 { "请填写" } else { "" };
        return Err(ValidationError::new(
            field,
            format!("{label}{need}(不超过{max}字，不含控制字符)"),
        ));
    }
    Ok(t.to_owned())
}

impl ActivityInput {
    /// Checks the form at `now`: texts, capacity 1..=100,000, the start in the future, the end
    /// after the start, and registration opening before it closes, closing no later than the
    /// start.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<CheckedActivity, ValidationError> {
        let title = text("title", "活动名称", &self.title, 1, 100)?;
        let description = text("description", "活动介绍", &self.description, 0, 2000)?;
        let place = text("place", "活动地点", &self.place, 1, 100)?;
        if !(1..=MAX_CAPACITY).contains(&self.capacity) {
            return Err(ValidationError::new(
                "capacity",
                format!("名额应为 1 到 {MAX_CAPACITY} 人"),
            ));
        }
        if self.starts_at <= now {
            return Err(ValidationError::new("starts_at", "开始时间应晚于现在"));
        }
        if self.ends_at <= self.starts_at {
            return Err(ValidationError::new("ends_at", "结束时间应晚于开始时间"));
        }
        let opens = self.registration_opens_at.unwrap_or(now);
        let closes = self.registration_closes_at.unwrap_or(self.starts_at);
        if closes > self.starts_at {
            return Err(ValidationError::new(
                "registration_closes_at",
                "报名截止时间不能晚于活动开始时间",
            ));
        }
        if opens >= closes {
            return Err(ValidationError::new(
                "registration_opens_at",
                "报名开始时间应早于报名截止时间",
            ));
        }
        Ok(CheckedActivity {
            title,
            description,
            place,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            registration_opens_at: opens,
            registration_closes_at: closes,
            capacity: self.capacity,
        })
    }
}

/// Why registering is not possible at `now`, in words; `None` when the window is open.
pub fn registration_refusal(
    now: DateTime<Utc>,
    opens: DateTime<Utc>,
    closes: DateTime<Utc>,
) -> Option<&'static str> {
    if now < opens {
        Some("报名尚未开始")
    } else if now >= closes {
        Some("报名已截止")
    } else {
        None
    }
}

/// Why check-in is not possible at `now`; it runs from two hours before the start to the end.
pub fn check_in_refusal(
    now: DateTime<Utc>,
    starts: DateTime<Utc>,
    ends: DateTime<Utc>,
) -> Option<&'static str> {
    if now < starts - Duration::hours(CHECK_IN_EARLY_HOURS) {
        Some("签到尚未开始(活动开始前2小时开放签到)")
    } else if now > ends {
        Some("活动已结束，不能再签到")
    } else {
        None
    }
}

/// Reads a form's `datetime-local` value (`2026-05-01T09:30`), a Beijing time, as an instant.
pub fn parse_local(field: &'static str, s: &str) -> Result<DateTime<Utc>, ValidationError> {
    let s = s.trim();
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .map_err(|_| ValidationError::new(field, "时间格式不正确，例如 2026-05-01T09:30"))?;
    let beijing = FixedOffset::east_opt(8 * 3600)
        .ok_or_else(|| ValidationError::new(field, "时区无法确定"))?;
    beijing
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| ValidationError::new(field, "时间不存在"))
}

/// An instant as Beijing time for people (`2026-05-01 09:30`).
pub fn beijing(t: DateTime<Utc>) -> String {
    (t + Duration::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_780_000_000 + h * 3600, 0).unwrap()
    }

    fn input() -> ActivityInput {
        ActivityInput {
            org_id: 1,
            title: " 职工羽毛球赛 ".into(),
            description: String::new(),
            place: "天河体育中心".into(),
            starts_at: at(48),
            ends_at: at(50),
            registration_opens_at: None,
            registration_closes_at: None,
            capacity: 10,
        }
    }

    #[test]
    fn a_new_registration_waits_once_every_seat_is_taken() {
        assert_eq!(placement(0, 1), RegistrationStatus::Registered);
        assert_eq!(placement(9, 10), RegistrationStatus::Registered);
        assert_eq!(placement(10, 10), RegistrationStatus::Waiting);
    }

    #[test]
    fn a_valid_activity_opens_registration_now_and_closes_it_at_the_start() {
        let a = input().validate(at(0)).unwrap();
        assert_eq!(a.title, "职工羽毛球赛");
        assert_eq!(a.registration_opens_at, at(0));
        assert_eq!(a.registration_closes_at, at(48));
    }

    #[test]
    fn inconsistent_times_and_capacities_are_refused_by_field() {
        let mut i = input();
        i.capacity = 0;
        assert_eq!(i.validate(at(0)).unwrap_err().field, "capacity");
        let mut i = input();
        i.ends_at = at(47);
        assert_eq!(i.validate(at(0)).unwrap_err().field, "ends_at");
        let mut i = input();
        i.registration_closes_at = Some(at(49));
        assert_eq!(
            i.validate(at(0)).unwrap_err().field,
            "registration_closes_at"
        );
        let mut i = input();
        i.starts_at = at(-1);
        assert_eq!(i.validate(at(0)).unwrap_err().field, "starts_at");
        let mut i = input();
        i.title = "  ".into();
        assert_eq!(i.validate(at(0)).unwrap_err().field, "title");
    }

    #[test]
    fn registration_and_check_in_windows() {
        assert_eq!(
            registration_refusal(at(0), at(1), at(5)),
            Some("报名尚未开始")
        );
        assert_eq!(registration_refusal(at(2), at(1), at(5)), None);
        assert_eq!(
            registration_refusal(at(5), at(1), at(5)),
            Some("报名已截止")
        );
        assert!(check_in_refusal(at(7), at(10), at(12)).is_some());
        assert_eq!(check_in_refusal(at(8), at(10), at(12)), None);
        assert!(check_in_refusal(at(13), at(10), at(12)).is_some());
    }

    #[test]
    fn form_times_are_beijing_times() {
        let t = parse_local("starts_at", "2026-05-01T09:30").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-05-01T01:30:00+00:00");
        assert_eq!(beijing(t), "2026-05-01 09:30");
        assert!(parse_local("starts_at", "明天").is_err());
    }
}
