//! One way to run a query on either backend.
//!
//! Reads on SQLite run inline on a per-thread read-only connection: a point read costs
//! microseconds, less than a hop to a blocking thread (see docs/architecture.md). Writes on
//! SQLite go through the single writer connection, held by one transaction at a time (SQLite has
//! one writer anyway). On PostgreSQL both come from a connection pool.

pub(crate) mod pg;
mod pg_tls;
pub(crate) mod sqlite;

pub use sqlite::WRITER_PRAGMAS as SQLITE_WRITER_PRAGMAS;
pub(crate) use sqlite::bind as sqlite_bind;
pub(crate) use sqlite::bind_in_order as sqlite_bind_in_order;

use crate::{Result, StoreError};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A value bound to a `$n` placeholder on either backend.
pub trait Param: rusqlite::ToSql + postgres_types::ToSql {}
impl<T: rusqlite::ToSql + postgres_types::ToSql + ?Sized> Param for T {}

/// The parameter list of one statement, written `&[&a, &b]` at the call site.
pub type Params<'a> = &'a [&'a (dyn Param + Sync)];

/// A value read from a column on either backend.
pub trait Column: rusqlite::types::FromSql + for<'b> postgres_types::FromSql<'b> {}
impl<T: rusqlite::types::FromSql + for<'b> postgres_types::FromSql<'b>> Column for T {}

/// A result row of either backend, read by column name.
pub enum Row<'a, 'b> {
    /// The row and the statement's column names, read once per statement: rusqlite's own
    /// lookup by name asks SQLite for every name and compares without case on every call,
    /// which showed in the profile of a point read.
    Sqlite(&'a rusqlite::Row<'b>, &'a sqlite::Columns),
    Pg(&'a tokio_postgres::Row),
}

impl Row<'_, '_> {
    pub fn get<T: Column>(&self, column: &str) -> Result<T> {
        match self {
            Row::Sqlite(r, names) => match names.position(column) {
                Some(i) => r.get(i).map_err(StoreError::Sqlite),
                None => r.get(column).map_err(StoreError::Sqlite),
            },
            Row::Pg(r) => r.try_get(column).map_err(StoreError::Postgres),
        }
    }

    /// A text column decoded into a domain type (a status, a kind, a level) by its `parse`;
    /// a value the code does not know is a decode error, never a guess.
    pub fn parsed<T>(&self, column: &str, parse: impl FnOnce(&str) -> Option<T>) -> Result<T> {
        let stored: String = self.get(column)?;
        parse(&stored).ok_or_else(|| StoreError::Decode(format!("{column}“{stored}”无法识别")))
    }

    /// A nullable state or kind column as its enum (an unknown stored value is a decode error).
    pub fn parsed_opt<T>(
        &self,
        column: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>> {
        match self.get::<Option<String>>(column)? {
            Some(stored) => parse(&stored)
                .map(Some)
                .ok_or_else(|| StoreError::Decode(format!("{column}“{stored}”无法识别"))),
            None => Ok(None),
        }
    }

    /// An id column as its record's id type (`row.id::<CaseId>("id")`).
    pub fn id<T: zhijia_domain::ids::RecordId>(&self, column: &str) -> Result<T> {
        Ok(T::from_raw(self.get(column)?))
    }

    /// A nullable id column.
    pub fn id_opt<T: zhijia_domain::ids::RecordId>(&self, column: &str) -> Result<Option<T>> {
        Ok(self.get::<Option<i64>>(column)?.map(T::from_raw))
    }

    /// An organisation path column.
    pub fn org_path(&self, column: &str) -> Result<zhijia_domain::org::OrgPath> {
        zhijia_domain::org::OrgPath::from_stored(self.get(column)?)
            .map_err(|p| StoreError::Decode(format!("组织路径“{p}”格式不正确")))
    }
}

/// Builds a value from one row. Implemented next to each query's struct.
pub trait FromRow: Sized {
    fn from_row(row: &Row<'_, '_>) -> Result<Self>;
}

impl FromRow for i64 {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        match row {
            Row::Sqlite(r, _) => r.get(0).map_err(StoreError::Sqlite),
            Row::Pg(r) => r.try_get(0).map_err(StoreError::Postgres),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Where the store lives: an embedded file in the data folder, or a PostgreSQL server.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreTarget {
    Sqlite(PathBuf),
    Postgres(String),
}

impl fmt::Debug for StoreTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreTarget::Sqlite(p) => write!(f, "Sqlite({})", p.display()),
            // The URL may carry a password.
            StoreTarget::Postgres(_) => f.write_str("Postgres(<redacted>)"),
        }
    }
}

impl StoreTarget {
    /// No URL means the embedded store in `data_dir`; a URL must be PostgreSQL. Anything else
    /// is refused rather than silently turned into a new file somewhere.
    pub fn from_config(database_url: Option<&str>, data_dir: &Path) -> Result<Self> {
        match database_url.map(str::trim).filter(|u| !u.is_empty()) {
            None => Ok(StoreTarget::Sqlite(data_dir.join("zhijia.db"))),
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(StoreTarget::Postgres(url.to_owned()))
            }
            Some(url) => {
                let scheme = url.split_once("://").map_or(url, |(s, _)| s);
                let scheme: String = scheme.chars().take(20).collect();
                Err(StoreError::UnsupportedUrl(format!(
                    "“{scheme}”不是受支持的数据库类型。请使用 postgres:// 或 postgresql:// 开头的地址；\
                     不设置数据库地址时使用数据目录中的内置 SQLite 数据库"
                )))
            }
        }
    }
}

/// The store: a cheap handle, cloned into every request.
#[derive(Clone)]
pub enum Store {
    Sqlite(Arc<sqlite::SqliteDb>),
    Postgres(pg::PgDb),
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Store({})", self.backend().as_str())
    }
}

impl Store {
    /// Opens (creating the SQLite file and folder if needed) without migrating.
    pub async fn open(target: &StoreTarget) -> Result<Self> {
        match target {
            StoreTarget::Sqlite(path) => Ok(Store::Sqlite(sqlite::SqliteDb::open(path)?)),
            StoreTarget::Postgres(url) => Ok(Store::Postgres(pg::PgDb::open(url).await?)),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Store::Sqlite(_) => Backend::Sqlite,
            Store::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn query<T: FromRow>(&self, sql: &str, params: Params<'_>) -> Result<Vec<T>> {
        match self {
            Store::Sqlite(db) => db.with_reader(|c| sqlite::query(c, sql, params)),
            Store::Postgres(db) => pg::query(&db.get().await?, sql, params).await,
        }
    }

    pub async fn query_opt<T: FromRow>(&self, sql: &str, params: Params<'_>) -> Result<Option<T>> {
        match self {
            Store::Sqlite(db) => db.with_reader(|c| sqlite::query_opt(c, sql, params)),
            Store::Postgres(db) => pg::query_opt(&db.get().await?, sql, params).await,
        }
    }

    pub async fn query_one<T: FromRow>(&self, sql: &str, params: Params<'_>) -> Result<T> {
        self.query_opt(sql, params).await?.ok_or_else(no_row)
    }

    /// A trivial query, for health checks.
    pub async fn ping(&self) -> Result<()> {
        self.query_one::<i64>("SELECT CAST(1 AS BIGINT)", &[])
            .await
            .map(|_| ())
    }

    /// Starts a transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), so
    /// a transaction that reads and then writes never fails half-way on a lock upgrade. Outside
    /// this crate, writes go through `Store::change`, which commits only with an audit entry.
    pub(crate) async fn begin(&self) -> Result<Tx> {
        match self {
            Store::Sqlite(db) => Ok(Tx {
                inner: TxInner::Sqlite(db.begin().await?),
                done: false,
            }),
            Store::Postgres(db) => Ok(Tx {
                inner: TxInner::Pg(db.begin().await?),
                done: false,
            }),
        }
    }

    /// Runs one write statement in a transaction of its own: for tests that check what the
    /// database itself refuses (append-only tables, constraints). Never built into the server.
    #[cfg(feature = "fixtures")]
    pub async fn execute(&self, sql: &str, params: Params<'_>) -> Result<u64> {
        let mut tx = self.begin().await?;
        let n = tx.execute(sql, params).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// The SQLite file, if the store is embedded (for backups and messages to the operator).
    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            Store::Sqlite(db) => Some(db.path()),
            Store::Postgres(_) => None,
        }
    }

    /// Bulk loading on SQLite: runs `f` on the writer connection inside one transaction,
    /// synchronously. Callers use `prepare_cached` on the connection they are given.
    pub(crate) async fn sqlite_bulk<T>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> Result<T>,
    ) -> Option<Result<T>> {
        match self {
            Store::Sqlite(db) => Some(db.bulk(f).await),
            Store::Postgres(_) => None,
        }
    }

    pub(crate) fn pg(&self) -> Option<&pg::PgDb> {
        match self {
            Store::Postgres(db) => Some(db),
            Store::Sqlite(_) => None,
        }
    }
}

/// Where a read runs: on the store (SQLite's per-thread reader, a pooled PostgreSQL connection)
/// or inside an open transaction, which sees its own writes and holds its locks. A store read
/// that use cases need in both places takes `impl Into<Exec<'_>>`, so it is written once:
/// `org::get(db, id)` and `org::get(&mut tx, id)`.
pub enum Exec<'a> {
    Store(&'a Store),
    Tx(&'a mut Tx),
}

impl<'a> From<&'a Store> for Exec<'a> {
    fn from(s: &'a Store) -> Self {
        Exec::Store(s)
    }
}

impl<'a> From<&'a mut Tx> for Exec<'a> {
    fn from(t: &'a mut Tx) -> Self {
        Exec::Tx(t)
    }
}

impl Exec<'_> {
    pub async fn query<T: FromRow>(self, sql: &str, params: Params<'_>) -> Result<Vec<T>> {
        match self {
            Exec::Store(s) => s.query(sql, params).await,
            Exec::Tx(t) => t.query(sql, params).await,
        }
    }

    pub async fn query_opt<T: FromRow>(self, sql: &str, params: Params<'_>) -> Result<Option<T>> {
        match self {
            Exec::Store(s) => s.query_opt(sql, params).await,
            Exec::Tx(t) => t.query_opt(sql, params).await,
        }
    }
}

fn no_row() -> StoreError {
    StoreError::Decode("查询没有返回任何行".into())
}

/// An open transaction. Dropped without `commit`, it rolls back.
pub struct Tx {
    inner: TxInner,
    done: bool,
}

// One per open transaction, moved rarely: boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
enum TxInner {
    Sqlite(sqlite::WriterGuard),
    Pg(deadpool_postgres::Object),
    /// Left behind by `Drop`, which hands the connection to the rollback.
    Closed,
}

fn closed() -> StoreError {
    StoreError::Pool("事务已结束".into())
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match &self.inner {
            TxInner::Sqlite(_) => Backend::Sqlite,
            TxInner::Pg(_) | TxInner::Closed => Backend::Postgres,
        }
    }

    pub async fn query<T: FromRow>(&mut self, sql: &str, params: Params<'_>) -> Result<Vec<T>> {
        match &self.inner {
            TxInner::Sqlite(c) => sqlite::query(c, sql, params),
            TxInner::Pg(c) => pg::query(c, sql, params).await,
            TxInner::Closed => Err(closed()),
        }
    }

    pub async fn query_opt<T: FromRow>(
        &mut self,
        sql: &str,
        params: Params<'_>,
    ) -> Result<Option<T>> {
        match &self.inner {
            TxInner::Sqlite(c) => sqlite::query_opt(c, sql, params),
            TxInner::Pg(c) => pg::query_opt(c, sql, params).await,
            TxInner::Closed => Err(closed()),
        }
    }

    pub async fn query_one<T: FromRow>(&mut self, sql: &str, params: Params<'_>) -> Result<T> {
        self.query_opt(sql, params).await?.ok_or_else(no_row)
    }

    pub async fn execute(&mut self, sql: &str, params: Params<'_>) -> Result<u64> {
        match &self.inner {
            TxInner::Sqlite(c) => sqlite::execute(c, sql, params),
            TxInner::Pg(c) => pg::execute(c, sql, params).await,
            TxInner::Closed => Err(closed()),
        }
    }

    /// PostgreSQL only: runs a statement with array parameters (`UNNEST($1::int8[], …)`), which
    /// SQLite cannot bind, and returns the first column of its rows. `None` on SQLite, where the
    /// caller runs its row-at-a-time path instead (a prepared statement costs microseconds there,
    /// with no round trip to save).
    pub(crate) async fn pg_ids(
        &mut self,
        sql: &str,
        params: &[&(dyn postgres_types::ToSql + Sync)],
    ) -> Result<Option<Vec<i64>>> {
        match &self.inner {
            TxInner::Sqlite(_) => Ok(None),
            TxInner::Pg(c) => {
                let rows = c.query(sql, params).await.map_err(StoreError::from_pg)?;
                rows.iter()
                    .map(|r| r.try_get::<_, i64>(0).map_err(StoreError::Postgres))
                    .collect::<Result<Vec<_>>>()
                    .map(Some)
            }
            TxInner::Closed => Err(closed()),
        }
    }

    /// Runs several statements without parameters (migrations).
    pub(crate) async fn batch(&mut self, sql: &str) -> Result<()> {
        match &self.inner {
            TxInner::Sqlite(c) => c.execute_batch(sql).map_err(StoreError::from_sqlite),
            TxInner::Pg(c) => c.batch_execute(sql).await.map_err(StoreError::from_pg),
            TxInner::Closed => Err(closed()),
        }
    }

    /// Commits. Outside this crate a commit goes through `Change`, with its audit entry.
    pub(crate) async fn commit(mut self) -> Result<()> {
        self.done = true;
        match &self.inner {
            TxInner::Sqlite(c) => c.execute_batch("COMMIT").map_err(StoreError::from_sqlite),
            TxInner::Pg(c) => c.batch_execute("COMMIT").await.map_err(StoreError::from_pg),
            TxInner::Closed => Err(closed()),
        }
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        match std::mem::replace(&mut self.inner, TxInner::Closed) {
            TxInner::Sqlite(c) => {
                if let Err(e) = c.execute_batch("ROLLBACK") {
                    tracing::error!(error = %e, "SQLite rollback failed");
                }
            }
            TxInner::Pg(c) => pg::rollback_on_drop(c),
            TxInner::Closed => {}
        }
    }
}
