//! Points (积分): earned by taking part, spent by members, kept in an append-only ledger.
//!
//! The rules here are pure: which reasons earn points, the built-in amount of each (a union sets
//! its own), the bounds of a configured amount and of a spend, and the rule that a balance never
//! goes below zero.

use crate::error::ValidationError;

state_enum! {
    /// Whether an item of the points mall can be ordered.
    pub enum MallItemStatus {
        OnSale = "on_sale", "在售";
        Withdrawn = "withdrawn", "已下架";
    }
}

/// Why points moved. Earning reasons are configurable per union; `Spend` is a member using them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PointsReason {
    /// Checked in at an activity.
    CheckIn,
    /// Completed a survey.
    Survey,
    /// Completed a course.
    Course,
    /// Became a member for the first time.
    FirstJoin,
    /// Spent by the member.
    Spend,
}

impl PointsReason {
    /// The reasons a union configures, in the order forms show them.
    pub const EARNING: [PointsReason; 4] = [
        PointsReason::CheckIn,
        PointsReason::Survey,
        PointsReason::Course,
        PointsReason::FirstJoin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PointsReason::CheckIn => "check_in",
            PointsReason::Survey => "survey",
            PointsReason::Course => "course",
            PointsReason::FirstJoin => "first_join",
            PointsReason::Spend => "spend",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "check_in" => Some(PointsReason::CheckIn),
            "survey" => Some(PointsReason::Survey),
            "course" => Some(PointsReason::Course),
            "first_join" => Some(PointsReason::FirstJoin),
            "spend" => Some(PointsReason::Spend),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PointsReason::CheckIn => "活动签到",
            PointsReason::Survey => "完成问卷",
            PointsReason::Course => "完成课程",
            PointsReason::FirstJoin => "首次入会",
            PointsReason::Spend => "积分使用",
        }
    }

    /// The built-in award where no union on the path has set one: an example, not a standard.
    pub fn default_points(self) -> i64 {
        match self {
            PointsReason::CheckIn => 10,
            PointsReason::Survey => 5,
            PointsReason::Course => 20,
            PointsReason::FirstJoin => 50,
            PointsReason::Spend => 0,
        }
    }
}

/// Most points one rule may award at a time.
pub const MAX_AWARD: i64 = 10_000;
/// Most points spent at once.
pub const MAX_SPEND: i64 = 1_000_000;

/// Checks a configured award: 0 (the reason earns nothing in this union) to [`MAX_AWARD`].
pub fn check_award(points: i64) -> Result<i64, ValidationError> {
    if (0..=MAX_AWARD).contains(&points) {
        Ok(points)
    } else {
        Err(ValidationError::new(
            "points",
            format!("积分应为 0 到 {MAX_AWARD} 之间的整数"),
        ))
    }
}

/// Checks an amount to spend: 1 to [`MAX_SPEND`].
pub fn check_spend(points: i64) -> Result<i64, ValidationError> {
    if (1..=MAX_SPEND).contains(&points) {
        Ok(points)
    } else {
        Err(ValidationError::new(
            "points",
            format!("使用的积分应为 1 到 {MAX_SPEND} 之间的整数"),
        ))
    }
}

/// The balance after spending, or `None` when the balance does not cover it: a balance never
/// goes negative. (The store applies the same rule in one conditional UPDATE.)
pub fn after_spend(balance: i64, spend: i64) -> Option<i64> {
    balance.checked_sub(spend).filter(|b| *b >= 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spend_larger_than_the_balance_is_refused() {
        assert_eq!(after_spend(100, 30), Some(70));
        assert_eq!(after_spend(30, 30), Some(0));
        assert_eq!(after_spend(10, 30), None);
    }

    #[test]
    fn reasons_round_trip_and_spend_earns_nothing() {
        for r in PointsReason::EARNING {
            assert_eq!(PointsReason::parse(r.as_str()), Some(r));
            assert!(r.default_points() > 0);
        }
        assert_eq!(PointsReason::parse("spend"), Some(PointsReason::Spend));
        assert_eq!(PointsReason::parse("x"), None);
    }

    #[test]
    fn awards_and_spends_are_bounded() {
        assert!(check_award(0).is_ok());
        assert!(check_award(-1).is_err());
        assert!(check_award(MAX_AWARD + 1).is_err());
        assert!(check_spend(0).is_err());
        assert_eq!(check_spend(30), Ok(30));
    }
}
