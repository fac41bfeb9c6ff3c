//! Publishable records on the web, written once for every kind (the library, the model-worker
//! showcase; next the articles and courses): the JSON API (`api`), the console pages
//! (`console`) and the public pages (`pages`). A kind gives its paths, its form and its
//! templates through [`Pages`]; the templates extend `publishable/*.html`.

pub mod api;
pub mod console;
pub mod pages;
pub mod view;

use crate::AppState;
use crate::pages::{Pager, UserBar};
use axum::Router;
use axum::response::Response;
use std::collections::HashMap;
use zhijia_app::publishable::Spec;
use zhijia_store::publishable::{Content, Record};

/// What a form typed, to refill it.
pub type Typed = HashMap<String, String>;

/// A typed value, or "".
pub fn value<'a>(typed: &'a Typed, k: &str) -> &'a str {
    typed.get(k).map_or("", String::as_str)
}

/// A kind of publishable record on the web.
pub trait Pages:
    Spec<Input: serde::de::DeserializeOwned + utoipa::ToSchema, Public: utoipa::ToSchema>
{
    /// The kind's own fields as the staff API shows them (beside the record's frame).
    type ContentView: serde::Serialize + for<'a> From<&'a Self::Content>;

    /// The public pages, e.g. `/library`; the JSON API is under `/api/v1` + this, the console
    /// under `/console` + this and `/api/v1/console` + this.
    const PATH: &'static str;
    /// The section's name on pages and in the API document, e.g. 职工书屋.
    const SECTION: &'static str;
    /// What one record is called in the API document, e.g. 书目.
    const NOUN: &'static str;
    /// The query parameter that narrows the public list (`kind`, `level`), and its values
    /// with their labels.
    const FACET: &'static str;
    fn facets() -> Vec<(&'static str, &'static str)>;

    /// The input of a create or edit form.
    fn input_of(typed: &Typed) -> Self::Input;
    /// The edit form's fields as the record holds them.
    fn typed_of(record: &Record<Self::Content>) -> Typed;

    fn console_list(page: ConsoleList<Self::Content>) -> Response;
    fn console_record(page: ConsoleRecord<Self::Content>) -> Response;
    fn public_list(page: PublicList<Self::Public>) -> Response;
    fn public_item(item: Self::Public) -> Response;
}

/// The console list of a branch, with the form to add one.
pub struct ConsoleList<C: Content> {
    pub section: &'static str,
    pub noun: &'static str,
    pub path: &'static str,
    pub user: UserBar,
    pub org_id: zhijia_domain::ids::OrgId,
    pub org_name: String,
    pub items: Vec<Record<C>>,
    pub pager: Pager,
    pub error: Option<String>,
    pub typed: Typed,
}

impl<C: Content> ConsoleList<C> {
    pub fn v(&self, k: &str) -> &str {
        value(&self.typed, k)
    }
}

/// One record in the console, with its edit form and the publish / withdraw buttons.
pub struct ConsoleRecord<C: Content> {
    pub section: &'static str,
    pub path: &'static str,
    /// The record's name in the title and heading.
    pub name: String,
    pub user: UserBar,
    pub r: Record<C>,
    pub error: Option<String>,
    pub typed: Typed,
}

impl<C: Content> ConsoleRecord<C> {
    pub fn v(&self, k: &str) -> &str {
        value(&self.typed, k)
    }
}

/// A filter link of a public list.
pub struct Filter {
    pub label: &'static str,
    pub href: String,
    pub on: bool,
}

/// The public list.
pub struct PublicList<P> {
    pub items: Vec<P>,
    pub filters: Vec<Filter>,
    pub pager: Pager,
}

/// A kind's template over one of the pages above: the template reads the page's fields and
/// methods as its own.
macro_rules! page_template {
    ($name:ident, $path:literal, $page:ty) => {
        #[derive(askama::Template)]
        #[template(path = $path)]
        struct $name($page);

        impl std::ops::Deref for $name {
            type Target = $page;
            fn deref(&self) -> &$page {
                &self.0
            }
        }
    };
}
pub(crate) use page_template;

/// Every route of a kind: the JSON API, the console and the public pages.
pub fn routes<S: Pages>() -> Router<AppState> {
    Router::new()
        .merge(api::routes::<S>())
        .merge(console::routes::<S>())
        .merge(pages::routes::<S>())
}
