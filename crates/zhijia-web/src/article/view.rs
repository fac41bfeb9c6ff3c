//! What the articles API answers: a list row (feed, channel, knowledge base), the staff's view
//! of an article, a channel's settings. Built from the store's rows; rows never serialise.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use zhijia_app::article::{image_url, split_tags};
use zhijia_domain::ids::{ArticleId, OrgId};
use zhijia_store::Page;
use zhijia_store::article::ArticleRecord;
use zhijia_store::article::channel::Channel;
use zhijia_store::article::reader::Item;

/// One row of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemView {
    /// The article to open (`/api/v1/news/{id}`); a re-share opens its source.
    #[schema(value_type = i64)]
    pub id: ArticleId,
    /// `article`, `notice` or `answer`.
    pub kind: String,
    pub kind_label: String,
    /// An answer's topic.
    pub topic: Option<String>,
    pub topic_label: Option<String>,
    pub title: String,
    pub summary: String,
    pub cover_url: Option<String>,
    /// A pinned notice that has not expired (listed first).
    pub pinned: bool,
    pub published_at: DateTime<Utc>,
    /// The union that wrote it.
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub org_name: String,
    /// For a re-share (转载): the union whose channel shared it.
    pub shared_by: Option<String>,
    pub read_count: i64,
    pub like_count: i64,
}

impl From<&Item> for ItemView {
    fn from(i: &Item) -> Self {
        ItemView {
            id: i.id,
            kind: i.kind.as_str().to_owned(),
            kind_label: i.kind.label().to_owned(),
            topic: i.topic.map(|t| t.as_str().to_owned()),
            topic_label: i.topic.map(|t| t.label().to_owned()),
            title: i.title.clone(),
            summary: i.summary.clone(),
            cover_url: i.cover.map(image_url),
            pinned: i.pinned,
            published_at: i.published_at,
            org_id: i.org_id,
            org_name: i.org_name.clone(),
            shared_by: i.shared_by.clone(),
            read_count: i.read_count,
            like_count: i.like_count,
        }
    }
}

/// A page of rows.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemPage {
    pub items: Vec<ItemView>,
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}

impl From<&Page<Item>> for ItemPage {
    fn from(p: &Page<Item>) -> Self {
        ItemPage {
            items: p.items.iter().map(ItemView::from).collect(),
            total: p.total,
            offset: p.offset,
            limit: p.limit,
        }
    }
}

/// A member's feed: their union (none before they join) and a page of rows.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedView {
    pub org_name: Option<String>,
    #[serde(flatten)]
    pub page: ItemPage,
}

/// A channel as readers see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelPageView {
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub name: String,
    pub intro: String,
    pub avatar_url: Option<String>,
    #[serde(flatten)]
    pub page: ItemPage,
}

/// A channel's settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelView {
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub org_name: String,
    /// False until the union set them (then the channel is named after the union).
    pub set: bool,
    pub name: String,
    pub intro: String,
    pub avatar_url: Option<String>,
}

impl ChannelView {
    pub fn new(org: &zhijia_store::org::Org, c: Option<&Channel>) -> Self {
        ChannelView {
            org_id: org.id,
            org_name: org.name.clone(),
            set: c.is_some(),
            name: c.map_or_else(|| org.name.clone(), |c| c.name.clone()),
            intro: c.map(|c| c.intro.clone()).unwrap_or_default(),
            avatar_url: c.and_then(|c| c.avatar).map(image_url),
        }
    }
}

/// An article as its union's staff see it, in any status.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffArticleView {
    #[schema(value_type = i64)]
    pub id: ArticleId,
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub org_name: String,
    /// `draft`, `in_review`, `published` or `withdrawn`.
    pub status: String,
    pub status_label: String,
    pub kind: String,
    pub topic: Option<String>,
    pub title: String,
    pub summary: String,
    /// Markdown, as written.
    pub body: String,
    /// Rendered and sanitised.
    pub body_html: String,
    pub tags: Vec<String>,
    pub source: Option<String>,
    #[schema(value_type = Option<i64>)]
    pub cover: Option<zhijia_domain::ids::ArticleImageId>,
    pub pinned: bool,
    pub expires_at: Option<DateTime<Utc>>,
    /// When it is to be published, if later than its approval.
    pub publish_at: Option<DateTime<Utc>>,
    /// When it is (or will be) shown.
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<i64>,
    pub edited_by: Option<i64>,
    pub reviewed_by: Option<i64>,
    /// Why a reviewer sent it back.
    pub review_note: Option<String>,
    /// For a re-share: its source.
    #[schema(value_type = Option<i64>)]
    pub shared_from: Option<ArticleId>,
    pub read_count: i64,
    pub like_count: i64,
}

impl From<&ArticleRecord> for StaffArticleView {
    fn from(r: &ArticleRecord) -> Self {
        let t = &r.content.text;
        let m = &r.content.meta;
        StaffArticleView {
            id: r.id,
            org_id: r.org_id,
            org_name: r.org_name.clone(),
            status: r.status.as_str().to_owned(),
            status_label: r.status.label().to_owned(),
            kind: t.kind.as_str().to_owned(),
            topic: t.topic.map(|t| t.as_str().to_owned()),
            title: t.title.clone(),
            summary: t.summary.clone(),
            body: t.body.clone(),
            body_html: t.body_html.clone(),
            tags: split_tags(&t.tags),
            source: t.source.clone(),
            cover: t.cover,
            pinned: t.pinned,
            expires_at: t.expires_at,
            publish_at: t.publish_at,
            published_at: r.published_at,
            created_at: r.created_at,
            created_by: m.created_by.map(|s| s.0),
            edited_by: r.content.edited_by.map(|s| s.0),
            reviewed_by: m.reviewed_by.map(|s| s.0),
            review_note: m.review_note.clone(),
            shared_from: m.shared_from,
            read_count: m.read_count,
            like_count: m.like_count,
        }
    }
}

/// A page of the staff's views, with the union listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffPage {
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub org_name: String,
    pub items: Vec<StaffArticleView>,
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}

impl StaffPage {
    pub fn new(org: &zhijia_store::org::Org, p: &Page<ArticleRecord>) -> Self {
        StaffPage {
            org_id: org.id,
            org_name: org.name.clone(),
            items: p.items.iter().map(StaffArticleView::from).collect(),
            total: p.total,
            offset: p.offset,
            limit: p.limit,
        }
    }
}
