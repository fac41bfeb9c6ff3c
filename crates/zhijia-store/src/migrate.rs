//! Embedded migrations, one list per backend. A landed migration is never edited: a change of
//! schema is a new file with the next number, in both folders.

use crate::db::{Backend, Store};
use crate::{Result, StoreError};
use chrono::Utc;

struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

const SQLITE: &[Migration] = &[Migration {
    version: 1,
    name: "init",
    sql: include_str!("../migrations/sqlite/0001_init.sql"),
}];

const POSTGRES: &[Migration] = &[Migration {
    version: 1,
    name: "init",
    sql: include_str!("../migrations/postgres/0001_init.sql"),
}];

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
    let known = list.last().map_or(0, |m| m.version);
    if let Some(&found) = applied.last().filter(|v| **v > known) {
        return Err(StoreError::SchemaTooNew { found, known });
    }
    let mut done = Vec::new();
    for m in list.iter().filter(|m| !applied.contains(&m.version)) {
        tx.batch(m.sql).await?;
        tx.execute(RECORD, &[&m.version, &m.name, &Utc::now()])
            .await?;
        done.push(format!("{:04}_{}", m.version, m.name));
    }
    tx.commit().await?;
    Ok(done)
}
