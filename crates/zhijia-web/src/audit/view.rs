//! What the audit API answers with, built from the store's entries.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhijia_store::audit::Entry;

/// One audit entry, as the JSON has always shown it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntryView {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_kind: &'static str,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub ip: Option<String>,
    pub action: String,
    #[schema(value_type = Option<i64>)]
    pub org_id: Option<zhijia_domain::org::OrgId>,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub detail: Option<String>,
}

impl From<&Entry> for EntryView {
    fn from(e: &Entry) -> Self {
        EntryView {
            id: e.id.0,
            at: e.at,
            actor_kind: e.actor_kind.as_str(),
            actor_id: e.actor_id.map(|s| s.0),
            actor_name: e.actor_name.clone(),
            ip: e.ip.clone(),
            action: e.action.clone(),
            org_id: e.org_id,
            target_kind: e.target_kind.clone(),
            target_id: e.target_id.clone(),
            detail: e.detail.clone(),
        }
    }
}
