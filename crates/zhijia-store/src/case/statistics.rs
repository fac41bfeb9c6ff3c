//! Figures of the cases of a subtree, for the statistics page.

use super::*;

/// A count under a key (a kind, a state or a month).
#[derive(Debug, Clone)]
pub struct Count {
    pub key: String,
    pub count: i64,
}

impl FromRow for Count {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Count {
            key: row.get("k")?,
            count: row.get("n")?,
        })
    }
}

/// The figures of the cases submitted in a period in a subtree.
#[derive(Debug, Clone, Default)]
pub struct Totals {
    pub cases: i64,
    /// Cases answered (resolved at least once).
    pub resolved: i64,
    /// Of those, answered on or before their deadline.
    pub resolved_on_time: i64,
    /// Calendar days from submission to answer, summed over the answered cases.
    pub handling_days: i64,
    pub rated: i64,
    pub satisfied: i64,
    pub escalated: i64,
}

impl FromRow for Totals {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        let get = |c: &str| -> Result<i64> { Ok(row.get::<Option<i64>>(c)?.unwrap_or(0)) };
        Ok(Totals {
            cases: get("cases")?,
            resolved: get("resolved")?,
            resolved_on_time: get("on_time")?,
            handling_days: get("handling_days")?,
            rated: get("rated")?,
            satisfied: get("satisfied")?,
            escalated: get("escalated")?,
        })
    }
}

macro_rules! stats_where {
    () => {
        " FROM rights_case c JOIN org o ON o.id = c.handling_org_id \
         WHERE o.path >= $1 AND o.path < $2 AND c.submitted_on >= $3 AND c.submitted_on <= $4"
    };
}

const BY_KIND: &str = concat!(
    "SELECT c.kind AS k, COUNT(*) AS n",
    stats_where!(),
    " GROUP BY c.kind"
);
const BY_STATE: &str = concat!(
    "SELECT c.state AS k, COUNT(*) AS n",
    stats_where!(),
    " GROUP BY c.state"
);
const BY_MONTH_SQLITE: &str = concat!(
    "SELECT substr(c.submitted_on, 1, 7) AS k, COUNT(*) AS n",
    stats_where!(),
    " GROUP BY k ORDER BY k"
);
const BY_MONTH_PG: &str = concat!(
    "SELECT to_char(c.submitted_on, 'YYYY-MM') AS k, COUNT(*) AS n",
    stats_where!(),
    " GROUP BY k ORDER BY k"
);
const TOTALS_SQLITE: &str = concat!(
    "SELECT COUNT(*) AS cases, SUM(c.resolved_on IS NOT NULL) AS resolved, \
     SUM(c.resolved_on IS NOT NULL AND c.resolved_on <= c.due_on) AS on_time, \
     CAST(SUM(julianday(c.resolved_on) - julianday(c.submitted_on)) AS INTEGER) AS handling_days, \
     SUM(c.satisfied IS NOT NULL) AS rated, SUM(c.satisfied = 1) AS satisfied, \
     SUM(c.escalation_level > 0) AS escalated",
    stats_where!()
);
const TOTALS_PG: &str = concat!(
    "SELECT COUNT(*) AS cases, COUNT(c.resolved_on)::int8 AS resolved, \
     COUNT(*) FILTER (WHERE c.resolved_on <= c.due_on)::int8 AS on_time, \
     SUM(c.resolved_on - c.submitted_on)::int8 AS handling_days, \
     COUNT(c.satisfied)::int8 AS rated, COUNT(*) FILTER (WHERE c.satisfied)::int8 AS satisfied, \
     COUNT(*) FILTER (WHERE c.escalation_level > 0)::int8 AS escalated",
    stats_where!()
);

// Cases by the child union whose branch handles them (each child with its whole subtree),
// ordered as the tree is (by region code), and those the union itself handles.
const BY_UNION: &str = "SELECT ch.name AS k, COUNT(c.id) AS n FROM org ch \
     JOIN org p ON p.id = ch.parent_id AND p.path = $1 \
     LEFT JOIN org o ON o.path LIKE ch.path || '%' \
     LEFT JOIN rights_case c ON c.handling_org_id = o.id \
     AND c.submitted_on >= $2 AND c.submitted_on <= $3 \
     GROUP BY ch.id, ch.name, ch.region_code, ch.kind ORDER BY ch.region_code, ch.kind, ch.name LIMIT 60";
const AT_UNION: &str = "SELECT COUNT(*) FROM rights_case c JOIN org o ON o.id = c.handling_org_id \
     WHERE o.path = $1 AND c.submitted_on >= $2 AND c.submitted_on <= $3";

/// The statistics of a subtree over the cases submitted from `from` to `to` inclusive.
#[derive(Debug, Clone)]
pub struct Stats {
    pub by_kind: Vec<Count>,
    pub by_state: Vec<Count>,
    pub by_month: Vec<Count>,
    /// By child union (its whole branch), the union's own first as 本级.
    pub by_union: Vec<Count>,
    pub totals: Totals,
}

pub async fn stats(
    store: &Store,
    scope: &OrgPath,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Stats> {
    let upper = scope.subtree_upper_bound();
    let path = scope.as_str();
    let params: [&(dyn crate::Param + Sync); 4] = [&path, &upper, &from, &to];
    let (by_month, totals) = match store.backend() {
        Backend::Sqlite => (BY_MONTH_SQLITE, TOTALS_SQLITE),
        Backend::Postgres => (BY_MONTH_PG, TOTALS_PG),
    };
    let own: [&(dyn crate::Param + Sync); 3] = [&path, &from, &to];
    let mut by_union: Vec<Count> = Vec::new();
    let at: i64 = store.query_one(AT_UNION, &own).await?;
    if at > 0 {
        by_union.push(Count {
            key: "本级".into(),
            count: at,
        });
    }
    by_union.extend(store.query::<Count>(BY_UNION, &own).await?);
    Ok(Stats {
        by_union,
        by_kind: store.query(BY_KIND, &params).await?,
        by_state: store.query(BY_STATE, &params).await?,
        by_month: store.query(by_month, &params).await?,
        totals: store.query_one(totals, &params).await?,
    })
}
