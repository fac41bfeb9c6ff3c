//! Records a union publishes to everyone (the library, the model-worker showcase; next the
//! articles and courses), written once for every kind: editors and administrators of a union
//! make drafts, edit, publish and withdraw them in their branch; anyone reads what is published,
//! without signing in. Every staff write is audited in the same change.
//!
//! A kind says what is its own through [`Spec`]: its input and how it is checked, its public
//! view, its words, its audit actions and what publishing needs beyond the status. A kind a
//! second person must approve (articles) is also [`Reviewed`]: it is not published directly
//! but submitted, then approved or sent back by another editor ([`submit`], [`approve`],
//! [`send_back`]), and edited only as a draft or withdrawn.

use crate::caller::StaffCtx;
use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use std::future::Future;
use zhijia_domain::org::OrgId;
use zhijia_domain::publishing::{PublishStatus, review};
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

/// The id of a kind's records.
pub type IdOf<S> = <<S as Spec>::Content as Content>::Id;

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
    /// Whether a second person approves it (then it is [`Reviewed`] and never published
    /// directly).
    const REVIEWED: bool = false;
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

/// The audit actions and words of the review step.
pub struct ReviewWords {
    pub submitted: &'static str,
    pub approved: &'static str,
    pub sent_back: &'static str,
    /// The refusal to submit what is not a draft or withdrawn.
    pub not_draft: &'static str,
    /// The refusal to decide on what is not in review.
    pub not_in_review: &'static str,
    /// The refusal to the writer or the last editor.
    pub own: &'static str,
    /// The refusal of an edit in review or published.
    pub locked: &'static str,
}

/// A kind a second person approves.
pub trait Reviewed: Spec {
    const REVIEW: ReviewWords;
    /// Who wrote the record and who edited it last (staff ids), for the four eyes.
    fn writers(content: &Self::Content) -> (Option<i64>, Option<i64>);
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
    id: IdOf<S>,
) -> Result<Record<S::Content>> {
    store::get::<S::Content>(db, id)
        .await?
        .filter(|r| staff.may_edit(&r.org_path))
        .ok_or(AppError::NotFound(S::WORDS.what))
}

async fn reread<S: Spec>(db: &Store, id: IdOf<S>) -> Result<Record<S::Content>> {
    store::get::<S::Content>(db, id)
        .await?
        .ok_or(AppError::NotFound(S::WORDS.what))
}

async fn log<S: Spec>(
    tx: &mut zhijia_store::Tx,
    staff: &StaffCtx<'_>,
    action: &str,
    org: OrgId,
    id: IdOf<S>,
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
) -> Result<IdOf<S>> {
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
    id: IdOf<S>,
    input: &S::Input,
    now: DateTime<Utc>,
) -> Result<Record<S::Content>> {
    let was = editable::<S>(db, staff, id).await?;
    if S::REVIEWED && !review::may_edit(was.status) {
        return Err(AppError::Conflict(S::WORDS.edit_refused.into()));
    }
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
    id: IdOf<S>,
    now: DateTime<Utc>,
) -> Result<Record<S::Content>> {
    move_to::<S>(db, staff, id, PublishStatus::Published, now).await
}

/// Takes a published record down.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn withdraw<S: Spec>(
    db: &Store,
    staff: &StaffCtx<'_>,
    id: IdOf<S>,
) -> Result<Record<S::Content>> {
    move_to::<S>(db, staff, id, PublishStatus::Withdrawn, Utc::now()).await
}

/// Publishes or withdraws: checked first, then changed by a conditional statement that tells
/// the loser of two racing clicks.
async fn move_to<S: Spec>(
    db: &Store,
    staff: &StaffCtx<'_>,
    id: IdOf<S>,
    to: PublishStatus,
    now: DateTime<Utc>,
) -> Result<Record<S::Content>> {
    let r = editable::<S>(db, staff, id).await?;
    let publishing = to == PublishStatus::Published;
    if publishing && S::REVIEWED {
        return Err(AppError::Conflict(S::WORDS.already_published.into()));
    }
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
    id: IdOf<S>,
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
    let page =
        store::published::<S::Content>(db, scope.as_ref(), facet, Utc::now(), (limit, offset))
            .await?;
    Ok(Page {
        items: page.items.into_iter().map(S::Public::from).collect(),
        total: page.total,
        offset: page.offset,
        limit: page.limit,
    })
}

/// One published record; drafts and withdrawn records do not exist for the public (404).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn public<S: Spec>(db: &Store, id: IdOf<S>) -> Result<S::Public> {
    let now = Utc::now();
    store::get::<S::Content>(db, id)
        .await?
        .filter(|r| {
            r.status == PublishStatus::Published && r.published_at.is_some_and(|p| p <= now)
        })
        .map(S::Public::from)
        .ok_or(AppError::NotFound(S::WORDS.what))
}

/// Submits a draft (or a withdrawn record) for a second person's review.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn submit<S: Reviewed>(
    db: &Store,
    staff: &StaffCtx<'_>,
    id: IdOf<S>,
) -> Result<Record<S::Content>> {
    let r = editable::<S>(db, staff, id).await?;
    if !review::may_submit(r.status) {
        return Err(AppError::Conflict(S::REVIEW.not_draft.into()));
    }
    let mut tx = db.change().await?;
    if !store::submit::<S::Content>(&mut tx, id).await? {
        return Err(AppError::Conflict(S::REVIEW.not_draft.into()));
    }
    let recorded = log::<S>(
        &mut tx,
        staff,
        S::REVIEW.submitted,
        r.org_id,
        id,
        &r.content,
    )
    .await?;
    tx.commit(recorded).await?;
    reread::<S>(db, id).await
}

/// Approves a record in review: an editor or administrator of its union or above who is
/// neither its writer nor its last editor. Published now, or at its scheduled time.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn approve<S: Reviewed>(
    db: &Store,
    staff: &StaffCtx<'_>,
    id: IdOf<S>,
    now: DateTime<Utc>,
) -> Result<Record<S::Content>> {
    let r = editable::<S>(db, staff, id).await?;
    let reviewer = decide::<S>(staff, &r)?;
    let mut tx = db.change().await?;
    if !store::approve::<S::Content>(&mut tx, id, reviewer, now).await? {
        return Err(AppError::Conflict(S::REVIEW.not_in_review.into()));
    }
    let recorded = log::<S>(&mut tx, staff, S::REVIEW.approved, r.org_id, id, &r.content).await?;
    tx.commit(recorded).await?;
    reread::<S>(db, id).await
}

/// Sends a record in review back to its writer as a draft, with the reason.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn send_back<S: Reviewed>(
    db: &Store,
    staff: &StaffCtx<'_>,
    id: IdOf<S>,
    reason: &str,
) -> Result<Record<S::Content>> {
    let reason = review::reason(reason)?;
    let r = editable::<S>(db, staff, id).await?;
    let reviewer = decide::<S>(staff, &r)?;
    let mut tx = db.change().await?;
    if !store::send_back::<S::Content>(&mut tx, id, reviewer, &reason).await? {
        return Err(AppError::Conflict(S::REVIEW.not_in_review.into()));
    }
    let detail = format!("{}:{reason}", S::title(&r.content));
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        AuditRecord {
            action: S::REVIEW.sent_back,
            org: Some(r.org_id),
            target_kind: Some(S::TARGET),
            target_id: Some(id.to_string()),
            detail: Some(detail),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    reread::<S>(db, id).await
}

/// The reviewer of a decision: the record is in review and the caller keeps four eyes.
fn decide<S: Reviewed>(
    staff: &StaffCtx<'_>,
    r: &Record<S::Content>,
) -> Result<zhijia_domain::ids::StaffId> {
    if !review::may_decide(r.status) {
        return Err(AppError::Conflict(S::REVIEW.not_in_review.into()));
    }
    let reviewer = staff
        .staff_id()
        .ok_or_else(|| AppError::Forbidden(S::REVIEW.own.into()))?;
    let (created_by, edited_by) = S::writers(&r.content);
    if !review::four_eyes(reviewer.0, created_by, edited_by) {
        return Err(AppError::Forbidden(S::REVIEW.own.into()));
    }
    Ok(reviewer)
}
