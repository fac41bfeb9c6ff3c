//! New media (资讯) on the web: channels, articles, notices, comments. See docs/news.md.

pub mod comment;
pub mod export;
pub mod feed;
