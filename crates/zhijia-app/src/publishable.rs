//! Records a union publishes to everyone (the library, the model-worker showcase; next the
//! articles and courses), written once for every kind: editors and administrators of a union
//! make drafts, edit, publish and withdraw them in their branch; anyone reads what is published,
//! without signing in. Every staff write is audited in the same change.
//!
//! A kind says what is its own through [`Spec`]: its input and how it is checked, its public
//! view, its words, its audit actions and what publishing needs beyond the status.

use crate::caller::StaffCtx;
use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use std::future::Future;
use zhijia_domain::ids::PublishableId;
use zhijia_domain::org::OrgId;
use zhijia_domain::publishing::PublishStatus;
use zhijia_store::audit::{self, Record as AuditRecord};
use zhijia_store::org::{self as org_store, Org};
use zhijia_store::publishable::{self as store, Content, Record};
use zhijia_store::{Page, Recorded, Store};

/// The words a kind's messages use.
pub struct Words {
    /// What a missing record is called in "…不存在": "书目".
    pub what: &'static str,
    /// The refusal to a caller who is an editor or administrator nowhere.
    pub no_role: &'static str,
    /// The refusal to a caller outside the union asked for.
    pub outside: &'static str,
    /// The refusal to publish what is already published.
    pub already_published: &'static str,
    /// The refusal when a record changed between the check and the publish.
    pub publish_raced: &'static str,
    /// The refusal to withdraw what is not published.
    pub not_published: &'static str,
    /// The refusal of an edit that `Content::UPDATE_IF` turned down.
    pub edit_refused: &'static str,
}

/// The audit actions of a kind's four writes.
pub struct Actions {
    pub created: &'static str,
    pub updated: &'static str,
    pub published: &'static str,
    pub withdrawn: &'static str,
}

/// One kind of publishable record.
pub trait Spec: Send + Sync + 'static {
    /// Its own columns, as stored.
    type Content: Content + Clone + std::fmt::Debug;
    /// What staff type.
    type Input: Send + Sync;
    /// What anyone may read of a published record.
    type Public: From<Record<Self::Content>> + serde::Serialize + Send;

    const WORDS: Words;
    const ACTIONS: Actions;
    /// The audit log's target kind: the table.
    const TARGET: &'static str = <Self::Content as Content>::TABLE;

    /// The union the input names, if any (the caller's first union is the default).
    fn org(input: &Self::Input) -> Option<i64>;

    /// Checks the input into the record's own columns. `was` is the record an edit changes.
    fn check(
        db: &Store,
        staff: &StaffCtx<'_>,
        input: &Self::Input,
        was: Option<&Record<Self::Content>>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Self::Content>> + Send;

    /// The record's name in the audit log.
    fn title(content: &Self::Content) -> String;

    /// What publishing needs: by default only a draft or withdrawn status.
    fn check_publish(record: &Record<Self::Content>) -> Result<(), &'static str> {
        if record.status.may_publish() {
            Ok(())
        } else {
            Err(Self::WORDS.already_published)
        }
    }

    /// The stored value of `Content::FACET` a public list is narrowed by, from what a reader
    /// typed; a refusal names the field.
    fn facet(typed: &str) -> Result<&'static str>;
}

async fn editable_org<S: Spec>(db: &Store, staff: &StaffCtx<'_>, org: Option<i64>) -> Result<Org> {
    let words = &S::WORDS;
    crate::caller::branch(
        db,
        staff,
        org.map(zhijia_domain::ids::OrgId),
        |p| staff.may_edit(p),
        words.no_role,
        words.outside,
    )
    .await
}

/// A record the caller may manage; another branch's record does not exist for them (404).
async fn editable<S: Spec>(
    db: &Store,
    staff: &StaffCtx<'_>,
    id: PublishableId,
) -> Result<Record<S::Content>> {
    store::get::<S::Content>(db, id)
        .await?
        .filter(|r| staff.may_edit(&r.org_path))
        .ok_or(AppError::NotFound(S::WORDS.what))
}

async fn reread<S: Spec>(db: &Store, id: PublishableId) -> Result<Record<S::Content>> {
    store::get::<S::Content>(db, id)
        .await?
        .ok_or(AppError::NotFound(S::WORDS.what))
}

async fn log<S: Spec>(
    tx: &mut zhijia_store::Tx,
    staff: &StaffCtx<'_>,
    action: &str,
    org: OrgId,
    id: PublishableId,
    content: &S::Content,
) -> Result<Recorded> {
    Ok(audit::append(
        tx,
        staff.actor,
        AuditRecord {
            action,
            org: Some(org),
            target_kind: Some(S::TARGET),
            target_id: Some(id.to_string()),
            detail: Some(S::title(content)),
        },
    )
    .await?)
}

/// Makes a draft in a union the caller edits.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create<S: Spec>(
    db: &Store,
    staff: &StaffCtx<'_>,
    input: &S::Input,
    now: DateTime<Utc>,
) -> Result<PublishableId> {
    let content = S::check(db, staff, input, None, now).await?;
    let org = editable_org::<S>(db, staff, S::org(input)).await?;
    let mut tx = db.change().await?;
    let id = store::insert(
        &mut tx,
        org.id,
        &content,
        crate::benefit::acting_staff(staff),
        now,
    )
    .await?;
    let recorded = log::<S>(&mut tx, staff, S::ACTIONS.created, org.id, id, &content).await?;
    tx.commit(recorded).await?;
    Ok(id)
}

/// Edits a record (its union and status stay).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update<S: Spec>(
    db: &Store,
    staff: &StaffCtx<'_>,
    id: PublishableId,
    input: &S::Input,
    now: DateTime<Utc>,
) -> Result<Record<S::Content>> {
    let was = editable::<S>(db, staff, id).await?;
    let content = S::check(db, staff, input, Some(&was), now).await?;
    let mut tx = db.change().await?;
    if !store::update(&mut tx, id, &content).await? {
        // Records are never deleted: the statement's own condition refused the edit.
        return Err(AppError::Conflict(S::WORDS.edit_refused.into()));
    }
    let recorded = log::<S>(&mut tx, staff, S::ACTIONS.updated, was.org_id, id, &content).await?;
    tx.commit(recorded).await?;
    reread::<S>(db, id).await
}

/// Publishes a draft (or a withdrawn record again).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn publish<S: Spec>(
    db: &Store,
    staff: &StaffCtx<'_>,
    id: PublishableId,
    now: DateTime<Utc>,
) -> Result<Record<S::Content>> {
    move_to::<S>(db, staff, id, PublishStatus::Published, now).await
}

/// Takes a published record down.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn withdraw<S: Spec>(
    db: &Store,
    staff: &StaffCtx<'_>,
    id: PublishableId,
) -> Result<Record<S::Content>> {
    move_to::<S>(db, staff, id, PublishStatus::Withdrawn, Utc::now()).await
}

/// Publishes or withdraws: checked first, then changed by a conditional statement that tells
/// the loser of two racing clicks.
async fn move_to<S: Spec>(
    db: &Store,
    staff: &StaffCtx<'_>,
    id: PublishableId,
    to: PublishStatus,
    now: DateTime<Utc>,
) -> Result<Record<S::Content>> {
    let r = editable::<S>(db, staff, id).await?;
    let publishing = to == PublishStatus::Published;
    if publishing {
        S::check_publish(&r).map_err(|e| AppError::Conflict(e.into()))?;
    }
    let mut tx = db.change().await?;
    let (moved, refused, action) = if publishing {
        let moved = store::publish::<S::Content>(&mut tx, id, now).await?;
        (moved, S::WORDS.publish_raced, S::ACTIONS.published)
    } else {
        let moved = store::withdraw::<S::Content>(&mut tx, id).await?;
        (moved, S::WORDS.not_published, S::ACTIONS.withdrawn)
    };
    if !moved {
        return Err(AppError::Conflict(refused.into()));
    }
    let recorded = log::<S>(&mut tx, staff, action, r.org_id, id, &r.content).await?;
    tx.commit(recorded).await?;
    reread::<S>(db, id).await
}

/// One record, for the staff who manage it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn get<S: Spec>(
    db: &Store,
    staff: &StaffCtx<'_>,
    id: PublishableId,
) -> Result<Record<S::Content>> {
    editable::<S>(db, staff, id).await
}

/// The records of a union's subtree in every status, newest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list<S: Spec>(
    db: &Store,
    staff: &StaffCtx<'_>,
    org: Option<i64>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<(Org, Page<Record<S::Content>>)> {
    let org = editable_org::<S>(db, staff, org).await?;
    let (limit, offset) = crate::page_bounds(limit, offset, 30);
    let page = store::of_subtree::<S::Content>(db, &org.path, limit, offset).await?;
    Ok((org, page))
}

/// What anyone may read: published records of the whole tree or of a union's subtree,
/// narrowed by the kind's facet or not, latest published first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn published<S: Spec>(
    db: &Store,
    org: Option<i64>,
    facet: Option<&str>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<Page<S::Public>> {
    let facet = match facet.map(str::trim).filter(|f| !f.is_empty()) {
        Some(f) => S::facet(f)?,
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
    let page = store::published::<S::Content>(db, scope.as_ref(), facet, limit, offset).await?;
    Ok(Page {
        items: page.items.into_iter().map(S::Public::from).collect(),
        total: page.total,
        offset: page.offset,
        limit: page.limit,
    })
}

/// One published record; drafts and withdrawn records do not exist for the public (404).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn public<S: Spec>(db: &Store, id: PublishableId) -> Result<S::Public> {
    store::get::<S::Content>(db, id)
        .await?
        .filter(|r| r.status == PublishStatus::Published)
        .map(S::Public::from)
        .ok_or(AppError::NotFound(S::WORDS.what))
}
