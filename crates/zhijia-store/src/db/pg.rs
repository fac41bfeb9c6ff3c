//! PostgreSQL through a deadpool of tokio-postgres connections.

use super::{FromRow, Params, Row};
use crate::{Result, StoreError};
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use postgres_types::ToSql;
use std::str::FromStr;
use tokio_postgres::NoTls;

#[derive(Clone)]
pub struct PgDb {
    pool: Pool,
}

impl PgDb {
    pub async fn open(url: &str) -> Result<Self> {
        let split = super::pg_tls::split(url)?;
        let mut config = tokio_postgres::Config::from_str(&split.url)
            .map_err(|e| StoreError::Open(format!("PostgreSQL 地址格式不正确：{e}")))?;
        // A query that hangs is stopped by the server; requests are not timed in the web layer
        // (docs/architecture.md). An operator's own `options=` in the URL wins.
        if config.get_options().is_none() {
            config.options("-c statement_timeout=30s");
        }
        let manager_config = || ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let manager = match split.tls {
            Some(tls) => Manager::from_config(config, tls, manager_config()),
            None => Manager::from_config(config, NoTls, manager_config()),
        };
        let size = std::thread::available_parallelism().map_or(4, |n| n.get()) * 4;
        let pool = Pool::builder(manager)
            .max_size(size.max(8))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(std::time::Duration::from_secs(30)))
            .create_timeout(Some(std::time::Duration::from_secs(10)))
            .build()
            .map_err(|e| StoreError::Pool(e.to_string()))?;
        let db = PgDb { pool };
        // Fail at start-up, with the reason, rather than at the first request.
        let _ready = db
            .get()
            .await
            .map_err(|e| StoreError::Open(format!("无法连接 PostgreSQL：{}", with_causes(&e))))?;
        Ok(db)
    }

    pub async fn get(&self) -> Result<Object> {
        self.pool.get().await.map_err(|e| match e {
            deadpool_postgres::PoolError::Backend(e) => StoreError::Postgres(e),
            other => StoreError::Pool(other.to_string()),
        })
    }

    pub async fn begin(&self) -> Result<Object> {
        let client = self.get().await?;
        client
            .batch_execute("BEGIN")
            .await
            .map_err(StoreError::from_pg)?;
        Ok(client)
    }
}

/// An error with the errors that caused it: "error performing TLS handshake: invalid peer
/// certificate: UnknownIssuer" tells an operator what to fix; the first part alone does not.
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text = format!("{text}: {more}");
        }
        source = cause.source();
    }
    text
}

fn pg_params<'a>(params: Params<'a>) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|p| *p as &(dyn ToSql + Sync)).collect()
}

pub(crate) async fn query<T: FromRow>(c: &Object, sql: &str, params: Params<'_>) -> Result<Vec<T>> {
    let stmt = c.prepare_cached(sql).await.map_err(StoreError::from_pg)?;
    let rows = c
        .query(&stmt, &pg_params(params))
        .await
        .map_err(StoreError::from_pg)?;
    rows.iter().map(|r| T::from_row(&Row::Pg(r))).collect()
}

pub(crate) async fn query_opt<T: FromRow>(
    c: &Object,
    sql: &str,
    params: Params<'_>,
) -> Result<Option<T>> {
    let stmt = c.prepare_cached(sql).await.map_err(StoreError::from_pg)?;
    let row = c
        .query_opt(&stmt, &pg_params(params))
        .await
        .map_err(StoreError::from_pg)?;
    row.as_ref().map(|r| T::from_row(&Row::Pg(r))).transpose()
}

pub(crate) async fn execute(c: &Object, sql: &str, params: Params<'_>) -> Result<u64> {
    let stmt = c.prepare_cached(sql).await.map_err(StoreError::from_pg)?;
    c.execute(&stmt, &pg_params(params))
        .await
        .map_err(StoreError::from_pg)
}

/// A transaction dropped without commit (an error or a cancelled request): roll it back before
/// the connection goes back to the pool. Drop cannot wait, so the rollback runs as a task; with no
/// runtime left, the connection is detached from the pool and closed, which also rolls back.
pub(crate) fn rollback_on_drop(client: Object) {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => {
            handle.spawn(async move {
                if let Err(e) = client.batch_execute("ROLLBACK").await {
                    tracing::warn!(error = %e, "PostgreSQL rollback failed; closing the connection");
                    drop(Object::take(client));
                }
            });
        }
        Err(_) => drop(Object::take(client)),
    }
}
