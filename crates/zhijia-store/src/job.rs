//! The job table: enqueue (idempotent by key), claim with a lease, finish inside the work's own
//! transaction. See migrations/sqlite/0004_jobs.sql.

use crate::Result;
use crate::db::{Backend, FromRow, Row, Store, Tx};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone)]
pub struct Job {
    pub id: zhijia_domain::ids::JobId,
    /// Stays text here, unlike the states of other rows: the kinds are the app's (`JobKind`),
    /// and a kind this release does not know (queued by a newer release during a rolling
    /// upgrade) must not make every claim fail to decode. The runner finishes such a job as
    /// failed (未知的作业类型), where the operator finds it.
    pub kind: String,
    pub key: String,
    pub attempts: i64,
}

impl FromRow for Job {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Job {
            id: row.id("id")?,
            kind: row.get("kind")?,
            key: row.get("key")?,
            attempts: row.get("attempts")?,
        })
    }
}

const ENQUEUE: &str = "INSERT INTO job (kind, key, run_at, status, attempts, created_at) \
     VALUES ($1, $2, $3, 'queued', 0, $4) ON CONFLICT (kind, key) DO NOTHING";
/// The next due job, or one whose holder's lease ran out. PostgreSQL skips rows another process
/// is claiming at this moment; SQLite has one writer, so the statement alone is enough there.
const CLAIM_PG: &str = "UPDATE job SET status = 'running', attempts = attempts + 1, \
     locked_by = $1, locked_until = $3 WHERE id = (SELECT id FROM job \
     WHERE (status = 'queued' AND run_at <= $2) OR (status = 'running' AND locked_until < $2) \
     ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
     RETURNING id, kind, key, attempts";
const CLAIM_SQLITE: &str = "UPDATE job SET status = 'running', attempts = attempts + 1, \
     locked_by = $1, locked_until = $3 WHERE id = (SELECT id FROM job \
     WHERE (status = 'queued' AND run_at <= $2) OR (status = 'running' AND locked_until < $2) \
     ORDER BY run_at, id LIMIT 1) \
     RETURNING id, kind, key, attempts";
const FINISH: &str = "UPDATE job SET status = $3, finished_at = $4, last_error = $5, \
     locked_by = NULL, locked_until = NULL \
     WHERE id = $1 AND locked_by = $2 AND status = 'running'";
const RETRY: &str = "UPDATE job SET status = 'queued', run_at = $3, last_error = $4, \
     locked_by = NULL, locked_until = NULL \
     WHERE id = $1 AND locked_by = $2 AND status = 'running'";
const STATUS: &str = "SELECT status FROM job WHERE kind = $1 AND key = $2";

/// Adds a job unless one of this kind and key exists. Returns whether it was added.
pub async fn enqueue(store: &Store, kind: &str, key: &str, run_at: DateTime<Utc>) -> Result<bool> {
    let mut tx = store.begin().await?;
    let n = tx
        .execute(ENQUEUE, &[&kind, &key, &run_at, &Utc::now()])
        .await?;
    tx.commit().await?;
    Ok(n == 1)
}

/// Claims the next due job for `worker` until `lease_until`.
pub async fn claim(
    store: &Store,
    worker: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<Option<Job>> {
    let sql = match store.backend() {
        Backend::Postgres => CLAIM_PG,
        Backend::Sqlite => CLAIM_SQLITE,
    };
    let mut tx = store.begin().await?;
    let job = tx.query_opt(sql, &[&worker, &now, &lease_until]).await?;
    tx.commit().await?;
    Ok(job)
}

/// Marks a job done (or failed for good) in the transaction of its work. False if this worker
/// no longer holds it (its lease ran out and another took it): the caller must then roll back.
pub async fn finish(
    tx: &mut Tx,
    id: zhijia_domain::ids::JobId,
    worker: &str,
    status: &str,
    error: Option<&str>,
) -> Result<bool> {
    Ok(tx
        .execute(FINISH, &[&id.0, &worker, &status, &Utc::now(), &error])
        .await?
        == 1)
}

/// Puts a failed job back in the queue to run again at `run_at`.
pub async fn retry(
    store: &Store,
    id: zhijia_domain::ids::JobId,
    worker: &str,
    run_at: DateTime<Utc>,
    error: &str,
) -> Result<bool> {
    let mut tx = store.begin().await?;
    let n = tx
        .execute(RETRY, &[&id.0, &worker, &run_at, &error])
        .await?;
    tx.commit().await?;
    Ok(n == 1)
}

struct Status(String);
impl FromRow for Status {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Status(row.get("status")?))
    }
}

/// The status of the job of a kind and key, if there is one.
pub async fn status(store: &Store, kind: &str, key: &str) -> Result<Option<String>> {
    Ok(store
        .query_opt::<Status>(STATUS, &[&kind, &key])
        .await?
        .map(|s| s.0))
}
