//! Embedded migrations, one list per backend. A landed migration is never edited: a change of
//! schema is a new file with the next number, in both folders.
//!
//! That rule is kept by two guards. Each applied migration's SHA-256 is recorded beside it, and
//! `run` refuses a database whose recorded checksum differs from the embedded file (an edited
//! migration would leave every database already deployed on a schema nobody wrote down). And
//! `migrations/checksums.txt` lists the checksum of every shipped file: a test fails when a
//! shipped file changes or a new one is not listed.

use crate::db::{Backend, Store};
use crate::{Result, StoreError};
use chrono::Utc;

struct Migration {
    /// File name without `.sql`; its leading number is the version.
    name: &'static str,
    sql: &'static str,
}

impl Migration {
    fn checksum(&self) -> String {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(self.sql.as_bytes()))
    }

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
    "0006_aid", "0007_benefit", "0008_activity", "0009_mall", "0010_culture", "0011_transfer_consent",
    "0012_worker_aid", "0013_sign_in_delay", "0014_disbursement_key",
    "0015_article", "0016_search"
);
const POSTGRES: &[Migration] = migrations!(
    "postgres": "0001_init", "0002_identity", "0003_membership", "0004_jobs", "0005_cases",
    "0006_aid", "0007_benefit", "0008_activity", "0009_mall", "0010_culture", "0011_transfer_consent",
    "0012_worker_aid", "0013_sign_in_delay", "0014_disbursement_key",
    "0015_article", "0016_search"
);

const CREATE_TABLE_SQLITE: &str = "CREATE TABLE IF NOT EXISTS schema_migration (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";
const CREATE_TABLE_POSTGRES: &str = "CREATE TABLE IF NOT EXISTS schema_migration (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)";

// The checksum column came after the table: added here, where the table itself is made.
const HAS_CHECKSUM_SQLITE: &str =
    "SELECT COUNT(*) FROM pragma_table_info('schema_migration') WHERE name = 'checksum'";
const ADD_CHECKSUM_SQLITE: &str = "ALTER TABLE schema_migration ADD COLUMN checksum TEXT";
const ADD_CHECKSUM_POSTGRES: &str =
    "ALTER TABLE schema_migration ADD COLUMN IF NOT EXISTS checksum TEXT";

const APPLIED: &str = "SELECT version, name, checksum FROM schema_migration ORDER BY version";
const RECORD: &str = "INSERT INTO schema_migration (version, name, applied_at, checksum) \
     VALUES ($1, $2, $3, $4)";
// Databases migrated before checksums were kept adopt the shipped file's.
const ADOPT: &str = "UPDATE schema_migration SET checksum = $2 WHERE version = $1";

struct Applied {
    version: i64,
    name: String,
    checksum: Option<String>,
}

impl crate::FromRow for Applied {
    fn from_row(row: &crate::Row<'_, '_>) -> Result<Self> {
        Ok(Applied {
            version: row.get("version")?,
            name: row.get("name")?,
            checksum: row.get("checksum")?,
        })
    }
}

/// The shipped migrations of a backend as `backend/name checksum` lines, for the test that keeps
/// them unchanged (`migrations/checksums.txt`).
pub fn shipped_checksums() -> Vec<String> {
    [("sqlite", SQLITE), ("postgres", POSTGRES)]
        .iter()
        .flat_map(|(dir, list)| {
            list.iter()
                .map(move |m| format!("{dir}/{} {}", m.name, m.checksum()))
        })
        .collect()
}

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
    match store.backend() {
        Backend::Sqlite => {
            let has: i64 = tx.query_one(HAS_CHECKSUM_SQLITE, &[]).await?;
            if has == 0 {
                tx.batch(ADD_CHECKSUM_SQLITE).await?;
            }
        }
        Backend::Postgres => tx.batch(ADD_CHECKSUM_POSTGRES).await?,
    }
    let applied: Vec<Applied> = tx.query(APPLIED, &[]).await?;
    let known = list.last().map_or(0, Migration::version);
    if let Some(found) = applied.last().map(|a| a.version).filter(|v| *v > known) {
        return Err(StoreError::SchemaTooNew { found, known });
    }
    for a in &applied {
        let Some(m) = list.iter().find(|m| m.version() == a.version) else {
            continue;
        };
        let shipped = m.checksum();
        match &a.checksum {
            Some(recorded) if *recorded != shipped => {
                return Err(StoreError::MigrationChanged {
                    version: a.version,
                    name: a.name.clone(),
                });
            }
            Some(_) => {}
            None => {
                tx.execute(ADOPT, &[&a.version, &shipped]).await?;
            }
        }
    }
    let mut done = Vec::new();
    for m in list
        .iter()
        .filter(|m| !applied.iter().any(|a| a.version == m.version()))
    {
        tx.batch(m.sql).await?;
        let version = m.version();
        tx.execute(RECORD, &[&version, &m.name, &Utc::now(), &m.checksum()])
            .await?;
        done.push(m.name.to_owned());
    }
    tx.commit().await?;
    Ok(done)
}
