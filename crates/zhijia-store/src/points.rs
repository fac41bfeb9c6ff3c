//! Points in the store: per-union rules, one balance row per worker and the append-only ledger.
//!
//! The ledger (`points_entry`) has no update or delete here, and triggers refuse both on each
//! backend. A spend is one conditional UPDATE of the balance row (`… WHERE balance >= $n`), so
//! concurrent spends are serialised by the row and never take the balance below zero.

use crate::db::{Exec, FromRow, Row, Store, Tx};
use crate::{Page, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::ids::{OrgId, PointsEntryId, StaffId, WorkerId};
use zhijia_domain::org::OrgPath;
use zhijia_domain::points::PointsReason;

// ---------------------------------------------------------------------------------------------
// Rules

/// A rule set on one union.
#[derive(Debug, Clone)]
pub struct Rule {
    pub org_id: OrgId,
    pub org_path: OrgPath,
    pub reason: PointsReason,
    pub points: i64,
}

impl FromRow for Rule {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Rule {
            org_id: row.id("org_id")?,
            org_path: row.org_path("org_path")?,
            reason: row.parsed("reason", PointsReason::parse)?,
            points: row.get("points")?,
        })
    }
}

const SET_RULE: &str = "INSERT INTO points_rule (org_id, reason, points, updated_by, updated_at) \
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, reason) DO UPDATE SET \
     points = excluded.points, updated_by = excluded.updated_by, updated_at = excluded.updated_at";

pub async fn set_rule(
    tx: &mut Tx,
    org_id: OrgId,
    reason: PointsReason,
    points: i64,
    by: Option<StaffId>,
) -> Result<()> {
    let by = by.map(|s| s.0);
    let reason = reason.as_str();
    tx.execute(SET_RULE, &[&org_id.0, &reason, &points, &by, &Utc::now()])
        .await
        .map(|_| ())
}

/// The rules set on the unions whose path is a prefix of `$1` (the union and every union above
/// it); the caller picks the deepest per reason.
const RULES_ON_PATH: &str = "SELECT r.org_id, o.path AS org_path, r.reason, r.points \
     FROM points_rule r JOIN org o ON o.id = r.org_id \
     WHERE substr(CAST($1 AS TEXT), 1, length(o.path)) = o.path ORDER BY length(o.path)";

pub async fn rules_on_path(db: impl Into<Exec<'_>>, path: &str) -> Result<Vec<Rule>> {
    db.into().query(RULES_ON_PATH, &[&path]).await
}

// ---------------------------------------------------------------------------------------------
// Balance and ledger

struct Balance(i64);
impl FromRow for Balance {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Balance(row.get("balance")?))
    }
}

const BALANCE: &str = "SELECT balance FROM points_balance WHERE worker_id = $1";

pub async fn balance(store: &Store, worker_id: WorkerId) -> Result<i64> {
    Ok(store
        .query_opt::<Balance>(BALANCE, &[&worker_id.0])
        .await?
        .map_or(0, |b| b.0))
}

const INSERT_ENTRY: &str = "INSERT INTO points_entry (worker_id, delta, reason, org_id, award_key, \
     note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
const INSERT_AWARD: &str = "INSERT INTO points_entry (worker_id, delta, reason, org_id, award_key, \
     note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
     ON CONFLICT (worker_id, award_key) WHERE award_key IS NOT NULL DO NOTHING RETURNING id";
const ADD: &str = "INSERT INTO points_balance (worker_id, balance, updated_at) VALUES ($1, $2, $3) \
     ON CONFLICT (worker_id) DO UPDATE SET balance = points_balance.balance + excluded.balance, \
     updated_at = excluded.updated_at RETURNING balance";
const SPEND: &str = "UPDATE points_balance SET balance = balance - $2, updated_at = $3 \
     WHERE worker_id = $1 AND balance >= $2 RETURNING balance";

/// Points earned (`points` > 0), once per worker and `award_key`. Returns the new balance, or
/// `None` when this key was already awarded (nothing changes).
pub async fn award(
    tx: &mut Tx,
    worker_id: WorkerId,
    points: i64,
    reason: PointsReason,
    org_id: Option<OrgId>,
    award_key: &str,
    note: &str,
) -> Result<Option<i64>> {
    let now = Utc::now();
    let (worker_id, reason, org_id) = (worker_id.0, reason.as_str(), org_id.map(|o| o.0));
    let entry: Option<i64> = tx
        .query_opt(
            INSERT_AWARD,
            &[
                &worker_id, &points, &reason, &org_id, &award_key, &note, &now,
            ],
        )
        .await?;
    if entry.is_none() {
        return Ok(None);
    }
    let b: Balance = tx.query_one(ADD, &[&worker_id, &points, &now]).await?;
    Ok(Some(b.0))
}

/// Spends `points` if the balance covers them: one conditional UPDATE (the row is locked by it
/// on PostgreSQL, so a concurrent spend waits and then sees the new balance), then the ledger
/// entry. Returns the new balance, or `None` when the balance is short (nothing changes).
pub async fn spend(
    tx: &mut Tx,
    worker_id: WorkerId,
    points: i64,
    org_id: Option<OrgId>,
    note: &str,
) -> Result<Option<i64>> {
    let now = Utc::now();
    let (worker_id, org_id) = (worker_id.0, org_id.map(|o| o.0));
    let Some(b) = tx
        .query_opt::<Balance>(SPEND, &[&worker_id, &points, &now])
        .await?
    else {
        return Ok(None);
    };
    let delta = -points;
    let no_key: Option<&str> = None;
    tx.query_one::<i64>(
        INSERT_ENTRY,
        &[
            &worker_id,
            &delta,
            &PointsReason::Spend.as_str(),
            &org_id,
            &no_key,
            &note,
            &now,
        ],
    )
    .await?;
    Ok(Some(b.0))
}

/// One line of a worker's points history.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: PointsEntryId,
    pub delta: i64,
    pub reason: PointsReason,
    pub org_name: Option<String>,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

impl FromRow for Entry {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Entry {
            id: row.id("id")?,
            delta: row.get("delta")?,
            reason: row.parsed("reason", PointsReason::parse)?,
            org_name: row.get("org_name")?,
            note: row.get("note")?,
            created_at: row.get("created_at")?,
        })
    }
}

const HISTORY: &str = "SELECT e.id, e.delta, e.reason, o.name AS org_name, e.note, e.created_at \
     FROM points_entry e LEFT JOIN org o ON o.id = e.org_id WHERE e.worker_id = $1 \
     ORDER BY e.id DESC LIMIT $2 OFFSET $3";
const HISTORY_COUNT: &str = "SELECT COUNT(*) FROM points_entry WHERE worker_id = $1";

pub async fn history(
    store: &Store,
    worker_id: WorkerId,
    limit: i64,
    offset: i64,
) -> Result<Page<Entry>> {
    let items = store
        .query(HISTORY, &[&worker_id.0, &limit, &offset])
        .await?;
    let total: i64 = store.query_one(HISTORY_COUNT, &[&worker_id.0]).await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}
