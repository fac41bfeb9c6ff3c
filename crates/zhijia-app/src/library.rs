//! The workers' library (职工书屋): editors and administrators of a union put books, e-books,
//! audio books and reading guides on its shelf and publish them; anyone reads what is published,
//! without signing in. Every staff write is audited.

use crate::benefit::may_edit;
use crate::caller::StaffCtx;
use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::audit::action;
use zhijia_domain::library::{self as rules, Kind};
use zhijia_domain::org::OrgId;
use zhijia_domain::publishing::PublishStatus;
use zhijia_store::audit::{self, Record};
use zhijia_store::library::{self as store, Fields, Item};
use zhijia_store::org::{self as org_store, Org};
use zhijia_store::{Page, Recorded, Store};

const NO_ROLE: &str = "您没有管理职工书屋的权限(需要宣传文体干事或工会管理员角色)";
const OUTSIDE: &str = "只能管理本级及下级工会的职工书屋";

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

impl LibraryInput {
    fn to_domain(&self) -> rules::LibraryInput {
        rules::LibraryInput {
            kind: self.kind.clone(),
            title: self.title.clone(),
            author: self.author.clone(),
            summary: self.summary.clone(),
            body: self.body.clone(),
            link: self.link.clone(),
            place: self.place.clone(),
        }
    }
}

/// A published item as anyone may read it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PublicItem {
    pub id: i64,
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

impl From<Item> for PublicItem {
    fn from(i: Item) -> Self {
        PublicItem {
            id: i.id,
            org_name: i.org_name,
            kind_label: kind_label(&i.kind).to_owned(),
            kind: i.kind,
            title: i.title,
            author: i.author,
            summary: i.summary,
            body: i.body,
            link: i.link,
            place: i.place,
            published_at: i.published_at,
        }
    }
}

/// The Chinese name of a stored kind.
pub fn kind_label(kind: &str) -> &'static str {
    Kind::parse(kind).map_or("", Kind::label)
}

async fn editable_org(db: &Store, staff: &StaffCtx<'_>, org: Option<i64>) -> Result<Org> {
    crate::caller::branch(db, staff, org, |p| may_edit(staff, p), NO_ROLE, OUTSIDE).await
}

/// An item the caller may manage; another branch's item does not exist for them (404).
async fn editable(db: &Store, staff: &StaffCtx<'_>, id: i64) -> Result<Item> {
    store::get(db, id)
        .await?
        .filter(|i| may_edit(staff, &i.org_path))
        .ok_or(AppError::NotFound("书目"))
}

fn status_of(i: &Item) -> Result<PublishStatus> {
    PublishStatus::parse(&i.status).ok_or_else(|| AppError::decode("书目状态", &i.status))
}

async fn log(
    tx: &mut zhijia_store::Tx,
    staff: &StaffCtx<'_>,
    what: &str,
    org: OrgId,
    id: i64,
    title: &str,
) -> Result<Recorded> {
    Ok(audit::append(
        tx,
        staff.actor,
        Record {
            action: what,
            org: Some(org),
            target_kind: Some("library_item"),
            target_id: Some(id.to_string()),
            detail: Some(title.to_owned()),
        },
    )
    .await?)
}

/// Puts an item on a union's shelf as a draft.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(
    db: &Store,
    staff: &StaffCtx<'_>,
    input: &LibraryInput,
    now: DateTime<Utc>,
) -> Result<i64> {
    let c = input.to_domain().validate()?;
    let org = editable_org(db, staff, input.org).await?;
    let mut tx = db.change().await?;
    let id = store::insert(&mut tx, org.id, &fields(&c), staff.staff_id(), now).await?;
    let recorded = log(
        &mut tx,
        staff,
        action::LIBRARY_CREATED,
        org.id,
        id,
        &c.title,
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(id)
}

fn fields(c: &rules::CheckedItem) -> Fields<'_> {
    Fields {
        kind: c.kind.as_str(),
        title: &c.title,
        author: &c.author,
        summary: &c.summary,
        body: &c.body,
        link: c.link.as_deref(),
        place: c.place.as_deref(),
    }
}

/// Edits an item (its union and status stay).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update(
    db: &Store,
    staff: &StaffCtx<'_>,
    id: i64,
    input: &LibraryInput,
) -> Result<Item> {
    let i = editable(db, staff, id).await?;
    let c = input.to_domain().validate()?;
    let mut tx = db.change().await?;
    if !store::update(&mut tx, id, &fields(&c)).await? {
        return Err(AppError::NotFound("书目"));
    }
    let recorded = log(
        &mut tx,
        staff,
        action::LIBRARY_UPDATED,
        i.org_id,
        id,
        &c.title,
    )
    .await?;
    tx.commit(recorded).await?;
    store::get(db, id).await?.ok_or(AppError::NotFound("书目"))
}

/// Publishes a draft (or a withdrawn item again).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn publish(
    db: &Store,
    staff: &StaffCtx<'_>,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Item> {
    let i = editable(db, staff, id).await?;
    if !status_of(&i)?.may_publish() {
        return Err(AppError::Conflict("该书目已经发布".into()));
    }
    let mut tx = db.change().await?;
    if !store::publish(&mut tx, id, now).await? {
        return Err(AppError::Conflict("该书目已经发布".into()));
    }
    let recorded = log(
        &mut tx,
        staff,
        action::LIBRARY_PUBLISHED,
        i.org_id,
        id,
        &i.title,
    )
    .await?;
    tx.commit(recorded).await?;
    store::get(db, id).await?.ok_or(AppError::NotFound("书目"))
}

/// Takes a published item off the shelf.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn withdraw(db: &Store, staff: &StaffCtx<'_>, id: i64) -> Result<Item> {
    let i = editable(db, staff, id).await?;
    let mut tx = db.change().await?;
    if !store::withdraw(&mut tx, id).await? {
        return Err(AppError::Conflict("只有已发布的书目可以撤回".into()));
    }
    let recorded = log(
        &mut tx,
        staff,
        action::LIBRARY_WITHDRAWN,
        i.org_id,
        id,
        &i.title,
    )
    .await?;
    tx.commit(recorded).await?;
    store::get(db, id).await?.ok_or(AppError::NotFound("书目"))
}

/// One item, for the staff who manage it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn get(db: &Store, staff: &StaffCtx<'_>, id: i64) -> Result<Item> {
    editable(db, staff, id).await
}

/// The items of a union's subtree in every status, newest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(
    db: &Store,
    staff: &StaffCtx<'_>,
    org: Option<i64>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<(Org, Page<Item>)> {
    let org = editable_org(db, staff, org).await?;
    let (limit, offset) = crate::page_bounds(limit, offset, 30);
    let page = store::of_subtree(db, &org.path, limit, offset).await?;
    Ok((org, page))
}

/// The shelf: published items of the whole tree or of a union's subtree, of one kind or all,
/// latest published first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn shelf(
    db: &Store,
    org: Option<i64>,
    kind: Option<&str>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<Page<PublicItem>> {
    let kind = match kind.map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => Kind::parse(k)
            .ok_or_else(|| AppError::invalid("kind", "类别应为 book、ebook、audiobook 或 reading"))?
            .as_str(),
        None => "",
    };
    let scope = match org {
        Some(id) => Some(
            org_store::get(db, OrgId(id))
                .await?
                .ok_or(AppError::NotFound("工会"))?
                .path,
        ),
        None => None,
    };
    let (limit, offset) = crate::page_bounds(limit, offset, 20);
    let page = store::published(db, scope.as_ref(), kind, limit, offset).await?;
    Ok(Page {
        items: page.items.into_iter().map(PublicItem::from).collect(),
        total: page.total,
        offset: page.offset,
        limit: page.limit,
    })
}

/// One published item; drafts and withdrawn items do not exist for the public (404).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn public(db: &Store, id: i64) -> Result<PublicItem> {
    store::get(db, id)
        .await?
        .filter(|i| i.status == PublishStatus::Published.as_str())
        .map(PublicItem::from)
        .ok_or(AppError::NotFound("书目"))
}
