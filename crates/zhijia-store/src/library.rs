//! The workers' library (职工书屋): items a union puts on its shelf, a kind of publishable
//! record (see `publishable`). See migrations/sqlite/0010_culture.sql (table `library_item`).

use crate::Result;
use crate::db::{Param, Row};
use crate::publishable::{Content, Record};
use zhijia_domain::library::Kind;

/// An item's own columns: the item as checked.
pub use zhijia_domain::library::CheckedItem as Item;

/// An item with its union and status.
pub type LibraryItem = Record<Item>;

impl Content for Item {
    type Id = zhijia_domain::ids::PublishableId;
    const TABLE: &'static str = "library_item";
    const COLUMNS: &'static str = "r.kind, r.title, r.author, r.summary, r.body, r.link, r.place";
    const JOINS: &'static str = "";
    const WRITES: &'static [&'static str] = &[
        "kind", "title", "author", "summary", "body", "link", "place",
    ];
    const FACET: &'static str = "r.kind";
    const UPDATE_IF: &'static str = "";
    const PUBLISH_IF: &'static str = "";

    fn decode(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Item {
            kind: row.parsed("kind", Kind::parse)?,
            title: row.get("title")?,
            author: row.get("author")?,
            summary: row.get("summary")?,
            body: row.get("body")?,
            link: row.get("link")?,
            place: row.get("place")?,
        })
    }

    fn values(&self) -> Vec<Box<dyn Param + Sync + Send + '_>> {
        vec![
            Box::new(self.kind.stored()),
            Box::new(&self.title),
            Box::new(&self.author),
            Box::new(&self.summary),
            Box::new(&self.body),
            Box::new(&self.link),
            Box::new(&self.place),
        ]
    }
}
