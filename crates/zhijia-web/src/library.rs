//! The workers' library (职工书屋) on the web, a publishable kind: the public shelf at
//! `/library` (pages and API, no sign-in) and the union's items in the console and under
//! `/api/v1/console/library`. What is its own: its form, its facet (the kind) and templates.

use crate::filters;
use crate::pages::render;
use crate::publishable::{
    ConsoleList, ConsoleRecord, Pages, PublicList, Typed, page_template, value,
};
use askama::Template;
use axum::response::Response;
use zhijia_app::library::{Library, LibraryInput, PublicItem};
use zhijia_domain::library::Kind;
use zhijia_domain::publishing::split_paragraphs;
use zhijia_store::library::{Item, LibraryItem};

page_template!(ListPage, "library/console_list.html", ConsoleList<Item>);
page_template!(
    RecordPage,
    "library/console_record.html",
    ConsoleRecord<Item>
);
page_template!(ShelfPage, "library/shelf.html", PublicList<PublicItem>);

impl ListPage {
    fn kinds(&self) -> &'static [Kind] {
        Kind::ALL
    }
}

impl RecordPage {
    fn kinds(&self) -> &'static [Kind] {
        Kind::ALL
    }
}

#[derive(Template)]
#[template(path = "library/item.html")]
struct ItemPage {
    i: PublicItem,
    paragraphs: Vec<String>,
}

/// An item's own fields as the staff API shows them.
#[derive(Debug, serde::Serialize)]
pub struct ItemView {
    pub kind: Kind,
    pub title: String,
    pub author: String,
    pub summary: String,
    pub body: String,
    pub link: Option<String>,
    pub place: Option<String>,
}

impl From<&Item> for ItemView {
    fn from(i: &Item) -> Self {
        ItemView {
            kind: i.kind,
            title: i.title.clone(),
            author: i.author.clone(),
            summary: i.summary.clone(),
            body: i.body.clone(),
            link: i.link.clone(),
            place: i.place.clone(),
        }
    }
}

impl Pages for Library {
    type ContentView = ItemView;
    const PATH: &'static str = "/library";
    const SECTION: &'static str = "职工书屋";
    const NOUN: &'static str = "书目";
    const FACET: &'static str = "kind";

    fn facets() -> Vec<(&'static str, &'static str)> {
        Kind::ALL.iter().map(|k| (k.as_str(), k.label())).collect()
    }

    fn input_of(f: &Typed) -> LibraryInput {
        let get = |k: &str| value(f, k).to_owned();
        LibraryInput {
            org: get("org").trim().parse().ok(),
            kind: get("kind"),
            title: get("title"),
            author: get("author"),
            summary: get("summary"),
            body: get("body"),
            link: Some(get("link")),
            place: Some(get("place")),
        }
    }

    fn typed_of(r: &LibraryItem) -> Typed {
        let i = &r.content;
        Typed::from([
            ("kind".into(), i.kind.as_str().into()),
            ("title".into(), i.title.clone()),
            ("author".into(), i.author.clone()),
            ("summary".into(), i.summary.clone()),
            ("body".into(), i.body.clone()),
            ("link".into(), i.link.clone().unwrap_or_default()),
            ("place".into(), i.place.clone().unwrap_or_default()),
        ])
    }

    fn console_list(page: ConsoleList<Item>) -> Response {
        render(&ListPage(page))
    }

    fn console_record(page: ConsoleRecord<Item>) -> Response {
        render(&RecordPage(page))
    }

    fn public_list(page: PublicList<PublicItem>) -> Response {
        render(&ShelfPage(page))
    }

    fn public_item(i: PublicItem) -> Response {
        render(&ItemPage {
            paragraphs: split_paragraphs(&i.body),
            i,
        })
    }
}
