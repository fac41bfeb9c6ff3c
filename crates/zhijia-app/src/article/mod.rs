//! New media (资讯): editors and administrators of a union write articles, notices and answers
//! of the legal knowledge base in its channel; a second person approves them (never the writer
//! or the last editor), now or for a time ahead; they withdraw them. A kind of publishable
//! record with the review step: the writes are
//! `publishable::{create, update, submit, approve, send_back, withdraw, get}::<Articles>`,
//! each one change with its audit entry.
//!
//! `reader` is what members and the public read and do (feed, channel page, knowledge base,
//! likes, read counts); `channel` a union's channel settings, images and re-shares; `staff`
//! the console's lists (the branch's articles, the review queue).

pub mod channel;
pub mod comment;
pub mod export;
pub mod feed;
pub mod reader;
pub mod staff;

use crate::caller::StaffCtx;
use crate::publishable::{Actions, ReviewWords, Reviewed, Spec, Words};
use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::article::{self as rules, Kind};
use zhijia_domain::audit::action;
use zhijia_domain::ids::{ArticleId, ArticleImageId};
use zhijia_store::Store;
use zhijia_store::article::channel as channel_store;
use zhijia_store::article::{Article, ArticleRecord};
use zhijia_store::org as org_store;

/// An article as an editor types it.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ArticleInput {
    /// The union whose channel it is in; the caller's first union by default. Not changed by
    /// an edit.
    pub org: Option<i64>,
    /// `article` (资讯), `notice` (通知公告) or `answer` (法律问答).
    pub kind: String,
    /// For an answer: `wages`, `contract`, `social_insurance`, `injury` or `gig_work`.
    pub topic: Option<String>,
    /// At most 60 characters.
    pub title: String,
    /// At most 120 characters.
    pub summary: String,
    /// Markdown (headings, lists, emphasis, quotes, tables, links), at most 20,000 characters.
    pub body: String,
    /// Up to five, separated by commas.
    pub tags: String,
    /// Where it comes from (来源), e.g. 《工人日报》.
    pub source: Option<String>,
    /// An image uploaded before (`POST /api/v1/console/news/images`).
    #[schema(value_type = Option<i64>)]
    pub cover: Option<ArticleImageId>,
    /// Notices only: shown first in the feed until it expires.
    pub pinned: bool,
    /// Notices only.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it is to be published, if later than its approval.
    pub publish_at: Option<DateTime<Utc>>,
}

/// A published article as anyone may read it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PublicArticle {
    #[schema(value_type = i64)]
    pub id: ArticleId,
    #[schema(value_type = i64)]
    pub org_id: zhijia_domain::ids::OrgId,
    /// The union whose channel published it.
    pub org_name: String,
    /// `article`, `notice` or `answer`.
    #[schema(value_type = String)]
    pub kind: Kind,
    pub kind_label: String,
    #[schema(value_type = Option<String>)]
    pub topic: Option<rules::Topic>,
    pub topic_label: Option<String>,
    pub title: String,
    pub summary: String,
    /// The body rendered from Markdown and sanitised: safe to show as HTML.
    pub body_html: String,
    pub tags: Vec<String>,
    pub source: Option<String>,
    /// `/news/images/{id}`, if it has a cover.
    pub cover_url: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub read_count: i64,
    pub like_count: i64,
}

impl From<ArticleRecord> for PublicArticle {
    fn from(r: ArticleRecord) -> Self {
        let t = r.content.text;
        PublicArticle {
            id: r.id,
            org_id: r.org_id,
            org_name: r.org_name,
            kind: t.kind,
            kind_label: t.kind.label().to_owned(),
            topic: t.topic,
            topic_label: t.topic.map(|t| t.label().to_owned()),
            title: t.title,
            summary: t.summary,
            body_html: t.body_html,
            tags: split_tags(&t.tags),
            source: t.source,
            cover_url: t.cover.map(image_url),
            published_at: r.published_at,
            read_count: r.content.meta.read_count,
            like_count: r.content.meta.like_count,
        }
    }
}

/// Where an image is served.
pub fn image_url(id: ArticleImageId) -> String {
    format!("/news/images/{id}")
}

/// Tags as stored (comma-separated) into a list.
pub fn split_tags(tags: &str) -> Vec<String> {
    tags.split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The channel's articles as a kind of publishable record.
pub struct Articles;

impl Spec for Articles {
    type Content = Article;
    type Input = ArticleInput;
    type Public = PublicArticle;

    const WORDS: Words = Words {
        what: "资讯",
        no_role: "您没有管理资讯的权限(需要宣传文体干事或工会管理员角色)",
        outside: "只能管理本级及下级工会的资讯",
        already_published: "资讯须经他人审核后发布，请提交审核",
        publish_raced: "该资讯刚被他人处理，请刷新后重试",
        not_published: "只有已发布的资讯可以撤回",
        edit_refused: "只有草稿或已撤回的资讯可以修改(待审核的请先退回，已发布的请先撤回)",
    };
    const ACTIONS: Actions = Actions {
        created: action::ARTICLE_CREATED,
        updated: action::ARTICLE_UPDATED,
        published: action::ARTICLE_APPROVED,
        withdrawn: action::ARTICLE_WITHDRAWN,
    };
    const REVIEWED: bool = true;

    fn org(input: &ArticleInput) -> Option<i64> {
        input.org
    }

    async fn check(
        db: &Store,
        staff: &StaffCtx<'_>,
        input: &ArticleInput,
        was: Option<&ArticleRecord>,
        now: DateTime<Utc>,
    ) -> Result<Article> {
        let text = rules::ArticleInput {
            kind: input.kind.clone(),
            topic: input.topic.clone(),
            title: input.title.clone(),
            summary: input.summary.clone(),
            body: input.body.clone(),
            tags: input.tags.clone(),
            source: input.source.clone(),
            cover: input.cover,
            pinned: input.pinned,
            expires_at: input.expires_at,
            publish_at: input.publish_at,
        }
        .validate(now)?;
        if let Some(cover) = text.cover {
            check_cover(db, staff, cover).await?;
        }
        Ok(Article {
            text,
            edited_by: staff.staff_id(),
            meta: was.map(|w| w.content.meta.clone()).unwrap_or_default(),
        })
    }

    fn title(a: &Article) -> String {
        a.text.title.clone()
    }

    fn facet(typed: &str) -> Result<&'static str> {
        Kind::parse(typed)
            .map(Kind::as_str)
            .ok_or_else(|| AppError::invalid("kind", "类型应为 article、notice 或 answer"))
    }
}

impl Reviewed for Articles {
    const REVIEW: ReviewWords = ReviewWords {
        submitted: action::ARTICLE_SUBMITTED,
        approved: action::ARTICLE_APPROVED,
        sent_back: action::ARTICLE_SENT_BACK,
        not_draft: "只有草稿或已撤回的资讯可以提交审核",
        not_in_review: "该资讯不在待审核状态(可能已被他人处理)",
        own: "撰写人和最后修改人不能审核自己的资讯，请由另一位编辑或管理员审核",
        locked: "只有草稿或已撤回的资讯可以修改",
    };

    fn writers(a: &Article) -> (Option<i64>, Option<i64>) {
        (a.meta.created_by.map(|s| s.0), a.edited_by.map(|s| s.0))
    }
}

/// A cover is an image of a union the caller edits (one uploaded in their branch).
async fn check_cover(db: &Store, staff: &StaffCtx<'_>, cover: ArticleImageId) -> Result<()> {
    let image = channel_store::image(db, cover).await?;
    let org = match image {
        Some(i) => org_store::get(db, i.org_id).await?,
        None => None,
    };
    match org {
        Some(o) if staff.may_edit(&o.path) => Ok(()),
        _ => Err(AppError::invalid("cover", "封面图片不存在，请重新上传")),
    }
}
