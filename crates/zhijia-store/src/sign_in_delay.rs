//! The growing wait between wrong staff passwords (`zhijia_domain::auth::SignInDelay`), kept in
//! the database so every server process applies the same one.

use crate::Result;
use crate::db::{FromRow, Row, Tx};
use chrono::{DateTime, Utc};

/// Failures counted under one key.
#[derive(Debug, Clone)]
pub struct Delay {
    pub failures: i64,
    pub last_failure_at: DateTime<Utc>,
    pub not_before: DateTime<Utc>,
}

impl FromRow for Delay {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Delay {
            failures: row.get("failures")?,
            last_failure_at: row.get("last_failure_at")?,
            not_before: row.get("not_before")?,
        })
    }
}

const GET: &str = "SELECT failures, last_failure_at, not_before FROM sign_in_delay WHERE key = $1";
const FIRST: &str = "INSERT INTO sign_in_delay (key, failures, last_failure_at, not_before) \
     VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING RETURNING failures";
const NEXT: &str = "UPDATE sign_in_delay SET failures = $2, last_failure_at = $3, not_before = $4 \
     WHERE key = $1 AND failures = $5 RETURNING failures";
const CLEAR: &str = "DELETE FROM sign_in_delay WHERE key = $1";

pub async fn get(tx: &mut Tx, key: &str) -> Result<Option<Delay>> {
    tx.query_opt(GET, &[&key]).await
}

/// Counts one more failure under `key` (set to `failures`, next check from `not_before`), if
/// the count is still the `seen` one read before: of two processes racing on one key, one
/// wins and the other gets `false`, so racing guesses are not checked twice on one count.
pub async fn count(
    tx: &mut Tx,
    key: &str,
    seen: Option<i64>,
    failures: i64,
    now: DateTime<Utc>,
    not_before: DateTime<Utc>,
) -> Result<bool> {
    let row: Option<i64> = match seen {
        None => {
            tx.query_opt(FIRST, &[&key, &failures, &now, &not_before])
                .await?
        }
        Some(seen) => {
            tx.query_opt(NEXT, &[&key, &failures, &now, &not_before, &seen])
                .await?
        }
    };
    Ok(row.is_some())
}

/// Forgets the failures under `key` (after a right password).
pub async fn clear(tx: &mut Tx, key: &str) -> Result<()> {
    tx.execute(CLEAR, &[&key]).await.map(|_| ())
}
