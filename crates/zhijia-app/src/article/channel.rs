//! A union's channel: its settings (name, intro, avatar), the images its editors upload (covers
//! and avatars, checked by content), and re-shares (转载) of articles of unions above it. Each
//! write is one change with its audit entry.

use crate::caller::StaffCtx;
use crate::publishable::Spec;
use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::article as rules;
use zhijia_domain::audit::action;
use zhijia_domain::ids::{ArticleId, ArticleImageId, OrgId};
use zhijia_domain::publishing::{PublishStatus, line};
use zhijia_store::article::channel::{self as store, Channel, Image};
use zhijia_store::article::reader::{self as reader_store, Item};
use zhijia_store::audit::{self, Record as AuditRecord};
use zhijia_store::org::Org;
use zhijia_store::publishable as publishable_store;
use zhijia_store::{Store, unique};

use super::Articles;

/// The union the caller edits the channel of: the one asked for, or their first.
pub async fn editable_org(db: &Store, staff: &StaffCtx<'_>, org: Option<OrgId>) -> Result<Org> {
    let w = &Articles::WORDS;
    crate::caller::branch(db, staff, org, |p| staff.may_edit(p), w.no_role, w.outside).await
}

/// A channel's settings as staff type them.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ChannelInput {
    /// 2–30 characters.
    pub name: String,
    /// At most 200 characters.
    pub intro: String,
    /// An image uploaded before; none keeps the avatar the channel has.
    #[schema(value_type = Option<i64>)]
    pub avatar: Option<ArticleImageId>,
}

/// The settings of a union's channel (none until it set them).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn settings(
    db: &Store,
    staff: &StaffCtx<'_>,
    org: Option<OrgId>,
) -> Result<(Org, Option<Channel>)> {
    let org = editable_org(db, staff, org).await?;
    let channel = store::get(db, org.id).await?;
    Ok((org, channel))
}

/// Sets a channel's name, intro and avatar.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set(
    db: &Store,
    staff: &StaffCtx<'_>,
    org: Option<OrgId>,
    input: &ChannelInput,
    now: DateTime<Utc>,
) -> Result<Channel> {
    let name = line("name", "频道名称", &input.name, 2, 30)?;
    let intro = line("intro", "频道简介", &input.intro, 0, 200)?;
    let org = editable_org(db, staff, org).await?;
    if let Some(a) = input.avatar {
        match store::image(db, a).await? {
            Some(i) if i.org_id == org.id => {}
            _ => return Err(AppError::invalid("avatar", "头像图片不存在，请重新上传")),
        }
    }
    let mut tx = db.change().await?;
    store::set(
        &mut tx,
        org.id,
        (&name, &intro),
        input.avatar,
        staff.staff_id(),
        now,
    )
    .await?;
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        AuditRecord {
            action: action::CHANNEL_UPDATED,
            org: Some(org.id),
            target_kind: Some("channel"),
            target_id: Some(org.id.to_string()),
            detail: Some(name),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    store::get(db, org.id)
        .await?
        .ok_or(AppError::NotFound("频道"))
}

/// Stores an image (a cover or an avatar) for a union the caller edits: JPEG, PNG or WebP by
/// content, at most 2 MB; anything else (a script renamed `.jpg`) is refused.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn upload_image(
    db: &Store,
    staff: &StaffCtx<'_>,
    org: Option<OrgId>,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<ArticleImageId> {
    let kind = rules::check_image(bytes)?;
    let org = editable_org(db, staff, org).await?;
    let mut tx = db.change().await?;
    let id = store::insert_image(
        &mut tx,
        org.id,
        kind.content_type(),
        bytes,
        staff.staff_id(),
        now,
    )
    .await?;
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        AuditRecord {
            action: action::ARTICLE_IMAGE_UPLOADED,
            org: Some(org.id),
            target_kind: Some("article_image"),
            target_id: Some(id.to_string()),
            detail: Some(kind.content_type().to_owned()),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(id)
}

/// An image anyone may see (an avatar, a published article's cover).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn public_image(db: &Store, id: ArticleImageId, now: DateTime<Utc>) -> Result<Image> {
    store::public_image(db, id, now)
        .await?
        .ok_or(AppError::NotFound("图片"))
}

/// Any image of the caller's branch (a draft's cover), for the console.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn staff_image(db: &Store, staff: &StaffCtx<'_>, id: ArticleImageId) -> Result<Image> {
    let image = store::image(db, id)
        .await?
        .ok_or(AppError::NotFound("图片"))?;
    let org = zhijia_store::org::get(db, image.org_id).await?;
    match org {
        Some(o) if staff.may_edit(&o.path) => Ok(image),
        _ => Err(AppError::NotFound("图片")),
    }
}

/// Re-shares (转载) a published article of a union above into the channel of `org` (a union
/// the caller edits), credited to its source, once per channel. It is shown while the source
/// is published.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn reshare(
    db: &Store,
    staff: &StaffCtx<'_>,
    org: Option<OrgId>,
    source: ArticleId,
    now: DateTime<Utc>,
) -> Result<ArticleId> {
    let org = editable_org(db, staff, org).await?;
    let src = publishable_store::get::<zhijia_store::article::Article>(db, source)
        .await?
        .filter(|s| {
            s.status == PublishStatus::Published && s.published_at.is_some_and(|p| p <= now)
        })
        .filter(|s| s.content.meta.shared_from.is_none())
        .ok_or(AppError::NotFound("资讯"))?;
    if src.org_id == org.id || !src.org_path.contains(&org.path) {
        return Err(AppError::Conflict("只能转载上级工会已发布的资讯".into()));
    }
    let mut copy = src.content.clone();
    copy.text.pinned = false;
    copy.text.expires_at = None;
    copy.text.publish_at = None;
    copy.edited_by = staff.staff_id();
    let mut tx = db.change().await?;
    let id = match store::reshare(&mut tx, org.id, source, &copy, staff.staff_id(), now).await {
        Err(e) if e.is_conflict_on(unique::ARTICLE_SHARE_ONCE) => {
            return Err(AppError::Conflict("本频道已经转载过这篇资讯".into()));
        }
        r => r?,
    };
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        AuditRecord {
            action: action::ARTICLE_RESHARED,
            org: Some(org.id),
            target_kind: Some("article"),
            target_id: Some(id.to_string()),
            detail: Some(format!(
                "转载自 {}:{}",
                src.org_name, src.content.text.title
            )),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(id)
}

/// What the channel of `org` could re-share: the published articles and notices of the unions
/// above it (newest first; those it already shared included, the page marks none).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn shareable(
    db: &Store,
    staff: &StaffCtx<'_>,
    org: Option<OrgId>,
    (limit, offset): (Option<i64>, Option<i64>),
    now: DateTime<Utc>,
) -> Result<(Org, Option<Channel>, zhijia_store::Page<Item>)> {
    let org = editable_org(db, staff, org).await?;
    let channel = store::get(db, org.id).await?;
    let (limit, offset) = crate::page_bounds(limit, offset, 20);
    let mut page = reader_store::feed(db, &org.path, now, limit, offset).await?;
    page.items.retain(|i| i.org_id != org.id);
    Ok((org, channel, page))
}
