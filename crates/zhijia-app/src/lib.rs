//! Use cases of zhijia. Each one checks its input with the domain rules, runs in one store
//! transaction and returns `AppError`, the one error type the web and the command line show.

pub mod activity;
pub mod aid;
pub mod article;
pub mod attachment;
pub mod audience;
pub mod audit;
pub mod backup;
pub mod benefit;
pub mod caller;
pub mod case;
pub mod deletion;
pub mod demo;
mod error;
pub mod job;
pub mod library;
pub mod mall;
pub mod me;
pub mod membership;
pub mod model_worker;
pub mod org;
pub mod pending;
pub mod points;
pub mod publishable;
pub mod region;
pub mod search;
pub mod session;
pub mod slow;
pub mod sms;
pub mod staff;

pub use error::AppError;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// Largest page any list returns, whatever the caller asks for.
pub const MAX_PAGE: i64 = 200;

/// Clamps a requested page to sane bounds: 1..=MAX_PAGE items, offset not negative.
pub fn page_bounds(limit: Option<i64>, offset: Option<i64>, default: i64) -> (i64, i64) {
    (
        limit.unwrap_or(default).clamp(1, MAX_PAGE),
        offset.unwrap_or(0).max(0),
    )
}

/// The calendar day in China (UTC+8 all year, no daylight saving) at an instant: deadlines and
/// join dates are Beijing dates, whatever the server's time zone.
pub fn today(now: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
    (now + chrono::Duration::hours(8)).date_naive()
}
