//! Persistence of zhijia on embedded SQLite and on PostgreSQL.
//!
//! Each query's SQL is written once, as a constant beside the function that runs it, in the
//! dialect both engines accept (`$1` placeholders, `RETURNING`, `ON CONFLICT`). The `db` module
//! runs it on either backend; per-backend code lives only where the engines really differ
//! (connection set-up, migrations, bulk loading).

pub mod activity;
pub mod aid;
pub mod attachment;
pub mod audit;
pub mod benefit;
pub mod case;
pub mod db;
pub mod deletion;
mod error;
pub mod import;
pub mod job;
pub mod mall;
pub mod membership;
pub mod migrate;
pub mod org;
pub mod points;
pub mod session;
pub mod sms;
pub mod staff;
pub mod worker;

pub use db::{Backend, FromRow, Param, Row, Store, StoreTarget, Tx};
pub use error::StoreError;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// One page of a list and the total it was cut from.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}
