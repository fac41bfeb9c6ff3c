//! Membership on the web: the worker's join form, card and membership page; the card check used
//! by merchants and organisers; the staff review queue, transfers and roster. `api.rs` is the
//! same, as JSON.

pub mod api;
pub mod console;
pub mod pages;
pub mod view;
pub(crate) mod xlsx;
