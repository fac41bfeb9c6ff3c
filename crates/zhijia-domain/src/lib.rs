//! Pure types and rules of zhijia. Nothing here does I/O, so every rule can be unit-tested and
//! fuzzed on its own, and the store and the web layers only move already-validated values.

#[macro_use]
mod macros;

pub mod activity;
pub mod aid;
pub mod article;
pub mod attachment;
pub mod audit;
pub mod auth;
pub mod benefit;
pub mod calendar;
pub mod card;
pub mod case;
pub mod codes;
pub mod credit_code;
pub mod deletion;
pub mod error;
pub mod id_number;
pub mod ids;
pub mod industry;
pub mod library;
pub mod member;
pub mod model_worker;
pub mod org;
pub mod pii;
pub mod points;
pub mod publishing;
pub mod region;
pub mod search;
pub mod text;
pub mod worker;

pub use error::ValidationError;
