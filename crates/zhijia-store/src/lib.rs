//! Persistence of zhijia on embedded SQLite and on PostgreSQL.
//!
//! Each query's SQL is written once, as a constant beside the function that runs it, in the
//! dialect both engines accept (`$1` placeholders, `RETURNING`, `ON CONFLICT`). The `db` module
//! runs it on either backend; per-backend code lives only where the engines really differ
//! (connection set-up, migrations, bulk loading).

pub mod activity;
pub mod aid;
pub mod article;
pub mod attachment;
mod audience;
pub mod audit;
pub mod backup;
pub mod benefit;
pub mod case;
pub mod change;
pub mod db;
pub mod deletion;
mod error;
#[cfg(feature = "fixtures")]
pub mod fixtures;
pub mod import;
pub mod job;
pub mod library;
pub mod mall;
pub mod membership;
pub mod migrate;
pub mod model_worker;
pub mod org;
pub mod pending;
pub mod points;
pub mod publishable;
pub mod search;
pub mod session;
pub mod sign_in_delay;
pub mod sms;
pub mod staff;
pub mod unique;
pub mod worker;

pub use change::{Change, Recorded, Unaudited};
pub use db::{Backend, Exec, FromRow, Param, Row, Store, StoreTarget, Tx};
pub use error::StoreError;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// One page of the rows of a subtree: `list` binds the path, its upper bound, the limit and the
/// offset; `count` the path and its upper bound.
pub(crate) async fn subtree_page<T: FromRow>(
    store: &Store,
    list: &str,
    count: &str,
    scope: &zhijia_domain::org::OrgPath,
    limit: i64,
    offset: i64,
) -> Result<Page<T>> {
    let upper = scope.subtree_upper_bound();
    let items = store
        .query(list, &[&scope.as_str(), &upper, &limit, &offset])
        .await?;
    let total = store.query_one(count, &[&scope.as_str(), &upper]).await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// The key range of a subtree's paths, or of the whole tree when `scope` is `None`: every path
/// starts with '/', and '0' follows '/', so ["/", "0") holds them all.
pub(crate) fn scope_bounds(scope: Option<&zhijia_domain::org::OrgPath>) -> (String, String) {
    match scope {
        Some(p) => (p.as_str().to_owned(), p.subtree_upper_bound()),
        None => ("/".to_owned(), "0".to_owned()),
    }
}

/// One page of a list and the total it was cut from.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}
