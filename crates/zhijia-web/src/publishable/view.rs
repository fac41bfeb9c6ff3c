//! What the publishable API answers to staff: a record's frame with the kind's own fields at
//! the top level (as the JSON has always had them), built from the store's record.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhijia_domain::ids::{OrgId, RecordId};
use zhijia_domain::publishing::PublishStatus;
use zhijia_store::Page;
use zhijia_store::publishable::{Content, Record};

#[derive(Debug, Serialize)]
pub struct RecordView<V> {
    /// The record's id.
    pub id: i64,
    pub org_id: OrgId,
    pub org_name: String,
    /// `draft`, `in_review` (kinds a second person approves), `published` or `withdrawn`.
    pub status: PublishStatus,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    #[serde(flatten)]
    pub content: V,
}

impl<C: Content, V: for<'a> From<&'a C>> From<&Record<C>> for RecordView<V> {
    fn from(r: &Record<C>) -> Self {
        RecordView {
            id: r.id.get(),
            org_id: r.org_id,
            org_name: r.org_name.clone(),
            status: r.status,
            created_at: r.created_at,
            published_at: r.published_at,
            content: V::from(&r.content),
        }
    }
}

/// A page of records as a page of their views.
pub fn page<C: Content, V: for<'a> From<&'a C>>(p: &Page<Record<C>>) -> Page<RecordView<V>> {
    Page {
        items: p.items.iter().map(RecordView::from).collect(),
        total: p.total,
        offset: p.offset,
        limit: p.limit,
    }
}
