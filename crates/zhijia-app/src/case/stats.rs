//! Statistics of a union's subtree: cases by kind, state and month, on-time rate, average
//! handling time, satisfaction and escalations.

use super::{Ctx, may_see_stats};
use crate::caller::StaffCtx;
use crate::{AppError, Result};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use zhijia_domain::org::OrgId;
use zhijia_store::case::{self as store, Count};
use zhijia_store::org::Org;

/// A statistics request: the union, and the period of submission (inclusive).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct StatsQuery {
    #[param(value_type = Option<i64>)]
    pub org: Option<OrgId>,
    /// `YYYY-MM-DD`; the first day of the year by default.
    pub from: Option<String>,
    /// `YYYY-MM-DD`; today by default.
    pub to: Option<String>,
}

/// The figures, with the rates worked out (per mille, integers: no floating point in what is
/// compared or stored; pages show them as percentages). The web layer's view serializes them.
#[derive(Debug, Clone)]
pub struct Figures {
    pub org_id: OrgId,
    pub org_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub cases: i64,
    pub resolved: i64,
    pub resolved_on_time: i64,
    /// Answered on time, per mille of answered cases; `None` when none was answered.
    pub on_time_permille: Option<i64>,
    /// Average calendar days from submission to answer, in tenths of a day.
    pub average_handling_tenth_days: Option<i64>,
    pub rated: i64,
    pub satisfied: i64,
    pub satisfaction_permille: Option<i64>,
    pub escalated: i64,
    pub by_kind: Vec<Count>,
    pub by_state: Vec<Count>,
    pub by_month: Vec<Count>,
    /// By child union (each with its branch), the union's own cases first as 本级.
    pub by_union: Vec<Count>,
}

fn ratio(part: i64, whole: i64, scale: i64) -> Option<i64> {
    (whole > 0).then(|| (part * scale + whole / 2) / whole)
}

fn date(field: &'static str, v: Option<&str>) -> Result<Option<NaiveDate>> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| AppError::invalid(field, "日期应为 YYYY-MM-DD")),
    }
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn figures(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    q: &StatsQuery,
    now: DateTime<Utc>,
) -> Result<Figures> {
    let today = crate::today(now);
    let to = date("to", q.to.as_deref())?.unwrap_or(today);
    let from = date("from", q.from.as_deref())?
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
    if from > to {
        return Err(AppError::invalid("from", "开始日期不能晚于结束日期"));
    }
    let org: Org = crate::caller::branch(
        ctx.db,
        staff,
        q.org,
        |p| may_see_stats(staff, p),
        "您没有查看维权统计的权限",
        "只能查看本级及下级工会的统计",
    )
    .await?;
    let s = store::stats(ctx.db, &org.path, from, to).await?;
    let t = &s.totals;
    Ok(Figures {
        org_id: org.id,
        org_name: org.name,
        from,
        to,
        cases: t.cases,
        resolved: t.resolved,
        resolved_on_time: t.resolved_on_time,
        on_time_permille: ratio(t.resolved_on_time, t.resolved, 1000),
        average_handling_tenth_days: ratio(t.handling_days, t.resolved, 10),
        rated: t.rated,
        satisfied: t.satisfied,
        satisfaction_permille: ratio(t.satisfied, t.rated, 1000),
        escalated: t.escalated,
        by_kind: s.by_kind,
        by_state: s.by_state,
        by_month: s.by_month,
        by_union: s.by_union,
    })
}
