//! A logical copy of every table, the same on both backends, for `zhijia backup` and
//! `zhijia restore`: rows are read in one consistent snapshot as backend-neutral values
//! (integers, reals, text, bytes), and written back into an empty store of either kind. A
//! SQLite store restored into PostgreSQL and back holds the same rows: that is how a union moves
//! to a server of its own when one machine is no longer enough.
//!
//! The neutral form is SQLite's: a boolean is 0 or 1, a date `2026-12-07`, a timestamp the text
//! rusqlite writes (`2026-12-07 09:30:00.123456+00:00`). PostgreSQL's typed columns are turned
//! into it when read and parsed back from it when written, by the column's declared type.
//!
//! Restoring writes below the use cases, as migrations do: it is not a change of the data but
//! the data itself coming back, audit log included, so it has no audit entry of its own; the
//! command that runs it says so on the operator's terminal.

use crate::db::sqlite::SqliteDb;
use crate::{Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// One value of a row, in the neutral form.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bytes(Vec<u8>),
}

/// A table as the copy carries it: its name, columns in order and how many rows follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: u64,
}

/// What a snapshot hands its reader, table by table: the table, then each of its rows.
pub enum Item<'a> {
    Table(&'a Table),
    Row(&'a [Value]),
}

/// Bookkeeping tables that a store makes for itself and a copy never carries.
fn own_table(name: &str) -> bool {
    name == "schema_migration" || name.starts_with("sqlite_")
}

/// Tables in an order that puts every table after the tables it references, so rows can be
/// inserted with foreign keys checked; ties by name, so both backends give the same order.
fn parents_first(tables: BTreeMap<String, BTreeSet<String>>) -> Result<Vec<String>> {
    let mut out = Vec::with_capacity(tables.len());
    let mut left = tables;
    while !left.is_empty() {
        let ready: Vec<String> = left
            .iter()
            .filter(|(name, refs)| refs.iter().all(|r| r == *name || !left.contains_key(r)))
            .map(|(name, _)| name.clone())
            .collect();
        if ready.is_empty() {
            let stuck: Vec<&String> = left.keys().collect();
            return Err(StoreError::Decode(format!(
                "表之间的外键成环，无法排序：{stuck:?}"
            )));
        }
        for name in ready {
            left.remove(&name);
            out.push(name);
        }
    }
    Ok(out)
}

/// The store's tables with their columns, parents first.
pub async fn tables(store: &Store) -> Result<Vec<(String, Vec<String>)>> {
    match store {
        Store::Sqlite(db) => db.with_reader(sqlite_tables),
        Store::Postgres(db) => {
            let client = db.get().await?;
            pg_tables(&**client).await.map(|t| {
                t.into_iter()
                    .map(|(name, cols)| (name, cols.into_iter().map(|(c, _)| c).collect()))
                    .collect()
            })
        }
    }
}

fn sqlite_tables(c: &rusqlite::Connection) -> Result<Vec<(String, Vec<String>)>> {
    let names: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?
        .query_map([], |r| r.get(0))?
        .collect::<std::result::Result<_, _>>()?;
    let mut refs = BTreeMap::new();
    let mut columns = BTreeMap::new();
    for name in names.into_iter().filter(|n| !own_table(n)) {
        let parents: BTreeSet<String> = c
            .prepare(&format!(
                "SELECT \"table\" FROM pragma_foreign_key_list('{name}')"
            ))?
            .query_map([], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        let cols: Vec<String> = c
            .prepare(&format!(
                "SELECT name FROM pragma_table_info('{name}') ORDER BY cid"
            ))?
            .query_map([], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        refs.insert(name.clone(), parents);
        columns.insert(name, cols);
    }
    Ok(parents_first(refs)?
        .into_iter()
        .map(|n| {
            let cols = columns.remove(&n).unwrap_or_default();
            (n, cols)
        })
        .collect())
}

/// PostgreSQL's tables of the current schema, parents first, each column with its type.
async fn pg_tables(
    c: &impl tokio_postgres::GenericClient,
) -> Result<Vec<(String, Vec<(String, String)>)>> {
    let rows = c
        .query(
            "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns \
             WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
            &[],
        )
        .await?;
    let mut columns: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for r in rows {
        let table: String = r.get(0);
        if !own_table(&table) {
            columns.entry(table).or_default().push((r.get(1), r.get(2)));
        }
    }
    let fks = c
        .query(
            "SELECT t.relname::text, p.relname::text FROM pg_constraint k \
             JOIN pg_class t ON t.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE k.contype = 'f' AND n.nspname = current_schema()",
            &[],
        )
        .await?;
    let mut refs: BTreeMap<String, BTreeSet<String>> = columns
        .keys()
        .map(|k| (k.clone(), BTreeSet::new()))
        .collect();
    for r in fks {
        let (child, parent): (String, String) = (r.get(0), r.get(1));
        if let Some(set) = refs.get_mut(&child) {
            set.insert(parent);
        }
    }
    Ok(parents_first(refs)?
        .into_iter()
        .map(|n| {
            let cols = columns.remove(&n).unwrap_or_default();
            (n, cols)
        })
        .collect())
}

fn quoted(cols: &[String]) -> String {
    cols.iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows in the order they were made, so a row that points at another of its table (an org's
/// parent) comes after it.
fn order_by(cols: &[String]) -> &'static str {
    if cols.iter().any(|c| c == "id") {
        " ORDER BY id"
    } else {
        ""
    }
}

/// Reads every table in one consistent snapshot and hands each table and row to `each`.
/// Writers go on meanwhile: SQLite's WAL and PostgreSQL's repeatable read keep the snapshot.
/// On SQLite the rows are read on the calling thread: this is the command line's work, never
/// a request's.
pub async fn snapshot(store: &Store, each: &mut dyn FnMut(Item<'_>) -> Result<()>) -> Result<()> {
    match store {
        Store::Sqlite(db) => sqlite_snapshot(db, each),
        Store::Postgres(db) => {
            let client = db.get().await?;
            client
                .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .await?;
            match pg_snapshot(&client, each).await {
                Ok(()) => {
                    client.batch_execute("COMMIT").await?;
                    Ok(())
                }
                Err(e) => {
                    crate::db::pg::rollback_on_drop(client);
                    Err(e)
                }
            }
        }
    }
}

async fn pg_snapshot(
    tx: &tokio_postgres::Client,
    each: &mut dyn FnMut(Item<'_>) -> Result<()>,
) -> Result<()> {
    for (name, cols) in pg_tables(tx).await? {
        let names: Vec<String> = cols.iter().map(|(c, _)| c.clone()).collect();
        let count: i64 = tx
            .query_one(&format!("SELECT COUNT(*) FROM \"{name}\""), &[])
            .await?
            .get(0);
        let table = Table {
            name: name.clone(),
            columns: names.clone(),
            rows: u64::try_from(count).unwrap_or(0),
        };
        each(Item::Table(&table))?;
        let sql = format!(
            "SELECT {} FROM \"{name}\"{}",
            quoted(&names),
            order_by(&names)
        );
        let stream = tx.query_raw(&sql, std::iter::empty::<i32>()).await?;
        let mut stream = std::pin::pin!(stream);
        let mut values = Vec::with_capacity(cols.len());
        while let Some(row) = stream.next().await {
            let row = row?;
            values.clear();
            for (i, (_, ty)) in cols.iter().enumerate() {
                values.push(pg_value(&row, i, ty)?);
            }
            each(Item::Row(&values))?;
        }
    }
    Ok(())
}

fn sqlite_snapshot(db: &SqliteDb, each: &mut dyn FnMut(Item<'_>) -> Result<()>) -> Result<()> {
    let conn = db.open_snapshot_reader()?;
    conn.execute_batch("BEGIN")?;
    for (name, cols) in sqlite_tables(&conn)? {
        let count: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM \"{name}\""), [], |r| {
            r.get(0)
        })?;
        let table = Table {
            name: name.clone(),
            columns: cols.clone(),
            rows: u64::try_from(count).unwrap_or(0),
        };
        each(Item::Table(&table))?;
        let mut stmt = conn.prepare(&format!(
            "SELECT {} FROM \"{name}\"{}",
            quoted(&cols),
            order_by(&cols)
        ))?;
        let mut rows = stmt.query([])?;
        let mut values = Vec::with_capacity(cols.len());
        while let Some(row) = rows.next()? {
            values.clear();
            for i in 0..cols.len() {
                values.push(match row.get_ref(i)? {
                    rusqlite::types::ValueRef::Null => Value::Null,
                    rusqlite::types::ValueRef::Integer(n) => Value::Int(n),
                    rusqlite::types::ValueRef::Real(f) => Value::Real(f),
                    rusqlite::types::ValueRef::Text(t) => {
                        Value::Text(String::from_utf8_lossy(t).into_owned())
                    }
                    rusqlite::types::ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
                });
            }
            each(Item::Row(&values))?;
        }
    }
    conn.execute_batch("COMMIT")?;
    Ok(())
}

fn pg_value(row: &tokio_postgres::Row, i: usize, ty: &str) -> Result<Value> {
    Ok(match ty {
        "bigint" => row.get::<_, Option<i64>>(i).map_or(Value::Null, Value::Int),
        "integer" => row
            .get::<_, Option<i32>>(i)
            .map_or(Value::Null, |n| Value::Int(n.into())),
        "smallint" => row
            .get::<_, Option<i16>>(i)
            .map_or(Value::Null, |n| Value::Int(n.into())),
        "boolean" => row
            .get::<_, Option<bool>>(i)
            .map_or(Value::Null, |b| Value::Int(i64::from(b))),
        "double precision" | "real" => row
            .get::<_, Option<f64>>(i)
            .map_or(Value::Null, Value::Real),
        "text" | "character varying" => row
            .get::<_, Option<String>>(i)
            .map_or(Value::Null, Value::Text),
        "bytea" => row
            .get::<_, Option<Vec<u8>>>(i)
            .map_or(Value::Null, Value::Bytes),
        "date" => row
            .get::<_, Option<NaiveDate>>(i)
            .map_or(Value::Null, |d| Value::Text(d.format("%F").to_string())),
        "timestamp with time zone" => row
            .get::<_, Option<DateTime<Utc>>>(i)
            .map_or(Value::Null, |t| Value::Text(timestamp_text(&t))),
        other => {
            return Err(StoreError::Decode(format!("备份不认识的列类型：{other}")));
        }
    })
}

/// A timestamp as rusqlite writes it, so both backends' copies compare equal.
fn timestamp_text(t: &DateTime<Utc>) -> String {
    t.format("%F %T%.f%:z").to_string()
}

fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(s, "%F %T%.f%:z")
        .or_else(|_| DateTime::parse_from_rfc3339(s))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Whether the store holds no rows at all (its tables made by the migrations, nothing else):
/// a copy is restored only into such a store, never merged into one in use.
pub async fn is_empty(store: &Store) -> Result<bool> {
    for (name, _) in tables(store).await? {
        let sql = format!("SELECT COUNT(*) AS n FROM \"{name}\"");
        let n: i64 = store.query_one::<Count>(&sql, &[]).await.map(|c| c.0)?;
        if n > 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

struct Count(i64);

impl crate::FromRow for Count {
    fn from_row(row: &crate::Row<'_, '_>) -> Result<Self> {
        Ok(Count(row.get("n")?))
    }
}

/// Writes rows back, table by table, in one transaction: a restore that stops half-way leaves
/// the store as empty as it was.
pub struct Restore {
    inner: RestoreInner,
    table: Option<(Table, Vec<String>)>,
    batch: Vec<Vec<Value>>,
}

enum RestoreInner {
    Sqlite(crate::db::sqlite::WriterGuard),
    Pg {
        /// Boxed: a pooled client is large beside the SQLite guard.
        client: Box<deadpool_postgres::Object>,
        types: BTreeMap<String, Vec<(String, String)>>,
    },
    /// Committed, or handed to the rollback.
    Closed,
}

/// Rows per INSERT statement: few round trips, well under both backends' parameter limits.
const BATCH: usize = 200;

impl Restore {
    pub async fn begin(store: &Store) -> Result<Restore> {
        let inner = match store {
            Store::Sqlite(db) => {
                let guard = db.begin().await?;
                RestoreInner::Sqlite(guard)
            }
            Store::Postgres(db) => {
                let client = db.begin().await?;
                let types = pg_tables(&**client).await?.into_iter().collect();
                RestoreInner::Pg {
                    client: Box::new(client),
                    types,
                }
            }
        };
        Ok(Restore {
            inner,
            table: None,
            batch: Vec::new(),
        })
    }

    /// Starts the rows of a table of the copy. Its columns must exist in this store.
    pub async fn table(&mut self, table: &Table) -> Result<()> {
        self.flush().await?;
        let kinds = match &self.inner {
            RestoreInner::Sqlite(conn) => {
                let have: Vec<String> = conn
                    .prepare(&format!(
                        "SELECT name FROM pragma_table_info('{}')",
                        table.name.replace('\'', "")
                    ))?
                    .query_map([], |r| r.get(0))?
                    .collect::<std::result::Result<_, _>>()?;
                check_columns(table, &have)?;
                table.columns.iter().map(|_| String::new()).collect()
            }
            RestoreInner::Closed => return Err(closed()),
            RestoreInner::Pg { types, .. } => {
                let cols = types.get(&table.name).ok_or_else(|| {
                    StoreError::Decode(format!("本数据库没有备份中的表 {}", table.name))
                })?;
                let have: Vec<String> = cols.iter().map(|(c, _)| c.clone()).collect();
                check_columns(table, &have)?;
                table
                    .columns
                    .iter()
                    .map(|c| {
                        cols.iter()
                            .find(|(n, _)| n == c)
                            .map(|(_, t)| t.clone())
                            .unwrap_or_default()
                    })
                    .collect()
            }
        };
        self.table = Some((table.clone(), kinds));
        Ok(())
    }

    pub async fn row(&mut self, values: Vec<Value>) -> Result<()> {
        let Some((table, _)) = &self.table else {
            return Err(StoreError::Decode("备份中的行不属于任何表".into()));
        };
        if values.len() != table.columns.len() {
            return Err(StoreError::Decode(format!(
                "表 {} 的一行有 {} 个值，应为 {} 个",
                table.name,
                values.len(),
                table.columns.len()
            )));
        }
        self.batch.push(values);
        if self.batch.len() >= BATCH {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let Some((table, kinds)) = &self.table else {
            return Ok(());
        };
        let rows = std::mem::take(&mut self.batch);
        let width = table.columns.len();
        let mut sql = format!(
            "INSERT INTO \"{}\" ({}) VALUES ",
            table.name,
            quoted(&table.columns)
        );
        let mut n = 0;
        for (r, _) in rows.iter().enumerate() {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..width {
                n += 1;
                if c > 0 {
                    sql.push_str(", ");
                }
                match &self.inner {
                    RestoreInner::Sqlite(_) => sql.push_str(&format!("?{n}")),
                    RestoreInner::Pg { .. } | RestoreInner::Closed => {
                        sql.push_str(&format!("${n}"))
                    }
                }
            }
            sql.push(')');
        }
        match &mut self.inner {
            RestoreInner::Sqlite(conn) => {
                let params: Vec<rusqlite::types::Value> = rows
                    .into_iter()
                    .flatten()
                    .map(|v| match v {
                        Value::Null => rusqlite::types::Value::Null,
                        Value::Int(n) => rusqlite::types::Value::Integer(n),
                        Value::Real(f) => rusqlite::types::Value::Real(f),
                        Value::Text(t) => rusqlite::types::Value::Text(t),
                        Value::Bytes(b) => rusqlite::types::Value::Blob(b),
                    })
                    .collect();
                conn.execute(&sql, rusqlite::params_from_iter(params))?;
            }
            RestoreInner::Pg { client, .. } => {
                let mut params: Vec<Box<dyn postgres_types::ToSql + Sync + Send>> =
                    Vec::with_capacity(rows.len() * width);
                for row in rows {
                    for (v, kind) in row.into_iter().zip(kinds) {
                        params.push(pg_param(v, kind, &table.name)?);
                    }
                }
                let refs: Vec<&(dyn postgres_types::ToSql + Sync)> = params
                    .iter()
                    .map(|p| p.as_ref() as &(dyn postgres_types::ToSql + Sync))
                    .collect();
                client.execute(&sql, &refs).await?;
            }
            RestoreInner::Closed => return Err(closed()),
        }
        Ok(())
    }

    /// Commits every row at once. On PostgreSQL each identity column then continues after
    /// the largest id restored, so the next insert does not collide.
    pub async fn commit(mut self) -> Result<()> {
        self.flush().await?;
        match std::mem::replace(&mut self.inner, RestoreInner::Closed) {
            RestoreInner::Closed => return Err(closed()),
            RestoreInner::Sqlite(conn) => {
                conn.execute_batch("COMMIT")?;
            }
            RestoreInner::Pg { client, types } => {
                for (table, cols) in &types {
                    if cols.iter().any(|(c, _)| c == "id") {
                        client
                            .execute(
                                &format!(
                                    "SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), \
                                     COALESCE((SELECT MAX(id) FROM \"{table}\"), 0) + 1, false) \
                                     WHERE pg_get_serial_sequence('\"{table}\"', 'id') IS NOT NULL"
                                ),
                                &[],
                            )
                            .await?;
                    }
                }
                client.batch_execute("COMMIT").await?;
            }
        }
        Ok(())
    }
}

impl Drop for Restore {
    fn drop(&mut self) {
        // Not committed: roll back, so a failed restore leaves the store empty.
        match std::mem::replace(&mut self.inner, RestoreInner::Closed) {
            RestoreInner::Sqlite(conn) => {
                if !conn.is_autocommit() {
                    let _ = conn.execute_batch("ROLLBACK");
                }
            }
            RestoreInner::Pg { client, .. } => crate::db::pg::rollback_on_drop(*client),
            RestoreInner::Closed => {}
        }
    }
}

fn closed() -> StoreError {
    StoreError::Pool("恢复已结束".into())
}

fn check_columns(table: &Table, have: &[String]) -> Result<()> {
    if let Some(missing) = table.columns.iter().find(|c| !have.contains(c)) {
        return Err(StoreError::Decode(format!(
            "备份中表 {} 的列 {missing} 在本数据库中不存在：请用与备份相同或更新版本的 zhijia 恢复",
            table.name
        )));
    }
    Ok(())
}

fn pg_param(
    v: Value,
    kind: &str,
    table: &str,
) -> Result<Box<dyn postgres_types::ToSql + Sync + Send>> {
    let bad = |v: &Value| StoreError::Decode(format!("表 {table} 中的值 {v:?} 不能写入 {kind} 列"));
    Ok(match (kind, v) {
        ("bigint", Value::Null) => Box::new(None::<i64>),
        ("bigint", Value::Int(n)) => Box::new(n),
        ("integer", Value::Null) => Box::new(None::<i32>),
        ("integer", Value::Int(n)) => Box::new(i32::try_from(n).map_err(|_| bad(&Value::Int(n)))?),
        ("smallint", Value::Null) => Box::new(None::<i16>),
        ("smallint", Value::Int(n)) => Box::new(i16::try_from(n).map_err(|_| bad(&Value::Int(n)))?),
        ("boolean", Value::Null) => Box::new(None::<bool>),
        ("boolean", Value::Int(n)) => Box::new(n != 0),
        ("double precision" | "real", Value::Null) => Box::new(None::<f64>),
        ("double precision" | "real", Value::Real(f)) => Box::new(f),
        #[allow(clippy::cast_precision_loss)]
        ("double precision" | "real", Value::Int(n)) => Box::new(n as f64),
        ("text" | "character varying", Value::Null) => Box::new(None::<String>),
        ("text" | "character varying", Value::Text(t)) => Box::new(t),
        ("text" | "character varying", Value::Int(n)) => Box::new(n.to_string()),
        ("bytea", Value::Null) => Box::new(None::<Vec<u8>>),
        ("bytea", Value::Bytes(b)) => Box::new(b),
        ("date", Value::Null) => Box::new(None::<NaiveDate>),
        ("date", Value::Text(t)) => {
            Box::new(NaiveDate::parse_from_str(&t, "%F").map_err(|_| bad(&Value::Text(t.clone())))?)
        }
        ("timestamp with time zone", Value::Null) => Box::new(None::<DateTime<Utc>>),
        ("timestamp with time zone", Value::Text(t)) => {
            Box::new(parse_timestamp(&t).ok_or_else(|| bad(&Value::Text(t.clone())))?)
        }
        (_, v) => return Err(bad(&v)),
    })
}

/// Rows and a SHA-256 of every table's rows in the neutral form, in id order, with timestamps
/// cut to microseconds (what PostgreSQL keeps): two stores with the same data give the same
/// list whatever their backends.
pub async fn checksums(store: &Store) -> Result<Vec<(String, u64, String)>> {
    let mut out: Vec<(String, u64, String)> = Vec::new();
    let mut hasher: Option<Sha256> = None;
    let finish = |out: &mut Vec<(String, u64, String)>, h: &mut Option<Sha256>| {
        if let (Some(last), Some(h)) = (out.last_mut(), h.take()) {
            last.2 = hex::encode(h.finalize());
        }
    };
    snapshot(store, &mut |item| {
        match item {
            Item::Table(t) => {
                finish(&mut out, &mut hasher);
                out.push((t.name.clone(), t.rows, String::new()));
                hasher = Some(Sha256::new());
            }
            Item::Row(values) => {
                if let Some(h) = hasher.as_mut() {
                    for v in values {
                        match v {
                            Value::Null => h.update(b"N;"),
                            Value::Int(n) => h.update(format!("I{n};")),
                            Value::Real(f) => h.update(format!("R{f};")),
                            Value::Text(t) => {
                                let t = parse_timestamp(t)
                                    .filter(|_| {
                                        t.len() >= 25 && t.as_bytes().get(10) == Some(&b' ')
                                    })
                                    .map(|ts| {
                                        let micros = ts.timestamp_subsec_micros();
                                        let cut = ts.with_nanosecond_cut(micros).unwrap_or(ts);
                                        timestamp_text(&cut)
                                    })
                                    .unwrap_or_else(|| t.clone());
                                h.update(format!("T{}:{t};", t.len()));
                            }
                            Value::Bytes(b) => {
                                h.update(format!("B{}:", b.len()));
                                h.update(b);
                            }
                        }
                    }
                    h.update(b"\n");
                }
            }
        }
        Ok(())
    })
    .await?;
    finish(&mut out, &mut hasher);
    Ok(out)
}

trait CutNanos: Sized {
    fn with_nanosecond_cut(&self, micros: u32) -> Option<Self>;
}

impl CutNanos for DateTime<Utc> {
    fn with_nanosecond_cut(&self, micros: u32) -> Option<Self> {
        use chrono::Timelike;
        self.with_nanosecond(micros * 1000)
    }
}
