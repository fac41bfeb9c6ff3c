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

mod checksum;
mod restore;

pub use checksum::checksums;
pub use restore::Restore;

use crate::db::sqlite::SqliteDb;
use crate::{Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::StreamExt;
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

/// Bookkeeping tables that a store makes for itself and a copy never carries. The search
/// outbox is one: the records it points at are in the copy, and its rows are written again (by
/// trigger) as they are restored.
fn own_table(name: &str) -> bool {
    name == "schema_migration"
        || name == "search_change"
        || name == "search_pruned"
        || name.starts_with("sqlite_")
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
