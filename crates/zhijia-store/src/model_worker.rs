//! Model workers (劳模) recorded by unions. See migrations/sqlite/0010_culture.sql.

use crate::Result;
use crate::db::Store;

/// Whether a worker holds a recorded model-worker honour (the member tag `model_worker`),
/// published or not: the honour is a fact of the record, the showcase only shows it.
pub async fn is_honoured(store: &Store, worker_id: i64) -> Result<bool> {
    let n: i64 = store
        .query_one(
            "SELECT COUNT(*) FROM model_worker WHERE worker_id = $1 AND status <> 'withdrawn'",
            &[&worker_id],
        )
        .await?;
    Ok(n > 0)
}
