//! Records a union publishes to everyone: the items of the workers' library, the model-worker
//! showcase, and next the articles and courses. Every kind is a table with the same frame
//! (`id`, `org_id`, `status` draft → published → withdrawn, `created_by`, `created_at`,
//! `published_at`) and columns of its own; the statements are written here once and each kind
//! names its table and columns through [`Content`].
//!
//! Kinds a second person must approve (articles) add the review step: their table also has
//! `edited_by`, `reviewed_by`, `review_note` and `publish_at`, and they move with [`submit`],
//! [`approve`] (four eyes and scheduling checked in the statement) and [`send_back`] instead of
//! [`publish`].
//!
//! A record belongs to the union that made it (its `org_id` never changes); status changes are
//! conditional `UPDATE`s, so of two racing clicks one does the change and the other is told.

use crate::db::{FromRow, Param, Row, Store, Tx};
use crate::{Exec, Page, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::ids::{RecordId, StaffId};
use zhijia_domain::org::{OrgId, OrgPath};
use zhijia_domain::publishing::PublishStatus;

/// What one kind of publishable record adds to the shared frame. The constants are SQL
/// fragments written by the kind's module, never built from input.
pub trait Content: Sized + Send + Sync + 'static {
    /// The kind's record id (`PublishableId`, `ArticleId`).
    type Id: RecordId;
    /// Its table, e.g. `library_item`.
    const TABLE: &'static str;
    /// Its own columns as selected: the table is `r`, and `JOINS` may add others.
    const COLUMNS: &'static str;
    /// Joins beyond the owning union (`o`), or "".
    const JOINS: &'static str;
    /// The columns a create or an edit writes, in the order of the values bound.
    const WRITES: &'static [&'static str];
    /// The column (`r.…`) the public list can be narrowed by: a kind, a level, a tag.
    const FACET: &'static str;
    /// What an edit must meet beyond the id, checked in the statement (the written values are
    /// `$2`, `$3`, … in the order of `WRITES`), or "".
    const UPDATE_IF: &'static str;
    /// What a record must meet to be published beyond its status, checked in the statement,
    /// or "".
    const PUBLISH_IF: &'static str;

    fn decode(row: &Row<'_, '_>) -> Result<Self>;

    /// The values of `WRITES`, in order (boxed, so a typed id can be bound as its number).
    fn values(&self) -> Vec<Box<dyn Param + Sync + Send + '_>>;
}

/// A record with its frame.
#[derive(Debug, Clone)]
pub struct Record<C: Content> {
    pub id: C::Id,
    pub org_id: OrgId,
    pub org_name: String,
    pub org_path: OrgPath,
    pub status: PublishStatus,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub content: C,
}

impl<C: Content> FromRow for Record<C> {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Record {
            id: row.id("id")?,
            org_id: row.id("org_id")?,
            org_name: row.get("org_name")?,
            org_path: row.org_path("org_path")?,
            status: row.parsed("status", PublishStatus::parse)?,
            created_at: row.get("created_at")?,
            published_at: row.get("published_at")?,
            content: C::decode(row)?,
        })
    }
}

/// The frame and the kind's columns, then `tail` (conditions, order, limits).
pub(crate) fn select<C: Content>(tail: &str) -> String {
    format!(
        "SELECT r.id, r.org_id, o.name AS org_name, o.path AS org_path, r.status, r.created_at, \
         r.published_at, {} FROM {} r JOIN org o ON o.id = r.org_id {} {tail}",
        C::COLUMNS,
        C::TABLE,
        C::JOINS
    )
}

fn with_condition(sql: String, condition: &str) -> String {
    if condition.is_empty() {
        sql
    } else {
        format!("{sql} AND ({condition})")
    }
}

/// Adds a draft.
pub async fn insert<C: Content>(
    tx: &mut Tx,
    org: OrgId,
    content: &C,
    created_by: Option<StaffId>,
    now: DateTime<Utc>,
) -> Result<C::Id> {
    let created_by = created_by.map(|s| s.0);
    let values = content.values();
    let n = C::WRITES.len();
    let placeholders: Vec<String> = (2..n + 2).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO {} (org_id, {}, status, created_by, created_at) \
         VALUES ($1, {}, 'draft', ${}, ${}) RETURNING id",
        C::TABLE,
        C::WRITES.join(", "),
        placeholders.join(", "),
        n + 2,
        n + 3
    );
    let mut params: Vec<&(dyn Param + Sync)> = Vec::with_capacity(n + 3);
    params.push(&org.0);
    params.extend(values.iter().map(|v| &**v as &(dyn Param + Sync)));
    params.push(&created_by);
    params.push(&now);
    tx.query_one::<i64>(&sql, &params)
        .await
        .map(C::Id::from_raw)
}

/// Rewrites a record's own columns (not its union or status); false if it is gone or
/// `C::UPDATE_IF` refused the edit.
pub async fn update<C: Content>(tx: &mut Tx, id: C::Id, content: &C) -> Result<bool> {
    let values = content.values();
    let sets: Vec<String> = C::WRITES
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 2))
        .collect();
    let sql = with_condition(
        format!("UPDATE {} SET {} WHERE id = $1", C::TABLE, sets.join(", ")),
        C::UPDATE_IF,
    );
    let id = id.get();
    let mut params: Vec<&(dyn Param + Sync)> = Vec::with_capacity(values.len() + 1);
    params.push(&id);
    params.extend(values.iter().map(|v| &**v as &(dyn Param + Sync)));
    Ok(tx.execute(&sql, &params).await? == 1)
}

/// One record in any status.
pub async fn get<C: Content>(db: impl Into<Exec<'_>>, id: C::Id) -> Result<Option<Record<C>>> {
    db.into()
        .query_opt(&select::<C>("WHERE r.id = $1"), &[&id.get()])
        .await
}

/// The records of a subtree's unions, newest first, in every status.
pub async fn of_subtree<C: Content>(
    store: &Store,
    scope: &OrgPath,
    limit: i64,
    offset: i64,
) -> Result<Page<Record<C>>> {
    let list =
        select::<C>("WHERE o.path >= $1 AND o.path < $2 ORDER BY r.id DESC LIMIT $3 OFFSET $4");
    let count = format!(
        "SELECT COUNT(*) FROM {} r JOIN org o ON o.id = r.org_id \
         WHERE o.path >= $1 AND o.path < $2",
        C::TABLE
    );
    crate::subtree_page(store, &list, &count, scope, limit, offset).await
}

/// Published records, latest published first: of the whole tree or of a union's subtree; with
/// `facet` as the value of `C::FACET`, or (`facet` empty) all. A record published for a time
/// still ahead of `now` (scheduled) is not shown yet.
pub async fn published<C: Content>(
    store: &Store,
    scope: Option<&OrgPath>,
    facet: &str,
    now: DateTime<Utc>,
    (limit, offset): (i64, i64),
) -> Result<Page<Record<C>>> {
    let filter = format!(
        "WHERE r.status = 'published' AND o.path >= $1 AND o.path < $2 \
         AND (CAST($3 AS TEXT) = '' OR {} = $3) AND r.published_at <= $4",
        C::FACET
    );
    let list = select::<C>(&format!(
        "{filter} ORDER BY r.published_at DESC, r.id DESC LIMIT $5 OFFSET $6"
    ));
    let count = format!(
        "SELECT COUNT(*) FROM {} r JOIN org o ON o.id = r.org_id {filter}",
        C::TABLE
    );
    let (lower, upper) = crate::scope_bounds(scope);
    let items = store
        .query(&list, &[&lower, &upper, &facet, &now, &limit, &offset])
        .await?;
    let total = store
        .query_one(&count, &[&lower, &upper, &facet, &now])
        .await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// Publishes a draft or withdrawn record that meets `C::PUBLISH_IF`; false if it was not one.
pub async fn publish<C: Content>(tx: &mut Tx, id: C::Id, now: DateTime<Utc>) -> Result<bool> {
    let sql = with_condition(
        format!(
            "UPDATE {} SET status = 'published', published_at = $2 \
             WHERE id = $1 AND status IN ('draft', 'withdrawn')",
            C::TABLE
        ),
        C::PUBLISH_IF,
    );
    Ok(tx.execute(&sql, &[&id.get(), &now]).await? == 1)
}

/// Withdraws a published record; false if it was not published.
pub async fn withdraw<C: Content>(tx: &mut Tx, id: C::Id) -> Result<bool> {
    let sql = format!(
        "UPDATE {} SET status = 'withdrawn' WHERE id = $1 AND status = 'published'",
        C::TABLE
    );
    Ok(tx.execute(&sql, &[&id.get()]).await? == 1)
}

/// Submits a draft (or a withdrawn record) of a reviewed kind for review, clearing the reason
/// it was last sent back with; false if it was not one, or if `C::UPDATE_IF` (what may be
/// edited may be submitted; it binds no values for a reviewed kind) refuses it.
pub async fn submit<C: Content>(tx: &mut Tx, id: C::Id) -> Result<bool> {
    let sql = with_condition(
        format!(
            "UPDATE {} SET status = 'in_review', review_note = NULL \
             WHERE id = $1 AND status IN ('draft', 'withdrawn')",
            C::TABLE
        ),
        C::UPDATE_IF,
    );
    Ok(tx.execute(&sql, &[&id.get()]).await? == 1)
}

/// Approves a record in review: published at `now`, or at its `publish_at` if that lies ahead
/// (readers ask `published_at <= now`, so nothing has to flip it). The statement itself keeps
/// the four eyes: the reviewer is neither the writer nor the last editor. False if the record
/// was not in review or the reviewer may not approve it.
pub async fn approve<C: Content>(
    tx: &mut Tx,
    id: C::Id,
    reviewer: StaffId,
    now: DateTime<Utc>,
) -> Result<bool> {
    let sql = with_condition(
        format!(
            "UPDATE {} SET status = 'published', reviewed_by = $2, \
             published_at = CASE WHEN publish_at > $3 THEN publish_at ELSE $3 END \
             WHERE id = $1 AND status = 'in_review' \
             AND (created_by IS NULL OR created_by <> $2) \
             AND (edited_by IS NULL OR edited_by <> $2)",
            C::TABLE
        ),
        C::PUBLISH_IF,
    );
    Ok(tx.execute(&sql, &[&id.get(), &reviewer.0, &now]).await? == 1)
}

/// Sends a record in review back to draft with the reviewer's reason; false if it was not in
/// review.
pub async fn send_back<C: Content>(
    tx: &mut Tx,
    id: C::Id,
    reviewer: StaffId,
    reason: &str,
) -> Result<bool> {
    let sql = format!(
        "UPDATE {} SET status = 'draft', reviewed_by = $2, review_note = $3 \
         WHERE id = $1 AND status = 'in_review'",
        C::TABLE
    );
    Ok(tx.execute(&sql, &[&id.get(), &reviewer.0, &reason]).await? == 1)
}
