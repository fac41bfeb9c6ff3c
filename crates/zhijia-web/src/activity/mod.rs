//! Activities and points on the web: the JSON API (`api.rs`), the staff console (`console.rs`)
//! and the worker's pages (`worker.rs`). Scope and roles are decided by the use cases.

pub mod api;
pub mod console;
pub mod view;
pub mod worker;
