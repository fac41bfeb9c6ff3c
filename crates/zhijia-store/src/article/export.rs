//! What the WeChat export of an article reads: its text and its union, whatever its state (an
//! editor prepares the post before or after publishing here).

use crate::Result;
use crate::db::{FromRow, Row, Store};
use chrono::{DateTime, Utc};
use zhijia_domain::ids::ArticleId;
use zhijia_domain::org::OrgPath;

#[derive(Debug, Clone)]
pub struct ExportSource {
    pub id: ArticleId,
    pub org_name: String,
    pub org_path: OrgPath,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub source: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
}

impl FromRow for ExportSource {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(ExportSource {
            id: row.id("id")?,
            org_name: row.get("org_name")?,
            org_path: row.org_path("org_path")?,
            title: row.get("title")?,
            summary: row.get("summary")?,
            body_html: row.get("body_html")?,
            source: row.get("source")?,
            published_at: row.get("published_at")?,
        })
    }
}

/// A re-share exports its source's text.
const GET: &str = "SELECT a.id, o.name AS org_name, o.path AS org_path, \
     COALESCE(s.title, a.title) AS title, COALESCE(s.summary, a.summary) AS summary, \
     COALESCE(s.body_html, a.body_html) AS body_html, \
     CASE WHEN s.id IS NULL THEN a.source ELSE COALESCE(s.source, so.name) END AS source, \
     a.published_at FROM article a JOIN org o ON o.id = a.org_id \
     LEFT JOIN article s ON s.id = a.shared_from LEFT JOIN org so ON so.id = s.org_id \
     WHERE a.id = $1";

pub async fn get(store: &Store, id: ArticleId) -> Result<Option<ExportSource>> {
    store.query_opt(GET, &[&id.0]).await
}
