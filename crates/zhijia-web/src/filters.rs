//! Times as people in China read them: Beijing time (UTC+8 all year, no daylight saving),
//! written in one place. The store keeps UTC; every page, export and message shows Beijing
//! time through these functions. A module that renders templates with times brings this one in
//! (`use crate::filters;`) and writes `{{ at|beijing }}` ("12月7日 09:30"), `{{ at|beijing_date }}`
//! ("12月7日") or `{{ at|beijing_seconds }}` (the audit log: a full, sortable stamp).

use chrono::{DateTime, Datelike, Duration, NaiveDateTime, Utc};

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

/// An instant as a person reads it: `12月7日 09:30` in Beijing, with the year in front when it
/// is not this year (`2025年12月7日 09:30`).
pub fn spoken(at: &DateTime<Utc>, with_time: bool) -> String {
    let when = local(at);
    let this_year = local(&Utc::now()).year() == when.year();
    let date = if this_year {
        format!("{}月{}日", when.month(), when.day())
    } else {
        format!("{}年{}月{}日", when.year(), when.month(), when.day())
    };
    if with_time {
        format!("{date} {}", when.format("%H:%M"))
    } else {
        date
    }
}

/// `12月7日 09:30`, Beijing time (the year too when not this year).
pub fn beijing<T: Instant>(at: T, _: &dyn askama::Values) -> askama::Result<String> {
    Ok(spoken(at.instant(), true))
}

/// `12月7日`, the date in Beijing (the year too when not this year).
pub fn beijing_date<T: Instant>(at: T, _: &dyn askama::Values) -> askama::Result<String> {
    Ok(spoken(at.instant(), false))
}

/// `2026-12-07 09:30:05`, Beijing time (the audit log).
pub fn beijing_seconds<T: Instant>(at: T, _: &dyn askama::Values) -> askama::Result<String> {
    Ok(beijing_fmt(at.instant(), "%Y-%m-%d %H:%M:%S"))
}
