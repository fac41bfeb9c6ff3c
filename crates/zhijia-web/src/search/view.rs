//! What the search API answers.

use serde::Serialize;
use utoipa::ToSchema;
use zhijia_search::Hit;

/// One result.
#[derive(Debug, Serialize, ToSchema)]
pub struct HitView {
    /// article | notice | answer | offer | activity | library | model_worker
    #[schema(value_type = String)]
    pub kind: zhijia_domain::search::SearchKind,
    /// The kind in Chinese (资讯, 通知公告, …).
    pub kind_label: &'static str,
    pub id: i64,
    pub title: String,
    /// The title as HTML: escaped, with the matched words in `<b>`.
    pub title_html: String,
    /// A passage of the text as HTML: escaped, with the matched words in `<b>`.
    pub snippet_html: String,
    /// The union that published it.
    pub org_name: String,
    /// The worker's page of the record.
    pub href: String,
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<Hit> for HitView {
    fn from(h: Hit) -> Self {
        HitView {
            kind_label: h.kind.label(),
            href: h.kind.href(h.id),
            kind: h.kind,
            id: h.id,
            title: h.title,
            title_html: h.title_html,
            snippet_html: h.snippet_html,
            org_name: h.org_name,
            published_at: h.published_at,
        }
    }
}

/// A page of results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchPage {
    pub items: Vec<HitView>,
    /// How many results there are in all.
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

/// A knowledge-base answer suggested while a case's title is typed.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerSuggestion {
    pub id: i64,
    pub title: String,
    pub href: String,
}
