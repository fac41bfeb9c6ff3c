//! New media (资讯): channels, articles, notices, comments. See docs/news.md.

pub mod comment;
pub mod export;
pub mod feed;
