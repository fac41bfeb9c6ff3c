//! Model workers (劳模) recorded by unions. See migrations/sqlite/0010_culture.sql.
//!
//! A record belongs to the union that made it (its `org_id` never changes); status changes are
//! conditional `UPDATE`s, so of two racing clicks one does the change and the other is told.

use crate::db::{FromRow, Row, Store, Tx};
use crate::{Page, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::org::{OrgId, OrgPath};

/// A record as staff see it (the public view leaves out the worker link).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ModelWorker {
    pub id: i64,
    pub org_id: OrgId,
    pub org_name: String,
    #[serde(skip)]
    pub org_path: OrgPath,
    /// The linked worker, if the honouree is one here.
    pub worker_id: Option<i64>,
    /// The linked worker's member number.
    pub member_no: Option<String>,
    pub name: String,
    pub honour: String,
    pub level: String,
    pub year: i64,
    pub employer: String,
    pub story: String,
    /// When the staff recorded the honouree's consent to be shown.
    pub consent_at: Option<DateTime<Utc>>,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

impl FromRow for ModelWorker {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        let path: String = row.get("org_path")?;
        Ok(ModelWorker {
            id: row.get("id")?,
            org_id: OrgId(row.get("org_id")?),
            org_name: row.get("org_name")?,
            org_path: OrgPath::from_stored(path).map_err(crate::StoreError::Decode)?,
            worker_id: row.get("worker_id")?,
            member_no: row.get("member_no")?,
            name: row.get("name")?,
            honour: row.get("honour")?,
            level: row.get("level")?,
            year: row.get("year")?,
            employer: row.get("employer")?,
            story: row.get("story")?,
            consent_at: row.get("consent_at")?,
            status: row.get("status")?,
            created_at: row.get("created_at")?,
            published_at: row.get("published_at")?,
        })
    }
}

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT m.id, m.org_id, o.name AS org_name, o.path AS org_path, m.worker_id, \
             w.member_no, m.name, m.honour, m.level, m.year, m.employer, m.story, m.consent_at, \
             m.status, m.created_at, m.published_at FROM model_worker m \
             JOIN org o ON o.id = m.org_id LEFT JOIN worker w ON w.id = m.worker_id ",
            $tail
        )
    };
}

const INSERT: &str = "INSERT INTO model_worker (org_id, worker_id, name, honour, level, year, \
     employer, story, consent_at, status, created_by, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'draft', $10, $11) RETURNING id";
/// A published record keeps its consent: clearing it is refused in the statement itself.
const UPDATE: &str = "UPDATE model_worker SET worker_id = $2, name = $3, honour = $4, \
     level = $5, year = $6, employer = $7, story = $8, consent_at = $9 \
     WHERE id = $1 AND ($10 OR status <> 'published')";
const GET: &str = select!("WHERE m.id = $1");
const OF_SUBTREE: &str =
    select!("WHERE o.path >= $1 AND o.path < $2 ORDER BY m.id DESC LIMIT $3 OFFSET $4");
const COUNT_OF_SUBTREE: &str = "SELECT COUNT(*) FROM model_worker m JOIN org o ON o.id = m.org_id \
     WHERE o.path >= $1 AND o.path < $2";
const PUBLISHED: &str = select!(
    "WHERE m.status = 'published' AND o.path >= $1 AND o.path < $2 \
     AND (CAST($3 AS TEXT) = '' OR m.level = $3) ORDER BY m.published_at DESC, m.id DESC LIMIT $4 OFFSET $5"
);
const COUNT_PUBLISHED: &str = "SELECT COUNT(*) FROM model_worker m \
     JOIN org o ON o.id = m.org_id WHERE m.status = 'published' AND o.path >= $1 \
     AND o.path < $2 AND (CAST($3 AS TEXT) = '' OR m.level = $3)";
/// Publishing needs the consent recorded, checked again in the statement itself, so an edit
/// that clears it at the same moment cannot slip a record out without it.
const PUBLISH: &str = "UPDATE model_worker SET status = 'published', published_at = $2 \
     WHERE id = $1 AND status IN ('draft', 'withdrawn') AND consent_at IS NOT NULL";
const WITHDRAW: &str =
    "UPDATE model_worker SET status = 'withdrawn' WHERE id = $1 AND status = 'published'";

/// The fields of a record, as checked.
#[derive(Debug)]
pub struct Fields<'a> {
    pub worker_id: Option<i64>,
    pub name: &'a str,
    pub honour: &'a str,
    pub level: &'a str,
    pub year: i64,
    pub employer: &'a str,
    pub story: &'a str,
    pub consent_at: Option<DateTime<Utc>>,
}

pub async fn insert(
    tx: &mut Tx,
    org: OrgId,
    f: &Fields<'_>,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    tx.query_one(
        INSERT,
        &[
            &org.0,
            &f.worker_id,
            &f.name,
            &f.honour,
            &f.level,
            &f.year,
            &f.employer,
            &f.story,
            &f.consent_at,
            &created_by,
            &now,
        ],
    )
    .await
}

/// Rewrites a record's fields (not its union or status); false if it is gone, or published
/// and the new fields clear its consent.
pub async fn update(tx: &mut Tx, id: i64, f: &Fields<'_>) -> Result<bool> {
    let n = tx
        .execute(
            UPDATE,
            &[
                &id,
                &f.worker_id,
                &f.name,
                &f.honour,
                &f.level,
                &f.year,
                &f.employer,
                &f.story,
                &f.consent_at,
                &f.consent_at.is_some(),
            ],
        )
        .await?;
    Ok(n == 1)
}

pub async fn get(store: &Store, id: i64) -> Result<Option<ModelWorker>> {
    store.query_opt(GET, &[&id]).await
}

/// The records of a subtree's unions, newest first, in every status.
pub async fn of_subtree(
    store: &Store,
    scope: &OrgPath,
    limit: i64,
    offset: i64,
) -> Result<Page<ModelWorker>> {
    crate::subtree_page(store, OF_SUBTREE, COUNT_OF_SUBTREE, scope, limit, offset).await
}

/// Published records, latest published first: of the whole tree, or of a union's subtree;
/// of one level, or (`level` empty) of all.
pub async fn published(
    store: &Store,
    scope: Option<&OrgPath>,
    level: &str,
    limit: i64,
    offset: i64,
) -> Result<Page<ModelWorker>> {
    let (lower, upper) = crate::scope_bounds(scope);
    let items = store
        .query(PUBLISHED, &[&lower, &upper, &level, &limit, &offset])
        .await?;
    let total = store
        .query_one(COUNT_PUBLISHED, &[&lower, &upper, &level])
        .await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// Publishes a draft or withdrawn record that has consent; false if it was not one.
pub async fn publish(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<bool> {
    Ok(tx.execute(PUBLISH, &[&id, &now]).await? == 1)
}

/// Withdraws a published record; false if it was not published.
pub async fn withdraw(tx: &mut Tx, id: i64) -> Result<bool> {
    Ok(tx.execute(WITHDRAW, &[&id]).await? == 1)
}

/// Whether a worker holds a recorded model-worker honour (the member tag `model_worker`),
/// published or not: the honour is a fact of the record, the showcase only shows it.
pub async fn is_honoured(store: &Store, worker_id: i64) -> Result<bool> {
    let n: i64 = store
        .query_one(
            "SELECT COUNT(*) FROM model_worker WHERE worker_id = $1 AND status <> 'withdrawn'",
            &[&worker_id],
        )
        .await?;
    Ok(n > 0)
}
