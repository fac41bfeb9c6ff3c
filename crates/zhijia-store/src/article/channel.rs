//! A union's channel (频道): its settings (name, intro, avatar), the images its editors upload
//! (avatars, covers), and its re-shares (转载) of articles of unions above it.

use crate::Result;
use crate::db::{FromRow, Row, Store, Tx};
use chrono::{DateTime, Utc};
use zhijia_domain::ids::{ArticleId, ArticleImageId, OrgId, StaffId};

/// A channel's settings, once its union set them (otherwise it is shown under the union's name).
#[derive(Debug, Clone)]
pub struct Channel {
    pub org_id: OrgId,
    pub name: String,
    pub intro: String,
    pub avatar: Option<ArticleImageId>,
    pub updated_at: DateTime<Utc>,
}

impl FromRow for Channel {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Channel {
            org_id: row.id("org_id")?,
            name: row.get("name")?,
            intro: row.get("intro")?,
            avatar: row.id_opt("avatar_id")?,
            updated_at: row.get("updated_at")?,
        })
    }
}

pub async fn get(store: &Store, org: OrgId) -> Result<Option<Channel>> {
    const SQL: &str =
        "SELECT org_id, name, intro, avatar_id, updated_at FROM channel WHERE org_id = $1";
    store.query_opt(SQL, &[&org.0]).await
}

/// Sets a channel's name, intro and avatar (`None` keeps the avatar it has).
pub async fn set(
    tx: &mut Tx,
    org: OrgId,
    (name, intro): (&str, &str),
    avatar: Option<ArticleImageId>,
    staff: Option<StaffId>,
    now: DateTime<Utc>,
) -> Result<()> {
    const SQL: &str = "INSERT INTO channel (org_id, name, intro, avatar_id, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (org_id) DO UPDATE SET name = $2, \
         intro = $3, avatar_id = COALESCE($4, channel.avatar_id), updated_by = $5, updated_at = $6";
    let avatar = avatar.map(|a| a.0);
    let staff = staff.map(|s| s.0);
    tx.execute(SQL, &[&org.0, &name, &intro, &avatar, &staff, &now])
        .await?;
    Ok(())
}

/// A stored image.
#[derive(Debug, Clone)]
pub struct Image {
    pub id: ArticleImageId,
    pub org_id: OrgId,
    pub content_type: String,
    pub data: Vec<u8>,
}

impl FromRow for Image {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Image {
            id: row.id("id")?,
            org_id: row.id("org_id")?,
            content_type: row.get("content_type")?,
            data: row.get("data")?,
        })
    }
}

/// Stores an image checked by content.
pub async fn insert_image(
    tx: &mut Tx,
    org: OrgId,
    content_type: &str,
    data: &[u8],
    staff: Option<StaffId>,
    now: DateTime<Utc>,
) -> Result<ArticleImageId> {
    const SQL: &str = "INSERT INTO article_image \
         (org_id, content_type, size_bytes, data, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
    let size = data.len() as i64;
    let staff = staff.map(|s| s.0);
    tx.query_one::<i64>(SQL, &[&org.0, &content_type, &size, &data, &staff, &now])
        .await
        .map(ArticleImageId)
}

/// An image anyone may see: a channel's avatar, or the cover of a published article whose time
/// has come. Covers of drafts stay with the staff.
pub async fn public_image(
    store: &Store,
    id: ArticleImageId,
    now: DateTime<Utc>,
) -> Result<Option<Image>> {
    const SQL: &str = "SELECT i.id, i.org_id, i.content_type, i.data FROM article_image i \
         WHERE i.id = $1 AND (EXISTS (SELECT 1 FROM channel c WHERE c.avatar_id = i.id) \
         OR EXISTS (SELECT 1 FROM article a WHERE a.cover_id = i.id \
         AND a.status = 'published' AND a.published_at <= $2))";
    store.query_opt(SQL, &[&id.0, &now]).await
}

/// Any image, for the staff of its union (checked by the caller).
pub async fn image(store: &Store, id: ArticleImageId) -> Result<Option<Image>> {
    const SQL: &str = "SELECT id, org_id, content_type, data FROM article_image WHERE id = $1";
    store.query_opt(SQL, &[&id.0]).await
}

/// Re-shares (转载) `source` into the channel of `org`: a published row pointing at it, with a
/// copy of its text (`copy`; the channel page shows the source's text while it is published).
/// A second re-share by the same channel is refused by `article_share_once` (a conflict).
pub async fn reshare(
    tx: &mut Tx,
    org: OrgId,
    source: ArticleId,
    copy: &super::Article,
    staff: Option<StaffId>,
    now: DateTime<Utc>,
) -> Result<ArticleId> {
    const SHARE: &str = "UPDATE article SET shared_from = $2, status = 'published', \
         published_at = $3 WHERE id = $1";
    let id = crate::publishable::insert(tx, org, copy, staff, now).await?;
    tx.execute(SHARE, &[&id.0, &source.0, &now]).await?;
    Ok(id)
}
