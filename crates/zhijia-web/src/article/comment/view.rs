//! What the comment API answers. Writers are shown by their masked name (张*); the text was
//! masked when it was written.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhijia_domain::auth::mask_name;
use zhijia_domain::ids::{ArticleCommentId, ArticleId, OrgId, WorkerId};
use zhijia_domain::publishing::split_paragraphs;
use zhijia_store::article::comment::Comment;

/// A comment as a reader sees it under an article.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommentView {
    #[schema(value_type = i64)]
    pub id: ArticleCommentId,
    #[schema(value_type = i64)]
    pub article_id: ArticleId,
    /// The writer's masked name (张*).
    pub writer: String,
    /// Phone and identity numbers in it were masked when it was written.
    pub body: String,
    /// `pending` (only its writer sees it) or `featured`.
    pub status: String,
    pub status_label: &'static str,
    /// Whether the reader wrote it (they may delete it).
    pub mine: bool,
    /// The union's answer under it, if any.
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl CommentView {
    pub fn of(c: &Comment, reader: Option<WorkerId>) -> Self {
        CommentView {
            id: c.id,
            article_id: c.article_id,
            writer: mask_name(&c.worker_name),
            body: c.body.clone(),
            status: c.status.as_str().to_owned(),
            status_label: c.status.label(),
            mine: reader == Some(c.worker_id),
            reply: c.reply.clone(),
            replied_at: c.replied_at,
            created_at: c.created_at,
        }
    }

    /// Whether only its writer sees it yet.
    pub fn pending(&self) -> bool {
        self.status == "pending"
    }

    pub fn paragraphs(&self) -> Vec<String> {
        split_paragraphs(&self.body)
    }
}

/// A comment in the moderation queue, with its article and union.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ModerationView {
    #[schema(value_type = i64)]
    pub id: ArticleCommentId,
    #[schema(value_type = i64)]
    pub article_id: ArticleId,
    pub article_title: String,
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub org_name: String,
    /// The writer's masked name (张*).
    pub writer: String,
    pub body: String,
    /// `pending`, `featured` or `deleted`.
    pub status: String,
    pub status_label: &'static str,
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<&Comment> for ModerationView {
    fn from(c: &Comment) -> Self {
        ModerationView {
            id: c.id,
            article_id: c.article_id,
            article_title: c.article_title.clone(),
            org_id: c.org_id,
            org_name: c.org_name.clone(),
            writer: mask_name(&c.worker_name),
            body: c.body.clone(),
            status: c.status.as_str().to_owned(),
            status_label: c.status.label(),
            reply: c.reply.clone(),
            replied_at: c.replied_at,
            created_at: c.created_at,
        }
    }
}

impl ModerationView {
    pub fn pending(&self) -> bool {
        self.status == "pending"
    }

    pub fn paragraphs(&self) -> Vec<String> {
        split_paragraphs(&self.body)
    }
}
