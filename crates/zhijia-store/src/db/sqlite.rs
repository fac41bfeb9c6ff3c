//! SQLite: one writer connection, and a read-only connection per thread.

use super::{FromRow, Params, Row};
use crate::{Result, StoreError};
use rusqlite::{Connection, OpenFlags};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
static NEXT_DB_ID: AtomicU64 = AtomicU64::new(1);

/// Settings of the writer connection. WAL lets the per-thread readers run beside the writer;
/// NORMAL is durable at each checkpoint and safe against corruption, the usual choice with WAL.
/// A 64 MiB page cache keeps the upper levels of every index in memory during bulk loads, where
/// the default 2 MiB made each random index insert re-read pages from the OS (measured in
/// docs/benchmarks.md).
pub const WRITER_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
     PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536;";
const READER_PRAGMAS: &str = "PRAGMA cache_size = -16384;";

/// The "unix-excl" VFS: the process holds the file lock for as long as the database is open and
/// keeps the WAL index in its own memory, so the per-thread readers and the writer coordinate
/// without a system call. With the default VFS every read took two `fcntl` calls on the `-shm`
/// file, the largest single cost of a point read (docs/benchmarks.md). The price: one process
/// at a time owns an embedded database (a second one gets a clear error); several processes
/// sharing one store is what PostgreSQL is for.
const VFS: &std::ffi::CStr = c"unix-excl";

pub(crate) type WriterGuard = OwnedMutexGuard<Connection>;

pub struct SqliteDb {
    id: u64,
    path: PathBuf,
    writer: Arc<Mutex<Connection>>,
    me: Weak<SqliteDb>,
}

thread_local! {
    /// Read connections of this thread, one per open database (tests open many).
    static READERS: RefCell<HashMap<u64, (Weak<SqliteDb>, Connection)>> = RefCell::new(HashMap::new());
}

/// The data folder holds personal data: only its owner may enter it (0700 on Unix).
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        if !dir.exists() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// The database file (and its write-ahead log, when there) readable by its owner only.
fn make_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut files = vec![path.to_owned()];
        for suffix in ["-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            files.push(name.into());
        }
        for p in files {
            if p.exists() {
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

impl SqliteDb {
    pub fn open(path: &Path) -> Result<Arc<Self>> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir).map_err(|e| {
                StoreError::Open(format!("无法创建数据目录 {}：{e}", dir.display()))
            })?;
        }
        let conn = Connection::open_with_flags_and_vfs(path, OpenFlags::default(), VFS)
            .map_err(|e| StoreError::Open(format!("无法打开 {}：{e}", path.display())))?;
        make_private(path)
            .map_err(|e| StoreError::Open(format!("无法设置 {} 的权限：{e}", path.display())))?;
        // The first statement takes the process's exclusive lock on the file; another process
        // holding it is reported at once, in words, instead of after the long busy timeout.
        conn.busy_timeout(Duration::from_secs(2))?;
        conn.execute_batch(WRITER_PRAGMAS).map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                StoreError::Open(format!(
                    "数据库 {} 正被另一个进程使用：内置 SQLite 数据库同一时间只允许一个 zhijia 进程打开。\
                     请先停止正在运行的 zhijia serve，或改用 PostgreSQL(--database-url)",
                    path.display()
                ))
            }
            _ => StoreError::Sqlite(e),
        })?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(Arc::new_cyclic(|me| SqliteDb {
            id: NEXT_DB_ID.fetch_add(1, Ordering::Relaxed),
            path: path.to_owned(),
            writer: Arc::new(Mutex::new(conn)),
            me: me.clone(),
        }))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn open_reader(&self) -> Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.execute_batch(READER_PRAGMAS)?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(conn)
    }

    /// A read connection of its own, for a long snapshot (a backup) that must not hold this
    /// thread's shared reader.
    pub(crate) fn open_snapshot_reader(&self) -> Result<Connection> {
        self.open_reader()
    }

    /// Runs `f` on this thread's read connection, opening it on first use.
    pub fn with_reader<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        READERS.with(|cell| {
            let mut map = cell.borrow_mut();
            if !map.contains_key(&self.id) {
                // Forget connections of databases that were closed since.
                map.retain(|_, (db, _)| db.strong_count() > 0);
                map.insert(self.id, (self.me.clone(), self.open_reader()?));
            }
            match map.get(&self.id) {
                Some((_, conn)) => f(conn),
                None => Err(StoreError::Open("读取连接不可用".into())),
            }
        })
    }

    pub async fn begin(&self) -> Result<WriterGuard> {
        let guard = self.writer.clone().lock_owned().await;
        guard
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(StoreError::from_sqlite)?;
        Ok(guard)
    }

    pub async fn bulk<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let guard = self.writer.clone().lock_owned().await;
        guard
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(StoreError::from_sqlite)?;
        match f(&guard) {
            Ok(v) => {
                guard
                    .execute_batch("COMMIT")
                    .map_err(StoreError::from_sqlite)?;
                Ok(v)
            }
            Err(e) => {
                if let Err(re) = guard.execute_batch("ROLLBACK") {
                    tracing::error!(error = %re, "SQLite rollback failed");
                }
                Err(e)
            }
        }
    }
}

/// Binds parameters by position, for bulk statements whose placeholders are `$1..$n` in order
/// of appearance (checked by the caller's tests); skips the name lookup `bind` does per value.
pub(crate) fn bind_in_order(
    stmt: &mut rusqlite::CachedStatement<'_>,
    params: Params<'_>,
) -> Result<()> {
    let n = params.len();
    // The first and last names are checked on every call (two lookups instead of n), all of
    // them in debug builds: binding `$2 … $1` by position would silently swap values.
    let in_order = |i: usize| {
        stmt.parameter_name(i)
            .and_then(|name| name.strip_prefix('$'))
            .and_then(|n| n.parse::<usize>().ok())
            == Some(i)
    };
    if stmt.parameter_count() != n || (n > 0 && (!in_order(1) || !in_order(n))) {
        return Err(StoreError::ParamCount {
            expected: stmt.parameter_count(),
            got: n,
        });
    }
    debug_assert!((1..=n).all(in_order), "placeholders out of order");
    for (i, p) in params.iter().enumerate() {
        stmt.raw_bind_parameter(i + 1, p as &dyn rusqlite::ToSql)
            .map_err(StoreError::from_sqlite)?;
    }
    Ok(())
}

/// Binds parameters by the number in their `$n` name. SQLite numbers named parameters in the
/// order they first appear, so `... $2 ... $1` must not be bound by position.
pub(crate) fn bind(stmt: &mut rusqlite::CachedStatement<'_>, params: Params<'_>) -> Result<()> {
    let count = stmt.parameter_count();
    let mut highest = 0;
    for i in 1..=count {
        let n: usize = stmt
            .parameter_name(i)
            .and_then(|name| name.strip_prefix('$'))
            .and_then(|n| n.parse().ok())
            .ok_or(StoreError::ParamCount {
                expected: count,
                got: params.len(),
            })?;
        let value = params.get(n - 1).ok_or(StoreError::ParamCount {
            expected: n,
            got: params.len(),
        })?;
        let value: &dyn rusqlite::ToSql = *value;
        stmt.raw_bind_parameter(i, value)?;
        highest = highest.max(n);
    }
    if highest != params.len() {
        return Err(StoreError::ParamCount {
            expected: highest,
            got: params.len(),
        });
    }
    Ok(())
}

/// The column names of a statement, for reading rows by name.
pub struct Columns {
    names: Vec<Box<str>>,
    /// One past the last match: `FromRow` impls read columns in select order, so the next name
    /// asked for is usually the next column, found with one comparison.
    next: Cell<usize>,
}

impl Columns {
    fn of(stmt: &rusqlite::Statement<'_>) -> Self {
        Columns {
            names: stmt.column_names().into_iter().map(Box::from).collect(),
            next: Cell::new(0),
        }
    }

    pub fn position(&self, name: &str) -> Option<usize> {
        let n = self.names.len();
        let start = self.next.get();
        (0..n)
            .map(|k| (start + k) % n)
            .find(|&i| &*self.names[i] == name)
            .inspect(|&i| self.next.set(i + 1))
    }
}

/// The SQL text and its column names.
type ColumnsEntry = (Box<str>, Rc<Columns>);

thread_local! {
    /// Column names by SQL text, so they are read from SQLite once per statement text and
    /// thread, not on every execution. Keyed by the text's address (store SQL is `const`) and
    /// checked against the text itself, so a reused address of another string cannot mislead.
    static COLUMNS: RefCell<HashMap<usize, ColumnsEntry>> = RefCell::new(HashMap::new());
}

fn columns_for(sql: &str, stmt: &rusqlite::Statement<'_>) -> Rc<Columns> {
    COLUMNS.with(|cell| {
        let mut map = cell.borrow_mut();
        let key = sql.as_ptr() as usize;
        if let Some((text, cols)) = map.get(&key)
            && **text == *sql
        {
            cols.next.set(0);
            return cols.clone();
        }
        if map.len() >= 1024 {
            map.clear();
        }
        let cols = Rc::new(Columns::of(stmt));
        map.insert(key, (Box::from(sql), cols.clone()));
        cols
    })
}

/// Runs a query and decodes at most `limit` rows.
fn rows<T: FromRow>(
    conn: &Connection,
    sql: &str,
    params: Params<'_>,
    limit: usize,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    bind(&mut stmt, params)?;
    let names = columns_for(sql, &stmt);
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while out.len() < limit {
        let Some(row) = rows.next().map_err(StoreError::from_sqlite)? else {
            break;
        };
        out.push(T::from_row(&Row::Sqlite(row, &names))?);
    }
    Ok(out)
}

pub(crate) fn query<T: FromRow>(
    conn: &Connection,
    sql: &str,
    params: Params<'_>,
) -> Result<Vec<T>> {
    rows(conn, sql, params, usize::MAX)
}

pub(crate) fn query_opt<T: FromRow>(
    conn: &Connection,
    sql: &str,
    params: Params<'_>,
) -> Result<Option<T>> {
    Ok(rows(conn, sql, params, 1)?.pop())
}

pub(crate) fn execute(conn: &Connection, sql: &str, params: Params<'_>) -> Result<u64> {
    let mut stmt = conn.prepare_cached(sql)?;
    bind(&mut stmt, params)?;
    let n = stmt.raw_execute().map_err(StoreError::from_sqlite)?;
    Ok(n as u64)
}
