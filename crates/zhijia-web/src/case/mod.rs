//! Rights protection on the web: the worker's pages to file and follow a case, the handler's
//! console (queue, case page, statistics with charts) and the same as JSON under `/api/v1`.

pub mod api;
pub mod console;
pub mod pages;
pub mod view;
