//! New media (资讯) on the web: the JSON API (`api`), the worker's pages (`pages`: the feed,
//! an article, a channel, the knowledge base), the console (`console`: the branch's articles,
//! the write form, the review queue, the channel settings) and what the API answers (`view`).
//! Handlers call the use cases of `zhijia_app::article` and `zhijia_app::publishable`.

pub mod api;
pub mod channel_console;
pub mod comment;
pub mod console;
pub mod export;
pub mod feed;
pub mod form;
pub mod pages;
pub mod view;

use crate::AppState;
use axum::Router;

/// Every route of the area.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(api::routes())
        .merge(pages::routes())
        .merge(console::routes())
        .merge(channel_console::routes())
}
