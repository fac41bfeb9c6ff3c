//! Comments (留言) on the web: the list and form under an article (`pages`, a partial the
//! article page includes), the console's moderation queue (`console`), the JSON API (`api`)
//! and what it answers (`view`). Who may do what is decided by `zhijia_app::article::comment`.

pub mod api;
pub mod console;
pub mod pages;
pub mod view;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(api::routes())
        .merge(console::routes())
        .merge(pages::routes())
}
