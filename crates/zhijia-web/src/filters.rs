//! Times as people in China read them: Beijing time (UTC+8 all year, no daylight saving),
//! written in one place. The store keeps UTC; every page, export and message shows Beijing
//! time through these functions. A module that renders templates with times brings this one in
//! (`use crate::filters;`) and writes `{{ at|beijing }}`, `{{ at|beijing_date }}` or
//! `{{ at|beijing_seconds }}`.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};

/// An instant as a template hands it to a filter: the value, or a reference to it at any depth
/// (a `match` arm binds `&&DateTime`).
pub trait Instant {
    fn instant(&self) -> &DateTime<Utc>;
}

impl Instant for DateTime<Utc> {
    fn instant(&self) -> &DateTime<Utc> {
        self
    }
}

impl<T: Instant + ?Sized> Instant for &T {
    fn instant(&self) -> &DateTime<Utc> {
        (**self).instant()
    }
}

/// The wall-clock time in Beijing at an instant.
pub fn local(at: &DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc() + Duration::hours(8)
}

/// The instant of a wall-clock time a person typed in Beijing.
pub fn from_beijing(local: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(local - Duration::hours(8), Utc)
}

/// An instant in Beijing time, in a `chrono` format.
pub fn beijing_fmt(at: &DateTime<Utc>, format: &str) -> String {
    local(at).format(format).to_string()
}

/// `2026-12-07 09:30`, Beijing time.
pub fn beijing<T: Instant>(at: T, _: &dyn askama::Values) -> askama::Result<String> {
    Ok(beijing_fmt(at.instant(), "%Y-%m-%d %H:%M"))
}

/// `2026-12-07`, the date in Beijing.
pub fn beijing_date<T: Instant>(at: T, _: &dyn askama::Values) -> askama::Result<String> {
    Ok(beijing_fmt(at.instant(), "%Y-%m-%d"))
}

/// `2026-12-07 09:30:05`, Beijing time (the audit log).
pub fn beijing_seconds<T: Instant>(at: T, _: &dyn askama::Values) -> askama::Result<String> {
    Ok(beijing_fmt(at.instant(), "%Y-%m-%d %H:%M:%S"))
}
