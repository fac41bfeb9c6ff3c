//! Writing a backup's rows back into an empty store, in one transaction.

use super::{Table, Value, parse_timestamp, pg_tables, quoted};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

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
