//! Embedded migrations, one list per backend. A landed migration is never edited: a change of
//! schema is a new file with the next number, in both folders.

use crate::db::{Backend, Store};
use crate::{Result, StoreError};
use chrono::Utc;

struct Migration {
    /// File name without `.sql`; its leading number is the version.
    name: &'static str,
    sql: &'static str,
}

impl Migration {
    fn version(&self) -> i64 {
        self.name
            .split('_')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }
}

/// The migrations of one backend folder, numbered from 1 in this order.
macro_rules! migrations {
    ($dir:literal: $($name:literal),* $(,)?) => {
        &[$(Migration {
            name: $name,
            sql: include_str!(concat!("../migrations/", $dir, "/", $name, ".sql")),
        }),*]
    };
}

const SQLITE: &[Migration] = migrations!(
    "sqlite": "0001_init", "0002_identity", "0003_membership", "0004_jobs", "0005_cases",
    "0006_aid", "0007_benefit", "0008_activity", "0009_mall", "0010_culture"
);
const POSTGRES: &[Migration] = migrations!(
    "postgres": "0001_init", "0002_identity", "0003_membership", "0004_jobs", "0005_cases",
    "0006_aid", "0007_benefit", "0008_activity", "0009_mall", "0010_culture"
);

const CREATE_TABLE_SQLITE: &str = "CREATE TABLE IF NOT EXISTS schema_migration (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";
const CREATE_TABLE_POSTGRES: &str = "CREATE TABLE IF NOT EXISTS schema_migration (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)";

const APPLIED: &str = "SELECT version FROM schema_migration ORDER BY version";
const RECORD: &str = "INSERT INTO schema_migration (version, name, applied_at) VALUES ($1, $2, $3)";

/// Applies what is missing, in one transaction, and returns the names applied. Several server
/// processes may start at once on one PostgreSQL: an advisory lock lets one of them migrate.
pub async fn run(store: &Store) -> Result<Vec<String>> {
    let (list, create) = match store.backend() {
        Backend::Sqlite => (SQLITE, CREATE_TABLE_SQLITE),
        Backend::Postgres => (POSTGRES, CREATE_TABLE_POSTGRES),
    };
    let mut tx = store.begin().await?;
    if store.backend() == Backend::Postgres {
        tx.batch("SELECT pg_advisory_xact_lock(7270010001)").await?;
    }
    tx.batch(create).await?;
    let applied: Vec<i64> = tx.query(APPLIED, &[]).await?;
    let known = list.last().map_or(0, Migration::version);
    if let Some(&found) = applied.last().filter(|v| **v > known) {
        return Err(StoreError::SchemaTooNew { found, known });
    }
    let mut done = Vec::new();
    for m in list.iter().filter(|m| !applied.contains(&m.version())) {
        tx.batch(m.sql).await?;
        let version = m.version();
        tx.execute(RECORD, &[&version, &m.name, &Utc::now()])
            .await?;
        done.push(m.name.to_owned());
    }
    tx.commit().await?;
    Ok(done)
}
