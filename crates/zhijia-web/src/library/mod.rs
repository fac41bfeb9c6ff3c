//! The workers' library (职工书屋) on the web: the public shelf (pages and API, no sign-in), and
//! the union's items (console and staff API under `/api/v1/console/library`).

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
