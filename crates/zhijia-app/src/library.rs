//! The workers' library (职工书屋): editors and administrators of a union put books, e-books,
//! audio books and reading guides on its shelf and publish them; anyone reads what is published,
//! without signing in. A kind of publishable record: the use cases are
//! `publishable::{create, update, publish, withdraw, get, list, published, public}::<Library>`.

use crate::caller::StaffCtx;
use crate::publishable::{Actions, Spec, Words};
use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::audit::action;
use zhijia_domain::ids::PublishableId;
use zhijia_domain::library::{self as rules, Kind};
use zhijia_store::Store;
use zhijia_store::library::{Item, LibraryItem};

/// An item as typed by staff.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct LibraryInput {
    /// The union whose shelf it is on; the caller's first union by default. Not changed by an
    /// edit.
    pub org: Option<i64>,
    /// `book` (纸质图书), `ebook` (电子书), `audiobook` (有声书) or `reading` (导读书评).
    pub kind: String,
    /// At most 60 characters.
    pub title: String,
    /// At most 40 characters.
    pub author: String,
    /// At most 200 characters.
    pub summary: String,
    /// Plain text (line breaks make paragraphs), at most 10,000 characters; required for a
    /// reading guide.
    pub body: String,
    /// An `https://` address; required for e-books and audio books.
    pub link: Option<String>,
    /// Where to borrow the paper copy, e.g. "XX街道职工书屋(二楼)"; required for a book.
    pub place: Option<String>,
}

/// A published item as anyone may read it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PublicItem {
    #[schema(value_type = i64)]
    pub id: PublishableId,
    /// The union whose shelf it is on.
    pub org_name: String,
    /// `book`, `ebook`, `audiobook` or `reading`.
    pub kind: String,
    /// 纸质图书, 电子书, 有声书, 导读书评.
    pub kind_label: String,
    pub title: String,
    pub author: String,
    pub summary: String,
    pub body: String,
    pub link: Option<String>,
    pub place: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
}

impl From<LibraryItem> for PublicItem {
    fn from(r: LibraryItem) -> Self {
        let i = r.content;
        PublicItem {
            id: r.id,
            org_name: r.org_name,
            kind: i.kind.as_str().to_owned(),
            kind_label: i.kind.label().to_owned(),
            title: i.title,
            author: i.author,
            summary: i.summary,
            body: i.body,
            link: i.link,
            place: i.place,
            published_at: r.published_at,
        }
    }
}

/// The library as a kind of publishable record.
pub struct Library;

impl Spec for Library {
    type Content = Item;
    type Input = LibraryInput;
    type Public = PublicItem;

    const WORDS: Words = Words {
        what: "书目",
        no_role: "您没有管理职工书屋的权限(需要宣传文体干事或工会管理员角色)",
        outside: "只能管理本级及下级工会的职工书屋",
        already_published: "该书目已经发布",
        publish_raced: "该书目已经发布",
        not_published: "只有已发布的书目可以撤回",
        edit_refused: "该书目刚被他人修改，请刷新后重试",
    };
    const ACTIONS: Actions = Actions {
        created: action::LIBRARY_CREATED,
        updated: action::LIBRARY_UPDATED,
        published: action::LIBRARY_PUBLISHED,
        withdrawn: action::LIBRARY_WITHDRAWN,
    };

    fn org(input: &LibraryInput) -> Option<i64> {
        input.org
    }

    async fn check(
        _db: &Store,
        _staff: &StaffCtx<'_>,
        input: &LibraryInput,
        _was: Option<&LibraryItem>,
        _now: DateTime<Utc>,
    ) -> Result<Item> {
        Ok(rules::LibraryInput {
            kind: input.kind.clone(),
            title: input.title.clone(),
            author: input.author.clone(),
            summary: input.summary.clone(),
            body: input.body.clone(),
            link: input.link.clone(),
            place: input.place.clone(),
        }
        .validate()?)
    }

    fn title(item: &Item) -> String {
        item.title.clone()
    }

    fn facet(typed: &str) -> Result<&'static str> {
        Kind::parse(typed)
            .map(Kind::as_str)
            .ok_or_else(|| AppError::invalid("kind", "类别应为 book、ebook、audiobook 或 reading"))
    }
}
