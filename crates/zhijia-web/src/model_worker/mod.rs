//! Model workers (劳模风采) on the web: the public showcase (pages and API, no sign-in), and the
//! union's records (console and staff API under `/api/v1/console/model-workers`).

pub mod api;
pub mod console;
pub mod pages;

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(api::routes())
        .merge(pages::routes())
        .merge(console::routes())
}
